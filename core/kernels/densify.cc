// DENSIFY: one constant sparse input (TensorView::sparsity set) -> the dense tensor of the same
// shape and type (float32, float16, int8, as TFLite). The expansion is reference::Densify.
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/reference/densify.h"

namespace compressd::kernels {
namespace {

bool Supported(ir::DataType t) {
  return t == ir::DataType::kFloat32 || t == ir::DataType::kFloat16 || t == ir::DataType::kInt8;
}

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 1, 1, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  if (!Supported(input->type)) return nn::UnsupportedType(input->type, "input");
  if (!input->is_constant || input->data == nullptr) {
    return absl::InvalidArgumentError("input must be a constant tensor");
  }
  if (input->sparsity == nullptr) {
    return absl::InvalidArgumentError("input has no sparsity parameters");
  }
  const int64_t element = ir::DataTypeSize(input->type);
  if (input->bytes % element != 0) {
    return absl::InvalidArgumentError(absl::StrCat("input holds ", input->bytes,
                                                   " bytes, not a whole number of ",
                                                   element, "-byte values"));
  }
  RETURN_IF_ERROR(reference::ValidateSparsity(*input->sparsity, input->shape.dims(),
                                              input->bytes / element));
  return nn::SetOutput(ctx, 0, input->type, input->shape);
}

template <typename T>
void Run(const TensorView& in, TensorView& out) {
  reference::Densify(*in.sparsity, in.shape.dims(), in.data_as<const T>(), out.data_as<T>());
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  TensorView& output = *ctx.output(0);
  switch (input.type) {
    case ir::DataType::kFloat32:
      Run<float>(input, output);
      return absl::OkStatus();
    case ir::DataType::kFloat16:
      Run<uint16_t>(input, output);  // IEEE half bits; +0 is all zero bits
      return absl::OkStatus();
    case ir::DataType::kInt8:
      Run<int8_t>(input, output);
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& DensifyKernel() {
  static const OpKernel kernel{"DENSIFY", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
