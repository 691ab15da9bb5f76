// TRANSPOSE (TFLite semantics). Inputs: (input, perm); perm is a constant 1-D int32/int64
// permutation of [0, rank): output dimension i is input dimension perm[i]. TFLite allows up to
// 6-D; this kernel allows Shape::kMaxRank. Any fixed-size element type.
#include "core/kernels/reference/transpose.h"

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

struct TransposeState : OpState {
  std::array<int, Shape::kMaxRank> perm{};
  int element_size = 0;
};

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputs(ctx, 2));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 0));
  ASSIGN_OR_RETURN(const TensorView* perm_input, GetInput(ctx, 1));
  auto state = std::make_unique<TransposeState>();
  ASSIGN_OR_RETURN(state->element_size, FixedElementSize(in->type, "input"));
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, in->type));
  const int rank = in->shape.rank();
  if (perm_input->shape.rank() != 1 || perm_input->shape.dim(0) != rank) {
    return absl::InvalidArgumentError(absl::StrCat("perm must have shape [", rank,
                                                   "] for an input of rank ", rank, ", got ",
                                                   perm_input->shape.ToString()));
  }
  ASSIGN_OR_RETURN(const std::vector<int64_t> perm, ReadConstantInts(*perm_input, "perm"));
  std::array<bool, Shape::kMaxRank> seen{};
  std::vector<int64_t> dims(rank);
  for (int i = 0; i < rank; ++i) {
    if (perm[i] < 0 || perm[i] >= rank || seen[perm[i]]) {
      return absl::InvalidArgumentError(absl::StrCat("perm [", absl::StrJoin(perm, ","),
                                                     "] is not a permutation of [0, ", rank, ")"));
    }
    seen[perm[i]] = true;
    state->perm[i] = static_cast<int>(perm[i]);
    dims[i] = in->shape.dim(state->perm[i]);
  }
  RETURN_IF_ERROR(SetOutputShape(ctx, 0, dims));
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

absl::Status Eval(OpContext& ctx) {
  const TransposeState& state = *ctx.state_as<TransposeState>();
  const TensorView& in = *ctx.input(0);
  TensorView& out = *ctx.output(0);
  return DispatchByElementSize(state.element_size, [&](auto tag) {
    using T = typename decltype(tag)::type;
    reference::Transpose(in.shape, in.data_as<const T>(), state.perm.data(), out.data_as<T>());
  });
}

}  // namespace

const OpKernel& TransposeKernel() {
  static const OpKernel kernel{"TRANSPOSE", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
