#include "core/passes/float16_weights.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/passes/graph_edit.h"
#include "core/quant/fp16.h"

namespace compressd::passes {
namespace {

std::string FreshName(std::unordered_set<std::string>& names, const std::string& base) {
  std::string name = base;
  for (int i = 1; names.count(name); ++i) name = absl::StrCat(base, "_", i);
  names.insert(name);
  return name;
}

}  // namespace

absl::StatusOr<Float16Result> ConvertWeightsToFloat16(const ir::Model& model,
                                                      const Float16Options& options) {
  Float16Result result;
  result.model = model;
  ir::Model& m = result.model;
  const UsageSnapshot before = TakeUsageSnapshot(m);
  ir::OperatorCode dequantize_code;
  dequantize_code.builtin_code = ir::BuiltinOp::kDequantize;
  dequantize_code.deprecated_builtin_code = static_cast<int8_t>(ir::BuiltinOp::kDequantize);
  dequantize_code.version = 3;  // DEQUANTIZE takes float16 inputs from version 3 on

  for (size_t sgi = 0; sgi < m.subgraphs.size(); ++sgi) {
    const std::vector<std::vector<TensorUse>> consumers = FindConsumers(m.subgraphs[sgi]);
    std::vector<bool> kept_op(m.subgraphs[sgi].operators.size(), false);
    if (sgi == 0) {
      for (int32_t i : options.keep_float_ops) {
        if (i >= 0 && static_cast<size_t>(i) < kept_op.size())
          kept_op[static_cast<size_t>(i)] = true;
      }
    }
    std::unordered_set<std::string> names;
    for (const ir::Tensor& t : m.subgraphs[sgi].tensors) names.insert(t.name);
    std::map<uint32_t, uint32_t> half_buffers;  // float32 buffer -> its float16 copy
    std::vector<std::pair<int32_t, ir::Operator>> inserts;
    const int32_t num_tensors = static_cast<int32_t>(m.subgraphs[sgi].tensors.size());
    for (int32_t t = 0; t < num_tensors; ++t) {
      ir::Subgraph& sg = m.subgraphs[sgi];
      const ir::Tensor& tensor = sg.tensors[static_cast<size_t>(t)];
      const std::vector<TensorUse>& uses = consumers[static_cast<size_t>(t)];
      if (tensor.type != ir::DataType::kFloat32 || !IsConstant(m, tensor) || tensor.is_variable ||
          tensor.sparsity || uses.empty() || ir::NumElements(tensor.shape) == 0 ||
          std::find(sg.inputs.begin(), sg.inputs.end(), t) != sg.inputs.end()) {
        continue;
      }
      if (std::any_of(uses.begin(), uses.end(),
                      [&](const TensorUse& u) { return kept_op[static_cast<size_t>(u.op)]; })) {
        continue;
      }
      ASSIGN_OR_RETURN(std::vector<float> values, ReadFloat32Constant(m, sg, t));
      uint32_t half_buffer = 0;
      if (auto it = half_buffers.find(tensor.buffer); it != half_buffers.end()) {
        half_buffer = it->second;
      } else {
        std::vector<uint16_t> half(values.size());
        quant::FloatToHalf(values, half);
        if (options.lossless_only && !quant::AllExactlyHalf(values)) continue;
        int64_t overflow = 0;
        int64_t nans = 0;
        float largest = 0.0f;
        for (size_t i = 0; i < values.size(); ++i) {
          if (std::isnan(values[i])) {
            ++nans;
          } else if (std::isfinite(values[i]) && std::isinf(quant::HalfToFloat(half[i]))) {
            ++overflow;
            largest = std::max(largest, std::fabs(values[i]));
          }
        }
        if (overflow > 0) {
          result.warnings.push_back(absl::StrCat(
              "float16: ", TensorWhere(sg, t), ": ", overflow, " of ", values.size(),
              " values exceed float16's range (largest |x| = ", largest, ") and became ±inf"));
        }
        if (nans > 0) {
          result.warnings.push_back(
              absl::StrCat("float16: ", TensorWhere(sg, t), " holds ", nans, " NaN values"));
        }
        half_buffer = m.AddBuffer(ToBytes(half));
        half_buffers.emplace(tensor.buffer, half_buffer);
      }
      ir::Tensor dequantized;
      dequantized.name = FreshName(names, tensor.name + "_dequantize");
      dequantized.shape = tensor.shape;
      dequantized.shape_signature = tensor.shape_signature;
      dequantized.has_rank = tensor.has_rank;
      dequantized.type = ir::DataType::kFloat32;
      dequantized.buffer = 0;
      sg.tensors[static_cast<size_t>(t)].type = ir::DataType::kFloat16;
      sg.tensors[static_cast<size_t>(t)].buffer = half_buffer;
      const int32_t d = AddTensor(sg, std::move(dequantized));
      for (const TensorUse& u : uses) {
        sg.operators[static_cast<size_t>(u.op)].inputs[static_cast<size_t>(u.slot)] = d;
      }
      for (int32_t& out : sg.outputs) {
        if (out == t) out = d;
      }
      for (ir::SignatureDef& sd : m.signature_defs) {
        if (sd.subgraph_index != sgi) continue;
        for (ir::TensorMap& tm : sd.outputs) {
          if (tm.tensor_index == static_cast<uint32_t>(t))
            tm.tensor_index = static_cast<uint32_t>(d);
        }
      }
      ir::Operator dequantize;
      dequantize.opcode_index = m.GetOrAddOperatorCode(dequantize_code);
      dequantize.inputs = {t};
      dequantize.outputs = {d};
      inserts.emplace_back(uses.front().op, std::move(dequantize));
      ++result.converted;
    }
    InsertOperators(m.subgraphs[sgi], std::move(inserts));
  }
  RemoveNewlyUnused(m, before);
  return result;
}

}  // namespace compressd::passes
