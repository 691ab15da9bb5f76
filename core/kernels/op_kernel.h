// The contract between operator kernels and the interpreter.
//
// Each operator lives in one file core/kernels/<op>.cc that defines an OpKernel with two steps:
//   Prepare(ctx): validate input types/shapes/options, set every output's shape (and check its
//                 type), precompute what Eval needs (quantized multipliers, packed weights) into an
//                 OpState, request scratch memory. Runs once per Interpreter::Prepare. Constant
//                 inputs (weights, folded constants) already have data; other tensors have shapes
//                 only (data == nullptr).
//   Eval(ctx):    compute outputs from inputs. Never allocates on the heap in steady state, never
//                 reads or writes outside the views' bytes (Prepare has validated everything Eval
//                 relies on). May use ctx.thread_pool(); results must not depend on thread count.
// Both return absl::Status; messages describe the problem, the interpreter prefixes the operator
// index and name.
#ifndef COMPRESSD_CORE_KERNELS_OP_KERNEL_H_
#define COMPRESSD_CORE_KERNELS_OP_KERNEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/ir/model.h"
#include "core/kernels/shape.h"

namespace compressd {
class ThreadPool;
}

namespace compressd::kernels {

// A tensor as kernels see it. Owned by the interpreter; valid for the lifetime of the prepared
// interpreter. `data` points into the activation arena, into the model's constant buffers, or into
// interpreter-owned storage for folded constants.
struct TensorView {
  ir::DataType type = ir::DataType::kFloat32;
  Shape shape;
  void* data = nullptr;  // nullptr during Prepare unless is_constant
  int64_t bytes = 0;     // size of `data` in bytes (valid once data is set)
  const ir::QuantParams* quant = nullptr;  // nullptr when the tensor has no quantization
  bool is_constant = false;
  const std::string* name = nullptr;
  // Sparse constant tensors only (DENSIFY's input): `shape` is the dense shape, `data` holds the
  // stored values in the order `sparsity` describes (see core/kernels/reference/densify.h).
  const ir::Sparsity* sparsity = nullptr;

