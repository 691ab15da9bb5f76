// DEPTH_TO_SPACE: input NHWC [N, H, W, C * bs * bs] -> [N, H * bs, W * bs, C];
// DepthToSpaceOptions.block_size >= 1. A pure rearrangement: float32, int8, uint8, int16, int32
// and int64 tensors are moved as raw elements.
#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/reference/depth_to_space.h"

namespace compressd::kernels {
namespace {

bool Supported(ir::DataType t) {
  return t == ir::DataType::kFloat32 || t == ir::DataType::kInt8 || t == ir::DataType::kUInt8 ||
         t == ir::DataType::kInt16 || t == ir::DataType::kInt32 || t == ir::DataType::kInt64;
}

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 1, 1, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  if (!Supported(input->type)) return nn::UnsupportedType(input->type, "input");
  RETURN_IF_ERROR(nn::CheckRank(*input, 4, "input"));
  const int32_t bs = OptionsOrDefault<ir::DepthToSpaceOptions>(ctx).block_size;
  RETURN_IF_ERROR(nn::CheckAtLeastOne(bs, "block_size"));
  const Shape& in = input->shape;
  const int64_t bs2 = static_cast<int64_t>(bs) * bs;
  if (in.dim(3) % bs2 != 0) {
    return absl::InvalidArgumentError(absl::StrCat("input depth ", in.dim(3),
                                                   " is not a multiple of block_size^2 = ", bs2));
  }
  const int64_t out_h = static_cast<int64_t>(in.dim(1)) * bs;
  const int64_t out_w = static_cast<int64_t>(in.dim(2)) * bs;
  if (out_h > std::numeric_limits<int32_t>::max() || out_w > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat("output extent ", out_h, "x", out_w,
                                                   " does not fit int32"));
  }
  return nn::SetOutput(ctx, 0, input->type,
                       Shape{in.dim(0), static_cast<int32_t>(out_h), static_cast<int32_t>(out_w),
                             static_cast<int32_t>(in.dim(3) / bs2)});
}

template <typename T>
void Run(int bs, const TensorView& in, TensorView& out) {
  reference::DepthToSpace(bs, in.shape, in.data_as<const T>(), out.shape, out.data_as<T>());
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  TensorView& output = *ctx.output(0);
  const int bs = OptionsOrDefault<ir::DepthToSpaceOptions>(ctx).block_size;
  if (!Supported(input.type)) return nn::UnsupportedType(input.type, "input");
  switch (ir::DataTypeSize(input.type)) {  // raw element moves
    case 1:
      Run<uint8_t>(bs, input, output);
      break;
    case 2:
      Run<uint16_t>(bs, input, output);
      break;
    case 4:
      Run<uint32_t>(bs, input, output);
      break;
    default:
      Run<uint64_t>(bs, input, output);
      break;
  }
  return absl::OkStatus();
}

}  // namespace

const OpKernel& DepthToSpaceKernel() {
  static const OpKernel kernel{"DEPTH_TO_SPACE", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
