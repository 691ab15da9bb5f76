// MEAN, SUM, REDUCE_MAX over the axes of a constant axis input (TFLite semantics, see
// reference/reduce.h). Inputs: (input, axis); axis is a constant int32/int64 tensor of any shape
// whose values lie in [-rank, rank) (negative values count from the end, duplicates are allowed).
// ReducerOptions.keep_dims keeps reduced dimensions as 1. A scalar input ignores the axes, as in
// TFLite. float32 only for now.
#include "core/kernels/reference/reduce.h"

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

enum class Reducer { kMean, kSum, kMax };

constexpr const char* ReducerName(Reducer r) {
  switch (r) {
    case Reducer::kMean:
      return "MEAN";
    case Reducer::kSum:
      return "SUM";
    case Reducer::kMax:
      return "REDUCE_MAX";
  }
  return "?";
}

struct ReduceState : OpState {
  uint32_t reduce_mask = 0;  // bit d: input dimension d is reduced
};

template <Reducer kReducer>
absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputs(ctx, 2));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 0));
  ASSIGN_OR_RETURN(const TensorView* axis, GetInput(ctx, 1));
  if (in->type != ir::DataType::kFloat32) {
    return absl::UnimplementedError(absl::StrCat(ReducerName(kReducer), " of ", TypeName(in->type),
                                                 " is not implemented (supported: float32)"));
  }
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, in->type));
  ASSIGN_OR_RETURN(const std::vector<int64_t> axes, ReadConstantInts(*axis, "axis input"));

  const int rank = in->shape.rank();
  auto state = std::make_unique<ReduceState>();
  if (rank > 0) {
    for (int64_t a : axes) {
      ASSIGN_OR_RETURN(const int d, NormalizeAxis(a, rank, "reduction axis"));
      state->reduce_mask |= 1u << d;
    }
  }
  const bool keep_dims = OptionsOrDefault<ir::ReducerOptions>(ctx).keep_dims;
  std::vector<int64_t> out_dims;
  for (int d = 0; d < rank; ++d) {
    if (state->reduce_mask & (1u << d)) {
      if (keep_dims) out_dims.push_back(1);
    } else {
      out_dims.push_back(in->shape.dim(d));
    }
  }
  RETURN_IF_ERROR(SetOutputShape(ctx, 0, out_dims));
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

template <Reducer kReducer>
absl::Status Eval(OpContext& ctx) {
  const TensorView& in = *ctx.input(0);
  TensorView& out = *ctx.output(0);
  const uint32_t mask = ctx.state_as<ReduceState>()->reduce_mask;
  if (in.type != ir::DataType::kFloat32) {
    return absl::UnimplementedError(
        absl::StrCat(ReducerName(kReducer), " of ", TypeName(in.type), " is not implemented"));
  }
  const float* x = in.data_as<const float>();
  float* y = out.data_as<float>();
  switch (kReducer) {
    case Reducer::kMean:
      reference::ReduceMean(in.shape, x, mask, y);
      break;
    case Reducer::kSum:
      reference::ReduceSum(in.shape, x, mask, y);
      break;
    case Reducer::kMax:
      reference::ReduceMax(in.shape, x, mask, y);
      break;
  }
  return absl::OkStatus();
}

template <Reducer kReducer>
const OpKernel& MakeKernel() {
  static const OpKernel kernel{ReducerName(kReducer), Prepare<kReducer>, Eval<kReducer>};
  return kernel;
}

}  // namespace

const OpKernel& MeanKernel() { return MakeKernel<Reducer::kMean>(); }
const OpKernel& SumKernel() { return MakeKernel<Reducer::kSum>(); }
const OpKernel& ReduceMaxKernel() { return MakeKernel<Reducer::kMax>(); }

}  // namespace compressd::kernels
