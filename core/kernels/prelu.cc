// PRELU: inputs (input, alpha); out = x >= 0 ? x : x * alpha with numpy-style broadcasting of
// input and alpha (TFLite computes the broadcast output shape the same way).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/reference/prelu.h"

namespace compressd::kernels {
namespace {

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 2, 2, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  ASSIGN_OR_RETURN(const TensorView* alpha, nn::RequiredInput(ctx, 1, "alpha"));
  if (input->type != ir::DataType::kFloat32) return nn::UnsupportedType(input->type, "input");
  RETURN_IF_ERROR(nn::CheckType(*alpha, input->type, "alpha"));
  RETURN_IF_ERROR(nn::CheckDataCoversShape(*alpha, "alpha"));
  const int rank = std::max(input->shape.rank(), alpha->shape.rank());
  const Shape in = input->shape.Extended(rank);
  const Shape al = alpha->shape.Extended(rank);
  Shape out = Shape::Filled(rank, 1);
  for (int d = 0; d < rank; ++d) {
    if (in.dim(d) != al.dim(d) && in.dim(d) != 1 && al.dim(d) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("alpha ", alpha->shape.ToString(),
                                                     " does not broadcast with input ",
                                                     input->shape.ToString()));
    }
    out.set_dim(d, in.dim(d) == 1 ? al.dim(d) : in.dim(d));
  }
  return nn::SetOutput(ctx, 0, input->type, out);
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  const TensorView& alpha = *ctx.input(1);
  TensorView& output = *ctx.output(0);
  switch (input.type) {
    case ir::DataType::kFloat32:
      reference::Prelu(input.shape, input.data_as<const float>(), alpha.shape,
                       alpha.data_as<const float>(), output.shape, output.data_as<float>());
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& PreluKernel() {
  static const OpKernel kernel{"PRELU", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
