#include "core/passes/dynamic_range.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/passes/graph_edit.h"
#include "core/quant/fp16.h"
#include "core/quant/quant_params.h"
#include "core/tflite/op_names.h"

namespace compressd::passes {
namespace {

// How a weight tensor is laid out in int8: the per-channel axis (-1 per tensor) and whether one
// per-tensor scale is repeated along axis 3 (depthwise weights quantized "per tensor").
struct Layout {
  int32_t axis = -1;
  bool replicated = false;
  bool operator<(const Layout& o) const {
    return std::tie(axis, replicated) < std::tie(o.axis, o.replicated);
  }
};

struct Eligible {
  int32_t op = 0;
  Layout layout;
};

bool IsHybridOp(ir::BuiltinOp code) {
  return code == ir::BuiltinOp::kConv2d || code == ir::BuiltinOp::kDepthwiseConv2d ||
         code == ir::BuiltinOp::kFullyConnected;
}

// Empty when operator `op` can run as a hybrid op, otherwise why not. Sets *layout.
std::string WhyNotHybrid(const ir::Model& m, const ir::Subgraph& sg, const ir::Operator& op,
                         ir::BuiltinOp code, const DynamicRangeOptions& options, Layout* layout) {
  if (op.inputs.size() < 2 || op.inputs[0] < 0 || op.inputs[1] < 0) {
    return "has no input or weight tensor";
  }
  const ir::Tensor& input = sg.tensors[static_cast<size_t>(op.inputs[0])];
  if (input.type != ir::DataType::kFloat32) {
    return absl::StrCat("its input is ", ir::DataTypeName(input.type), ", not float32");
  }
  if (op.outputs.empty() ||
      sg.tensors[static_cast<size_t>(op.outputs[0])].type != ir::DataType::kFloat32) {
    return "its output is not float32";
  }
  const ir::Tensor& w = sg.tensors[static_cast<size_t>(op.inputs[1])];
  const std::string wname = absl::StrCat("weights '", w.name, "'");
  if (w.type != ir::DataType::kFloat32) {
    return absl::StrCat(wname, " are ", ir::DataTypeName(w.type), ", not float32");
  }
  if (!IsConstant(m, w)) return absl::StrCat(wname, " are computed at run time, not constant");
  if (w.sparsity) return absl::StrCat(wname, " are sparse");
  if (op.inputs.size() > 2 && op.inputs[2] >= 0 &&
      sg.tensors[static_cast<size_t>(op.inputs[2])].type != ir::DataType::kFloat32) {
    return "its bias is not float32";
  }
  const int64_t n = ir::NumElements(w.shape);
  switch (code) {
    case ir::BuiltinOp::kConv2d: {
      if (w.shape.size() != 4) return absl::StrCat(wname, " are not 4-D");
      if (const auto* o = std::get_if<ir::Conv2DOptions>(&op.builtin_options)) {
        if (o->dilation_w_factor != 1 || o->dilation_h_factor != 1) {
          return "it is dilated, which TFLite's hybrid CONV_2D kernel does not apply";
        }
      } else if (!std::holds_alternative<std::monostate>(op.builtin_options)) {
        return "its options could not be decoded";
      }
      *layout = Layout{options.per_channel ? 0 : -1, false};
      break;
    }
    case ir::BuiltinOp::kDepthwiseConv2d: {
      if (w.shape.size() != 4) return absl::StrCat(wname, " are not 4-D");
      if (!std::holds_alternative<ir::DepthwiseConv2DOptions>(op.builtin_options) &&
          !std::holds_alternative<std::monostate>(op.builtin_options)) {
        return "its options could not be decoded";
      }
      *layout = Layout{3, !options.per_channel};
      break;
    }
    case ir::BuiltinOp::kFullyConnected: {
      if (w.shape.size() != 2) return absl::StrCat(wname, " are not 2-D");
      if (const auto* o = std::get_if<ir::FullyConnectedOptions>(&op.builtin_options)) {
        if (o->weights_format != ir::FullyConnectedWeightsFormat::kDefault) {
          return absl::StrCat(wname, " use a shuffled format");
        }
      } else if (!std::holds_alternative<std::monostate>(op.builtin_options)) {
        return "its options could not be decoded";
      }
      *layout = Layout{options.per_channel && options.fully_connected_per_channel ? 0 : -1, false};
      break;
    }
    default:
      return "has no hybrid kernel";
  }
  if (n < options.min_elements) {
    return absl::StrCat(wname, " have ", n, " elements, fewer than the minimum of ",
                        options.min_elements, " for dynamic-range quantization");
  }
  return "";
}

// TFLite's op_version rules for the hybrid form of `op` (tools/versioning/op_version.cc).
int HybridVersion(ir::BuiltinOp code, const ir::Operator& op, bool per_channel) {
  switch (code) {
    case ir::BuiltinOp::kConv2d:
      return per_channel ? 5 : 2;
    case ir::BuiltinOp::kDepthwiseConv2d:
      return per_channel ? 6 : 4;
    case ir::BuiltinOp::kFullyConnected: {
      if (per_channel) return 12;
      if (op.inputs.size() == 2) return 6;
      const auto* o = std::get_if<ir::FullyConnectedOptions>(&op.builtin_options);
      if (o != nullptr && o->keep_num_dims) return 5;
      return 9;  // asymmetric_quantize_inputs
    }
    default:
      return 1;
  }
}

eval::KeptFloatOp KeptOp(const ir::Model& m, size_t sgi, int32_t i, std::string reason) {
  const ir::Subgraph& sg = m.subgraphs[sgi];
  const ir::Operator& op = sg.operators[static_cast<size_t>(i)];
  eval::KeptFloatOp kept;
  kept.subgraph = static_cast<uint32_t>(sgi);
  kept.operator_index = static_cast<uint32_t>(i);
  kept.op_name = tflite::OperatorName(m, op);
  if (!op.outputs.empty() && op.outputs[0] >= 0) {
    kept.output_tensor = sg.tensors[static_cast<size_t>(op.outputs[0])].name;
  }
  kept.reason = std::move(reason);
  return kept;
}

std::string FreshName(std::unordered_set<std::string>& names, const std::string& base) {
  std::string name = base;
  for (int i = 1; names.count(name); ++i) name = absl::StrCat(base, "_", i);
  names.insert(name);
  return name;
}

absl::StatusOr<quant::SymmetricTensor<int8_t>> QuantizeWeights(const std::vector<float>& values,
                                                               const ir::Tensor& w, Layout layout) {
  auto q = quant::QuantizeSymmetricInt8(values, w.shape, layout.replicated ? -1 : layout.axis);
  if (!q.ok()) return q;
  if (!layout.replicated) {
    // Equal per-channel scales become one per-tensor scale: TFLite's hybrid CONV_2D takes its
    // per-tensor kernel when all scales are equal, and that kernel reads the tensor's legacy
    // (single) scale, which is 0 for a tensor with several scales: every output would be the
    // bias. Per-tensor quantization with the same scale computes the same values.
    const bool all_equal = std::all_of(q->scales.begin(), q->scales.end(),
                                       [&](float s) { return s == q->scales[0]; });
    if (q->scales.size() > 1 && all_equal) {
      q->scales.resize(1);
      q->axis = -1;
    }
    return q;
  }
  q->scales.assign(static_cast<size_t>(w.shape[static_cast<size_t>(layout.axis)]), q->scales[0]);
  q->axis = layout.axis;
  return q;
}

}  // namespace

absl::StatusOr<DynamicRangeResult> QuantizeDynamicRange(const ir::Model& model,
                                                        const DynamicRangeOptions& options) {
  DynamicRangeResult result;
  result.model = model;
  ir::Model& m = result.model;
  const UsageSnapshot before = TakeUsageSnapshot(m);

  for (size_t sgi = 0; sgi < m.subgraphs.size(); ++sgi) {
    const std::vector<std::vector<TensorUse>> consumers = FindConsumers(m.subgraphs[sgi]);
    std::vector<bool> kept_op(m.subgraphs[sgi].operators.size(), false);
    if (sgi == 0) {
      for (int32_t i : options.keep_float_ops) {
        if (i >= 0 && static_cast<size_t>(i) < kept_op.size())
          kept_op[static_cast<size_t>(i)] = true;
      }
    }
    // Which operators qualify, grouped by weight tensor.
    std::map<int32_t, std::vector<Eligible>> by_weight;
    for (size_t i = 0; i < m.subgraphs[sgi].operators.size(); ++i) {
      const ir::Subgraph& sg = m.subgraphs[sgi];
      const ir::Operator& op = sg.operators[i];
      const ir::BuiltinOp code = OpCode(m, op);
      if (!IsHybridOp(code)) continue;
      Layout layout;
      std::string reason = kept_op[i] ? std::string("kept in float as requested")
                                      : WhyNotHybrid(m, sg, op, code, options, &layout);
      if (!reason.empty()) {
        result.kept_float.push_back(KeptOp(m, sgi, static_cast<int32_t>(i), std::move(reason)));
        continue;
      }
      by_weight[op.inputs[1]].push_back(Eligible{static_cast<int32_t>(i), layout});
    }

    std::unordered_set<std::string> names;
    for (const ir::Tensor& t : m.subgraphs[sgi].tensors) names.insert(t.name);
    std::vector<std::pair<int32_t, bool>> quantized_ops;  // (op, per-channel scales)
    for (const auto& [w, users] : by_weight) {
      ir::Subgraph& sg = m.subgraphs[sgi];
      ASSIGN_OR_RETURN(std::vector<float> values, ReadFloat32Constant(m, sg, w));
      std::map<Layout, std::vector<int32_t>> ops_by_layout;
      for (const Eligible& e : users) ops_by_layout[e.layout].push_back(e.op);
      if (options.require_smaller) {
        const int64_t n = static_cast<int64_t>(values.size());
        const bool half_exact = quant::AllExactlyHalf(values);
        const int64_t float_bytes = (half_exact ? 2 : 4) * n;
        for (auto it = ops_by_layout.begin(); it != ops_by_layout.end();) {
          const Layout& layout = it->first;
          const int64_t channels =
              layout.axis >= 0
                  ? sg.tensors[static_cast<size_t>(w)].shape[static_cast<size_t>(layout.axis)]
                  : 1;
          const int64_t int8_bytes = n + 12 * channels;
          if (int8_bytes < float_bytes) {
            ++it;
            continue;
          }
          for (int32_t i : it->second) {
            result.kept_float.push_back(KeptOp(
                m, sgi, i,
                absl::StrCat("int8 weights '", sg.tensors[static_cast<size_t>(w)].name, "' (", n,
                             " values + ", channels, " scales and zero points = ", int8_bytes,
                             " bytes) would not be smaller than their ",
                             half_exact ? "float16" : "float32", " storage (", float_bytes,
                             " bytes)")));
          }
          it = ops_by_layout.erase(it);
        }
      }
      size_t quantizable_uses = 0;
      for (const auto& [layout, ops] : ops_by_layout) quantizable_uses += ops.size();
      const bool exclusive = consumers[static_cast<size_t>(w)].size() == quantizable_uses &&
                             ops_by_layout.size() == 1 && !IsSubgraphOutput(sg, w);
      for (const auto& [layout, ops] : ops_by_layout) {
        const ir::Tensor& original = sg.tensors[static_cast<size_t>(w)];
        auto q = QuantizeWeights(values, original, layout);
        if (!q.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat(TensorWhere(sg, w), ": ", q.status().message()));
        }
        ir::Tensor qt;
        qt.name = original.name;
        qt.shape = original.shape;
        qt.shape_signature = original.shape_signature;
        qt.has_rank = original.has_rank;
        qt.type = ir::DataType::kInt8;
        ir::QuantParams params;
        params.scale = q->scales;
        params.zero_point.assign(q->scales.size(), 0);
        params.quantized_dimension = q->axis >= 0 ? q->axis : 0;
        qt.quantization = std::move(params);
        std::vector<int8_t> data = std::move(q->values);
        qt.buffer = m.AddBuffer(ToBytes(data));
        int32_t target = w;
        if (exclusive) {
          sg.tensors[static_cast<size_t>(w)] = std::move(qt);
        } else {
          qt.name = FreshName(names, absl::StrCat(original.name, "_int8"));
          target = AddTensor(sg, std::move(qt));
        }
        ++result.quantized_tensors;
        const bool per_channel = q->scales.size() > 1;
        for (int32_t i : ops) {
          sg.operators[static_cast<size_t>(i)].inputs[1] = target;
          quantized_ops.emplace_back(i, per_channel);
        }
      }
    }

    ir::Subgraph& sg = m.subgraphs[sgi];
    for (const auto& [i, per_channel] : quantized_ops) {
      ir::Operator& op = sg.operators[static_cast<size_t>(i)];
      const ir::BuiltinOp code = OpCode(m, op);
      if (code == ir::BuiltinOp::kFullyConnected) {
        if (std::holds_alternative<std::monostate>(op.builtin_options)) {
          op.builtin_options = ir::FullyConnectedOptions{};
        }
        std::get<ir::FullyConnectedOptions>(op.builtin_options).asymmetric_quantize_inputs = true;
      }
      ir::OperatorCode versioned = m.operator_codes[op.opcode_index];
      versioned.version = std::max(versioned.version, HybridVersion(code, op, per_channel));
      op.opcode_index = m.GetOrAddOperatorCode(versioned);
      ++result.quantized_ops;
    }
  }
  RemoveNewlyUnused(m, before);
  std::stable_sort(result.kept_float.begin(), result.kept_float.end(),
                   [](const eval::KeptFloatOp& a, const eval::KeptFloatOp& b) {
                     return std::tie(a.subgraph, a.operator_index) <
                            std::tie(b.subgraph, b.operator_index);
                   });
  return result;
}

}  // namespace compressd::passes
