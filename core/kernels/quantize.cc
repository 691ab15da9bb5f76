// QUANTIZE: float32 -> int8 / uint8 / int16 with the output's affine quantization (per-channel
// when it has several scales). Requantization between integer types is not implemented yet.
#include <cstdint>

#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/reference/quantize.h"

namespace compressd::kernels {
namespace {

bool IsInteger(ir::DataType t) {
  return t == ir::DataType::kInt8 || t == ir::DataType::kUInt8 || t == ir::DataType::kInt16;
}

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 1, 1, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  TensorView* output = ctx.output(0);
  if (input->type != ir::DataType::kFloat32) {
    return nn::UnsupportedType(input->type, "input (requantization)");
  }
  if (!IsInteger(output->type)) return nn::UnsupportedType(output->type, "output");
  // The output view carries the declared quantization; check it against the input's shape.
  TensorView declared = *output;
  declared.shape = input->shape;
  RETURN_IF_ERROR(nn::CheckAffineQuant(declared, "output", /*require_positive_scale=*/true));
  return nn::SetOutput(ctx, 0, output->type, input->shape);
}

template <typename T>
void Run(const TensorView& in, TensorView& out) {
  const ir::QuantParams& q = *out.quant;
  if (q.scale.size() > 1) {
    reference::PerChannelQuantize(q.scale.data(), q.zero_point.data(), q.quantized_dimension,
                                  in.shape, in.data_as<const float>(), out.data_as<T>());
  } else {
    const int64_t zero_point = q.zero_point.empty() ? 0 : q.zero_point[0];
    reference::Quantize(q.scale[0], zero_point, in.shape.FlatSize(), in.data_as<const float>(),
                        out.data_as<T>());
  }
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  TensorView& output = *ctx.output(0);
  switch (output.type) {
    case ir::DataType::kInt8:
      Run<int8_t>(input, output);
      return absl::OkStatus();
    case ir::DataType::kUInt8:
      Run<uint8_t>(input, output);
      return absl::OkStatus();
    case ir::DataType::kInt16:
      Run<int16_t>(input, output);
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(output.type, "output");
  }
}

}  // namespace

const OpKernel& QuantizeKernel() {
  static const OpKernel kernel{"QUANTIZE", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
