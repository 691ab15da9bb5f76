// AVERAGE_POOL_2D and MAX_POOL_2D: input NHWC; Pool2DOptions (padding, strides, filter size,
// fused activation). Output extents and padding follow ComputePaddedSize (TFLite's rule).
// float32, int8 and int16. The integer paths are bit-exact with TFLite's default kernels
// (reference/pooling.h IntegerPool): input and output must share scale and zero point (TFLite
// assumes it; here a mismatch is an error), int16 zero points must be 0, and the fused activation
// is the quantized clamp of CalculateActivationRangeQuantized on the output. MAX_POOL_2D (float32
// and int8) runs optimized::MaxPoolFloat / MaxPoolInt8 (channel-vectorized, bit-exact).
#include <cstdint>
#include <memory>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/optimized/max_pool.h"
#include "core/kernels/quantized_util.h"
#include "core/kernels/reference/pooling.h"
#include "core/kernels/reference/xnnpack_float.h"

namespace compressd::kernels {
namespace {

struct PoolState : OpState {
  PoolParams params;
  reference::IntegerPoolParams int_params;
};

bool IsSupportedType(ir::DataType t) {
  return t == ir::DataType::kFloat32 || t == ir::DataType::kInt8 || t == ir::DataType::kInt16;
}

// Quantization checks and the quantized activation range for the integer paths.
absl::Status PrepareQuantized(OpContext& ctx, const TensorView& input,
                              const ir::Pool2DOptions& options,
                              reference::IntegerPoolParams* params) {
  const TensorView& output = *ctx.output(0);
  if (output.type != input.type) {
    return absl::InvalidArgumentError(absl::StrCat("output is declared ",
                                                   nn::TypeName(output.type), ", the input ",
                                                   nn::TypeName(input.type)));
  }
  ASSIGN_OR_RETURN(const quantized::TensorQuant qi, quantized::GetTensorQuant(input, "input"));
  ASSIGN_OR_RETURN(const quantized::TensorQuant qo, quantized::GetTensorQuant(output, "output"));
  if (input.type == ir::DataType::kInt16) {
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(input, qi, "input"));
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(output, qo, "output"));
  }
  RETURN_IF_ERROR(quantized::CheckSameParams(input, qi, qo, "input", "the output"));
  // The int32 window sum must not overflow: cells * max|value| < 2^31.
  const int64_t cells = int64_t{options.filter_height} * options.filter_width;
  const int64_t max_abs = input.type == ir::DataType::kInt8 ? 128 : 32768;
  if (cells > (int64_t{1} << 31) / max_abs) {
    return absl::InvalidArgumentError(absl::StrCat("filter ", options.filter_height, "x",
                                                   options.filter_width,
                                                   " is too large for an integer pool"));
  }
  ASSIGN_OR_RETURN(const quantized::IntRange act,
                   quantized::ActivationRange(options.activation, input.type, qo));
  params->act_min = act.min;
  params->act_max = act.max;
  return absl::OkStatus();
}

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 1, 1, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  if (!IsSupportedType(input->type)) return nn::UnsupportedType(input->type, "input");
  RETURN_IF_ERROR(nn::CheckRank(*input, 4, "input"));
  const auto options = OptionsOrDefault<ir::Pool2DOptions>(ctx);
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.stride_h, "stride_h"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.stride_w, "stride_w"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.filter_height, "filter_height"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.filter_width, "filter_width"));
  ASSIGN_OR_RETURN(const FloatActivationRange act, nn::ClampActivation(options.activation));
  RETURN_IF_ERROR(nn::CheckIndexExtent(int64_t{input->shape.dim(1)} + options.filter_height,
                                       "input height plus filter height"));
  RETURN_IF_ERROR(nn::CheckIndexExtent(int64_t{input->shape.dim(2)} + options.filter_width,
                                       "input width plus filter width"));
  const PaddedSize h = ComputePaddedSize(options.padding, input->shape.dim(1),
                                         options.filter_height, options.stride_h, 1);
  const PaddedSize w = ComputePaddedSize(options.padding, input->shape.dim(2),
                                         options.filter_width, options.stride_w, 1);
  if (h.output < 1 || w.output < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "filter ", options.filter_height, "x", options.filter_width, " does not fit the input ",
        input->shape.ToString(), " (output ", h.output, "x", w.output, ")"));
  }
  auto state = std::make_unique<PoolState>();
  state->params.stride_h = options.stride_h;
  state->params.stride_w = options.stride_w;
  state->params.filter_h = options.filter_height;
  state->params.filter_w = options.filter_width;
  state->params.pad_top = h.pad_before;
  state->params.pad_left = w.pad_before;
  state->params.act_min = act.min;
  state->params.act_max = act.max;
  reference::IntegerPoolParams& ip = state->int_params;
  ip.stride_h = options.stride_h;
  ip.stride_w = options.stride_w;
  ip.filter_h = options.filter_height;
  ip.filter_w = options.filter_width;
  ip.pad_top = h.pad_before;
  ip.pad_left = w.pad_before;
  if (input->type != ir::DataType::kFloat32) {
    RETURN_IF_ERROR(PrepareQuantized(ctx, *input, options, &ip));
  }
  ctx.set_state(std::move(state));
  return nn::SetOutput(ctx, 0, input->type,
                       Shape{input->shape.dim(0), h.output, w.output, input->shape.dim(3)});
}

