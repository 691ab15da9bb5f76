// Elementwise math operators EXP, SQRT, RSQRT (float32) and ABS, NEG (float32, int32), following
// TFLite's float reference semantics (see reference/unary.h).
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/reference/unary.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

enum class Fn { kExp, kSqrt, kRsqrt, kAbs, kNeg };

constexpr const char* FnName(Fn fn) {
  switch (fn) {
    case Fn::kExp:
      return "EXP";
    case Fn::kSqrt:
      return "SQRT";
    case Fn::kRsqrt:
      return "RSQRT";
    case Fn::kAbs:
      return "ABS";
    case Fn::kNeg:
      return "NEG";
  }
  return "?";
}

constexpr bool SupportsInt32(Fn fn) { return fn == Fn::kAbs || fn == Fn::kNeg; }

template <Fn kFn>
absl::Status Prepare(OpContext& ctx) {
  ASSIGN_OR_RETURN(const ir::DataType type, PrepareUnary(ctx));
  if (type == ir::DataType::kFloat32) return absl::OkStatus();
  if (type == ir::DataType::kInt32 && SupportsInt32(kFn)) return absl::OkStatus();
  return absl::UnimplementedError(absl::StrCat(FnName(kFn), " of ", TypeName(type),
                                               " is not implemented (supported: float32",
                                               SupportsInt32(kFn) ? ", int32)" : ")"));
}

template <Fn kFn>
absl::Status Eval(OpContext& ctx) {
  const TensorView& in = *ctx.input(0);
  TensorView& out = *ctx.output(0);
  if (in.type == ir::DataType::kFloat32) {
    const float* x = in.data_as<const float>();
    float* y = out.data_as<float>();
    switch (kFn) {
      case Fn::kExp:
        reference::Exp(in.shape, x, y);
        break;
      case Fn::kSqrt:
        reference::Sqrt(in.shape, x, y);
        break;
      case Fn::kRsqrt:
        reference::Rsqrt(in.shape, x, y);
        break;
      case Fn::kAbs:
        reference::Abs(in.shape, x, y);
        break;
      case Fn::kNeg:
        reference::Neg(in.shape, x, y);
        break;
    }
    return absl::OkStatus();
  }
  if constexpr (SupportsInt32(kFn)) {
    if (in.type == ir::DataType::kInt32) {
      const int32_t* x = in.data_as<const int32_t>();
      int32_t* y = out.data_as<int32_t>();
      if constexpr (kFn == Fn::kAbs) {
        reference::Abs(in.shape, x, y);
      } else {
        reference::Neg(in.shape, x, y);
      }
      return absl::OkStatus();
    }
  }
  return absl::UnimplementedError(
      absl::StrCat(FnName(kFn), " of ", TypeName(in.type), " is not implemented"));
}

template <Fn kFn>
const OpKernel& MakeKernel() {
  static const OpKernel kernel{FnName(kFn), Prepare<kFn>, Eval<kFn>};
  return kernel;
}

}  // namespace

const OpKernel& ExpKernel() { return MakeKernel<Fn::kExp>(); }
const OpKernel& SqrtKernel() { return MakeKernel<Fn::kSqrt>(); }
const OpKernel& RsqrtKernel() { return MakeKernel<Fn::kRsqrt>(); }
const OpKernel& AbsKernel() { return MakeKernel<Fn::kAbs>(); }
const OpKernel& NegKernel() { return MakeKernel<Fn::kNeg>(); }

}  // namespace compressd::kernels
