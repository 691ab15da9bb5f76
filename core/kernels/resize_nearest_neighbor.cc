// RESIZE_NEAREST_NEIGHBOR: inputs (input NHWC, size int32[2] = {new_height, new_width},
// constant); ResizeNearestNeighborOptions (align_corners, half_pixel_centers; TFLite allows both).
// A pure copy, so every fixed-size element type TFLite accepts works: float32, int8, uint8, int16.
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/reference/resize_nearest_neighbor.h"

namespace compressd::kernels {
namespace {

bool Supported(ir::DataType t) {
  return t == ir::DataType::kFloat32 || t == ir::DataType::kInt8 || t == ir::DataType::kUInt8 ||
         t == ir::DataType::kInt16;
}

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 2, 2, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  ASSIGN_OR_RETURN(const TensorView* size, nn::RequiredInput(ctx, 1, "size"));
  if (!Supported(input->type)) return nn::UnsupportedType(input->type, "input");
  RETURN_IF_ERROR(nn::CheckRank(*input, 4, "input"));
  RETURN_IF_ERROR(nn::CheckType(*size, ir::DataType::kInt32, "size"));
  if (size->shape.rank() != 1 || size->shape.dim(0) != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("size must have shape [2], got ", size->shape.ToString()));
  }
  RETURN_IF_ERROR(nn::CheckConstantData(*size, "size", "dynamic output shape"));
  const int32_t* hw = size->data_as<const int32_t>();
  RETURN_IF_ERROR(nn::CheckAtLeastOne(hw[0], "new height"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(hw[1], "new width"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(input->shape.dim(1), "input height"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(input->shape.dim(2), "input width"));
  return nn::SetOutput(ctx, 0, input->type,
                       Shape{input->shape.dim(0), hw[0], hw[1], input->shape.dim(3)});
}

template <typename T>
void Run(const ir::ResizeNearestNeighborOptions& o, const TensorView& in, TensorView& out) {
  reference::ResizeNearestNeighbor(o.align_corners, o.half_pixel_centers, in.shape,
                                   in.data_as<const T>(), out.shape, out.data_as<T>());
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  TensorView& output = *ctx.output(0);
  const auto o = OptionsOrDefault<ir::ResizeNearestNeighborOptions>(ctx);
  switch (input.type) {
    case ir::DataType::kFloat32:
      Run<float>(o, input, output);
      return absl::OkStatus();
    case ir::DataType::kInt8:
      Run<int8_t>(o, input, output);
      return absl::OkStatus();
    case ir::DataType::kUInt8:
      Run<uint8_t>(o, input, output);
      return absl::OkStatus();
    case ir::DataType::kInt16:
      Run<int16_t>(o, input, output);
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& ResizeNearestNeighborKernel() {
  static const OpKernel kernel{"RESIZE_NEAREST_NEIGHBOR", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
