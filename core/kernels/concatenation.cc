// CONCATENATION (TFLite semantics) of N >= 1 inputs along ConcatenationOptions.axis (negative
// counts from the end). All inputs share the type and rank, and every dimension except the axis.
// Any fixed-size element type; quantized inputs must have the output's quantization (no
// rescaling: TFLite requires this for int8 and int16 too, and its int8 / int16 kernels are then
// plain copies, so the result is bit-exact); int16 zero points must be 0 (TFLite). A fused activation (RELU, RELU6, RELU_N1_TO_1) is applied for float32; TFLite
// itself rejects any fused activation here, so this is a superset.
#include "core/kernels/reference/concatenation.h"

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/reference/unary.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

struct ConcatState : OpState {
  int axis = 0;
  int element_size = 0;
  ir::Activation activation = ir::Activation::kNone;
  std::vector<reference::ConcatInput> inputs;  // sized in Prepare; data pointers set in Eval
};

absl::Status Prepare(OpContext& ctx) {
  if (ctx.num_inputs() < 1) return absl::InvalidArgumentError("expected at least 1 input, got 0");
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  const ir::ConcatenationOptions options = OptionsOrDefault<ir::ConcatenationOptions>(ctx);
  ASSIGN_OR_RETURN(const TensorView* first, GetInput(ctx, 0));
  auto state = std::make_unique<ConcatState>();
  ASSIGN_OR_RETURN(state->element_size, FixedElementSize(first->type, "input 0"));
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, first->type));
  const int rank = first->shape.rank();
  ASSIGN_OR_RETURN(state->axis, NormalizeAxis(options.axis, rank, "concatenation axis"));
  RETURN_IF_ERROR(CheckClampActivation(options.activation));
  if (options.activation != ir::Activation::kNone && first->type != ir::DataType::kFloat32) {
    return absl::UnimplementedError(absl::StrCat("a fused activation on ", TypeName(first->type),
                                                 " concatenation is not supported"));
  }
  state->activation = options.activation;

  int64_t axis_total = 0;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, i));
    if (in->type != first->type) {
      return absl::InvalidArgumentError(absl::StrCat("input ", i, " has type ", TypeName(in->type),
                                                     ", input 0 ", TypeName(first->type)));
    }
    bool compatible = in->shape.rank() == rank;
    for (int d = 0; compatible && d < rank; ++d) {
      compatible = d == state->axis || in->shape.dim(d) == first->shape.dim(d);
    }
    if (!compatible) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input ", i, " has shape ", in->shape.ToString(), ", incompatible with input 0 ",
          first->shape.ToString(), " for concatenation along axis ", state->axis));
    }
    RETURN_IF_ERROR(CheckSameQuantization(*in, *ctx.output(0), absl::StrCat("input ", i).c_str()));
    if (in->type == ir::DataType::kInt16 && in->IsQuantized() && !in->quant->zero_point.empty() &&
        in->quant->zero_point[0] != 0) {
      return absl::InvalidArgumentError(absl::StrCat("input ", i, " is int16 with zero point ",
                                                     in->quant->zero_point[0],
                                                     "; int16 concatenation requires 0"));
    }
    axis_total += in->shape.dim(state->axis);
    state->inputs.push_back({nullptr, in->shape.dim(state->axis)});
  }
  std::vector<int64_t> dims(first->shape.dims().begin(), first->shape.dims().end());
  dims[state->axis] = axis_total;
  RETURN_IF_ERROR(SetOutputShape(ctx, 0, dims));
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

absl::Status Eval(OpContext& ctx) {
  ConcatState& state = *ctx.state_as<ConcatState>();
  TensorView& out = *ctx.output(0);
  for (int i = 0; i < ctx.num_inputs(); ++i) state.inputs[i].data = ctx.input(i)->data;
  reference::Concatenation(state.inputs, state.axis, out.shape, state.element_size, out.data);
  if (state.activation != ir::Activation::kNone) {
    const auto r = FloatActivationBounds(state.activation);
    reference::ClampAll(out.shape, out.data_as<const float>(), out.data_as<float>(), r.min, r.max);
  }
  return absl::OkStatus();
}

}  // namespace

const OpKernel& ConcatenationKernel() {
  static const OpKernel kernel{"CONCATENATION", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
