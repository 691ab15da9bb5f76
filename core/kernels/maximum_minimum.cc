// MAXIMUM / MINIMUM: elementwise x > y ? x : y / x < y ? x : y with broadcasting (TFLite
// semantics, see reference/binary.h). Supported: float32, int32, int64.
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/reference/binary.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

template <bool kMax>
absl::Status Prepare(OpContext& ctx) {
  ASSIGN_OR_RETURN(const ir::DataType type, PrepareBroadcastBinary(ctx));
  if (type != ir::DataType::kFloat32 && type != ir::DataType::kInt32 &&
      type != ir::DataType::kInt64) {
    return absl::UnimplementedError(absl::StrCat(kMax ? "MAXIMUM" : "MINIMUM", " of ",
                                                 TypeName(type),
                                                 " is not implemented (supported: float32, "
                                                 "int32, int64)"));
  }
  return absl::OkStatus();
}

template <bool kMax, typename T>
void Run(const TensorView& a, const TensorView& b, TensorView& out) {
  if constexpr (kMax) {
    reference::Maximum(a.shape, a.data_as<const T>(), b.shape, b.data_as<const T>(), out.shape,
                       out.data_as<T>());
  } else {
    reference::Minimum(a.shape, a.data_as<const T>(), b.shape, b.data_as<const T>(), out.shape,
                       out.data_as<T>());
  }
}

template <bool kMax>
absl::Status Eval(OpContext& ctx) {
  const TensorView& a = *ctx.input(0);
  const TensorView& b = *ctx.input(1);
  TensorView& out = *ctx.output(0);
  switch (a.type) {
    case ir::DataType::kFloat32:
      Run<kMax, float>(a, b, out);
      return absl::OkStatus();
    case ir::DataType::kInt32:
      Run<kMax, int32_t>(a, b, out);
      return absl::OkStatus();
    case ir::DataType::kInt64:
      Run<kMax, int64_t>(a, b, out);
      return absl::OkStatus();
    default:
      return absl::UnimplementedError(absl::StrCat(kMax ? "MAXIMUM" : "MINIMUM", " of ",
                                                   TypeName(a.type), " is not implemented"));
  }
}

}  // namespace

const OpKernel& MaximumKernel() {
  static const OpKernel kernel{"MAXIMUM", Prepare<true>, Eval<true>};
  return kernel;
}

const OpKernel& MinimumKernel() {
  static const OpKernel kernel{"MINIMUM", Prepare<false>, Eval<false>};
  return kernel;
}

}  // namespace compressd::kernels
