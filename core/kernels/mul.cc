// MUL: elementwise multiplication with broadcasting and a fused clamp activation (TFLite semantics,
// see reference/binary.h). Supported: float32, int32, and quantized int8 / int16 bit-exact with
// TFLite's default kernel (reference/integer_binary.h): the multiplier is
// QuantizeMultiplier(scale_a * scale_b / scale_out), evaluated in float as TFLite's mul.cc does,
// and the fused activation is a quantized clamp (CalculateActivationRangeQuantized); int8 with
// equal shapes or a row broadcast runs the vectorized optimized::Int8Mul (bit-exact).
// int16 needs zero points 0 (TFLite). Every input and the output need per-tensor quantization.
// IntegerArithmetic::kXnnpack, int8: XNNPACK's qs8 MUL with fp32 requantization
// (reference/xnnpack_int8.h, XnnMul) when a_scale * b_scale / out_scale is in [2^-16, 2^8)
// (otherwise TFLite's delegate declines the node and the builtin arithmetic applies); equal
// shapes and row broadcasts run the vectorized optimized::XnnMulInt8 (bit-exact).
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

struct QuantMulState : OpState {
  reference::QuantizedMulParams params;
  bool use_xnnpack = false;  // int8 only: `xnn` instead of `params`
  reference::XnnMulParams xnn;
};

absl::Status PrepareQuantized(OpContext& ctx, ir::DataType type, const ir::MulOptions& options) {
  const TensorView& a = *ctx.input(0);
  const TensorView& b = *ctx.input(1);
  const TensorView& out = *ctx.output(0);
  ASSIGN_OR_RETURN(const quantized::TensorQuant qa, quantized::GetTensorQuant(a, "input 0"));
  ASSIGN_OR_RETURN(const quantized::TensorQuant qb, quantized::GetTensorQuant(b, "input 1"));
  ASSIGN_OR_RETURN(const quantized::TensorQuant qo, quantized::GetTensorQuant(out, "output"));
  if (type == ir::DataType::kInt16) {
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(a, qa, "input 0"));
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(b, qb, "input 1"));
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(out, qo, "output"));
  }
  // TFLite: `double real_multiplier = s1 * s2 / s_out;` with float operands, so float arithmetic.
  const float real_multiplier = qa.scale * qb.scale / qo.scale;
  ASSIGN_OR_RETURN(const quant::QuantizedMultiplier m,
                   quantized::RescaleMultiplier(real_multiplier,
                                                "input 0 scale * input 1 scale / output scale"));
  auto state = std::make_unique<QuantMulState>();
  reference::QuantizedMulParams& p = state->params;
  p.input1_offset = -qa.zero_point;
  p.input2_offset = -qb.zero_point;
  p.output_offset = qo.zero_point;
  p.output_multiplier = m.multiplier;
  p.output_shift = m.shift;
  ASSIGN_OR_RETURN(const quantized::IntRange act,
                   quantized::ActivationRange(options.activation, type, qo));
  p.act_min = act.min;
  p.act_max = act.max;
  if (type == ir::DataType::kInt8 && ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack) {
    // XNNPACK: product_scale = a_scale * b_scale; product_output_scale = product_scale / out_scale.
    const float product_scale = qa.scale * qb.scale;
    const float scale = product_scale / qo.scale;
    if (reference::XnnMulScaleSupported(scale)) {
      const auto bounds = FloatActivationBounds(options.activation);
      state->use_xnnpack = true;
      state->xnn = reference::XnnMulParams{
          qa.zero_point, qb.zero_point, qo.zero_point, scale,
          reference::XnnActivationRange(bounds.min, bounds.max, qo.scale, qo.zero_point)};
    }
  }
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

absl::Status Prepare(OpContext& ctx) {
  ASSIGN_OR_RETURN(const ir::DataType type, PrepareBroadcastBinary(ctx));
  const ir::MulOptions options = OptionsOrDefault<ir::MulOptions>(ctx);
  switch (type) {
    case ir::DataType::kFloat32:
    case ir::DataType::kInt32:
      return CheckClampActivation(options.activation);
    case ir::DataType::kInt8:
    case ir::DataType::kInt16:
      return PrepareQuantized(ctx, type, options);
    default:
      return absl::UnimplementedError(absl::StrCat(
          "MUL of ", TypeName(type), " is not implemented (supported: float32, int32, int8, int16)"));
  }
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& a = *ctx.input(0);
  const TensorView& b = *ctx.input(1);
  TensorView& out = *ctx.output(0);
  const ir::Activation act = OptionsOrDefault<ir::MulOptions>(ctx).activation;
  switch (a.type) {
    case ir::DataType::kFloat32: {
      const auto r = FloatActivationBounds(act);
      reference::Mul(a.shape, a.data_as<const float>(), b.shape, b.data_as<const float>(),
                     out.shape, out.data_as<float>(), r.min, r.max);
      return absl::OkStatus();
    }
    case ir::DataType::kInt32: {
      const auto r = Int32ActivationBounds(act);
      reference::Mul(a.shape, a.data_as<const int32_t>(), b.shape, b.data_as<const int32_t>(),
                     out.shape, out.data_as<int32_t>(), r.min, r.max);
      return absl::OkStatus();
    }
    case ir::DataType::kInt8:
      if (const QuantMulState* st = ctx.state_as<QuantMulState>(); st->use_xnnpack) {
        if (const auto runs = ContiguousRuns(a.shape, b.shape, out.shape)) {
          // The vectorized path, bit-exact with the reference.
          optimized::XnnMulInt8(
              st->xnn, optimized::Int8Runs{a.data_as<const int8_t>(), runs->a_step,
                                           b.data_as<const int8_t>(), runs->b_step,
                                           out.data_as<int8_t>(), runs->rows, runs->length});
          return absl::OkStatus();
        }
        reference::XnnMul(st->xnn, a.shape, a.data_as<const int8_t>(), b.shape,
                          b.data_as<const int8_t>(), out.shape, out.data_as<int8_t>());
        return absl::OkStatus();
      }
      if (const auto runs = ContiguousRuns(a.shape, b.shape, out.shape)) {
        // The vectorized path, bit-exact with the reference.
        optimized::Int8Mul(ctx.state_as<QuantMulState>()->params,
                          optimized::Int8Runs{a.data_as<const int8_t>(), runs->a_step,
                                              b.data_as<const int8_t>(), runs->b_step,
                                              out.data_as<int8_t>(), runs->rows, runs->length});
        return absl::OkStatus();
      }
      reference::QuantizedMul(ctx.state_as<QuantMulState>()->params, a.shape,
                              a.data_as<const int8_t>(), b.shape, b.data_as<const int8_t>(),
                              out.shape, out.data_as<int8_t>());
      return absl::OkStatus();
    case ir::DataType::kInt16:
      reference::QuantizedMul(ctx.state_as<QuantMulState>()->params, a.shape,
                              a.data_as<const int16_t>(), b.shape, b.data_as<const int16_t>(),
                              out.shape, out.data_as<int16_t>());
      return absl::OkStatus();
    default:
      return absl::UnimplementedError(
          absl::StrCat("MUL of ", TypeName(a.type), " is not implemented"));
  }
}

}  // namespace

const OpKernel& MulKernel() {
  static const OpKernel kernel{"MUL", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
