// TRANSPOSE_CONV: inputs (output_shape int32[4] constant, weights OHWI, input NHWC, optional bias
// [Cout]); TransposeConvOptions (padding, strides, fused activation of newer versions).
// As in TFLite, the padding is the one a forward convolution from the output to the input would
// use (TflitePadding below).
#include <memory>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/optimized/transpose_conv.h"
#include "core/kernels/reference/transpose_conv.h"

namespace compressd::kernels {
namespace {

constexpr int kOutputShape = 0;
constexpr int kWeights = 1;
constexpr int kInput = 2;
constexpr int kBias = 3;

struct TransposeConvState : OpState {
  ConvParams params;
  // Float weights that are constant: packed once for the optimized kernel.
  std::unique_ptr<optimized::PackedTransposeConvFilter> packed;
};

// TFLite's ComputePaddingHeightWidth for a forward convolution from `out_size` with dilation 1.
// Unlike ComputePaddedSize it keeps the (possibly negative, truncated) VALID output count when the
// filter exceeds the extent, which changes the padding in that corner case.
int32_t TflitePadding(ir::Padding padding, int32_t out_size, int32_t filter, int32_t stride) {
  const int64_t conv_out = padding == ir::Padding::kSame
                               ? (static_cast<int64_t>(out_size) + stride - 1) / stride
                               : (static_cast<int64_t>(out_size) + stride - filter) / stride;
  const int64_t total = (conv_out - 1) * stride + filter - out_size;
  return static_cast<int32_t>(total > 0 ? total / 2 : 0);
}

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 3, 4, 1));
  ASSIGN_OR_RETURN(const TensorView* shape_t, nn::RequiredInput(ctx, kOutputShape, "output_shape"));
  ASSIGN_OR_RETURN(const TensorView* weights, nn::RequiredInput(ctx, kWeights, "weights"));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, kInput, "input"));
  ASSIGN_OR_RETURN(const TensorView* bias, nn::OptionalInput(ctx, kBias, "bias"));
  if (input->type != ir::DataType::kFloat32) return nn::UnsupportedType(input->type, "input");
  RETURN_IF_ERROR(nn::CheckType(*weights, input->type, "weights"));
  RETURN_IF_ERROR(nn::CheckRank(*input, 4, "input"));
  RETURN_IF_ERROR(nn::CheckRank(*weights, 4, "weights"));
  RETURN_IF_ERROR(nn::CheckDataCoversShape(*weights, "weights"));
  RETURN_IF_ERROR(nn::CheckType(*shape_t, ir::DataType::kInt32, "output_shape"));
  RETURN_IF_ERROR(nn::CheckRank(*shape_t, 1, "output_shape"));
  if (shape_t->shape.dim(0) != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("output_shape must have 4 elements, got ", shape_t->shape.dim(0)));
  }
  RETURN_IF_ERROR(nn::CheckConstantData(*shape_t, "output_shape", "dynamic output shape"));
  const int32_t* dims = shape_t->data_as<const int32_t>();
  const Shape out_shape{dims[0], dims[1], dims[2], dims[3]};
  const int32_t out_c = weights->shape.dim(0);
  if (dims[0] != input->shape.dim(0) || dims[3] != out_c || dims[1] < 1 || dims[2] < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "output_shape ", out_shape.ToString(), " must be [", input->shape.dim(0), ", H>=1, W>=1, ",
        out_c, "] for input ", input->shape.ToString(), " and weights ",
        weights->shape.ToString()));
  }
  if (input->shape.dim(3) != weights->shape.dim(3)) {
    return absl::InvalidArgumentError(
        absl::StrCat("input depth ", input->shape.dim(3), " != weights input depth ",
                     weights->shape.dim(3), " (weights are OHWI)"));
  }
  if (bias != nullptr) {
    RETURN_IF_ERROR(nn::CheckType(*bias, input->type, "bias"));
    RETURN_IF_ERROR(nn::CheckDataCoversShape(*bias, "bias"));
    if (bias->shape.FlatSize() != out_c) {
      return absl::InvalidArgumentError(absl::StrCat("bias ", bias->shape.ToString(), " must have ",
                                                     out_c, " elements (output depth)"));
    }
  }
  const auto options = OptionsOrDefault<ir::TransposeConvOptions>(ctx);
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.stride_h, "stride_h"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.stride_w, "stride_w"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(weights->shape.dim(1), "filter height"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(weights->shape.dim(2), "filter width"));
  ASSIGN_OR_RETURN(const FloatActivationRange act, nn::ClampActivation(options.activation));
  // The scatter computes input_index * stride + filter offsets in int32.
  RETURN_IF_ERROR(nn::CheckIndexExtent(
      int64_t{options.stride_h} * input->shape.dim(1) + weights->shape.dim(1) + dims[1],
      "input height times stride plus filter height"));
  RETURN_IF_ERROR(nn::CheckIndexExtent(
      int64_t{options.stride_w} * input->shape.dim(2) + weights->shape.dim(2) + dims[2],
      "input width times stride plus filter width"));

  auto state = std::make_unique<TransposeConvState>();
  state->params.stride_h = options.stride_h;
  state->params.stride_w = options.stride_w;
  state->params.pad_top =
      TflitePadding(options.padding, dims[1], weights->shape.dim(1), options.stride_h);
  state->params.pad_left =
      TflitePadding(options.padding, dims[2], weights->shape.dim(2), options.stride_w);
  state->params.act_min = act.min;
  state->params.act_max = act.max;
  if (weights->is_constant) {
    state->packed = std::make_unique<optimized::PackedTransposeConvFilter>(
        optimized::PackTransposeConvFilter(weights->shape, weights->data_as<const float>()));
  }
  ctx.set_state(std::move(state));
  return nn::SetOutput(ctx, 0, input->type, out_shape);
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& weights = *ctx.input(kWeights);
  const TensorView& input = *ctx.input(kInput);
  const TensorView* bias = ctx.num_inputs() > kBias ? ctx.input(kBias) : nullptr;
  TensorView& output = *ctx.output(0);
  const ConvParams& params = ctx.state_as<TransposeConvState>()->params;
  switch (input.type) {
    case ir::DataType::kFloat32:
      if (const auto* packed = ctx.state_as<TransposeConvState>()->packed.get()) {
        optimized::TransposeConv(params, input.shape, input.data_as<const float>(), *packed,
                      bias != nullptr ? bias->data_as<const float>() : nullptr, output.shape, output.data_as<float>());
        return absl::OkStatus();
      }
      reference::TransposeConv(params, input.shape, input.data_as<const float>(), weights.shape,
                               weights.data_as<const float>(),
                               bias != nullptr ? bias->data_as<const float>() : nullptr,
                               output.shape, output.data_as<float>());
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& TransposeConvKernel() {
  static const OpKernel kernel{"TRANSPOSE_CONV", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
