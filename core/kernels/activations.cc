// Activation operators RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU, HARD_SWISH, LOGISTIC, TANH, ELU:
// elementwise, float32 (TFLite float reference semantics, see reference/unary.h). Quantized
// variants are Unimplemented for now.
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/reference/unary.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

enum class Act { kRelu, kRelu6, kReluN1To1, kLeakyRelu, kHardSwish, kLogistic, kTanh, kElu };

constexpr const char* ActName(Act act) {
  switch (act) {
    case Act::kRelu:
      return "RELU";
    case Act::kRelu6:
      return "RELU6";
    case Act::kReluN1To1:
      return "RELU_N1_TO_1";
    case Act::kLeakyRelu:
      return "LEAKY_RELU";
    case Act::kHardSwish:
      return "HARD_SWISH";
    case Act::kLogistic:
      return "LOGISTIC";
    case Act::kTanh:
      return "TANH";
    case Act::kElu:
      return "ELU";
  }
  return "?";
}

template <Act kAct>
absl::Status Prepare(OpContext& ctx) {
  ASSIGN_OR_RETURN(const ir::DataType type, PrepareUnary(ctx));
  if (type != ir::DataType::kFloat32) {
    return absl::UnimplementedError(absl::StrCat(ActName(kAct), " of ", TypeName(type),
                                                 " is not implemented (supported: float32)"));
  }
  return absl::OkStatus();
}

template <Act kAct>
absl::Status Eval(OpContext& ctx) {
  const TensorView& in = *ctx.input(0);
  TensorView& out = *ctx.output(0);
  if (in.type != ir::DataType::kFloat32) {
    return absl::UnimplementedError(
        absl::StrCat(ActName(kAct), " of ", TypeName(in.type), " is not implemented"));
  }
  const float* x = in.data_as<const float>();
  float* y = out.data_as<float>();
  switch (kAct) {
    case Act::kRelu:
      reference::Relu(in.shape, x, y);
      break;
    case Act::kRelu6:
      reference::Relu6(in.shape, x, y);
      break;
    case Act::kReluN1To1:
      reference::ReluN1To1(in.shape, x, y);
      break;
    case Act::kLeakyRelu:
      reference::LeakyRelu(in.shape, x, y, OptionsOrDefault<ir::LeakyReluOptions>(ctx).alpha);
      break;
    case Act::kHardSwish:
      reference::HardSwish(in.shape, x, y);
      break;
    case Act::kLogistic:
      reference::Logistic(in.shape, x, y);
      break;
    case Act::kTanh:
      reference::Tanh(in.shape, x, y);
      break;
    case Act::kElu:
      reference::Elu(in.shape, x, y);
      break;
  }
  return absl::OkStatus();
}

template <Act kAct>
const OpKernel& MakeKernel() {
  static const OpKernel kernel{ActName(kAct), Prepare<kAct>, Eval<kAct>};
  return kernel;
}

}  // namespace

const OpKernel& ReluKernel() { return MakeKernel<Act::kRelu>(); }
const OpKernel& Relu6Kernel() { return MakeKernel<Act::kRelu6>(); }
const OpKernel& ReluN1To1Kernel() { return MakeKernel<Act::kReluN1To1>(); }
const OpKernel& LeakyReluKernel() { return MakeKernel<Act::kLeakyRelu>(); }
const OpKernel& HardSwishKernel() { return MakeKernel<Act::kHardSwish>(); }
const OpKernel& LogisticKernel() { return MakeKernel<Act::kLogistic>(); }
const OpKernel& TanhKernel() { return MakeKernel<Act::kTanh>(); }
const OpKernel& EluKernel() { return MakeKernel<Act::kElu>(); }

}  // namespace compressd::kernels
