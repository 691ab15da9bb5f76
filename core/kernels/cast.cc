// CAST between float32, int8, uint8, int16, int32, int64 and bool; the element types come from the
// tensors (TFLite ignores CastOptions). Semantics in core/kernels/reference/cast.h.
#include <cstdint>

#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/reference/cast.h"

namespace compressd::kernels {
namespace {

bool Supported(ir::DataType t) {
  switch (t) {
    case ir::DataType::kFloat32:
    case ir::DataType::kInt8:
    case ir::DataType::kUInt8:
    case ir::DataType::kInt16:
    case ir::DataType::kInt32:
    case ir::DataType::kInt64:
    case ir::DataType::kBool:
      return true;
    default:
      return false;
  }
}

// Calls f(T{}) with the C++ type of `t` (one of the Supported types).
template <typename F>
void VisitType(ir::DataType t, F&& f) {
  switch (t) {
    case ir::DataType::kFloat32:
      f(float{});
      break;
    case ir::DataType::kInt8:
      f(int8_t{});
      break;
    case ir::DataType::kUInt8:
      f(uint8_t{});
      break;
    case ir::DataType::kInt16:
      f(int16_t{});
      break;
    case ir::DataType::kInt32:
      f(int32_t{});
      break;
    case ir::DataType::kInt64:
      f(int64_t{});
      break;
    default:  // kBool
      f(bool{});
      break;
  }
}

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 1, 1, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  if (!Supported(input->type)) return nn::UnsupportedType(input->type, "input");
  const ir::DataType out_type = ctx.output(0)->type;
  if (!Supported(out_type)) return nn::UnsupportedType(out_type, "output");
  RETURN_IF_ERROR(nn::CheckDataCoversShape(*input, "input"));
  return nn::SetOutput(ctx, 0, out_type, input->shape);
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  TensorView& output = *ctx.output(0);
  if (!Supported(input.type)) return nn::UnsupportedType(input.type, "input");
  if (!Supported(output.type)) return nn::UnsupportedType(output.type, "output");
  const int64_t size = input.shape.FlatSize();
  VisitType(input.type, [&](auto from) {
    using From = decltype(from);
    VisitType(output.type, [&](auto to) {
      using To = decltype(to);
      reference::Cast<To, From>(size, input.data_as<const reference::CastStorage<From>>(),
                                output.data_as<reference::CastStorage<To>>());
    });
  });
  return absl::OkStatus();
}

}  // namespace

const OpKernel& CastKernel() {
  static const OpKernel kernel{"CAST", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