  template <typename T>
  T* data_as() const {
    return static_cast<T*>(data);
  }
  bool IsQuantized() const { return quant != nullptr && quant->IsQuantized(); }
};

// Arithmetic profiles: which runtime's results the kernels reproduce bit-exactly (int8 and, for
// kXnnpack, the float operators listed below).
//
// kTfliteBuiltin (default): TensorFlow Lite's builtin kernels (reference_integer_ops and the
// default optimized kernels that match them): fixed-point requantization with
// MultiplyByQuantizedMultiplier (Q0.31 multipliers, double rounding), activation bounds
// zp + round_half_away(f / scale), QUANTIZE as zp + round_half_away(x / scale).
//
// kXnnpack: what TFLite computes with its XNNPACK delegate applied (TFLite's default on phones
// and in @tensorflow/tfjs-tflite), checked against the delegate of tfjs-tflite 0.0.1-alpha.10
// (TF Lite xnnpack_delegate.cc of 2022). An operator the delegate declines runs TFLite's builtin
// kernel, so kernels use kXnnpack only where the delegate takes the node. int8 only (int16 and
// uint8 paths are unaffected). Formulas in core/kernels/reference/xnnpack_int8.h:
//   * activation bounds of a fused RELU/RELU6/RELU_N1_TO_1: xnn_qs8_quantize,
//     lrintf(clamp(f / scale + zp, -128, 127)) (round half to even).
//   * CONV_2D, DEPTHWISE_CONV_2D (only with a bias; per-tensor or per-channel filter) and
//     FULLY_CONNECTED (only with per-tensor weights): fp32 requantization,
//     out = clamp(lrintf((float)acc * s[c]), min - zp, max - zp) + zp with
//     s[c] = input_scale * filter_scale[c] / output_scale in float
//     (xnn_init_qs8_conv_minmax_fp32_scalar_{fmagic,lrintf}_params; both round half to even).
//   * ADD (both input/output scale ratios in [2^-10, 2^8)): qs8-vadd, 20-bit multipliers
//     lrintf(ratio * 2^shift), shift = 20 - floor(log2(max ratio)), rounding constant
//     2^(shift-1) folded into a bias, arithmetic shift (xnn_init_qs8_add_minmax_scalar_params).
//   * MUL (a_scale * b_scale / out_scale in [2^-16, 2^8)): qs8-vmul fp32 requantization of
//     (a - a_zp) * (b - b_zp) (xnn_init_qs8_mul_minmax_fp32_scalar_params).
//   * MEAN over int32 axes {1, 2} of a 4-D tensor (keep_dims or not): qs8 global average
//     pooling, acc = sum - n * in_zp, fp32 requantization with in_scale / (out_scale * n)
//     (xnn_init_qs8_avgpool_minmax_fp32_*, global-average-pooling-nwc.c).
//   * RESIZE_BILINEAR: s8-ibilinear with 11-bit weights from float source coordinates
//     (xnn_indirection_init_resize_bilinear2d_hwc_q11, XNN_FLAG_TENSORFLOW_LEGACY_MODE unless
//     half_pixel_centers).
//   * QUANTIZE float32 -> int8 (per-tensor): f32-qs8-vcvt, lrintf(x * (1/scale)) + zp;
//     int8 -> int8 (in_scale / out_scale in [2^-8, 2^7]): qs8-vcvt, Q8 multiplier
//     lrintf(256 * ratio), (x * m + (out_zp << 8) - m * in_zp + 128) >> 8, clamped.
// float32 operators the delegate takes, in XNNPACK's order of operations (each checked bit for bit
// against the TFLite runtime in tests/compat/xnnpack_float_oracle_test.cc):
//   * CONV_2D (constant filter, one group), DEPTHWISE_CONV_2D (constant filter) and
//     FULLY_CONNECTED (constant 2-D weights): each output is bias + products added one by one,
//     unfused, in XNNPACK's GEMM / IGEMM / depthwise tap order (reference/xnnpack_float_conv.h,
//     fast path optimized/xnnpack_float_conv.h).
//   * LOGISTIC: XNNPACK's rr2_p5_div sigmoid; AVERAGE_POOL_2D over the whole unpadded image and
//     4-D MEAN over H and W: global average pooling (7p7x summation); RESIZE_BILINEAR: f32-ibilinear
//     (reference/xnnpack_float.h).
//   * HARD_SWISH: f32-vhswish, (x * 0x1.555556p-3f) times min(max(x + 3, 0), 6), each step
//     rounded to float (reference/xnnpack_float.h HardSwishXnnpack; TFLite's builtin divides by 6 last).
// Same results in both profiles (no change needed): MAX_POOL_2D, PAD, RESHAPE, CONCATENATION
// (byte moves / max; the delegate needs equal quantization), DEQUANTIZE ((x - zp) * scale in
// float), LOGISTIC (both use a 256-entry table of round(256 / (1 + expf(-x))) - 128; they differ
// only at exact .5 ties, which float inputs do not produce in practice). Declined by this
// delegate for int8, hence builtin in both profiles: AVERAGE_POOL_2D, HARD_SWISH, LEAKY_RELU,
// RELU/RELU6 as standalone ops, SOFTMAX, and the cases noted above.
enum class IntegerArithmetic {
  // TensorFlow Lite's builtin reference kernels (gemmlowp-style fixed-point requantization with
  // MultiplyByQuantizedMultiplier, TFLite's LUTs). The default.
  kTfliteBuiltin,
  // What TensorFlow Lite computes with its XNNPACK delegate applied (the default on phones and in
  // @tensorflow/tfjs-tflite): XNNPACK's QS8 microkernels' arithmetic for the operators the
  // delegate takes; operators it declines keep kTfliteBuiltin arithmetic.
  kXnnpack,
};

// Per-operator state created in Prepare (packed weights, multipliers, ...).
class OpState {
 public:
  virtual ~OpState() = default;
};

// Implemented by the interpreter, one per operator. Not thread-safe.
class OpContext {
 public:
  virtual ~OpContext() = default;

  virtual const ir::Operator& op() const = 0;
  virtual int num_inputs() const = 0;
  virtual int num_outputs() const = 0;
  // nullptr when input `i` is an omitted optional input (tensor index -1). `i` must be in range.
  virtual const TensorView* input(int i) const = 0;
  // `i` must be in range. Before Prepare, type and shape are those the model declares.
  virtual TensorView* output(int i) = 0;

  // Prepare only: scratch memory of `bytes` bytes for use during Eval (lives in the arena, not
  // preserved between Evals). Returns an index for scratch().
  virtual absl::StatusOr<int> RequestScratch(int64_t bytes) = 0;
  // Eval only: the scratch buffer with the index RequestScratch returned (64-byte aligned).
  virtual void* scratch(int index) = 0;

  virtual void set_state(std::unique_ptr<OpState> state) = 0;
  virtual OpState* state() const = 0;
  // nullptr means single-threaded.
  virtual ThreadPool* thread_pool() const = 0;
  // The integer arithmetic int8 kernels must reproduce. Kernels read it in Prepare only.
  virtual IntegerArithmetic integer_arithmetic() const { return IntegerArithmetic::kTfliteBuiltin; }

  // Typed state access for Eval (the kernel's own Prepare created it).
  template <typename T>
  T* state_as() const {
    return static_cast<T*>(state());
  }
};

struct OpKernel {
  const char* name;  // "CONV_2D", "Convolution2DTransposeBias", ...
  absl::Status (*prepare)(OpContext& ctx);
  absl::Status (*eval)(OpContext& ctx);
};

// The options of type T of the context's operator, or T's defaults when the file has none
// (TFLite treats a missing options table as all-default).
template <typename T>
T OptionsOrDefault(const OpContext& ctx) {
  if (const T* o = std::get_if<T>(&ctx.op().builtin_options)) return *o;
  return T{};
}

}  // namespace compressd::kernels

#endif  // COMPRESSD_CORE_KERNELS_OP_KERNEL_H_
