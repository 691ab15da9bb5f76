// SLICE (TFLite semantics). Inputs: (input, begin, size); begin and size are constant 1-D
// int32/int64 tensors with one entry per input dimension. size -1 means "to the end"; otherwise
// 0 <= begin and begin + size <= dim are required. Any fixed-size element type.
#include "core/kernels/reference/slice.h"

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

struct SliceState : OpState {
  std::array<int32_t, Shape::kMaxRank> begin{};
  int element_size = 0;
};

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputs(ctx, 3));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 0));
  ASSIGN_OR_RETURN(const TensorView* begin_input, GetInput(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* size_input, GetInput(ctx, 2));
  auto state = std::make_unique<SliceState>();
  ASSIGN_OR_RETURN(state->element_size, FixedElementSize(in->type, "input"));
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, in->type));
  const int rank = in->shape.rank();
  for (const TensorView* t : {begin_input, size_input}) {
    if (t->shape.rank() != 1 || t->shape.dim(0) != rank) {
      return absl::InvalidArgumentError(
          absl::StrCat(t == begin_input ? "begin" : "size", " must have shape [", rank,
                       "] for an input of rank ", rank, ", got ", t->shape.ToString()));
    }
  }
  ASSIGN_OR_RETURN(const std::vector<int64_t> begin, ReadConstantInts(*begin_input, "begin"));
  ASSIGN_OR_RETURN(const std::vector<int64_t> size, ReadConstantInts(*size_input, "size"));
  std::vector<int64_t> dims(rank);
  for (int d = 0; d < rank; ++d) {
    const int64_t dim = in->shape.dim(d);
    const int64_t b = begin[d];
    int64_t s = size[d];
    if (b < 0 || b > dim) {
      return absl::InvalidArgumentError(absl::StrCat("begin [", absl::StrJoin(begin, ","),
                                                     "] is out of range for input shape ",
                                                     in->shape.ToString()));
    }
    if (s == -1) s = dim - b;
    if (s < 0 || b + s > dim) {
      return absl::InvalidArgumentError(absl::StrCat(
          "begin [", absl::StrJoin(begin, ","), "] and size [", absl::StrJoin(size, ","),
          "] exceed input shape ", in->shape.ToString(), " at dimension ", d));
    }
    dims[d] = s;
    state->begin[d] = static_cast<int32_t>(b);
  }
  RETURN_IF_ERROR(SetOutputShape(ctx, 0, dims));
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

absl::Status Eval(OpContext& ctx) {
  const SliceState& state = *ctx.state_as<SliceState>();
  const TensorView& in = *ctx.input(0);
  TensorView& out = *ctx.output(0);
  reference::Slice(in.shape, in.data, state.begin.data(), out.shape, state.element_size, out.data);
  return absl::OkStatus();
}

}  // namespace

const OpKernel& SliceKernel() {
  static const OpKernel kernel{"SLICE", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
