// UNPACK (TFLite semantics): splits the input along UnpackOptions.axis (negative counts from the
// end) into UnpackOptions.num outputs, which must equal both the number of outputs and the size
// of that dimension; each output drops the axis. Any fixed-size element type.
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/reference/pack.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

struct UnpackState : OpState {
  int axis = 0;
  int element_size = 0;
  Shape value_shape;           // shape of each output
  std::vector<void*> outputs;  // sized in Prepare; set in Eval
};

absl::Status Prepare(OpContext& ctx) {
  const ir::UnpackOptions options = OptionsOrDefault<ir::UnpackOptions>(ctx);
  RETURN_IF_ERROR(CheckNumInputs(ctx, 1));
  if (options.num <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("num must be positive, got ", options.num));
  }
  RETURN_IF_ERROR(CheckNumOutputs(ctx, options.num));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 0));
  auto state = std::make_unique<UnpackState>();
  ASSIGN_OR_RETURN(state->element_size, FixedElementSize(in->type, "input"));
  ASSIGN_OR_RETURN(state->axis, NormalizeAxis(options.axis, in->shape.rank(), "unpack axis"));
  if (in->shape.dim(state->axis) != options.num) {
    return absl::InvalidArgumentError(absl::StrCat(
        "dimension ", state->axis, " of ", in->shape.ToString(), " is not num = ", options.num));
  }
  std::vector<int64_t> dims(in->shape.dims().begin(), in->shape.dims().end());
  dims.erase(dims.begin() + state->axis);
  for (int i = 0; i < options.num; ++i) {
    RETURN_IF_ERROR(CheckOutputType(ctx, i, in->type));
    RETURN_IF_ERROR(SetOutputShape(ctx, i, dims));
  }
  state->value_shape = ctx.output(0)->shape;
  state->outputs.assign(options.num, nullptr);
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

absl::Status Eval(OpContext& ctx) {
  UnpackState& state = *ctx.state_as<UnpackState>();
  for (int i = 0; i < ctx.num_outputs(); ++i) state.outputs[i] = ctx.output(i)->data;
  reference::Unpack(ctx.input(0)->data, state.value_shape, state.axis, state.element_size,
                    state.outputs);
  return absl::OkStatus();
}

}  // namespace

const OpKernel& UnpackKernel() {
  static const OpKernel kernel{"UNPACK", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
