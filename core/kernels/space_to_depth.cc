// SPACE_TO_DEPTH: input NHWC [N, H * bs, W * bs, C] -> [N, H, W, C * bs * bs];
// SpaceToDepthOptions.block_size >= 1 must divide H and W. A pure rearrangement: float32, int8,
// uint8, int16, int32 and int64 tensors are moved as raw elements.
#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/reference/space_to_depth.h"

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
  const int32_t bs = OptionsOrDefault<ir::SpaceToDepthOptions>(ctx).block_size;
  RETURN_IF_ERROR(nn::CheckAtLeastOne(bs, "block_size"));
  const Shape& in = input->shape;
  if (in.dim(1) % bs != 0 || in.dim(2) % bs != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input ", in.ToString(), " height and width must be multiples of block_size ", bs));
  }
  const int64_t out_c = static_cast<int64_t>(in.dim(3)) * bs * bs;
  if (out_c > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat("output depth ", out_c, " does not fit int32"));
  }
  return nn::SetOutput(ctx, 0, input->type,
                       Shape{in.dim(0), in.dim(1) / bs, in.dim(2) / bs,
                             static_cast<int32_t>(out_c)});
}

template <typename T>
void Run(int bs, const TensorView& in, TensorView& out) {
  reference::SpaceToDepth(bs, in.shape, in.data_as<const T>(), out.shape, out.data_as<T>());
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  TensorView& output = *ctx.output(0);
  const int bs = OptionsOrDefault<ir::SpaceToDepthOptions>(ctx).block_size;
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

const OpKernel& SpaceToDepthKernel() {
  static const OpKernel kernel{"SPACE_TO_DEPTH", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
