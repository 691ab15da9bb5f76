// BATCH_MATMUL: inputs (lhs, rhs) of rank 2..5 (TFLite's limit); BatchMatMulOptions adj_x/adj_y
// transpose the last two dimensions of lhs/rhs. Batch dimensions broadcast numpy-style and the
// output has rank max(lhs rank, rhs rank).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/reference/batch_matmul.h"

namespace compressd::kernels {
namespace {

constexpr int kMaxRank = 5;

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 2, 2, 1));
  ASSIGN_OR_RETURN(const TensorView* lhs, nn::RequiredInput(ctx, 0, "lhs"));
  ASSIGN_OR_RETURN(const TensorView* rhs, nn::RequiredInput(ctx, 1, "rhs"));
  if (lhs->type != ir::DataType::kFloat32) return nn::UnsupportedType(lhs->type, "lhs");
  if (rhs->type != lhs->type) return nn::UnsupportedType(rhs->type, "rhs");
  RETURN_IF_ERROR(nn::CheckRankRange(*lhs, 2, kMaxRank, "lhs"));
  RETURN_IF_ERROR(nn::CheckRankRange(*rhs, 2, kMaxRank, "rhs"));
  RETURN_IF_ERROR(nn::CheckDataCoversShape(*lhs, "lhs"));
  RETURN_IF_ERROR(nn::CheckDataCoversShape(*rhs, "rhs"));
  const auto options = OptionsOrDefault<ir::BatchMatMulOptions>(ctx);
  const int rank = std::max(lhs->shape.rank(), rhs->shape.rank());
  const Shape l = lhs->shape.Extended(rank);
  const Shape r = rhs->shape.Extended(rank);
  Shape out = Shape::Filled(rank, 1);
  for (int d = 0; d < rank - 2; ++d) {
    if (l.dim(d) != r.dim(d) && l.dim(d) != 1 && r.dim(d) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("batch dimensions of lhs ", lhs->shape.ToString(), " and rhs ",
                       rhs->shape.ToString(), " do not broadcast"));
    }
    out.set_dim(d, l.dim(d) == 1 ? r.dim(d) : l.dim(d));
  }
  const int32_t lhs_depth = options.adj_x ? l.dim(rank - 2) : l.dim(rank - 1);
  const int32_t rhs_depth = options.adj_y ? r.dim(rank - 1) : r.dim(rank - 2);
  if (lhs_depth != rhs_depth) {
    return absl::InvalidArgumentError(absl::StrCat(
        "inner dimensions differ: lhs ", lhs->shape.ToString(), (options.adj_x ? " (adj_x)" : ""),
        " has ", lhs_depth, ", rhs ", rhs->shape.ToString(), (options.adj_y ? " (adj_y)" : ""),
        " has ", rhs_depth));
  }
  out.set_dim(rank - 2, options.adj_x ? l.dim(rank - 1) : l.dim(rank - 2));
  out.set_dim(rank - 1, options.adj_y ? r.dim(rank - 2) : r.dim(rank - 1));
  return nn::SetOutput(ctx, 0, lhs->type, out);
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& lhs = *ctx.input(0);
  const TensorView& rhs = *ctx.input(1);
  TensorView& output = *ctx.output(0);
  const auto options = OptionsOrDefault<ir::BatchMatMulOptions>(ctx);
  const int rank = output.shape.rank();
  switch (lhs.type) {
    case ir::DataType::kFloat32:
      reference::BatchMatMul(options.adj_x, options.adj_y, lhs.shape.Extended(rank),
                             lhs.data_as<const float>(), rhs.shape.Extended(rank),
                             rhs.data_as<const float>(), output.shape, output.data_as<float>());
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(lhs.type, "lhs");
  }
}

}  // namespace

const OpKernel& BatchMatMulKernel() {
  static const OpKernel kernel{"BATCH_MATMUL", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
