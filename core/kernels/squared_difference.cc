// SQUARED_DIFFERENCE: (x - y)^2 elementwise with broadcasting, float32 (TFLite semantics, see
// reference/binary.h). No fused activation.
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/reference/binary.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

absl::Status Prepare(OpContext& ctx) {
  ASSIGN_OR_RETURN(const ir::DataType type, PrepareBroadcastBinary(ctx));
  if (type != ir::DataType::kFloat32) {
    return absl::UnimplementedError(absl::StrCat("SQUARED_DIFFERENCE of ", TypeName(type),
                                                 " is not implemented (supported: float32)"));
  }
  return absl::OkStatus();
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& a = *ctx.input(0);
  const TensorView& b = *ctx.input(1);
  TensorView& out = *ctx.output(0);
  if (a.type != ir::DataType::kFloat32) {
    return absl::UnimplementedError(
        absl::StrCat("SQUARED_DIFFERENCE of ", TypeName(a.type), " is not implemented"));
  }
  reference::SquaredDifference(a.shape, a.data_as<const float>(), b.shape, b.data_as<const float>(),
                               out.shape, out.data_as<float>());
  return absl::OkStatus();
}

}  // namespace

const OpKernel& SquaredDifferenceKernel() {
  static const OpKernel kernel{"SQUARED_DIFFERENCE", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
