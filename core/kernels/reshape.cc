// RESHAPE (TFLite semantics). Inputs: (input[, shape]). The new shape comes from the shape input
// when it is a 1-D int32/int64 tensor, else from ReshapeOptions.new_shape (where the legacy
// value [0] means a scalar). One dimension may be -1: it takes whatever size makes the element
// counts match (TFLite's rule, including for zero-sized tensors). The shape input must be
// constant, unless ReshapeOptions also gives the shape: then Prepare uses the options and Eval
// checks that the shape input agrees. The data is copied (the interpreter may alias the output).
// Any fixed-size element type.
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
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

struct ReshapeState : OpState {
  bool check_shape_input = false;  // the shape input is not constant: verify it in Eval
};

// The output dimensions for `requested` (TFLite's ResizeOutput).
absl::StatusOr<std::vector<int64_t>> ResolveShape(std::span<const int64_t> requested,
                                                  const Shape& input) {
  const int64_t num_in = input.FlatSize();
  int64_t non_zero_in = 1;
  for (int32_t d : input.dims()) {
    if (d != 0) non_zero_in *= d;
  }
  std::vector<int64_t> dims(requested.begin(), requested.end());
  int stretch = -1;
  int64_t num_out = 1;
  int64_t non_zero_out = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t v = dims[i];
    if (v == -1) {
      if (stretch != -1) {
        return absl::InvalidArgumentError(
            absl::StrCat("new shape [", absl::StrJoin(requested, ","), "] has more than one -1"));
      }
      stretch = static_cast<int>(i);
      continue;
    }
    if (v < 0 || v > std::numeric_limits<int32_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat("new shape [", absl::StrJoin(requested, ","),
                                                     "] has invalid dimension ", v));
    }
    if (v != 0) {
      if (non_zero_out > std::numeric_limits<int64_t>::max() / v) {
        return absl::InvalidArgumentError(
            absl::StrCat("new shape [", absl::StrJoin(requested, ","), "] is too large"));
      }
      non_zero_out *= v;
    }
    num_out *= v;  // <= non_zero_out, cannot overflow
  }
  if (stretch != -1) {
    dims[stretch] = (num_in == 0 && num_out != 0) ? 0 : non_zero_in / non_zero_out;
    num_out *= dims[stretch];
  }
  if (num_out != num_in) {
    return absl::InvalidArgumentError(absl::StrCat("cannot reshape ", input.ToString(), " (",
                                                   num_in, " elements) to [",
                                                   absl::StrJoin(requested, ","), "]"));
  }
  return dims;
}

bool IsShapeVector(const TensorView* t) {
  return t != nullptr && t->shape.rank() == 1 &&
         (t->type == ir::DataType::kInt32 || t->type == ir::DataType::kInt64);
}

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputsInRange(ctx, 1, 2));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 0));
  RETURN_IF_ERROR(FixedElementSize(in->type, "input").status());
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, in->type));
  const TensorView* shape_input = ctx.num_inputs() == 2 ? ctx.input(1) : nullptr;
  if (shape_input != nullptr) RETURN_IF_ERROR(GetInput(ctx, 1).status());

  auto state = std::make_unique<ReshapeState>();
  std::vector<int64_t> requested;
  const ir::ReshapeOptions* options = std::get_if<ir::ReshapeOptions>(&ctx.op().builtin_options);
  const bool has_option_shape = options != nullptr && !options->new_shape.empty();
  if (IsShapeVector(shape_input) && shape_input->is_constant) {
    ASSIGN_OR_RETURN(requested, ReadConstantInts(*shape_input, "shape input"));
  } else if (IsShapeVector(shape_input) && !has_option_shape) {
    return absl::InvalidArgumentError(
        "the shape input is not constant and ReshapeOptions has no new_shape");
  } else {
    if (options != nullptr) {
      requested.assign(options->new_shape.begin(), options->new_shape.end());
    }
    if (requested.size() == 1 && requested[0] == 0) requested.clear();  // legacy scalar
    state->check_shape_input = IsShapeVector(shape_input);
  }
  ASSIGN_OR_RETURN(const std::vector<int64_t> dims, ResolveShape(requested, in->shape));
  RETURN_IF_ERROR(SetOutputShape(ctx, 0, dims));
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

// The non-constant shape input must request the shape Prepare chose from the options.
absl::Status CheckShapeInput(const TensorView& shape_input, const Shape& out) {
  const int64_t n = shape_input.shape.FlatSize();
  if (n != out.rank()) {
    return absl::InvalidArgumentError(
        absl::StrCat("shape input has ", n, " elements but ReshapeOptions gave rank ", out.rank()));
  }
  int minus_ones = 0;
  for (int i = 0; i < out.rank(); ++i) {
    const int64_t v = shape_input.type == ir::DataType::kInt32
                          ? shape_input.data_as<const int32_t>()[i]
                          : shape_input.data_as<const int64_t>()[i];
    if (v == -1 && ++minus_ones == 1) continue;
    if (v != out.dim(i)) {
      return absl::InvalidArgumentError(absl::StrCat("shape input requests dimension ", v, " at ",
                                                     i, ", ReshapeOptions gave shape ",
                                                     out.ToString()));
    }
  }
  return absl::OkStatus();
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& in = *ctx.input(0);
  TensorView& out = *ctx.output(0);
  if (ctx.state_as<ReshapeState>()->check_shape_input) {
    RETURN_IF_ERROR(CheckShapeInput(*ctx.input(1), out.shape));
  }
  CopyTensorData(in, out);
  return absl::OkStatus();
}

}  // namespace

const OpKernel& ReshapeKernel() {
  static const OpKernel kernel{"RESHAPE", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
