#include "core/tflite/model_validator.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/tflite/op_names.h"

namespace compressd::tflite {
namespace {

using ir::BuiltinOp;

constexpr int kMany = std::numeric_limits<int>::max();

struct Arity {
  BuiltinOp op;
  int min_inputs, max_inputs, min_outputs, max_outputs;
  int options_index;  // index in ir::BuiltinOptions of the typed options, -1 if not typed
};

template <typename T>
constexpr int OptionsIndex() {
  return static_cast<int>(ir::BuiltinOptions(T{}).index());
}

// Input/output counts of the operators the core knows (as TFLite's kernels accept them).
const std::vector<Arity>& KnownArities() {
  static const auto* table = new std::vector<Arity>{
      {BuiltinOp::kAdd, 2, 2, 1, 1, OptionsIndex<ir::AddOptions>()},
      {BuiltinOp::kSub, 2, 2, 1, 1, OptionsIndex<ir::SubOptions>()},
      {BuiltinOp::kMul, 2, 2, 1, 1, OptionsIndex<ir::MulOptions>()},
      {BuiltinOp::kDiv, 2, 2, 1, 1, OptionsIndex<ir::DivOptions>()},
      {BuiltinOp::kSquaredDifference, 2, 2, 1, 1, -1},
      {BuiltinOp::kMaximum, 2, 2, 1, 1, -1},
      {BuiltinOp::kMinimum, 2, 2, 1, 1, -1},
      {BuiltinOp::kConv2d, 2, 3, 1, 1, OptionsIndex<ir::Conv2DOptions>()},
      {BuiltinOp::kDepthwiseConv2d, 2, 3, 1, 1, OptionsIndex<ir::DepthwiseConv2DOptions>()},
      {BuiltinOp::kTransposeConv, 3, 4, 1, 1, OptionsIndex<ir::TransposeConvOptions>()},
      {BuiltinOp::kFullyConnected, 2, 3, 1, 2, OptionsIndex<ir::FullyConnectedOptions>()},
      {BuiltinOp::kBatchMatmul, 2, 2, 1, 1, OptionsIndex<ir::BatchMatMulOptions>()},
      {BuiltinOp::kAveragePool2d, 1, 1, 1, 1, OptionsIndex<ir::Pool2DOptions>()},
      {BuiltinOp::kMaxPool2d, 1, 1, 1, 1, OptionsIndex<ir::Pool2DOptions>()},
      {BuiltinOp::kMean, 2, 2, 1, 1, OptionsIndex<ir::ReducerOptions>()},
      {BuiltinOp::kSum, 2, 2, 1, 1, OptionsIndex<ir::ReducerOptions>()},
      {BuiltinOp::kReduceMax, 2, 2, 1, 1, OptionsIndex<ir::ReducerOptions>()},
      {BuiltinOp::kPad, 2, 2, 1, 1, -1},
      {BuiltinOp::kPadV2, 3, 3, 1, 1, -1},
      {BuiltinOp::kMirrorPad, 2, 2, 1, 1, OptionsIndex<ir::MirrorPadOptions>()},
      {BuiltinOp::kReshape, 1, 2, 1, 1, OptionsIndex<ir::ReshapeOptions>()},
      {BuiltinOp::kSqueeze, 1, 1, 1, 1, OptionsIndex<ir::SqueezeOptions>()},
      {BuiltinOp::kExpandDims, 2, 2, 1, 1, -1},
      {BuiltinOp::kConcatenation, 1, kMany, 1, 1, OptionsIndex<ir::ConcatenationOptions>()},
      {BuiltinOp::kSplit, 2, 2, 1, kMany, OptionsIndex<ir::SplitOptions>()},
      {BuiltinOp::kSplitV, 3, 3, 1, kMany, OptionsIndex<ir::SplitVOptions>()},
      {BuiltinOp::kPack, 1, kMany, 1, 1, OptionsIndex<ir::PackOptions>()},
      {BuiltinOp::kUnpack, 1, 1, 1, kMany, OptionsIndex<ir::UnpackOptions>()},
      {BuiltinOp::kSlice, 3, 3, 1, 1, -1},
      {BuiltinOp::kStridedSlice, 4, 4, 1, 1, OptionsIndex<ir::StridedSliceOptions>()},
      {BuiltinOp::kTranspose, 2, 2, 1, 1, -1},
      {BuiltinOp::kGather, 2, 2, 1, 1, OptionsIndex<ir::GatherOptions>()},
      {BuiltinOp::kResizeBilinear, 2, 2, 1, 1, OptionsIndex<ir::ResizeBilinearOptions>()},
      {BuiltinOp::kResizeNearestNeighbor, 2, 2, 1, 1,
       OptionsIndex<ir::ResizeNearestNeighborOptions>()},
      {BuiltinOp::kDepthToSpace, 1, 1, 1, 1, OptionsIndex<ir::DepthToSpaceOptions>()},
      {BuiltinOp::kSpaceToDepth, 1, 1, 1, 1, OptionsIndex<ir::SpaceToDepthOptions>()},
      {BuiltinOp::kRelu, 1, 1, 1, 1, -1},
      {BuiltinOp::kRelu6, 1, 1, 1, 1, -1},
      {BuiltinOp::kReluN1To1, 1, 1, 1, 1, -1},
      {BuiltinOp::kLeakyRelu, 1, 1, 1, 1, OptionsIndex<ir::LeakyReluOptions>()},
      {BuiltinOp::kPrelu, 2, 2, 1, 1, -1},
      {BuiltinOp::kHardSwish, 1, 1, 1, 1, -1},
      {BuiltinOp::kLogistic, 1, 1, 1, 1, -1},
      {BuiltinOp::kTanh, 1, 1, 1, 1, -1},
      {BuiltinOp::kElu, 1, 1, 1, 1, -1},
      {BuiltinOp::kSoftmax, 1, 1, 1, 1, OptionsIndex<ir::SoftmaxOptions>()},
      {BuiltinOp::kLogSoftmax, 1, 1, 1, 1, -1},
      {BuiltinOp::kL2Normalization, 1, 1, 1, 1, OptionsIndex<ir::L2NormOptions>()},
      {BuiltinOp::kExp, 1, 1, 1, 1, -1},
      {BuiltinOp::kSqrt, 1, 1, 1, 1, -1},
      {BuiltinOp::kRsqrt, 1, 1, 1, 1, -1},
      {BuiltinOp::kAbs, 1, 1, 1, 1, -1},
      {BuiltinOp::kNeg, 1, 1, 1, 1, -1},
      {BuiltinOp::kFloor, 1, 1, 1, 1, -1},
      {BuiltinOp::kDequantize, 1, 1, 1, 1, -1},
      {BuiltinOp::kQuantize, 1, 1, 1, 1, -1},
      {BuiltinOp::kDensify, 1, 1, 1, 1, -1},
      {BuiltinOp::kCast, 1, 1, 1, 1, OptionsIndex<ir::CastOptions>()},
  };
  return *table;
}

const Arity* FindArity(BuiltinOp op) {
  for (const Arity& a : KnownArities()) {
    if (a.op == op) return &a;
  }
  return nullptr;
}

std::string TensorWhere(size_t sg, size_t t, const ir::Tensor& tensor) {
  return absl::StrCat("subgraph ", sg, " tensor ", t, " '", tensor.name, "'");
}

absl::Status Invalid(const std::string& where, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", what));
}

std::string ShapeString(std::span<const int32_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) absl::StrAppend(&s, i ? "," : "", shape[i]);
  return s + "]";
}

// The constant buffers' bytes as the checks see them: the model's own, or views supplied by the
// caller (ValidateModelWithBufferBytes) for a model whose buffers were not copied.
class BufferBytes {
 public:
  explicit BufferBytes(const ir::Model& model) : model_(model) {}
  BufferBytes(const ir::Model& model, std::span<const std::span<const uint8_t>> views)
      : model_(model), views_(views), use_views_(true) {}
  // `i` must be < model.buffers.size().
  std::span<const uint8_t> operator[](size_t i) const {
    return use_views_ ? views_[i] : model_.buffers[i].bytes();
  }

