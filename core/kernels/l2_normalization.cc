// L2_NORMALIZATION over the last dimension; input rank 1..4 and fused activation NONE, as TFLite
// requires (L2NormOptions).
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/reference/l2_normalization.h"

namespace compressd::kernels {
namespace {

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 1, 1, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  if (input->type != ir::DataType::kFloat32) return nn::UnsupportedType(input->type, "input");
  RETURN_IF_ERROR(nn::CheckRankRange(*input, 1, 4, "input"));
  const auto options = OptionsOrDefault<ir::L2NormOptions>(ctx);
  if (options.activation != ir::Activation::kNone) {
    return absl::InvalidArgumentError(absl::StrCat("fused activation ",
                                                   static_cast<int>(options.activation),
                                                   " is not supported (TFLite allows only NONE)"));
  }
  return nn::SetOutput(ctx, 0, input->type, input->shape);
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  TensorView& output = *ctx.output(0);
  switch (input.type) {
    case ir::DataType::kFloat32:
      reference::L2Normalization(input.shape, input.data_as<const float>(),
                                 output.data_as<float>());
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& L2NormalizationKernel() {
  static const OpKernel kernel{"L2_NORMALIZATION", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
