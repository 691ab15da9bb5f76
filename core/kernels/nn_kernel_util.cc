#include "core/kernels/nn_kernel_util.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace compressd::kernels::nn {
namespace {

absl::Status CheckDims(const TensorView& t, const char* what) {
  for (int32_t d : t.shape.dims()) {
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " has a negative dimension: ", t.shape.ToString()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string TypeName(ir::DataType type) {
  if (!ir::IsKnownDataType(static_cast<int>(type))) {
    return absl::StrCat("type(", static_cast<int>(type), ")");
  }
  return std::string(ir::DataTypeName(type));
}

absl::Status CheckArity(const OpContext& ctx, int min_inputs, int max_inputs, int num_outputs) {
  if (ctx.num_inputs() < min_inputs || ctx.num_inputs() > max_inputs) {
    return absl::InvalidArgumentError(
        min_inputs == max_inputs
            ? absl::StrCat("expects ", min_inputs, " inputs, got ", ctx.num_inputs())
            : absl::StrCat("expects ", min_inputs, " to ", max_inputs, " inputs, got ",
                           ctx.num_inputs()));
  }
  if (ctx.num_outputs() != num_outputs) {
    return absl::InvalidArgumentError(
        absl::StrCat("expects ", num_outputs, " outputs, got ", ctx.num_outputs()));
  }
  return absl::OkStatus();
}

absl::StatusOr<const TensorView*> RequiredInput(const OpContext& ctx, int i, const char* what) {
  const TensorView* t = i < ctx.num_inputs() ? ctx.input(i) : nullptr;
  if (t == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(what, " (input ", i, ") is missing"));
  }
  absl::Status s = CheckDims(*t, what);
  if (!s.ok()) return s;
  return t;
}

absl::StatusOr<const TensorView*> OptionalInput(const OpContext& ctx, int i, const char* what) {
  const TensorView* t = i < ctx.num_inputs() ? ctx.input(i) : nullptr;
  if (t == nullptr) return t;
  absl::Status s = CheckDims(*t, what);
  if (!s.ok()) return s;
  return t;
}

absl::Status CheckRank(const TensorView& t, int rank, const char* what) {
  if (t.shape.rank() != rank) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must have rank ", rank, ", got shape ",
                                                   t.shape.ToString()));
  }
  return absl::OkStatus();
}

absl::Status CheckRankRange(const TensorView& t, int min_rank, int max_rank, const char* what) {
  if (t.shape.rank() < min_rank || t.shape.rank() > max_rank) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must have rank ", min_rank, " to ",
                                                   max_rank, ", got shape ", t.shape.ToString()));
  }
  return absl::OkStatus();
}

absl::Status CheckType(const TensorView& t, ir::DataType type, const char* what) {
  if (t.type != type) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be ", TypeName(type), ", got ", TypeName(t.type)));
  }
  return absl::OkStatus();
}

absl::Status UnsupportedType(ir::DataType type, const char* what) {
  return absl::UnimplementedError(
      absl::StrCat(what, " type ", TypeName(type), " is not supported yet"));
}

absl::Status CheckConstantData(const TensorView& t, const char* what, const char* why) {
  if (!t.is_constant || t.data == nullptr) {
    return absl::UnimplementedError(absl::StrCat(what, " must be a constant tensor (", why, ")"));
  }
  const int64_t need = t.shape.FlatSize() * ir::DataTypeSize(t.type);
  if (t.bytes < need) {
    return absl::InvalidArgumentError(absl::StrCat(what, " holds ", t.bytes, " bytes, its shape ",
                                                   t.shape.ToString(), " needs ", need));
  }
  return absl::OkStatus();
}

absl::Status CheckDataCoversShape(const TensorView& t, const char* what) {
  if (!t.is_constant || t.data == nullptr) return absl::OkStatus();
  const int64_t need = t.shape.FlatSize() * ir::DataTypeSize(t.type);
  if (t.bytes < need) {
    return absl::InvalidArgumentError(absl::StrCat(what, " holds ", t.bytes, " bytes, its shape ",
                                                   t.shape.ToString(), " needs ", need));
  }
  return absl::OkStatus();
}

absl::Status CheckIndexExtent(int64_t extent, const char* what) {
  if (extent > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " spans ", extent, " elements, more than int32 indexing allows"));
  }
  return absl::OkStatus();
}

absl::Status CheckAtLeastOne(int32_t value, const char* what) {
  if (value < 1) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must be >= 1, got ", value));
  }
  return absl::OkStatus();
}

absl::StatusOr<FloatActivationRange> ClampActivation(ir::Activation act) {
  if (!IsClampActivation(act)) {
    return absl::InvalidArgumentError(absl::StrCat("fused activation ", static_cast<int>(act),
                                                   " is not supported (only NONE, RELU, "
                                                   "RELU6, RELU_N1_TO_1)"));
  }
  return ActivationRange(act);
}

absl::Status CheckAffineQuant(const TensorView& t, const char* what, bool require_positive_scale) {
  if (!t.IsQuantized()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " has no quantization scale"));
  }
  const ir::QuantParams& q = *t.quant;
  const size_t n = q.scale.size();
  if (n > 1) {
    const int32_t dim = q.quantized_dimension;
    if (dim < 0 || dim >= t.shape.rank() || t.shape.dim(dim) != static_cast<int64_t>(n)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " has ", n, " per-channel scales along dimension ", dim,
                       ", which does not match its shape ", t.shape.ToString()));
    }
  }
  if (q.zero_point.size() != n && !(n == 1 && q.zero_point.empty())) {
    return absl::InvalidArgumentError(absl::StrCat(what, " has ", n, " scales but ",
                                                   q.zero_point.size(), " zero points"));
  }
  for (size_t i = 0; i < n; ++i) {
    const float s = q.scale[i];
    if (!std::isfinite(s) || (require_positive_scale && !(s > 0.0f))) {
      return absl::InvalidArgumentError(absl::StrCat(what, " scale[", i, "] = ", s, " is not ",
                                                     require_positive_scale ? "positive" : "finite"));
    }
  }
  for (int64_t zp : q.zero_point) {
    if (zp < std::numeric_limits<int32_t>::min() || zp > std::numeric_limits<int32_t>::max()) {
      return absl::InvalidArgumentError(absl::StrCat(what, " zero point ", zp, " overflows int32"));
    }
  }
  return absl::OkStatus();
}

absl::Status SetOutput(OpContext& ctx, int i, ir::DataType type, const Shape& shape) {
  TensorView* out = ctx.output(i);
  if (out->type != type) {
    return absl::InvalidArgumentError(absl::StrCat("output ", i, " is declared ",
                                                   TypeName(out->type), ", expected ",
                                                   TypeName(type)));
  }
  out->shape = shape;
  return absl::OkStatus();
}

}  // namespace compressd::kernels::nn
