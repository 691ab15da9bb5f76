#include "core/passes/fold_fp16_weights.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/passes/graph_edit.h"
#include "core/quant/fp16.h"

namespace compressd::passes {

absl::StatusOr<FoldFp16Result> FoldFp16Weights(const ir::Model& model) {
  FoldFp16Result result;
  result.model = model;
  ir::Model& m = result.model;
  const UsageSnapshot before = TakeUsageSnapshot(m);
  result.operator_map.resize(m.subgraphs.size());
  for (size_t sgi = 0; sgi < m.subgraphs.size(); ++sgi) {
    ir::Subgraph& sg = m.subgraphs[sgi];
    const std::vector<std::vector<TensorUse>> consumers = FindConsumers(sg);
    std::vector<bool> remove(sg.operators.size(), false);
    for (size_t i = 0; i < sg.operators.size(); ++i) {
      const ir::Operator& op = sg.operators[i];
      if (OpCode(m, op) != ir::BuiltinOp::kDequantize) continue;
      if (op.inputs.size() != 1 || op.outputs.size() != 1 || op.inputs[0] < 0) continue;
      const ir::Tensor& in = sg.tensors[static_cast<size_t>(op.inputs[0])];
      ir::Tensor& out = sg.tensors[static_cast<size_t>(op.outputs[0])];
      if (in.type != ir::DataType::kFloat16 || !IsConstant(m, in) || in.sparsity) continue;
      if (out.type != ir::DataType::kFloat32 || out.is_variable ||
          IsSubgraphOutput(sg, op.outputs[0])) {
        continue;
      }
      const int64_t n = ir::NumElements(in.shape);
      const auto bytes = m.buffers[in.buffer].bytes();
      if (bytes.size() != static_cast<size_t>(n) * 2) {
        return absl::InvalidArgumentError(absl::StrCat(
            OperatorWhere(m, sgi, i), ": float16 input ", TensorWhere(sg, op.inputs[0]), " has ",
            bytes.size(), " bytes of data, its shape needs ", n * 2));
      }
      if (ir::NumElements(out.shape) != n) {
        return absl::InvalidArgumentError(
            absl::StrCat(OperatorWhere(m, sgi, i), ": output ", TensorWhere(sg, op.outputs[0]),
                         " has ", ir::NumElements(out.shape), " elements, its float16 input ", n));
      }
      std::vector<uint16_t> half(static_cast<size_t>(n));
      if (n > 0) std::memcpy(half.data(), bytes.data(), bytes.size());
      std::vector<float> widened(half.size());
      quant::HalfToFloat(half, widened);
      out.buffer = m.AddBuffer(ToBytes(widened));
      // The constant is the weight itself now: it takes the float16 tensor's name when that
      // tensor goes away (read only here, not a subgraph input or output).
      const int32_t in_index = op.inputs[0];
      if (consumers[static_cast<size_t>(in_index)].size() == 1 && !IsSubgraphOutput(sg, in_index) &&
          std::find(sg.inputs.begin(), sg.inputs.end(), in_index) == sg.inputs.end()) {
        out.name = in.name;
      }
      remove[i] = true;
      ++result.folded;
    }
    std::vector<int32_t>& map = result.operator_map[sgi];
    map.assign(sg.operators.size(), -1);
    int32_t next = 0;
    for (size_t i = 0; i < remove.size(); ++i) {
      if (!remove[i]) map[i] = next++;
    }
    RemoveOperators(sg, remove);
  }
  RemoveNewlyUnused(m, before);
  return result;
}

}  // namespace compressd::passes