 private:
  const ir::Model& model_;
  std::span<const std::span<const uint8_t>> views_;
  bool use_views_ = false;
};

// TFLite's string tensor layout: int32 count N, int32 offsets[N+1], then the bytes.
absl::Status CheckStringBuffer(std::span<const uint8_t> b, int64_t elements,
                               const std::string& where) {
  auto read = [&](size_t i) {
    int32_t v;
    std::memcpy(&v, b.data() + 4 * i, 4);
    return v;
  };
  if (b.size() < 4) return Invalid(where, "string buffer shorter than its header");
  const int64_t n = read(0);
  if (n < 0 || (n + 2) * 4 > static_cast<int64_t>(b.size())) {
    return Invalid(where, absl::StrCat("string buffer declares ", n, " strings but has ",
                                       b.size(), " bytes"));
  }
  if (n != elements) {
    return Invalid(where, absl::StrCat("string buffer holds ", n, " strings, shape needs ",
                                       elements));
  }
  int64_t prev = (n + 2) * 4;
  for (int64_t i = 0; i <= n; ++i) {
    const int64_t off = read(static_cast<size_t>(i + 1));
    if (off < prev || off > static_cast<int64_t>(b.size()) || (i == 0 && off != (n + 2) * 4)) {
      return Invalid(where, absl::StrCat("string offset ", i, " (", off, ") out of order or range"));
    }
    prev = off;
  }
  return absl::OkStatus();
}

absl::Status CheckQuantization(const ir::QuantParams& q, const ir::Tensor& t,
                               const std::string& where) {
  if (q.scale.size() != q.zero_point.size() && !q.scale.empty() && !q.zero_point.empty()) {
    return Invalid(where, absl::StrCat("quantization has ", q.scale.size(), " scales and ",
                                       q.zero_point.size(), " zero points"));
  }
  if (q.scale.empty() != q.zero_point.empty()) {
    return Invalid(where, "quantization has scales without zero points or the reverse");
  }
  if (q.min.size() != q.max.size()) {
    return Invalid(where, absl::StrCat("quantization has ", q.min.size(), " min and ",
                                       q.max.size(), " max values"));
  }
  for (float s : q.scale) {
    if (!std::isfinite(s) || s < 0) {
      return Invalid(where, absl::StrCat("quantization scale ", s, " is not a finite value >= 0"));
    }
  }
  if (q.scale.size() > 1) {
    const int32_t qd = q.quantized_dimension;
    if (qd < 0 || qd >= static_cast<int32_t>(t.shape.size())) {
      return Invalid(where, absl::StrCat("quantized_dimension ", qd, " out of range for rank ",
                                         t.shape.size()));
    }
    if (t.shape[qd] != static_cast<int32_t>(q.scale.size())) {
      return Invalid(where, absl::StrCat("per-channel quantization has ", q.scale.size(),
                                         " scales but dimension ", qd, " has size ", t.shape[qd]));
    }
  }
  int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  switch (t.type) {
    case ir::DataType::kInt8: lo = -128; hi = 127; break;
    case ir::DataType::kUInt8: lo = 0; hi = 255; break;
    case ir::DataType::kInt16: lo = -32768; hi = 32767; break;
    case ir::DataType::kInt4: lo = -8; hi = 7; break;
    default: break;
  }
  for (int64_t zp : q.zero_point) {
    if (zp < lo || zp > hi) {
      return Invalid(where, absl::StrCat("zero point ", zp, " outside the range of ",
                                         ir::DataTypeName(t.type)));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTensor(const ir::Model& model, const BufferBytes& buffers, const ir::Tensor& t,
                         const std::string& where, const LoadLimits& limits) {
  if (!ir::IsKnownDataType(static_cast<int>(t.type))) {
    return Invalid(where, absl::StrCat("unknown tensor type ", static_cast<int>(t.type)));
  }
  if (static_cast<int64_t>(t.shape.size()) > limits.max_rank) {
    return Invalid(where, absl::StrCat("rank ", t.shape.size(), " exceeds the limit of ",
                                       limits.max_rank));
  }
  int64_t elements = 1;
  for (int32_t d : t.shape) {
    if (d < 0) return Invalid(where, "negative dimension in shape " + ShapeString(t.shape));
    if (d != 0 && elements > limits.max_tensor_elements / d) {
      return absl::ResourceExhaustedError(absl::StrCat(
          where, ": shape ", ShapeString(t.shape), " has more than ", limits.max_tensor_elements,
          " elements"));
    }
    elements *= d;
  }
  const int64_t type_size = ir::DataTypeSize(t.type);
  if (type_size > 0 && elements > limits.max_tensor_bytes / type_size) {
    return absl::ResourceExhaustedError(
        absl::StrCat(where, ": shape ", ShapeString(t.shape), " of ", ir::DataTypeName(t.type),
                     " is larger than the limit of ", limits.max_tensor_bytes, " bytes"));
  }
  if (t.shape_signature) {
    const auto& sig = *t.shape_signature;
    if (sig.size() != t.shape.size()) {
      return Invalid(where, absl::StrCat("shape_signature ", ShapeString(sig),
                                         " does not match the rank of shape ",
                                         ShapeString(t.shape)));
    }
    for (size_t i = 0; i < sig.size(); ++i) {
      if (sig[i] != -1 && sig[i] != t.shape[i]) {
        return Invalid(where, absl::StrCat("shape_signature ", ShapeString(sig),
                                           " disagrees with shape ", ShapeString(t.shape)));
      }
    }
  }
  if (t.buffer >= model.buffers.size()) {
    return Invalid(where, absl::StrCat("buffer index ", t.buffer, " out of range (",
                                       model.buffers.size(), " buffers)"));
  }
  if (t.quantization) RETURN_IF_ERROR(CheckQuantization(*t.quantization, t, where));
  std::optional<int64_t> stored_values;
  if (t.sparsity) {
    auto count = SparseValueCount(*t.sparsity, t.shape);
    if (!count.ok()) return Invalid(where, std::string(count.status().message()));
    stored_values = *count;
  }
  const auto data = buffers[t.buffer];
  if (data.empty()) return absl::OkStatus();
  const int64_t values = stored_values.value_or(elements);
  if (t.type == ir::DataType::kString) return CheckStringBuffer(data, values, where);
  if (t.type == ir::DataType::kInt4) {
    const int64_t packed = (values + 1) / 2;
    if (static_cast<int64_t>(data.size()) != packed &&
        static_cast<int64_t>(data.size()) != values) {
      return Invalid(where, absl::StrCat("int4 buffer has ", data.size(), " bytes, expected ",
                                         packed, " (packed) or ", values));
    }
    return absl::OkStatus();
  }
  if (type_size == 0) {
    return Invalid(where, absl::StrCat(ir::DataTypeName(t.type), " tensor cannot hold constant data"));
  }
  if (static_cast<int64_t>(data.size()) != values * type_size) {
    return Invalid(where, absl::StrCat("constant buffer ", t.buffer, " has ", data.size(),
                                       " bytes; ", ir::DataTypeName(t.type), " ",
                                       ShapeString(t.shape),
                                       t.sparsity ? " (sparse)" : "", " needs ",
                                       values * type_size));
  }
  return absl::OkStatus();
}

absl::Status CheckIndexList(std::span<const int32_t> list, size_t num_tensors, bool allow_omitted,
                            const std::string& where, const char* what) {
  for (size_t i = 0; i < list.size(); ++i) {
    const int32_t idx = list[i];
    if (idx == -1 && allow_omitted) continue;
    if (idx < 0 || static_cast<size_t>(idx) >= num_tensors) {
      return Invalid(where, absl::StrCat(what, " ", i, " refers to tensor ", idx, ", out of range (",
                                         num_tensors, " tensors)"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckOperator(const ir::Model& model, const BufferBytes& buffers,
                           const ir::Subgraph& sg, const ir::Operator& op,
                           const std::string& where_prefix) {
  if (op.opcode_index >= model.operator_codes.size()) {
    return Invalid(where_prefix, absl::StrCat("opcode index ", op.opcode_index,
                                              " out of range (", model.operator_codes.size(),
                                              " operator codes)"));
  }
  const std::string name = OperatorName(model, op);
  const std::string where = absl::StrCat(where_prefix, " (", name, ")");
  const size_t n = sg.tensors.size();
  RETURN_IF_ERROR(CheckIndexList(op.inputs, n, /*allow_omitted=*/true, where, "input"));
  RETURN_IF_ERROR(CheckIndexList(op.outputs, n, /*allow_omitted=*/false, where, "output"));
  RETURN_IF_ERROR(CheckIndexList(op.intermediates, n, /*allow_omitted=*/false, where,
                                 "intermediate"));
  if (!op.mutating_variable_inputs.empty() &&
      op.mutating_variable_inputs.size() != op.inputs.size()) {
    return Invalid(where, absl::StrCat("mutating_variable_inputs has ",
                                       op.mutating_variable_inputs.size(), " entries for ",
                                       op.inputs.size(), " inputs"));
  }
  for (int32_t out : op.outputs) {
    const ir::Tensor& t = sg.tensors[out];
    if (!buffers[t.buffer].empty() && !t.is_variable) {
      return Invalid(where, absl::StrCat("writes tensor ", out, " '", t.name,
                                         "' which holds constant data"));
    }
  }
  const ir::BuiltinOp code = ir::EffectiveBuiltinCode(model.operator_codes[op.opcode_index]);
  if (const Arity* a = FindArity(code)) {
    const int ins = static_cast<int>(op.inputs.size());
    const int outs = static_cast<int>(op.outputs.size());
    if (ins < a->min_inputs || ins > a->max_inputs) {
      return Invalid(where, absl::StrCat("has ", ins, " inputs; expected ", a->min_inputs,
                                         a->max_inputs == a->min_inputs ? ""
                                         : a->max_inputs == kMany
                                             ? " or more"
                                             : absl::StrCat(" to ", a->max_inputs)));
    }
    if (outs < a->min_outputs || outs > a->max_outputs) {
      return Invalid(where, absl::StrCat("has ", outs, " outputs; expected ", a->min_outputs,
                                         a->max_outputs == a->min_outputs ? ""
                                         : a->max_outputs == kMany
                                             ? " or more"
                                             : absl::StrCat(" to ", a->max_outputs)));
    }
    const int idx = static_cast<int>(op.builtin_options.index());
    if (a->options_index >= 0 && idx != 0 && idx != a->options_index) {
      return Invalid(where, "builtin options are of the wrong type for this operator");
    }
    // Required (non-optional) inputs: all but a trailing bias / optional slot must be present.
    const int required = a->min_inputs;
    for (int i = 0; i < std::min(required, ins); ++i) {
      if (op.inputs[i] == -1) {
        return Invalid(where, absl::StrCat("required input ", i, " is omitted (-1)"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckIndexVectorWidth(const ir::SparseIndexVector& v) {
  int64_t hi = std::numeric_limits<int32_t>::max();
  if (v.width == ir::SparseIndexVector::Width::kUint8) hi = 255;
  if (v.width == ir::SparseIndexVector::Width::kUint16) hi = 65535;
  for (int32_t x : v.values) {
    if (x < 0 || x > hi) return absl::InvalidArgumentError(absl::StrCat(
        "sparse index value ", x, " does not fit its stored width"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> SparseValueCount(const ir::Sparsity& s, std::span<const int32_t> shape) {
  const size_t rank = shape.size();
  const size_t total = s.traversal_order.size();
  if (total != rank + s.block_map.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sparsity traversal_order has ", total, " dimensions; rank ", rank, " + ",
        s.block_map.size(), " block dimensions expected"));
  }
  if (s.dim_metadata.size() != total) {
    return absl::InvalidArgumentError(absl::StrCat("sparsity has ", s.dim_metadata.size(),
                                                   " dim_metadata entries for ", total,
                                                   " traversed dimensions"));
  }
  std::vector<bool> seen(total, false);
  for (int32_t d : s.traversal_order) {
    if (d < 0 || static_cast<size_t>(d) >= total || seen[d]) {
      return absl::InvalidArgumentError("sparsity traversal_order is not a permutation");
    }
    seen[d] = true;
  }
  std::vector<int64_t> expanded(shape.begin(), shape.end());
  expanded.resize(total, 1);
  std::vector<bool> blocked(rank, false);
  for (size_t k = 0; k < s.block_map.size(); ++k) {
    const int32_t dim = s.block_map[k];
    if (dim < 0 || static_cast<size_t>(dim) >= rank || blocked[dim]) {
      return absl::InvalidArgumentError(absl::StrCat("sparsity block_map entry ", dim,
                                                     " is out of range or repeated"));
    }
    blocked[dim] = true;
    size_t pos = 0;
    while (s.traversal_order[pos] != static_cast<int32_t>(rank + k)) ++pos;
    const auto& md = s.dim_metadata[pos];
    const int64_t bs = md.dense_size;
    if (md.format != ir::DimensionMetadata::Format::kDense || bs <= 0 ||
        expanded[dim] % bs != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "sparsity block size ", bs, " for dimension ", dim, " (size ", shape[dim],
          ") must be a dense dimension dividing it"));
    }
    expanded[dim] /= bs;
    expanded[rank + k] = bs;
  }
  int64_t count = 1;
  for (size_t p = 0; p < total; ++p) {
    const int64_t size = expanded[s.traversal_order[p]];
    const auto& md = s.dim_metadata[p];
    if (md.format == ir::DimensionMetadata::Format::kDense) {
      if (md.dense_size != size) {
        return absl::InvalidArgumentError(absl::StrCat("sparsity dense dimension ", p,
                                                       " has dense_size ", md.dense_size,
                                                       ", expected ", size));
      }
      if (size != 0 && count > (int64_t{1} << 40) / size) {
        return absl::InvalidArgumentError("sparse tensor too large");
      }
      count *= size;
    } else if (md.format == ir::DimensionMetadata::Format::kSparseCsr) {
      RETURN_IF_ERROR(CheckIndexVectorWidth(md.array_segments));
      RETURN_IF_ERROR(CheckIndexVectorWidth(md.array_indices));
      const auto& seg = md.array_segments.values;
      const auto& idx = md.array_indices.values;
      if (static_cast<int64_t>(seg.size()) != count + 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            "sparsity dimension ", p, " has ", seg.size(), " segments, expected ", count + 1));
      }
      if (seg.front() != 0 || seg.back() != static_cast<int64_t>(idx.size())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "sparsity dimension ", p, " segments must start at 0 and end at ", idx.size()));
      }
      for (size_t i = 1; i < seg.size(); ++i) {
        if (seg[i] < seg[i - 1]) {
          return absl::InvalidArgumentError(
              absl::StrCat("sparsity dimension ", p, " segments decrease at ", i));
        }
      }
      for (int32_t v : idx) {
        if (v < 0 || v >= size) {
          return absl::InvalidArgumentError(absl::StrCat(
              "sparsity dimension ", p, " index ", v, " out of range [0, ", size, ")"));
        }
      }
      count = static_cast<int64_t>(idx.size());
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "sparsity dimension ", p, " has unknown format ", static_cast<int>(md.format)));
    }
  }
  return count;
}

namespace {

absl::Status ValidateWith(const ir::Model& model, const BufferBytes& buffers,
                          const LoadLimits& limits) {
  if (model.subgraphs.empty()) return absl::InvalidArgumentError("model has no subgraphs");
  for (size_t i = 0; i < model.operator_codes.size(); ++i) {
    const auto& c = model.operator_codes[i];
    const std::string where = absl::StrCat("operator code ", i);
    if (c.deprecated_builtin_code < 0 || static_cast<int32_t>(c.builtin_code) < 0) {
      return Invalid(where, "negative builtin code");
    }
    if (ir::EffectiveBuiltinCode(c) == BuiltinOp::kCustom &&
        (!c.custom_code || c.custom_code->empty())) {
      return Invalid(where, "custom operator without a custom_code name");
    }
  }
  for (size_t i = 0; i < model.metadata.size(); ++i) {
    if (model.metadata[i].buffer >= model.buffers.size()) {
      return Invalid(absl::StrCat("metadata ", i, " '", model.metadata[i].name, "'"),
                     absl::StrCat("buffer index ", model.metadata[i].buffer, " out of range"));
    }
  }
  for (int32_t b : model.metadata_buffer) {
    if (b < 0 || static_cast<size_t>(b) >= model.buffers.size()) {
      return absl::InvalidArgumentError(absl::StrCat("metadata_buffer index ", b, " out of range"));
    }
  }
  for (size_t sgi = 0; sgi < model.subgraphs.size(); ++sgi) {
    const ir::Subgraph& sg = model.subgraphs[sgi];
    const std::string where = absl::StrCat("subgraph ", sgi);
    for (size_t t = 0; t < sg.tensors.size(); ++t) {
      RETURN_IF_ERROR(
          CheckTensor(model, buffers, sg.tensors[t], TensorWhere(sgi, t, sg.tensors[t]), limits));
    }
    RETURN_IF_ERROR(CheckIndexList(sg.inputs, sg.tensors.size(), false, where, "input"));
    RETURN_IF_ERROR(CheckIndexList(sg.outputs, sg.tensors.size(), false, where, "output"));
    for (size_t o = 0; o < sg.operators.size(); ++o) {
      RETURN_IF_ERROR(
          CheckOperator(model, buffers, sg, sg.operators[o], absl::StrCat(where, " operator ", o)));
    }
  }
  for (size_t i = 0; i < model.signature_defs.size(); ++i) {
    const auto& sd = model.signature_defs[i];
    const std::string where = absl::StrCat("signature '", sd.signature_key, "'");
    if (sd.subgraph_index >= model.subgraphs.size()) {
      return Invalid(where, absl::StrCat("subgraph index ", sd.subgraph_index, " out of range"));
    }
    const size_t n = model.subgraphs[sd.subgraph_index].tensors.size();
    for (const auto* maps : {&sd.inputs, &sd.outputs}) {
      for (const auto& m : *maps) {
        if (m.tensor_index >= n) {
          return Invalid(where, absl::StrCat("'", m.name, "' refers to tensor ", m.tensor_index,
                                             ", out of range"));
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateModel(const ir::Model& model, const LoadLimits& limits) {
  return ValidateWith(model, BufferBytes(model), limits);
}

absl::Status ValidateModelWithBufferBytes(const ir::Model& model,
                                          std::span<const std::span<const uint8_t>> buffer_bytes,
                                          const LoadLimits& limits) {
  if (buffer_bytes.size() != model.buffers.size()) {
    return absl::InternalError(absl::StrCat("ValidateModelWithBufferBytes: ", buffer_bytes.size(),
                                            " buffer views for ", model.buffers.size(),
                                            " buffers"));
  }
  return ValidateWith(model, BufferBytes(model, buffer_bytes), limits);
}

}  // namespace compressd::tflite
