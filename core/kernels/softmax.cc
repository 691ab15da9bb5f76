// SOFTMAX (SoftmaxOptions.beta) and LOG_SOFTMAX (no options) over the last dimension of a tensor
// of any rank >= 1.
#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/reference/softmax.h"

namespace compressd::kernels {
namespace {

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 1, 1, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  if (input->type != ir::DataType::kFloat32) return nn::UnsupportedType(input->type, "input");
  RETURN_IF_ERROR(nn::CheckRankRange(*input, 1, Shape::kMaxRank, "input"));
  return nn::SetOutput(ctx, 0, input->type, input->shape);
}

template <bool kLog>
absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  TensorView& output = *ctx.output(0);
  switch (input.type) {
    case ir::DataType::kFloat32:
      if constexpr (kLog) {
        reference::LogSoftmax(input.shape, input.data_as<const float>(), output.data_as<float>());
      } else {
        reference::Softmax(OptionsOrDefault<ir::SoftmaxOptions>(ctx).beta, input.shape,
                           input.data_as<const float>(), output.data_as<float>());
      }
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& SoftmaxKernel() {
  static const OpKernel kernel{"SOFTMAX", Prepare, Eval<false>};
  return kernel;
}

const OpKernel& LogSoftmaxKernel() {
  static const OpKernel kernel{"LOG_SOFTMAX", Prepare, Eval<true>};
  return kernel;
}

}  // namespace compressd::kernels
