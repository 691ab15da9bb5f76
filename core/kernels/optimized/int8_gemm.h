// Integer GEMM with a pre-packed int8 weight operand and a fused TFLite requantization epilogue,
// the engine behind the optimized int8 CONV_2D and FULLY_CONNECTED kernels:
//
//   acc[i][j] = (bias ? bias[j] : 0) + sum_k A[i][k] * B[k][j]                        (int32)
//   C[i][j]   = clamp(MultiplyByQuantizedMultiplier(acc, multiplier[j], shift[j])
//                     + output_zero_point, act_min, act_max)                           (int8)
//
// which is TFLite's reference_integer_ops::ConvPerChannel / FullyConnected arithmetic when A
// holds the activations with the input offset already added (A = x_q + input_offset, see
// WidenInt8WithOffset) and B the int8 weights (zero point 0).
//
// Operands:
//   A: int16, row-major with a leading dimension (in int16 elements). Values must be in
//      [-255, 255] (an int8 plus an offset in [-127, 128]); every row must hold KPadded(k) =
//      k rounded up to even readable elements (the element past an odd k is multiplied by a zero
//      weight, so its value is irrelevant, but it must be initialized memory).
//   B: packed once (Prepare time) from its [n x k] transpose (OHWI filter, FC [out, in]
//      weights) into a PackedInt8Matrix for one variant.
//   C: int8, row-major with a leading dimension (in bytes).
//
// Why int16 activations: the AVX2 kernel multiplies with vpmaddwd (int16 x int16 pairs summed
// into int32, exact: |a*b| <= 255*128 = 32640, a pair sum fits easily and vpmaddwd only
// saturates for (-32768)^2 pairs, impossible here), which needs both operands as int16 anyway.
// Adding the input offset while widening removes the usual "offset * sum(w)" bias folding and
// makes padding trivial: a padded tap is a 0 in A, exactly TFLite's "skip the tap".
//
// Overflow: products are exact; the int32 sums are computed with two's-complement wrap-around
// (SIMD adds; unsigned arithmetic in portable C++), and addition modulo 2^32 does not depend on
// the summation order, so the accumulator is bit-identical to TFLite's int32 accumulator
// whenever that one does not overflow (|bias| + k * 32640 < 2^31, e.g. any k < 65000 with
// |bias| < 2^30), and equal to its wrapped value otherwise. The requantization reproduces
// compressd::quant::MultiplyByQuantizedMultiplier bit for bit (left shift wraps as TFLite's,
// SaturatingRoundingDoublingHighMul saturates, RoundingDivideByPOT rounds half away from 0);
// the output zero point is added with int32 wrap-around (TFLite's `acc += output_offset`), then
// the result is clamped to [act_min, act_max].
//
// Variants: Int8GemmVariants() lists every variant compiled in (portable first);
// DefaultInt8GemmVariant() is the fastest one the CPU supports (core/base/cpu_features.h,
// COMPRESSD_CPU=portable forces the portable one).
//
// Determinism: integer results are exact, so they do not depend on the variant, the blocking or
// the ThreadPool's thread count.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_GEMM_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_GEMM_H_

#include <cstdint>
#include <span>

#include "core/base/cpu_features.h"
#include "core/kernels/optimized/aligned_buffer.h"
#include "core/kernels/optimized/int8_gemm_ukernel.h"

namespace compressd {
class ThreadPool;
}

