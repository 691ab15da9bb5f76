// DEQUANTIZE: float16 -> float32 (exact), and int8 / uint8 / int16 -> float32 with the input's
// affine quantization, per-channel when it has several scales (along quantized_dimension).
#include <cstdint>

#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/reference/dequantize.h"

namespace compressd::kernels {
namespace {

bool IsInteger(ir::DataType t) {
  return t == ir::DataType::kInt8 || t == ir::DataType::kUInt8 || t == ir::DataType::kInt16;
}

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 1, 1, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  if (input->type != ir::DataType::kFloat16 && !IsInteger(input->type)) {
    return nn::UnsupportedType(input->type, "input");
  }
  RETURN_IF_ERROR(nn::CheckDataCoversShape(*input, "input"));
  if (IsInteger(input->type)) {
    RETURN_IF_ERROR(nn::CheckAffineQuant(*input, "input", /*require_positive_scale=*/false));
  }
  return nn::SetOutput(ctx, 0, ir::DataType::kFloat32, input->shape);
}

template <typename T>
void Run(const TensorView& in, float* out) {
  const ir::QuantParams& q = *in.quant;
  if (q.scale.size() > 1) {
    reference::PerChannelDequantize(q.scale.data(), q.zero_point.data(), q.quantized_dimension,
                                    in.shape, in.data_as<const T>(), out);
  } else {
    const int64_t zero_point = q.zero_point.empty() ? 0 : q.zero_point[0];
    reference::Dequantize(q.scale[0], zero_point, in.shape.FlatSize(), in.data_as<const T>(),
                          out);
  }
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  float* out = ctx.output(0)->data_as<float>();
  switch (input.type) {
    case ir::DataType::kFloat16:
      reference::DequantizeFloat16(input.shape.FlatSize(), input.data_as<const uint16_t>(), out);
      return absl::OkStatus();
    case ir::DataType::kInt8:
      Run<int8_t>(input, out);
      return absl::OkStatus();
    case ir::DataType::kUInt8:
      Run<uint8_t>(input, out);
      return absl::OkStatus();
    case ir::DataType::kInt16:
      Run<int16_t>(input, out);
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& DequantizeKernel() {
  static const OpKernel kernel{"DEQUANTIZE", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
