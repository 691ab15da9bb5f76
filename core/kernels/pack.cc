// PACK (TFLite semantics): stacks PackOptions.values_count inputs (which must equal the number of
// inputs) of identical shape and type along a new dimension at PackOptions.axis, in
// [-(rank+1), rank] (negative counts from the end of the output). Any fixed-size element type;
// quantized inputs must have the output's quantization.
#include "core/kernels/reference/pack.h"

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

struct PackState : OpState {
  int axis = 0;
  int element_size = 0;
  std::vector<const void*> inputs;  // sized in Prepare; set in Eval
};

absl::Status Prepare(OpContext& ctx) {
  const ir::PackOptions options = OptionsOrDefault<ir::PackOptions>(ctx);
  if (options.values_count <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("values_count must be positive, got ", options.values_count));
  }
  RETURN_IF_ERROR(CheckNumInputs(ctx, options.values_count));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* first, GetInput(ctx, 0));
  auto state = std::make_unique<PackState>();
  ASSIGN_OR_RETURN(state->element_size, FixedElementSize(first->type, "input 0"));
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, first->type));
  const int rank = first->shape.rank();
  ASSIGN_OR_RETURN(state->axis, NormalizeAxis(options.axis, rank + 1, "pack axis"));
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, i));
    if (in->type != first->type || !(in->shape == first->shape)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input ", i, " is ", TypeName(in->type), " ", in->shape.ToString(), ", input 0 is ",
          TypeName(first->type), " ", first->shape.ToString(), "; all must match"));
    }
    RETURN_IF_ERROR(CheckSameQuantization(*in, *ctx.output(0), absl::StrCat("input ", i).c_str()));
  }
  std::vector<int64_t> dims(first->shape.dims().begin(), first->shape.dims().end());
  dims.insert(dims.begin() + state->axis, ctx.num_inputs());
  RETURN_IF_ERROR(SetOutputShape(ctx, 0, dims));
  state->inputs.assign(ctx.num_inputs(), nullptr);
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

absl::Status Eval(OpContext& ctx) {
  PackState& state = *ctx.state_as<PackState>();
  for (int i = 0; i < ctx.num_inputs(); ++i) state.inputs[i] = ctx.input(i)->data;
  reference::Pack(state.inputs, ctx.input(0)->shape, state.axis, state.element_size,
                  ctx.output(0)->data);
  return absl::OkStatus();
}

}  // namespace

const OpKernel& PackKernel() {
  static const OpKernel kernel{"PACK", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
