#include "core/passes/graph_edit.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "core/tflite/op_names.h"

namespace compressd::passes {
namespace {

void MarkUsedTensors(const ir::Model& model, size_t sgi, std::vector<bool>& used) {
  const ir::Subgraph& sg = model.subgraphs[sgi];
  used.assign(sg.tensors.size(), false);
  const auto mark = [&](int32_t t) {
    if (t >= 0 && static_cast<size_t>(t) < used.size()) used[static_cast<size_t>(t)] = true;
  };
  for (const ir::Operator& op : sg.operators) {
    for (int32_t t : op.inputs) mark(t);
    for (int32_t t : op.outputs) mark(t);
    for (int32_t t : op.intermediates) mark(t);
  }
  for (int32_t t : sg.inputs) mark(t);
  for (int32_t t : sg.outputs) mark(t);
  for (const ir::SignatureDef& sd : model.signature_defs) {
    if (sd.subgraph_index != sgi) continue;
    for (const auto& m : sd.inputs) mark(static_cast<int32_t>(m.tensor_index));
    for (const auto& m : sd.outputs) mark(static_cast<int32_t>(m.tensor_index));
  }
}

std::vector<bool> UsedBuffers(const ir::Model& model) {
  std::vector<bool> used(model.buffers.size(), false);
  if (!used.empty()) used[0] = true;
  const auto mark = [&](int64_t b) {
    if (b >= 0 && static_cast<size_t>(b) < used.size()) used[static_cast<size_t>(b)] = true;
  };
  for (const ir::Subgraph& sg : model.subgraphs) {
    for (const ir::Tensor& t : sg.tensors) mark(t.buffer);
  }
  for (const ir::Metadata& m : model.metadata) mark(m.buffer);
  for (int32_t b : model.metadata_buffer) mark(b);
  return used;
}

std::vector<bool> UsedOperatorCodes(const ir::Model& model) {
  std::vector<bool> used(model.operator_codes.size(), false);
  for (const ir::Subgraph& sg : model.subgraphs) {
    for (const ir::Operator& op : sg.operators) {
      if (op.opcode_index < used.size()) used[op.opcode_index] = true;
    }
  }
  return used;
}

// Old index -> new index (-1 for removed) for a removal mask.
std::vector<int64_t> Remap(const std::vector<bool>& remove) {
  std::vector<int64_t> map(remove.size(), -1);
  int64_t next = 0;
  for (size_t i = 0; i < remove.size(); ++i) {
    if (!remove[i]) map[i] = next++;
  }
  return map;
}

bool WasUsed(const std::vector<bool>& before, size_t i) { return i >= before.size() || before[i]; }

void RemoveTensors(ir::Model& model, size_t sgi, const std::vector<bool>& remove) {
  ir::Subgraph& sg = model.subgraphs[sgi];
  const std::vector<int64_t> map = Remap(remove);
  const auto fix = [&](int32_t& t) {
    if (t >= 0) t = static_cast<int32_t>(map[static_cast<size_t>(t)]);
  };
  for (ir::Operator& op : sg.operators) {
    for (int32_t& t : op.inputs) fix(t);
    for (int32_t& t : op.outputs) fix(t);
    for (int32_t& t : op.intermediates) fix(t);
  }
  for (int32_t& t : sg.inputs) fix(t);
  for (int32_t& t : sg.outputs) fix(t);
  for (ir::SignatureDef& sd : model.signature_defs) {
    if (sd.subgraph_index != sgi) continue;
    for (auto* maps : {&sd.inputs, &sd.outputs}) {
      for (ir::TensorMap& m : *maps) {
        m.tensor_index = static_cast<uint32_t>(map[m.tensor_index]);
      }
    }
  }
  std::vector<ir::Tensor> kept;
  kept.reserve(sg.tensors.size());
  for (size_t i = 0; i < sg.tensors.size(); ++i) {
    if (!remove[i]) kept.push_back(std::move(sg.tensors[i]));
  }
  sg.tensors = std::move(kept);
}

void RemoveBuffers(ir::Model& model, const std::vector<bool>& remove) {
  const std::vector<int64_t> map = Remap(remove);
  for (ir::Subgraph& sg : model.subgraphs) {
    for (ir::Tensor& t : sg.tensors) t.buffer = static_cast<uint32_t>(map[t.buffer]);
  }
  for (ir::Metadata& m : model.metadata) m.buffer = static_cast<uint32_t>(map[m.buffer]);
  for (int32_t& b : model.metadata_buffer) b = static_cast<int32_t>(map[static_cast<size_t>(b)]);
  std::vector<ir::Buffer> kept;
  kept.reserve(model.buffers.size());
  for (size_t i = 0; i < model.buffers.size(); ++i) {
    if (!remove[i]) kept.push_back(std::move(model.buffers[i]));
  }
  model.buffers = std::move(kept);
}

void RemoveOperatorCodes(ir::Model& model, const std::vector<bool>& remove) {
  const std::vector<int64_t> map = Remap(remove);
  for (ir::Subgraph& sg : model.subgraphs) {
    for (ir::Operator& op : sg.operators) {
      op.opcode_index = static_cast<uint32_t>(map[op.opcode_index]);
    }
  }
  std::vector<ir::OperatorCode> kept;
  for (size_t i = 0; i < model.operator_codes.size(); ++i) {
    if (!remove[i]) kept.push_back(std::move(model.operator_codes[i]));
  }
  model.operator_codes = std::move(kept);
}

}  // namespace

std::vector<int32_t> FindProducers(const ir::Subgraph& sg) {
  std::vector<int32_t> producers(sg.tensors.size(), -1);
  for (size_t i = 0; i < sg.operators.size(); ++i) {
    for (int32_t t : sg.operators[i].outputs) {
      if (t >= 0 && static_cast<size_t>(t) < producers.size()) {
        producers[static_cast<size_t>(t)] = static_cast<int32_t>(i);
      }
    }
  }
  return producers;
}

std::vector<std::vector<TensorUse>> FindConsumers(const ir::Subgraph& sg) {
  std::vector<std::vector<TensorUse>> consumers(sg.tensors.size());
  for (size_t i = 0; i < sg.operators.size(); ++i) {
    const ir::Operator& op = sg.operators[i];
    for (size_t s = 0; s < op.inputs.size(); ++s) {
      const int32_t t = op.inputs[s];
      if (t >= 0 && static_cast<size_t>(t) < consumers.size()) {
        consumers[static_cast<size_t>(t)].push_back(
            TensorUse{static_cast<int32_t>(i), static_cast<int32_t>(s)});
      }
    }
  }
  return consumers;
}

bool IsConstant(const ir::Model& model, const ir::Tensor& tensor) {
  return tensor.buffer < model.buffers.size() && model.buffers[tensor.buffer].size() > 0;
}

bool IsSubgraphOutput(const ir::Subgraph& sg, int32_t tensor) {
  return std::find(sg.outputs.begin(), sg.outputs.end(), tensor) != sg.outputs.end();
}

ir::BuiltinOp OpCode(const ir::Model& model, const ir::Operator& op) {
  return ir::EffectiveBuiltinCode(model.operator_codes[op.opcode_index]);
}

std::string OperatorWhere(const ir::Model& model, size_t subgraph, size_t op) {
  return absl::StrCat("subgraph ", subgraph, " operator ", op, " (",
                      tflite::OperatorName(model, model.subgraphs[subgraph].operators[op]), ")");
}

std::string TensorWhere(const ir::Subgraph& sg, int32_t tensor) {
  return absl::StrCat("tensor ", tensor, " '", sg.tensors[static_cast<size_t>(tensor)].name, "'");
}

absl::StatusOr<std::vector<float>> ReadFloat32Constant(const ir::Model& model,
                                                       const ir::Subgraph& sg, int32_t tensor) {
  const ir::Tensor& t = sg.tensors[static_cast<size_t>(tensor)];
  if (t.type != ir::DataType::kFloat32 || !IsConstant(model, t)) {
    return absl::InvalidArgumentError(
        absl::StrCat(TensorWhere(sg, tensor), " is not a float32 constant"));
  }
  const auto bytes = model.buffers[t.buffer].bytes();
  const int64_t n = ir::NumElements(t.shape);
  if (bytes.size() != static_cast<size_t>(n) * sizeof(float)) {
    return absl::InvalidArgumentError(absl::StrCat(TensorWhere(sg, tensor), " has ", bytes.size(),
                                                   " bytes of data, its shape needs ", n * 4));
  }
  std::vector<float> values(static_cast<size_t>(n));
  if (n > 0) std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

void RemoveOperators(ir::Subgraph& sg, const std::vector<bool>& remove) {
  std::vector<ir::Operator> kept;
  kept.reserve(sg.operators.size());
  for (size_t i = 0; i < sg.operators.size(); ++i) {
    if (i >= remove.size() || !remove[i]) kept.push_back(std::move(sg.operators[i]));
  }
  sg.operators = std::move(kept);
}

void InsertOperators(ir::Subgraph& sg, std::vector<std::pair<int32_t, ir::Operator>> inserts) {
  if (inserts.empty()) return;
  std::stable_sort(inserts.begin(), inserts.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<ir::Operator> merged;
  merged.reserve(sg.operators.size() + inserts.size());
  size_t next = 0;
  for (size_t i = 0; i <= sg.operators.size(); ++i) {
    while (next < inserts.size() && static_cast<size_t>(inserts[next].first) <= i) {
      merged.push_back(std::move(inserts[next].second));
      ++next;
    }
    if (i < sg.operators.size()) merged.push_back(std::move(sg.operators[i]));
  }
  while (next < inserts.size()) merged.push_back(std::move(inserts[next++].second));
  sg.operators = std::move(merged);
}

int32_t AddTensor(ir::Subgraph& sg, ir::Tensor tensor) {
  sg.tensors.push_back(std::move(tensor));
  return static_cast<int32_t>(sg.tensors.size() - 1);
}

std::string UniqueTensorName(const ir::Subgraph& sg, const std::string& base) {
  std::unordered_set<std::string> names;
  for (const ir::Tensor& t : sg.tensors) names.insert(t.name);
  if (!names.count(base)) return base;
  for (int i = 1;; ++i) {
    std::string candidate = absl::StrCat(base, "_", i);
    if (!names.count(candidate)) return candidate;
  }
}

UsageSnapshot TakeUsageSnapshot(const ir::Model& model) {
  UsageSnapshot s;
  s.tensors.resize(model.subgraphs.size());
  for (size_t i = 0; i < model.subgraphs.size(); ++i) MarkUsedTensors(model, i, s.tensors[i]);
  s.buffers = UsedBuffers(model);
  s.operator_codes = UsedOperatorCodes(model);
  return s;
}

void RemoveNewlyUnused(ir::Model& model, const UsageSnapshot& before) {
  for (size_t sgi = 0; sgi < model.subgraphs.size(); ++sgi) {
    std::vector<bool> used;
    MarkUsedTensors(model, sgi, used);
    static const std::vector<bool> kNone;
    const std::vector<bool>& was = sgi < before.tensors.size() ? before.tensors[sgi] : kNone;
    std::vector<bool> remove(used.size(), false);
    bool any = false;
    for (size_t t = 0; t < used.size(); ++t) {
      remove[t] = !used[t] && WasUsed(was, t);
      any = any || remove[t];
    }
    if (any) RemoveTensors(model, sgi, remove);
  }
  {
    const std::vector<bool> used = UsedBuffers(model);
    std::vector<bool> remove(used.size(), false);
    bool any = false;
    for (size_t b = 1; b < used.size(); ++b) {
      remove[b] = !used[b] && WasUsed(before.buffers, b);
      any = any || remove[b];
    }
    if (any) RemoveBuffers(model, remove);
  }
  {
    const std::vector<bool> used = UsedOperatorCodes(model);
    std::vector<bool> remove(used.size(), false);
    bool any = false;
    for (size_t c = 0; c < used.size(); ++c) {
      remove[c] = !used[c] && WasUsed(before.operator_codes, c);
      any = any || remove[c];
    }
    if (any) RemoveOperatorCodes(model, remove);
  }
}

absl::Status CheckExecutionOrder(const ir::Model& model) {
  for (size_t sgi = 0; sgi < model.subgraphs.size(); ++sgi) {
    const ir::Subgraph& sg = model.subgraphs[sgi];
    std::vector<bool> ready(sg.tensors.size(), false);
    std::vector<bool> written(sg.tensors.size(), false);
    for (size_t t = 0; t < sg.tensors.size(); ++t) {
      ready[t] = IsConstant(model, sg.tensors[t]) || sg.tensors[t].is_variable;
    }
    for (int32_t t : sg.inputs) ready[static_cast<size_t>(t)] = true;
    for (size_t i = 0; i < sg.operators.size(); ++i) {
      const ir::Operator& op = sg.operators[i];
      for (int32_t t : op.inputs) {
        if (t < 0) continue;
        if (!ready[static_cast<size_t>(t)]) {
          return absl::InvalidArgumentError(absl::StrCat(OperatorWhere(model, sgi, i), " reads ",
                                                         TensorWhere(sg, t),
                                                         " before any operator writes it"));
        }
      }
      for (int32_t t : op.outputs) {
        if (written[static_cast<size_t>(t)]) {
          return absl::InvalidArgumentError(absl::StrCat(OperatorWhere(model, sgi, i), " writes ",
                                                         TensorWhere(sg, t), " a second time"));
        }
        written[static_cast<size_t>(t)] = true;
        ready[static_cast<size_t>(t)] = true;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace compressd::passes
