// CONV_2D: inputs (input NHWC, filter OHWI, optional bias [Cout]); Conv2DOptions.
// Grouped convolution when the input depth is a multiple of the filter's input depth (TFLite).
#include <memory>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/optimized/conv_2d.h"
#include "core/kernels/reference/conv_2d.h"
#include "core/base/thread_pool.h"

namespace compressd::kernels {
namespace {

struct Conv2DState : OpState {
  ConvParams params;
  // Set when the optimized path runs: a constant filter packed once at Prepare.
  std::unique_ptr<optimized::PackedConvFilter> packed;
  int scratch = -1;  // RequestScratch index for the optimized path, -1 for none
};

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 2, 3, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  ASSIGN_OR_RETURN(const TensorView* filter, nn::RequiredInput(ctx, 1, "filter"));
  ASSIGN_OR_RETURN(const TensorView* bias, nn::OptionalInput(ctx, 2, "bias"));
  if (input->type != ir::DataType::kFloat32) return nn::UnsupportedType(input->type, "input");
  RETURN_IF_ERROR(nn::CheckType(*filter, input->type, "filter"));
  RETURN_IF_ERROR(nn::CheckRank(*input, 4, "input"));
  RETURN_IF_ERROR(nn::CheckRank(*filter, 4, "filter"));
  RETURN_IF_ERROR(nn::CheckDataCoversShape(*filter, "filter"));

  const int32_t in_c = input->shape.dim(3);
  const int32_t out_c = filter->shape.dim(0);
  const int32_t filter_in_c = filter->shape.dim(3);
  if (filter_in_c < 1 || in_c < 1 || in_c % filter_in_c != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("input depth ", in_c, " is not a positive multiple of the filter's input "
                     "depth ", filter_in_c, " (input ", input->shape.ToString(), ", filter ",
                     filter->shape.ToString(), ")"));
  }
  const int32_t groups = in_c / filter_in_c;
  if (out_c % groups != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "output depth ", out_c, " is not a multiple of the ", groups, " groups"));
  }
  if (bias != nullptr) {
    RETURN_IF_ERROR(nn::CheckType(*bias, input->type, "bias"));
    RETURN_IF_ERROR(nn::CheckDataCoversShape(*bias, "bias"));
    if (bias->shape.FlatSize() != out_c) {
      return absl::InvalidArgumentError(absl::StrCat("bias ", bias->shape.ToString(), " must have ",
                                                     out_c, " elements (output depth)"));
    }
  }

  const auto options = OptionsOrDefault<ir::Conv2DOptions>(ctx);
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.stride_h, "stride_h"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.stride_w, "stride_w"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.dilation_h_factor, "dilation_h_factor"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.dilation_w_factor, "dilation_w_factor"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(filter->shape.dim(1), "filter height"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(filter->shape.dim(2), "filter width"));
  ASSIGN_OR_RETURN(const FloatActivationRange act, nn::ClampActivation(options.activation));
  RETURN_IF_ERROR(nn::CheckIndexExtent(
      input->shape.dim(1) + int64_t{options.dilation_h_factor} * (filter->shape.dim(1) - 1) + 1,
      "input height plus dilated filter height"));
  RETURN_IF_ERROR(nn::CheckIndexExtent(
      input->shape.dim(2) + int64_t{options.dilation_w_factor} * (filter->shape.dim(2) - 1) + 1,
      "input width plus dilated filter width"));

  const PaddedSize h = ComputePaddedSize(options.padding, input->shape.dim(1),
                                         filter->shape.dim(1), options.stride_h,
                                         options.dilation_h_factor);
  const PaddedSize w = ComputePaddedSize(options.padding, input->shape.dim(2),
                                         filter->shape.dim(2), options.stride_w,
                                         options.dilation_w_factor);
  if (h.output < 1 || w.output < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "filter ", filter->shape.ToString(), " with dilation ", options.dilation_h_factor, "x",
        options.dilation_w_factor, " does not fit the input ", input->shape.ToString(),
        " (output ", h.output, "x", w.output, ")"));
  }
  auto state = std::make_unique<Conv2DState>();
  state->params.stride_h = options.stride_h;
  state->params.stride_w = options.stride_w;
  state->params.dilation_h = options.dilation_h_factor;
  state->params.dilation_w = options.dilation_w_factor;
  state->params.pad_top = h.pad_before;
  state->params.pad_left = w.pad_before;
  state->params.act_min = act.min;
  state->params.act_max = act.max;
  const Shape output_shape{input->shape.dim(0), h.output, w.output, out_c};
  if (filter->is_constant && optimized::OptimizedConv2DSupports(input->shape, filter->shape)) {
    state->packed = std::make_unique<optimized::PackedConvFilter>(
        optimized::PackConvFilter(filter->shape, filter->data_as<const float>()));
    const int threads = ctx.thread_pool() ? ctx.thread_pool()->num_threads() : 1;
    const int64_t scratch = optimized::ConvScratchBytes(state->params, input->shape,
                                                        filter->shape, output_shape, threads);
    if (scratch > 0) {
      ASSIGN_OR_RETURN(state->scratch, ctx.RequestScratch(scratch));
    }
  }
  ctx.set_state(std::move(state));
  return nn::SetOutput(ctx, 0, input->type, output_shape);
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  const TensorView& filter = *ctx.input(1);
  const TensorView* bias = ctx.num_inputs() > 2 ? ctx.input(2) : nullptr;
  TensorView& output = *ctx.output(0);
  const Conv2DState& state = *ctx.state_as<Conv2DState>();
  const ConvParams& params = state.params;
  switch (input.type) {
    case ir::DataType::kFloat32:
      if (state.packed) {
        optimized::Conv2D(params, input.shape, input.data_as<const float>(), *state.packed,
                          bias != nullptr ? bias->data_as<const float>() : nullptr, output.shape,
                          output.data_as<float>(),
                          state.scratch >= 0 ? ctx.scratch(state.scratch) : nullptr,
                          ctx.thread_pool());
        return absl::OkStatus();
      }
      reference::Conv2D(params, input.shape, input.data_as<const float>(), filter.shape,
                        filter.data_as<const float>(),
                        bias != nullptr ? bias->data_as<const float>() : nullptr, output.shape,
                        output.data_as<float>());
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& Conv2DKernel() {
  static const OpKernel kernel{"CONV_2D", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
