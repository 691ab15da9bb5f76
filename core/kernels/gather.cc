// GATHER (TFLite semantics). Inputs: (params, indices); indices are int32 or int64 (need not be
// constant). GatherOptions.axis in [-rank, rank) of params; batch_dims (negative counts from the
// indices' rank) with 0 <= batch_dims <= axis, and the first batch_dims dimensions of params and
// indices equal. Output shape params[:axis] + indices[batch_dims:] + params[axis+1:]. An index
// outside [0, params[axis]) — negative ones included, as in TFLite — fails Eval with
// InvalidArgument. Any fixed-size element type for params.
#include "core/kernels/reference/gather.h"

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

struct GatherState : OpState {
  int axis = 0;
  int batch_dims = 0;
  int element_size = 0;
};

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputs(ctx, 2));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* params, GetInput(ctx, 0));
  ASSIGN_OR_RETURN(const TensorView* indices, GetInput(ctx, 1));
  auto state = std::make_unique<GatherState>();
  ASSIGN_OR_RETURN(state->element_size, FixedElementSize(params->type, "params"));
  if (indices->type != ir::DataType::kInt32 && indices->type != ir::DataType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat("indices must be int32 or int64, got ", TypeName(indices->type)));
  }
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, params->type));
  const ir::GatherOptions options = OptionsOrDefault<ir::GatherOptions>(ctx);
  const int rank = params->shape.rank();
  const int indices_rank = indices->shape.rank();
  ASSIGN_OR_RETURN(state->axis, NormalizeAxis(options.axis, rank, "gather axis"));
  int batch_dims = options.batch_dims;
  if (batch_dims < 0) batch_dims += indices_rank;
  if (batch_dims < 0 || batch_dims > state->axis || batch_dims > indices_rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        "batch_dims ", options.batch_dims, " must lie in [0, min(axis ", state->axis,
        ", indices rank ", indices_rank, ")] (negative values count from the indices rank)"));
  }
  for (int d = 0; d < batch_dims; ++d) {
    if (params->shape.dim(d) != indices->shape.dim(d)) {
      return absl::InvalidArgumentError(absl::StrCat("batch dimension ", d, " differs: params ",
                                                     params->shape.ToString(), ", indices ",
                                                     indices->shape.ToString()));
    }
  }
  state->batch_dims = batch_dims;
  std::vector<int64_t> dims;
  for (int d = 0; d < state->axis; ++d) dims.push_back(params->shape.dim(d));
  for (int d = batch_dims; d < indices_rank; ++d) dims.push_back(indices->shape.dim(d));
  for (int d = state->axis + 1; d < rank; ++d) dims.push_back(params->shape.dim(d));
  RETURN_IF_ERROR(SetOutputShape(ctx, 0, dims));
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

template <typename Index>
absl::Status Run(const GatherState& state, const TensorView& params, const TensorView& indices,
                 TensorView& out) {
  int64_t bad = -1;
  const Index* idx = indices.data_as<const Index>();
  if (!reference::Gather(params.shape, params.data, state.axis, state.batch_dims, indices.shape,
                         idx, state.element_size, out.data, &bad)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "index ", static_cast<int64_t>(idx[bad]), " at position ", bad, " is out of range [0, ",
        params.shape.dim(state.axis), ") of gather axis ", state.axis));
  }
  return absl::OkStatus();
}

absl::Status Eval(OpContext& ctx) {
  const GatherState& state = *ctx.state_as<GatherState>();
  const TensorView& params = *ctx.input(0);
  const TensorView& indices = *ctx.input(1);
  TensorView& out = *ctx.output(0);
  if (indices.type == ir::DataType::kInt32) return Run<int32_t>(state, params, indices, out);
  return Run<int64_t>(state, params, indices, out);
}

}  // namespace

const OpKernel& GatherKernel() {
  static const OpKernel kernel{"GATHER", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
