#include "core/kernels/tensor_op_util.h"

#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/kernels/reference/broadcast.h"

namespace compressd::kernels {

std::string TypeName(ir::DataType type) { return std::string(ir::DataTypeName(type)); }

ActivationBounds<float> FloatActivationBounds(ir::Activation act) {
  switch (act) {
    case ir::Activation::kRelu:
      return {0.0f, std::numeric_limits<float>::max()};
    case ir::Activation::kRelu6:
      return {0.0f, 6.0f};
    case ir::Activation::kReluN1To1:
      return {-1.0f, 1.0f};
    default:
      return {std::numeric_limits<float>::lowest(), std::numeric_limits<float>::max()};
  }
}

ActivationBounds<int32_t> Int32ActivationBounds(ir::Activation act) {
  switch (act) {
    case ir::Activation::kRelu:
      return {0, std::numeric_limits<int32_t>::max()};
    case ir::Activation::kRelu6:
      return {0, 6};
    case ir::Activation::kReluN1To1:
      return {-1, 1};
    default:
      return {std::numeric_limits<int32_t>::lowest(), std::numeric_limits<int32_t>::max()};
  }
}

absl::Status CheckClampActivation(ir::Activation act) {
  switch (act) {
    case ir::Activation::kNone:
    case ir::Activation::kRelu:
    case ir::Activation::kRelu6:
    case ir::Activation::kReluN1To1:
      return absl::OkStatus();
    default:
      return absl::UnimplementedError(
          absl::StrCat("fused activation ", static_cast<int>(act),
                       " is not supported (only NONE, RELU, RELU6 and RELU_N1_TO_1 are)"));
  }
}

absl::Status CheckNumInputs(const OpContext& ctx, int expected) {
  if (ctx.num_inputs() != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected ", expected, " inputs, got ", ctx.num_inputs()));
  }
  return absl::OkStatus();
}

absl::Status CheckNumInputsInRange(const OpContext& ctx, int min, int max) {
  if (ctx.num_inputs() < min || ctx.num_inputs() > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected ", min, " to ", max, " inputs, got ", ctx.num_inputs()));
  }
  return absl::OkStatus();
}

absl::Status CheckNumOutputs(const OpContext& ctx, int expected) {
  if (ctx.num_outputs() != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected ", expected, " outputs, got ", ctx.num_outputs()));
  }
  return absl::OkStatus();
}

absl::StatusOr<const TensorView*> GetInput(const OpContext& ctx, int i) {
  if (i < 0 || i >= ctx.num_inputs()) {
    return absl::InvalidArgumentError(
        absl::StrCat("input ", i, " is missing (the operator has ", ctx.num_inputs(), ")"));
  }
  const TensorView* t = ctx.input(i);
  if (t == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("input ", i, " is required but omitted"));
  }
  if (t->shape.rank() > Shape::kMaxRank) {
    return absl::InvalidArgumentError(
        absl::StrCat("input ", i, " has rank ", t->shape.rank(), " > ", Shape::kMaxRank));
  }
  for (int32_t d : t->shape.dims()) {
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("input ", i, " has a negative dimension: ", t->shape.ToString()));
    }
  }
  if (t->is_constant) {
    const int size = ir::DataTypeSize(t->type);
    const int64_t need = t->shape.FlatSize() * size;
    if (need > 0 && (t->data == nullptr || t->bytes < need)) {
      return absl::InvalidArgumentError(
          absl::StrCat("constant input ", i, " of shape ", t->shape.ToString(), " and type ",
                       TypeName(t->type), " holds only ", t->bytes, " bytes"));
    }
  }
  return t;
}

absl::Status CheckOutputType(OpContext& ctx, int i, ir::DataType expected) {
  const TensorView* out = ctx.output(i);
  if (out->type != expected) {
    return absl::InvalidArgumentError(absl::StrCat("output ", i, " has type ", TypeName(out->type),
                                                   ", expected ", TypeName(expected)));
  }
  return absl::OkStatus();
}

absl::Status SetOutputShape(OpContext& ctx, int i, const std::vector<int64_t>& dims) {
  if (dims.size() > static_cast<size_t>(Shape::kMaxRank)) {
    return absl::InvalidArgumentError(
        absl::StrCat("output ", i, " would have rank ", dims.size(), " > ", Shape::kMaxRank));
  }
  TensorView* out = ctx.output(i);
  const int64_t elem = std::max(ir::DataTypeSize(out->type), 1);
  int64_t bytes = elem;
  bool empty = false;
  for (int64_t d : dims) {
    if (d < 0 || d > std::numeric_limits<int32_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat("output ", i, " would have dimension ", d,
                                                     " in [", absl::StrJoin(dims, ","), "]"));
    }
    if (d == 0) empty = true;
  }
  if (!empty) {
    for (int64_t d : dims) {
      if (bytes > std::numeric_limits<int64_t>::max() / d) {
        return absl::InvalidArgumentError(
            absl::StrCat("output ", i, " of shape [", absl::StrJoin(dims, ","), "] is too large"));
      }
      bytes *= d;
    }
  }
  Shape shape;
  for (int64_t d : dims) shape.push_back(static_cast<int32_t>(d));
  out->shape = shape;
  return absl::OkStatus();
}

absl::Status SetOutputShape(OpContext& ctx, int i, const Shape& shape) {
  std::vector<int64_t> dims(shape.dims().begin(), shape.dims().end());
  return SetOutputShape(ctx, i, dims);
}

