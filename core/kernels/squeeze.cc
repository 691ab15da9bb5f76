// SQUEEZE (TFLite semantics): removes the dimensions listed in SqueezeOptions.squeeze_dims
// (negative values count from the end, duplicates allowed; each must have size 1), or every
// size-1 dimension when the list is empty. The data is copied. Any fixed-size element type.
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputs(ctx, 1));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 0));
  RETURN_IF_ERROR(FixedElementSize(in->type, "input").status());
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, in->type));
  const int rank = in->shape.rank();
  std::vector<bool> squeeze(rank, false);
  const ir::SqueezeOptions* options = std::get_if<ir::SqueezeOptions>(&ctx.op().builtin_options);
  if (options == nullptr || options->squeeze_dims.empty()) {
    for (int d = 0; d < rank; ++d) squeeze[d] = in->shape.dim(d) == 1;
  } else {
    for (int32_t s : options->squeeze_dims) {
      ASSIGN_OR_RETURN(const int d, NormalizeAxis(s, rank, "squeeze dimension"));
      if (in->shape.dim(d) != 1) {
        return absl::InvalidArgumentError(absl::StrCat("cannot squeeze dimension ", s, " of size ",
                                                       in->shape.dim(d), " in ",
                                                       in->shape.ToString()));
      }
      squeeze[d] = true;
    }
  }
  std::vector<int64_t> dims;
  for (int d = 0; d < rank; ++d) {
    if (!squeeze[d]) dims.push_back(in->shape.dim(d));
  }
  return SetOutputShape(ctx, 0, dims);
}

absl::Status Eval(OpContext& ctx) {
  CopyTensorData(*ctx.input(0), *ctx.output(0));
  return absl::OkStatus();
}

}  // namespace

const OpKernel& SqueezeKernel() {
  static const OpKernel kernel{"SQUEEZE", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
