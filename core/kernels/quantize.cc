// QUANTIZE: float32 -> int8 / uint8 / int16 with the output's affine quantization (per-channel
// when it has several scales), and requantization between integer types as TFLite's quantize.cc
// does it (reference/quantize.h Requantize, multiplier QuantizeMultiplier(double(in_scale) /
// double(out_scale))): int8 / uint8 -> int8 / uint8, and int16 -> int8 / int16 (int16 -> int16
// needs zero points 0, as in TFLite). Requantization needs per-tensor quantization on both sides.
// IntegerArithmetic::kXnnpack: float32 -> int8 with per-tensor quantization uses XNNPACK's
// f32-qs8-vcvt (reference/xnnpack_int8.h XnnQuantizeF32: multiply by the float reciprocal of the
// scale, round half to even) as TFLite's delegate does, and int8 -> int8 with in/out scale ratio
// in [2^-8, 2^7] uses XNNPACK's qs8-vcvt (XnnRequantize, Q8 multiplier); both run the vectorized
// optimized/xnnpack_int8_elementwise.h kernels (bit-exact, tested against the reference).
#include <cstdint>
#include <memory>

#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/optimized/int8_quantize.h"
#include "core/kernels/optimized/xnnpack_int8_elementwise.h"
#include "core/kernels/quantized_util.h"
#include "core/kernels/reference/quantize.h"
#include "core/kernels/reference/xnnpack_int8.h"

namespace compressd::kernels {
namespace {

bool IsInteger(ir::DataType t) {
  return t == ir::DataType::kInt8 || t == ir::DataType::kUInt8 || t == ir::DataType::kInt16;
}

// float32 -> int8 computed with XNNPACK's arithmetic (kXnnpack, per-tensor quantization).
struct XnnQuantizeState : OpState {};

struct RequantizeState : OpState {
  int32_t multiplier = 0;
  int shift = 0;
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  bool use_xnnpack = false;  // int8 -> int8 with XNNPACK's qs8-vcvt (`xnn`)
  reference::XnnRequantizeParams xnn;
};

bool IsSupportedRequantization(ir::DataType in, ir::DataType out) {
  const bool eight_bit_in = in == ir::DataType::kInt8 || in == ir::DataType::kUInt8;
  const bool eight_bit_out = out == ir::DataType::kInt8 || out == ir::DataType::kUInt8;
  if (eight_bit_in) return eight_bit_out;
  if (in == ir::DataType::kInt16) return out == ir::DataType::kInt8 || out == ir::DataType::kInt16;
  return false;
}

absl::Status PrepareRequantize(OpContext& ctx, const TensorView& input) {
  TensorView* output = ctx.output(0);
  if (!IsSupportedRequantization(input.type, output->type)) {
    return absl::UnimplementedError(absl::StrCat("requantizing ", nn::TypeName(input.type),
                                                 " to ", nn::TypeName(output->type),
                                                 " is not implemented (supported: int8/uint8 -> "
                                                 "int8/uint8, int16 -> int8/int16)"));
  }
  ASSIGN_OR_RETURN(const quantized::TensorQuant qi, quantized::GetTensorQuant(input, "input"));
  ASSIGN_OR_RETURN(const quantized::TensorQuant qo, quantized::GetTensorQuant(*output, "output"));
  if (input.type == ir::DataType::kInt16 && output->type == ir::DataType::kInt16) {
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(input, qi, "input"));
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(*output, qo, "output"));
  }
  ASSIGN_OR_RETURN(const quant::QuantizedMultiplier m,
                   quantized::RescaleMultiplier(
                       static_cast<double>(qi.scale) / static_cast<double>(qo.scale),
                       "input scale / output scale"));
  auto state = std::make_unique<RequantizeState>();
  state->multiplier = m.multiplier;
  state->shift = m.shift;
  state->input_zero_point = qi.zero_point;
  state->output_zero_point = qo.zero_point;
  if (input.type == ir::DataType::kInt8 && output->type == ir::DataType::kInt8 &&
      ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack) {
    const float in_out_scale = qi.scale / qo.scale;
    if (reference::XnnRequantizeScaleSupported(in_out_scale)) {
      state->use_xnnpack = true;
      state->xnn = reference::XnnMakeRequantizeParams(in_out_scale, qi.zero_point, qo.zero_point);
    }
  }
  ctx.set_state(std::move(state));
  return nn::SetOutput(ctx, 0, output->type, input.shape);
}

template <typename In, typename Out>
void RunRequantize(const RequantizeState& s, const TensorView& in, TensorView& out) {
  reference::Requantize(in.shape.FlatSize(), in.data_as<const In>(), s.multiplier, s.shift,
                        s.input_zero_point, s.output_zero_point, out.data_as<Out>());
}

