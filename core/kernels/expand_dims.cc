// EXPAND_DIMS (TFLite semantics). Inputs: (input, axis); axis is a constant one-element
// int32/int64 tensor in [-(rank+1), rank] (negative values count from the end of the output).
// Inserts a dimension of size 1 at that position. The data is copied. Any fixed-size element
// type.
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
  RETURN_IF_ERROR(CheckNumInputs(ctx, 2));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 0));
  ASSIGN_OR_RETURN(const TensorView* axis_input, GetInput(ctx, 1));
  RETURN_IF_ERROR(FixedElementSize(in->type, "input").status());
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, in->type));
  ASSIGN_OR_RETURN(const std::vector<int64_t> axis, ReadConstantInts(*axis_input, "axis input"));
  if (axis.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("axis input must hold one value, has ", axis.size()));
  }
  const int rank = in->shape.rank();
  ASSIGN_OR_RETURN(const int at, NormalizeAxis(axis[0], rank + 1, "axis"));
  std::vector<int64_t> dims(in->shape.dims().begin(), in->shape.dims().end());
  dims.insert(dims.begin() + at, 1);
  return SetOutputShape(ctx, 0, dims);
}

absl::Status Eval(OpContext& ctx) {
  CopyTensorData(*ctx.input(0), *ctx.output(0));
  return absl::OkStatus();
}

}  // namespace

const OpKernel& ExpandDimsKernel() {
  static const OpKernel kernel{"EXPAND_DIMS", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
