// MUL: elementwise multiplication with broadcasting and a fused clamp activation (TFLite semantics,
// see reference/binary.h). Supported: float32, int32. Other types are Unimplemented for now.
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/reference/binary.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

bool IsSupportedType(ir::DataType type) {
  return type == ir::DataType::kFloat32 || type == ir::DataType::kInt32;
}

absl::Status Prepare(OpContext& ctx) {
  ASSIGN_OR_RETURN(const ir::DataType type, PrepareBroadcastBinary(ctx));
  if (!IsSupportedType(type)) {
    return absl::UnimplementedError(
        absl::StrCat("MUL of ", TypeName(type), " is not implemented (supported: float32, int32)"));
  }
  return CheckClampActivation(OptionsOrDefault<ir::MulOptions>(ctx).activation);
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& a = *ctx.input(0);
  const TensorView& b = *ctx.input(1);
  TensorView& out = *ctx.output(0);
  const ir::Activation act = OptionsOrDefault<ir::MulOptions>(ctx).activation;
  switch (a.type) {
    case ir::DataType::kFloat32: {
      const auto r = FloatActivationBounds(act);
      reference::Mul(a.shape, a.data_as<const float>(), b.shape, b.data_as<const float>(),
                     out.shape, out.data_as<float>(), r.min, r.max);
      return absl::OkStatus();
    }
    case ir::DataType::kInt32: {
      const auto r = Int32ActivationBounds(act);
      reference::Mul(a.shape, a.data_as<const int32_t>(), b.shape, b.data_as<const int32_t>(),
                     out.shape, out.data_as<int32_t>(), r.min, r.max);
      return absl::OkStatus();
    }
    default:
      return absl::UnimplementedError(
          absl::StrCat("MUL of ", TypeName(a.type), " is not implemented"));
  }
}

}  // namespace

const OpKernel& MulKernel() {
  static const OpKernel kernel{"MUL", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
