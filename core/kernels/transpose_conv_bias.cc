// MediaPipe's custom op "Convolution2DTransposeBias"
// (mediapipe/util/tflite/operations/transpose_conv_bias.cc): inputs (input NHWC, weights OHWI,
// bias [Cout]), float32 only. Its custom_options are the raw bytes of TFLite's
// TfLiteTransposeConvParams, of which the kernel reads the first three little-endian int32s:
//   padding (TfLitePadding: 1 = SAME, 2 = VALID), stride_width, stride_height.
// Output extent per axis: stride * (in - 1) + filter - pad_total, pad_total =
// SAME ? max(0, filter - (in - 1) % stride - 1) : 0, padding before = pad_total / 2 (so SAME gives
// in * stride when the filter covers the stride). The output starts at the bias; no activation.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/optimized/transpose_conv.h"
#include "core/kernels/reference/transpose_conv.h"

namespace compressd::kernels {
namespace {

constexpr int32_t kPaddingSame = 1;
constexpr int32_t kPaddingValid = 2;

struct TransposeConvBiasState : OpState {
  ConvParams params;
  // Float weights that are constant: packed once for the optimized kernel.
  std::unique_ptr<optimized::PackedTransposeConvFilter> packed;
};

int32_t ReadInt32Le(const uint8_t* p) {
  return static_cast<int32_t>(static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                              static_cast<uint32_t>(p[2]) << 16 |
                              static_cast<uint32_t>(p[3]) << 24);
}

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 3, 3, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  ASSIGN_OR_RETURN(const TensorView* weights, nn::RequiredInput(ctx, 1, "weights"));
  ASSIGN_OR_RETURN(const TensorView* bias, nn::RequiredInput(ctx, 2, "bias"));
  if (input->type != ir::DataType::kFloat32) return nn::UnsupportedType(input->type, "input");
  RETURN_IF_ERROR(nn::CheckType(*weights, input->type, "weights"));
  RETURN_IF_ERROR(nn::CheckType(*bias, input->type, "bias"));
  RETURN_IF_ERROR(nn::CheckRank(*input, 4, "input"));
  RETURN_IF_ERROR(nn::CheckRank(*weights, 4, "weights"));
  RETURN_IF_ERROR(nn::CheckRank(*bias, 1, "bias"));
  RETURN_IF_ERROR(nn::CheckDataCoversShape(*weights, "weights"));
  RETURN_IF_ERROR(nn::CheckDataCoversShape(*bias, "bias"));
  const int32_t out_c = weights->shape.dim(0);
  if (bias->shape.dim(0) != out_c) {
    return absl::InvalidArgumentError(absl::StrCat("bias ", bias->shape.ToString(), " must have ",
                                                   out_c, " elements (weights ",
                                                   weights->shape.ToString(), ")"));
  }
  if (input->shape.dim(3) != weights->shape.dim(3)) {
    return absl::InvalidArgumentError(
        absl::StrCat("input depth ", input->shape.dim(3), " != weights input depth ",
                     weights->shape.dim(3), " (weights are OHWI)"));
  }
  const std::vector<uint8_t>& options = ctx.op().custom_options;
  if (options.size() < 12) {
    return absl::InvalidArgumentError(absl::StrCat(
        "custom_options must hold padding, stride_w, stride_h (12 bytes), got ", options.size()));
  }
  const int32_t padding = ReadInt32Le(options.data());
  const int32_t stride_w = ReadInt32Le(options.data() + 4);
  const int32_t stride_h = ReadInt32Le(options.data() + 8);
  if (padding != kPaddingSame && padding != kPaddingValid) {
    return absl::InvalidArgumentError(
        absl::StrCat("padding must be 1 (SAME) or 2 (VALID), got ", padding));
  }
  RETURN_IF_ERROR(nn::CheckAtLeastOne(stride_h, "stride_h"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(stride_w, "stride_w"));
  const int32_t in_h = input->shape.dim(1);
  const int32_t in_w = input->shape.dim(2);
  const int32_t filter_h = weights->shape.dim(1);
  const int32_t filter_w = weights->shape.dim(2);
  RETURN_IF_ERROR(nn::CheckAtLeastOne(in_h, "input height"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(in_w, "input width"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(filter_h, "filter height"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(filter_w, "filter width"));

  int64_t pad_h = 0, pad_w = 0;
  if (padding == kPaddingSame) {
    pad_h = std::max<int64_t>(0, filter_h - (in_h - 1) % stride_h - 1);
    pad_w = std::max<int64_t>(0, filter_w - (in_w - 1) % stride_w - 1);
  }
  const int64_t out_h = static_cast<int64_t>(stride_h) * (in_h - 1) + filter_h - pad_h;
  const int64_t out_w = static_cast<int64_t>(stride_w) * (in_w - 1) + filter_w - pad_w;
  if (out_h > std::numeric_limits<int32_t>::max() || out_w > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("output extent ", out_h, "x", out_w, " does not fit int32"));
  }
  auto state = std::make_unique<TransposeConvBiasState>();
  state->params.stride_h = stride_h;
  state->params.stride_w = stride_w;
  state->params.pad_top = static_cast<int32_t>(pad_h / 2);
  state->params.pad_left = static_cast<int32_t>(pad_w / 2);
  if (weights->is_constant) {
    state->packed = std::make_unique<optimized::PackedTransposeConvFilter>(
        optimized::PackTransposeConvFilter(weights->shape, weights->data_as<const float>()));
  }
  ctx.set_state(std::move(state));
  return nn::SetOutput(ctx, 0, input->type,
                       Shape{input->shape.dim(0), static_cast<int32_t>(out_h),
                             static_cast<int32_t>(out_w), out_c});
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  const TensorView& weights = *ctx.input(1);
  const TensorView& bias = *ctx.input(2);
  TensorView& output = *ctx.output(0);
  const ConvParams& params = ctx.state_as<TransposeConvBiasState>()->params;
  switch (input.type) {
    case ir::DataType::kFloat32:
      if (const auto* packed = ctx.state_as<TransposeConvBiasState>()->packed.get()) {
        optimized::TransposeConvBias(params, input.shape, input.data_as<const float>(), *packed,
                      bias.data_as<const float>(), output.shape, output.data_as<float>());
        return absl::OkStatus();
      }
      reference::TransposeConvBias(params, input.shape, input.data_as<const float>(),
                                   weights.shape, weights.data_as<const float>(),
                                   bias.data_as<const float>(), output.shape,
                                   output.data_as<float>());
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& TransposeConvBiasKernel() {
  static const OpKernel kernel{kTransposeConvBiasCustomCode, Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
