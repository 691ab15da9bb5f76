// ADD: elementwise addition with broadcasting and a fused clamp activation (TFLite semantics, see
// reference/binary.h). Supported: float32, int32, and quantized int8 / int16 bit-exact with
// TFLite's default kernel (reference/integer_binary.h):
//   int8: the general 8-bit path of TFLite's add.cc Prepare: left_shift 20,
//     twice_max = 2 * max(scale_a, scale_b) (float), input multipliers
//     QuantizeMultiplierSmallerThanOneExp(scale_x / twice_max) (double), output multiplier
//     QuantizeMultiplierSmallerThanOneExp(twice_max / (2^20 * out_scale)), fused activation as a
//     quantized clamp (CalculateActivationRangeQuantized). Equal shapes and row broadcasts run the
//     vectorized optimized::Int8Add (bit-exact, tested against the reference).
//   int16: zero points must be 0. TFLite's general int16 path (left_shift 15, same multipliers)
//     when AddOptions.pot_scale_int16 is false or any scale is not a power of two; TFLite's
//     power-of-two LSTM path (pot_scale_int16 true and all scales powers of two) is
//     Unimplemented.
// Every input and the output need per-tensor quantization (positive finite scale).
// IntegerArithmetic::kXnnpack, int8: XNNPACK's qs8 ADD (reference/xnnpack_int8.h, XnnAdd) when
// both input-to-output scale ratios are in [2^-10, 2^8) (otherwise TFLite's delegate declines the
// node and the builtin arithmetic above applies); equal shapes and row broadcasts run the
// vectorized optimized::XnnAddInt8 (bit-exact, tested against the reference).
#include <algorithm>
#include <cmath>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/contiguous_runs.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/optimized/int8_binary.h"
#include "core/kernels/optimized/xnnpack_int8_elementwise.h"
#include "core/kernels/quantized_util.h"
#include "core/kernels/reference/binary.h"
#include "core/kernels/reference/integer_binary.h"
#include "core/kernels/reference/xnnpack_int8.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

struct QuantAddState : OpState {
  reference::QuantizedAddParams params;
  bool use_xnnpack = false;  // int8 only: `xnn` instead of `params`
  reference::XnnAddParams xnn;
};

// TFLite's CheckedLog2: log2 computed in float, "power of two" when within 1e-3 of an integer.
bool IsPowerOfTwo(float scale) {
  const float x_log2 = std::log(scale) * (1.0f / std::log(2.0f));
  return std::abs(x_log2 - std::round(x_log2)) < 1e-3f;
}

absl::Status PrepareQuantized(OpContext& ctx, ir::DataType type, const ir::AddOptions& options) {
  const TensorView& a = *ctx.input(0);
  const TensorView& b = *ctx.input(1);
  const TensorView& out = *ctx.output(0);
  ASSIGN_OR_RETURN(const quantized::TensorQuant qa, quantized::GetTensorQuant(a, "input 0"));
  ASSIGN_OR_RETURN(const quantized::TensorQuant qb, quantized::GetTensorQuant(b, "input 1"));
  ASSIGN_OR_RETURN(const quantized::TensorQuant qo, quantized::GetTensorQuant(out, "output"));
  int left_shift = 20;
  if (type == ir::DataType::kInt16) {
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(a, qa, "input 0"));
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(b, qb, "input 1"));
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(out, qo, "output"));
    if (options.pot_scale_int16 && IsPowerOfTwo(qa.scale) && IsPowerOfTwo(qb.scale) &&
        IsPowerOfTwo(qo.scale)) {
      return absl::UnimplementedError(
          "int16 ADD with power-of-two scales and pot_scale_int16 (TFLite's LSTM path) is not "
          "implemented");
    }
    left_shift = 15;
  }
  // TFLite: `const double twice_max_input_scale = 2 * std::max(s1, s2)` is computed in float.
  const float twice_max_float = 2 * std::max(qa.scale, qb.scale);
  const double twice_max = twice_max_float;
  auto state = std::make_unique<QuantAddState>();
  reference::QuantizedAddParams& p = state->params;
  p.left_shift = left_shift;
  p.input1_offset = -qa.zero_point;
  p.input2_offset = -qb.zero_point;
  p.output_offset = qo.zero_point;
  ASSIGN_OR_RETURN(const quant::QuantizedMultiplier m1,
                   quantized::SmallerThanOneMultiplier(qa.scale / twice_max,
                                                       "input 0 rescale multiplier"));
  ASSIGN_OR_RETURN(const quant::QuantizedMultiplier m2,
                   quantized::SmallerThanOneMultiplier(qb.scale / twice_max,
                                                       "input 1 rescale multiplier"));
  // (1 << left_shift) * out_scale is a float product in TFLite.
  const float shifted_out_scale = static_cast<float>(1 << left_shift) * qo.scale;
  ASSIGN_OR_RETURN(const quant::QuantizedMultiplier mo,
                   quantized::SmallerThanOneMultiplier(
                       twice_max / shifted_out_scale,
                       absl::StrCat("output rescale multiplier 2*max(input scales)/(2^",
                                    left_shift, "*output scale)")));
  p.input1_multiplier = m1.multiplier;
  p.input1_shift = m1.shift;
  p.input2_multiplier = m2.multiplier;
  p.input2_shift = m2.shift;
  p.output_multiplier = mo.multiplier;
  p.output_shift = mo.shift;
  ASSIGN_OR_RETURN(const quantized::IntRange act,
                   quantized::ActivationRange(options.activation, type, qo));
  p.act_min = act.min;
  p.act_max = act.max;
  if (type == ir::DataType::kInt8 && ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack) {
    const float sa = qa.scale / qo.scale;
    const float sb = qb.scale / qo.scale;
    if (reference::XnnAddScalesSupported(sa, sb)) {
      const auto bounds = FloatActivationBounds(options.activation);
      state->use_xnnpack = true;
      state->xnn = reference::XnnMakeAddParams(
          qa.zero_point, qb.zero_point, qo.zero_point, sa, sb,
          reference::XnnActivationRange(bounds.min, bounds.max, qo.scale, qo.zero_point));
    }
  }
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