optimized::MaxPoolGeometry Geometry(const PoolParams& p, const Shape& in, const Shape& out) {
  optimized::MaxPoolGeometry g;
  g.batches = in.dim(0);
  g.in_h = in.dim(1);
  g.in_w = in.dim(2);
  g.depth = in.dim(3);
  g.out_h = out.dim(1);
  g.out_w = out.dim(2);
  g.stride_h = p.stride_h;
  g.stride_w = p.stride_w;
  g.filter_h = p.filter_h;
  g.filter_w = p.filter_w;
  g.pad_top = p.pad_top;
  g.pad_left = p.pad_left;
  return g;
}

template <bool kMax>
absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  TensorView& output = *ctx.output(0);
  const PoolParams& params = ctx.state_as<PoolState>()->params;
  const reference::IntegerPoolParams& ip = ctx.state_as<PoolState>()->int_params;
  switch (input.type) {
    case ir::DataType::kInt8:
      if constexpr (kMax) {
        optimized::MaxPoolInt8(Geometry(params, input.shape, output.shape),
                               static_cast<int8_t>(ip.act_min), static_cast<int8_t>(ip.act_max),
                               input.data_as<const int8_t>(), output.data_as<int8_t>());
      } else {
        reference::IntegerPool<int8_t, kMax>(ip, input.shape, input.data_as<const int8_t>(),
                                             output.shape, output.data_as<int8_t>());
      }
      return absl::OkStatus();
    case ir::DataType::kInt16:
      reference::IntegerPool<int16_t, kMax>(ip, input.shape, input.data_as<const int16_t>(),
                                            output.shape, output.data_as<int16_t>());
      return absl::OkStatus();
    case ir::DataType::kFloat32:
      if constexpr (kMax) {
        optimized::MaxPoolFloat(Geometry(params, input.shape, output.shape), params.act_min,
                                params.act_max, input.data_as<const float>(),
                                output.data_as<float>());
      } else if (ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack &&
                 output.shape.dim(1) == 1 && output.shape.dim(2) == 1 &&
                 params.filter_h == input.shape.dim(1) && params.filter_w == input.shape.dim(2) &&
                 params.pad_top == 0 && params.pad_left == 0) {
        // XNNPACK runs a window covering the whole unpadded image as global average pooling.
        reference::GlobalAveragePoolXnnpack(
            input.shape.dim(0), int64_t{input.shape.dim(1)} * input.shape.dim(2),
            input.shape.dim(3), input.data_as<const float>(), params.act_min, params.act_max,
            output.data_as<float>());
      } else {
        reference::AveragePool(params, input.shape, input.data_as<const float>(), output.shape,
                               output.data_as<float>());
      }
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& AveragePool2DKernel() {
  static const OpKernel kernel{"AVERAGE_POOL_2D", Prepare, Eval<false>};
  return kernel;
}

const OpKernel& MaxPool2DKernel() {
  static const OpKernel kernel{"MAX_POOL_2D", Prepare, Eval<true>};
  return kernel;
}

}  // namespace compressd::kernels