absl::Status EvalRequantize(OpContext& ctx) {
  const TensorView& in = *ctx.input(0);
  TensorView& out = *ctx.output(0);
  const RequantizeState& s = *ctx.state_as<RequantizeState>();
  using T = ir::DataType;
  if (in.type == T::kInt8 && out.type == T::kInt8 && s.use_xnnpack) {
    optimized::XnnRequantizeInt8(s.xnn, in.data_as<const int8_t>(), out.data_as<int8_t>(),
                                 in.shape.FlatSize());
  } else if (in.type == T::kInt8 && out.type == T::kInt8) {
    RunRequantize<int8_t, int8_t>(s, in, out);
  } else if (in.type == T::kInt8 && out.type == T::kUInt8) {
    RunRequantize<int8_t, uint8_t>(s, in, out);
  } else if (in.type == T::kUInt8 && out.type == T::kInt8) {
    RunRequantize<uint8_t, int8_t>(s, in, out);
  } else if (in.type == T::kUInt8 && out.type == T::kUInt8) {
    RunRequantize<uint8_t, uint8_t>(s, in, out);
  } else if (in.type == T::kInt16 && out.type == T::kInt8) {
    RunRequantize<int16_t, int8_t>(s, in, out);
  } else if (in.type == T::kInt16 && out.type == T::kInt16) {
    RunRequantize<int16_t, int16_t>(s, in, out);
  } else {
    return nn::UnsupportedType(in.type, "input (requantization)");
  }
  return absl::OkStatus();
}

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 1, 1, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  TensorView* output = ctx.output(0);
  if (input->type != ir::DataType::kFloat32) return PrepareRequantize(ctx, *input);
  if (!IsInteger(output->type)) return nn::UnsupportedType(output->type, "output");
  // The output view carries the declared quantization; check it against the input's shape.
  TensorView declared = *output;
  declared.shape = input->shape;
  RETURN_IF_ERROR(nn::CheckAffineQuant(declared, "output", /*require_positive_scale=*/true));
  if (output->type == ir::DataType::kInt8 && output->quant->scale.size() == 1 &&
      ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack) {
    ctx.set_state(std::make_unique<XnnQuantizeState>());
  }
  return nn::SetOutput(ctx, 0, output->type, input->shape);
}

template <typename T>
void Run(const TensorView& in, TensorView& out) {
  const ir::QuantParams& q = *out.quant;
  if (q.scale.size() > 1) {
    reference::PerChannelQuantize(q.scale.data(), q.zero_point.data(), q.quantized_dimension,
                                  in.shape, in.data_as<const float>(), out.data_as<T>());
  } else {
    const int64_t zero_point = q.zero_point.empty() ? 0 : q.zero_point[0];
    reference::Quantize(q.scale[0], zero_point, in.shape.FlatSize(), in.data_as<const float>(),
                        out.data_as<T>());
  }
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  TensorView& output = *ctx.output(0);
  if (input.type != ir::DataType::kFloat32) return EvalRequantize(ctx);
  switch (output.type) {
    case ir::DataType::kInt8:
      if (ctx.state() != nullptr) {  // XnnQuantizeState
        const ir::QuantParams& q = *output.quant;
        optimized::XnnQuantizeF32ToInt8(
            q.scale[0], q.zero_point.empty() ? 0 : static_cast<int32_t>(q.zero_point[0]),
            input.data_as<const float>(), output.data_as<int8_t>(), input.shape.FlatSize());
        return absl::OkStatus();
      }
      if (const ir::QuantParams& q = *output.quant; q.scale.size() == 1) {
        const int64_t zero_point = q.zero_point.empty() ? 0 : q.zero_point[0];
        if (zero_point >= -128 && zero_point <= 127) {
          // Per-tensor (model inputs): the vectorized path, bit-exact with reference::Quantize.
          optimized::QuantizeFloatToInt8(q.scale[0], static_cast<int32_t>(zero_point),
                                         input.data_as<const float>(), output.data_as<int8_t>(),
                                         input.shape.FlatSize());
          return absl::OkStatus();
        }
      }
      Run<int8_t>(input, output);
      return absl::OkStatus();
    case ir::DataType::kUInt8:
      Run<uint8_t>(input, output);
      return absl::OkStatus();
    case ir::DataType::kInt16:
      Run<int16_t>(input, output);
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(output.type, "output");
  }
}

}  // namespace

const OpKernel& QuantizeKernel() {
  static const OpKernel kernel{"QUANTIZE", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