absl::Status Prepare(OpContext& ctx) {
  ASSIGN_OR_RETURN(const ir::DataType type, PrepareBroadcastBinary(ctx));
  const ir::AddOptions options = OptionsOrDefault<ir::AddOptions>(ctx);
  switch (type) {
    case ir::DataType::kFloat32:
    case ir::DataType::kInt32:
      return CheckClampActivation(options.activation);
    case ir::DataType::kInt8:
    case ir::DataType::kInt16:
      return PrepareQuantized(ctx, type, options);
    default:
      return absl::UnimplementedError(absl::StrCat(
          "ADD of ", TypeName(type), " is not implemented (supported: float32, int32, int8, int16)"));
  }
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& a = *ctx.input(0);
  const TensorView& b = *ctx.input(1);
  TensorView& out = *ctx.output(0);
  const ir::Activation act = OptionsOrDefault<ir::AddOptions>(ctx).activation;
  switch (a.type) {
    case ir::DataType::kFloat32: {
      const auto r = FloatActivationBounds(act);
      reference::Add(a.shape, a.data_as<const float>(), b.shape, b.data_as<const float>(),
                     out.shape, out.data_as<float>(), r.min, r.max);
      return absl::OkStatus();
    }
    case ir::DataType::kInt32: {
      const auto r = Int32ActivationBounds(act);
      reference::Add(a.shape, a.data_as<const int32_t>(), b.shape, b.data_as<const int32_t>(),
                     out.shape, out.data_as<int32_t>(), r.min, r.max);
      return absl::OkStatus();
    }
    case ir::DataType::kInt8:
      if (const QuantAddState* st = ctx.state_as<QuantAddState>(); st->use_xnnpack) {
        if (const auto runs = ContiguousRuns(a.shape, b.shape, out.shape)) {
          // The vectorized path, bit-exact with the reference.
          optimized::XnnAddInt8(
              st->xnn, optimized::Int8Runs{a.data_as<const int8_t>(), runs->a_step,
                                           b.data_as<const int8_t>(), runs->b_step,
                                           out.data_as<int8_t>(), runs->rows, runs->length});
          return absl::OkStatus();
        }
        reference::XnnAdd(st->xnn, a.shape, a.data_as<const int8_t>(), b.shape,
                          b.data_as<const int8_t>(), out.shape, out.data_as<int8_t>());
        return absl::OkStatus();
      }
      if (const auto runs = ContiguousRuns(a.shape, b.shape, out.shape)) {
        // The vectorized path, bit-exact with the reference.
        optimized::Int8Add(ctx.state_as<QuantAddState>()->params,
                          optimized::Int8Runs{a.data_as<const int8_t>(), runs->a_step,
                                              b.data_as<const int8_t>(), runs->b_step,
                                              out.data_as<int8_t>(), runs->rows, runs->length});
        return absl::OkStatus();
      }
      reference::QuantizedAdd(ctx.state_as<QuantAddState>()->params, a.shape,
                              a.data_as<const int8_t>(), b.shape, b.data_as<const int8_t>(),
                              out.shape, out.data_as<int8_t>());
      return absl::OkStatus();
    case ir::DataType::kInt16:
      reference::QuantizedAdd(ctx.state_as<QuantAddState>()->params, a.shape,
                              a.data_as<const int16_t>(), b.shape, b.data_as<const int16_t>(),
                              out.shape, out.data_as<int16_t>());
      return absl::OkStatus();
    default:
      return absl::UnimplementedError(
          absl::StrCat("ADD of ", TypeName(a.type), " is not implemented"));
  }
}

}  // namespace

const OpKernel& AddKernel() {
  static const OpKernel kernel{"ADD", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