namespace compressd::kernels::optimized {

// Requantization of the int32 accumulators of one op (per output channel c), in one of two
// arithmetics:
//  * TFLite's builtin kernels (fp32_scale == nullptr):
//      out = clamp(MultiplyByQuantizedMultiplier(acc, multiplier[c], shift[c])
//                  + output_zero_point, act_min, act_max)
//  * XNNPACK's fp32 requantization (fp32_scale != nullptr; reference/xnnpack_int8.h
//    XnnRequantizeFp32, what TFLite computes when its XNNPACK delegate runs the op):
//      out = lrintf(clamp((float)acc * fp32_scale[c], act_min - zp, act_max - zp)) + zp
//    multiplier and shift are then unused and may be null.
// The pointed-to arrays are borrowed for the duration of a call; they hold one value per output
// channel, or a single value used for all channels when per_channel is false (per-tensor
// quantization, e.g. TFLite's FULLY_CONNECTED).
struct Int8Requant {
  int32_t input_offset = 0;       // -input_zero_point, in [-127, 128]
  int32_t output_zero_point = 0;  // in [-128, 127]
  const int32_t* multiplier = nullptr;
  const int32_t* shift = nullptr;  // each in [-31, 31]; positive = left shift
  const float* fp32_scale = nullptr;  // finite, > 0
  int32_t act_min = -128;          // -128 <= act_min <= act_max <= 127
  int32_t act_max = 127;
  bool per_channel = true;
};

// Copies the requantization of `rq` into the kernels' view `out` and computes the kernels' hints
// (any_left_shift, any_min_multiplier) over its `channels` values, or its single value when
// !rq.per_channel. For the int8 kernels' drivers.
void SetOutputStage(const Int8Requant& rq, int64_t channels, Int8OutputStage* out);

struct Int8GemmVariant {
  const char* name;  // e.g. "avx2_4x16c2"
  CpuIsa isa;        // what the CPU must support to run it
  int mr;            // register tile rows
  int nr;            // register tile columns = packed panel width
  Int8GemmBlockFn block;
  Int8WidenFn widen;  // the matching int8 -> int16 conversion (WidenInt8WithOffset)
};

// Every variant compiled into this binary, portable first; some may need an ISA the CPU lacks.
std::span<const Int8GemmVariant> Int8GemmVariants();
// Whether `v` can run on this CPU (GetCpuFeatures(), i.e. honouring COMPRESSD_CPU).
bool IsSupported(const Int8GemmVariant& v);
// The fastest supported variant. Never fails (the portable variant always exists).
const Int8GemmVariant& DefaultInt8GemmVariant();

// k rounded up to even: the row length (in int16) the kernels read from A.
inline int64_t KPadded(int64_t k) { return (k + 1) / 2 * 2; }

// dst[i] = src[i] + offset as int16, i in [0, n). offset in [-127, 128]. Uses the default
// variant's conversion (or `variant`'s). src and dst must not overlap.
void WidenInt8WithOffset(const int8_t* src, int64_t n, int32_t offset, int16_t* dst);
void WidenInt8WithOffset(const Int8GemmVariant& variant, const int8_t* src, int64_t n,
                         int32_t offset, int16_t* dst);

// B packed for one variant (layout in int8_gemm_ukernel.h). Owns its 64-byte aligned memory;
// movable, not copyable; immutable after packing, so Eval may read it from several threads.
class PackedInt8Matrix {
 public:
  PackedInt8Matrix() = default;

  // Packs B from its transpose, an [n x k] row-major int8 matrix (row j = column j of B, `ld`
  // bytes apart): the layout of CONV_2D's OHWI filter (k = H*W*I) and FULLY_CONNECTED's
  // [out, in] weights. Requires n >= 1, k >= 1, ld >= k.
  static PackedInt8Matrix FromTransposed(const Int8GemmVariant& variant, int64_t n, int64_t k,
                                         const int8_t* b_t, int64_t ld);

  bool empty() const { return variant_ == nullptr; }
  const Int8GemmVariant& variant() const { return *variant_; }
  int64_t n() const { return n_; }  // columns of B (output channels)
  int64_t k() const { return k_; }  // depth
  const int8_t* data() const { return reinterpret_cast<const int8_t*>(buffer_.data()); }
  // Bytes between panels: KPadded(k) * nr.
  int64_t panel_stride() const { return KPadded(k_) * variant_->nr; }
  int64_t SizeBytes() const { return buffer_.size() * static_cast<int64_t>(sizeof(float)); }

 private:
  const Int8GemmVariant* variant_ = nullptr;
  int64_t n_ = 0;
  int64_t k_ = 0;
  AlignedBuffer buffer_;  // raw bytes (AlignedBuffer counts floats); int8 may alias it
};

// C = requant(A * B + bias) as described at the top. `m` >= 0 rows; A row r at a + r*lda
// (lda >= KPadded(b.k()), int16 elements); bias: b.n() int32 or nullptr; C row r at c + r*ldc
// (ldc >= b.n() bytes). A and C must not overlap. Writes exactly C's m x n elements. With a pool
// of more than one thread the work is split over row tiles (or column panels when m is small).
// No heap allocation, no scratch.
void Int8Gemm(int64_t m, const int16_t* a, int64_t lda, const PackedInt8Matrix& b,
              const int32_t* bias, const Int8Requant& rq, int8_t* c, int64_t ldc,
              ThreadPool* pool = nullptr);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_GEMM_H_
