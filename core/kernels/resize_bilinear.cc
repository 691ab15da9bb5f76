// RESIZE_BILINEAR: inputs (input NHWC, size int32[2] = {new_height, new_width}, constant);
// ResizeBilinearOptions (align_corners and half_pixel_centers, not both).
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/reference/resize_bilinear.h"

namespace compressd::kernels {
namespace {

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 2, 2, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  ASSIGN_OR_RETURN(const TensorView* size, nn::RequiredInput(ctx, 1, "size"));
  if (input->type != ir::DataType::kFloat32) return nn::UnsupportedType(input->type, "input");
  RETURN_IF_ERROR(nn::CheckRank(*input, 4, "input"));
  RETURN_IF_ERROR(nn::CheckType(*size, ir::DataType::kInt32, "size"));
  if (size->shape.rank() != 1 || size->shape.dim(0) != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("size must have shape [2], got ", size->shape.ToString()));
  }
  RETURN_IF_ERROR(nn::CheckConstantData(*size, "size", "dynamic output shape"));
  const auto options = OptionsOrDefault<ir::ResizeBilinearOptions>(ctx);
  if (options.align_corners && options.half_pixel_centers) {
    return absl::InvalidArgumentError(
        "align_corners and half_pixel_centers cannot both be true");
  }
  const int32_t* hw = size->data_as<const int32_t>();
  RETURN_IF_ERROR(nn::CheckAtLeastOne(hw[0], "new height"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(hw[1], "new width"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(input->shape.dim(1), "input height"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(input->shape.dim(2), "input width"));
  return nn::SetOutput(ctx, 0, input->type,
                       Shape{input->shape.dim(0), hw[0], hw[1], input->shape.dim(3)});
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  TensorView& output = *ctx.output(0);
  const auto options = OptionsOrDefault<ir::ResizeBilinearOptions>(ctx);
  switch (input.type) {
    case ir::DataType::kFloat32:
      reference::ResizeBilinear(options.align_corners, options.half_pixel_centers, input.shape,
                                input.data_as<const float>(), output.shape,
                                output.data_as<float>());
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& ResizeBilinearKernel() {
  static const OpKernel kernel{"RESIZE_BILINEAR", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
