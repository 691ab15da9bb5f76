// MIRROR_PAD (REFLECT / SYMMETRIC, from MirrorPadOptions.mode), TFLite/TF semantics.
// Inputs: (input, paddings); paddings is a constant int32/int64 [rank, 2] tensor. As in TF, each
// padding must be <= dim - 1 for REFLECT and <= dim for SYMMETRIC (larger paddings would need
// repeated mirroring; TFLite would read out of bounds). Any fixed-size element type.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/reference/pad.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

struct MirrorPadState : OpState {
  std::array<int32_t, Shape::kMaxRank> before{};
  int element_size = 0;
  bool symmetric = false;
};

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputs(ctx, 2));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 0));
  ASSIGN_OR_RETURN(const TensorView* paddings, GetInput(ctx, 1));
  auto state = std::make_unique<MirrorPadState>();
  ASSIGN_OR_RETURN(state->element_size, FixedElementSize(in->type, "input"));
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, in->type));
  const ir::MirrorPadMode mode = OptionsOrDefault<ir::MirrorPadOptions>(ctx).mode;
  if (mode != ir::MirrorPadMode::kReflect && mode != ir::MirrorPadMode::kSymmetric) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown mirror pad mode ", static_cast<int>(mode)));
  }
  state->symmetric = mode == ir::MirrorPadMode::kSymmetric;

  const int rank = in->shape.rank();
  std::vector<int32_t> before;
  std::vector<int32_t> after;
  RETURN_IF_ERROR(ReadPaddings(*paddings, rank, &before, &after));
  std::vector<int64_t> out_dims(rank);
  for (int d = 0; d < rank; ++d) {
    const int64_t dim = in->shape.dim(d);
    const int64_t limit = state->symmetric ? dim : dim - 1;
    if (before[d] > limit || after[d] > limit) {
      return absl::InvalidArgumentError(
          absl::StrCat(state->symmetric ? "SYMMETRIC" : "REFLECT", " paddings [", before[d], ",",
                       after[d], "] of dimension ", d, " exceed ", limit, " for size ", dim));
    }
    out_dims[d] = dim + before[d] + after[d];
    state->before[d] = before[d];
  }
  RETURN_IF_ERROR(SetOutputShape(ctx, 0, out_dims));
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& in = *ctx.input(0);
  TensorView& out = *ctx.output(0);
  const MirrorPadState& state = *ctx.state_as<MirrorPadState>();
  return DispatchByElementSize(state.element_size, [&](auto tag) {
    using T = typename decltype(tag)::type;
    reference::MirrorPad(in.shape, in.data_as<const T>(), state.before.data(), state.symmetric,
                         out.shape, out.data_as<T>());
  });
}

}  // namespace

const OpKernel& MirrorPadKernel() {
  static const OpKernel kernel{"MIRROR_PAD", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