absl::StatusOr<int> FixedElementSize(ir::DataType type, const char* what) {
  const int size = ir::DataTypeSize(type);
  if (size <= 0) {
    return absl::UnimplementedError(
        absl::StrCat(what, " has type ", TypeName(type), ", which has no fixed element size"));
  }
  return size;
}

absl::StatusOr<int> NormalizeAxis(int64_t axis, int rank, const char* what) {
  if (axis < -rank || axis >= rank) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", axis, " is out of range [", -rank,
                                                   ", ", rank, ") for rank ", rank));
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

absl::StatusOr<std::vector<int64_t>> ReadConstantInts(const TensorView& t, const char* what) {
  if (t.type != ir::DataType::kInt32 && t.type != ir::DataType::kInt64) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be int32 or int64, got ", TypeName(t.type)));
  }
  if (!t.is_constant) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be a constant tensor (the output shape depends on it)"));
  }
  const int64_t n = t.shape.FlatSize();
  const int size = ir::DataTypeSize(t.type);
  if (n > 0 && (t.data == nullptr || t.bytes < n * size)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " holds ", t.bytes, " bytes for ", n, " elements"));
  }
  std::vector<int64_t> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    if (t.type == ir::DataType::kInt32) {
      int32_t v;
      std::memcpy(&v, static_cast<const char*>(t.data) + i * 4, 4);
      values[i] = v;
    } else {
      int64_t v;
      std::memcpy(&v, static_cast<const char*>(t.data) + i * 8, 8);
      values[i] = v;
    }
  }
  return values;
}

bool IsQuantizedIntType(ir::DataType t) {
  return t == ir::DataType::kInt8 || t == ir::DataType::kUInt8 || t == ir::DataType::kInt16;
}

absl::Status CheckSameQuantization(const TensorView& in, const TensorView& out, const char* what) {
  if (!IsQuantizedIntType(in.type)) return absl::OkStatus();
  const bool in_q = in.IsQuantized();
  const bool out_q = out.IsQuantized();
  if (!in_q && !out_q) return absl::OkStatus();
  if (in_q != out_q || in.quant->scale != out.quant->scale ||
      in.quant->zero_point != out.quant->zero_point) {
    auto describe = [](const TensorView& t) -> std::string {
      if (!t.IsQuantized()) return "no quantization";
      return absl::StrCat("scale [", absl::StrJoin(t.quant->scale, ","), "] zero point [",
                          absl::StrJoin(t.quant->zero_point, ","), "]");
    };
    return absl::UnimplementedError(absl::StrCat(what, " has ", describe(in),
                                                 " but the output has ", describe(out),
                                                 "; rescaling is not supported"));
  }
  return absl::OkStatus();
}

absl::Status ReadPaddings(const TensorView& paddings, int rank, std::vector<int32_t>* before,
                          std::vector<int32_t>* after) {
  if (paddings.shape.rank() != 2 || paddings.shape.dim(0) != rank || paddings.shape.dim(1) != 2) {
    return absl::InvalidArgumentError(absl::StrCat("paddings must have shape [", rank,
                                                   ",2] for an input of rank ", rank, ", got ",
                                                   paddings.shape.ToString()));
  }
  ASSIGN_OR_RETURN(const std::vector<int64_t> values, ReadConstantInts(paddings, "paddings"));
  before->assign(rank, 0);
  after->assign(rank, 0);
  for (int d = 0; d < rank; ++d) {
    const int64_t b = values[2 * d];
    const int64_t a = values[2 * d + 1];
    if (b < 0 || a < 0 || b > std::numeric_limits<int32_t>::max() ||
        a > std::numeric_limits<int32_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat("paddings of dimension ", d, " are [", b, ",",
                                                     a, "]; they must be non-negative"));
    }
    (*before)[d] = static_cast<int32_t>(b);
    (*after)[d] = static_cast<int32_t>(a);
  }
  return absl::OkStatus();
}

void CopyTensorData(const TensorView& in, TensorView& out) {
  const int64_t bytes = in.shape.FlatSize() * ir::DataTypeSize(in.type);
  if (bytes == 0 || in.data == out.data) return;
  std::memmove(out.data, in.data, static_cast<size_t>(bytes));
}

absl::StatusOr<ir::DataType> PrepareBroadcastBinary(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputs(ctx, 2));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* a, GetInput(ctx, 0));
  ASSIGN_OR_RETURN(const TensorView* b, GetInput(ctx, 1));
  if (a->type != b->type) {
    return absl::InvalidArgumentError(absl::StrCat("inputs have different types ",
                                                   TypeName(a->type), " and ", TypeName(b->type)));
  }
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, a->type));
  Shape out;
  if (!reference::BroadcastShapes(a->shape, b->shape, &out)) {
    return absl::InvalidArgumentError(absl::StrCat("input shapes ", a->shape.ToString(), " and ",
                                                   b->shape.ToString(),
                                                   " are not broadcast-compatible"));
  }
  RETURN_IF_ERROR(SetOutputShape(ctx, 0, out));
  return a->type;
}

absl::StatusOr<ir::DataType> PrepareUnary(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputs(ctx, 1));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 0));
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, in->type));
  RETURN_IF_ERROR(SetOutputShape(ctx, 0, in->shape));
  return in->type;
}

}  // namespace compressd::kernels
