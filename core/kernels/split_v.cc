// SPLIT_V (TFLite semantics). Inputs: (value, size_splits, axis). size_splits is a constant 1-D
// int32/int64 tensor with one entry per output (SplitVOptions.num_splits must equal the number
// of outputs); entries are >= 0 except at most one -1, which takes the remainder of the axis
// dimension; the sizes must add up to that dimension. axis is a constant one-element int32/int64
// tensor (negative counts from the end). Any fixed-size element type.
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/reference/split.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

struct SplitVState : OpState {
  int axis = 0;
  int element_size = 0;
  std::vector<reference::SplitOutput> outputs;  // sized in Prepare; data pointers set in Eval
};

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputs(ctx, 3));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 0));
  ASSIGN_OR_RETURN(const TensorView* sizes_input, GetInput(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* axis_input, GetInput(ctx, 2));
  const int num_splits = OptionsOrDefault<ir::SplitVOptions>(ctx).num_splits;
  if (num_splits <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_splits must be positive, got ", num_splits));
  }
  RETURN_IF_ERROR(CheckNumOutputs(ctx, num_splits));
  auto state = std::make_unique<SplitVState>();
  ASSIGN_OR_RETURN(state->element_size, FixedElementSize(in->type, "value input"));
  ASSIGN_OR_RETURN(const std::vector<int64_t> axis, ReadConstantInts(*axis_input, "axis input"));
  if (axis.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("axis input must hold one value, has ", axis.size()));
  }
  ASSIGN_OR_RETURN(state->axis, NormalizeAxis(axis[0], in->shape.rank(), "split axis"));
  const int64_t dim = in->shape.dim(state->axis);

  if (sizes_input->shape.rank() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("size_splits must be 1-D, has shape ", sizes_input->shape.ToString()));
  }
  ASSIGN_OR_RETURN(std::vector<int64_t> sizes, ReadConstantInts(*sizes_input, "size_splits"));
  if (static_cast<int>(sizes.size()) != num_splits) {
    return absl::InvalidArgumentError(
        absl::StrCat("size_splits has ", sizes.size(), " entries for ", num_splits, " outputs"));
  }
  int inferred = -1;
  int64_t sum = 0;
  for (int i = 0; i < num_splits; ++i) {
    if (sizes[i] == -1 && inferred == -1) {
      inferred = i;
    } else if (sizes[i] < 0 || sizes[i] > dim) {
      return absl::InvalidArgumentError(absl::StrCat("size_splits [", absl::StrJoin(sizes, ","),
                                                     "] has invalid entry ", sizes[i],
                                                     " for dimension size ", dim));
    } else {
      sum += sizes[i];
    }
  }
  if (inferred != -1) {
    if (sum > dim) {
      return absl::InvalidArgumentError(absl::StrCat("size_splits [", absl::StrJoin(sizes, ","),
                                                     "] exceed dimension size ", dim));
    }
    sizes[inferred] = dim - sum;
  } else if (sum != dim) {
    return absl::InvalidArgumentError(absl::StrCat("size_splits [", absl::StrJoin(sizes, ","),
                                                   "] add up to ", sum, ", not to dimension size ",
                                                   dim));
  }
  std::vector<int64_t> dims(in->shape.dims().begin(), in->shape.dims().end());
  for (int i = 0; i < num_splits; ++i) {
    dims[state->axis] = sizes[i];
    RETURN_IF_ERROR(CheckOutputType(ctx, i, in->type));
    RETURN_IF_ERROR(SetOutputShape(ctx, i, dims));
    state->outputs.push_back({nullptr, sizes[i]});
  }
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

absl::Status Eval(OpContext& ctx) {
  SplitVState& state = *ctx.state_as<SplitVState>();
  const TensorView& in = *ctx.input(0);
  for (int i = 0; i < ctx.num_outputs(); ++i) state.outputs[i].data = ctx.output(i)->data;
  reference::Split(in.shape, in.data, state.axis, state.element_size, state.outputs);
  return absl::OkStatus();
}

}  // namespace

const OpKernel& SplitVKernel() {
  static const OpKernel kernel{"SPLIT_V", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
