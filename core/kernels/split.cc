// SPLIT (TFLite semantics). Inputs: (axis, value) — the axis comes FIRST. axis is a constant
// one-element int32/int64 tensor (negative counts from the end); SplitOptions.num_splits equal
// pieces, which must divide the axis dimension and equal the number of outputs. Any fixed-size
// element type.
#include "core/kernels/reference/split.h"

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

struct SplitState : OpState {
  int axis = 0;
  int element_size = 0;
  std::vector<reference::SplitOutput> outputs;  // sized in Prepare; data pointers set in Eval
};

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputs(ctx, 2));
  ASSIGN_OR_RETURN(const TensorView* axis_input, GetInput(ctx, 0));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 1));
  const int num_splits = OptionsOrDefault<ir::SplitOptions>(ctx).num_splits;
  if (num_splits <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_splits must be positive, got ", num_splits));
  }
  RETURN_IF_ERROR(CheckNumOutputs(ctx, num_splits));
  auto state = std::make_unique<SplitState>();
  ASSIGN_OR_RETURN(state->element_size, FixedElementSize(in->type, "value input"));
  ASSIGN_OR_RETURN(const std::vector<int64_t> axis, ReadConstantInts(*axis_input, "axis input"));
  if (axis.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("axis input must hold one value, has ", axis.size()));
  }
  ASSIGN_OR_RETURN(state->axis, NormalizeAxis(axis[0], in->shape.rank(), "split axis"));
  const int32_t dim = in->shape.dim(state->axis);
  if (dim % num_splits != 0) {
    return absl::InvalidArgumentError(absl::StrCat("dimension ", state->axis, " of size ", dim,
                                                   " cannot be split into ", num_splits,
                                                   " equal pieces"));
  }
  std::vector<int64_t> dims(in->shape.dims().begin(), in->shape.dims().end());
  dims[state->axis] = dim / num_splits;
  for (int i = 0; i < num_splits; ++i) {
    RETURN_IF_ERROR(CheckOutputType(ctx, i, in->type));
    RETURN_IF_ERROR(SetOutputShape(ctx, i, dims));
    state->outputs.push_back({nullptr, dims[state->axis]});
  }
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

absl::Status Eval(OpContext& ctx) {
  SplitState& state = *ctx.state_as<SplitState>();
  const TensorView& in = *ctx.input(1);
  for (int i = 0; i < ctx.num_outputs(); ++i) state.outputs[i].data = ctx.output(i)->data;
  reference::Split(in.shape, in.data, state.axis, state.element_size, state.outputs);
  return absl::OkStatus();
}

}  // namespace

const OpKernel& SplitKernel() {
  static const OpKernel kernel{"SPLIT", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
