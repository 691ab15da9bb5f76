// Small graph-editing helpers shared by the passes: finding producers and consumers, removing and
// inserting operators, and dropping tensors, buffers and operator codes a pass made unused, with
// every index that refers to them remapped (operators, subgraph inputs/outputs, signature defs,
// metadata).
//
// Contracts: functions taking a model expect one that passed tflite::ValidateModel (indices in
// range); they never leave dangling indices. Not thread-safe for concurrent mutation.
#ifndef COMPRESSD_CORE_PASSES_GRAPH_EDIT_H_
#define COMPRESSD_CORE_PASSES_GRAPH_EDIT_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/ir/model.h"

namespace compressd::passes {

// One read of a tensor: operator index and input slot.
struct TensorUse {
  int32_t op = 0;
  int32_t slot = 0;
  bool operator==(const TensorUse&) const = default;
};

// producers[t] = index of the operator that writes tensor t, or -1.
std::vector<int32_t> FindProducers(const ir::Subgraph& sg);

// consumers[t] = every (operator, input slot) that reads tensor t, in operator order.
std::vector<std::vector<TensorUse>> FindConsumers(const ir::Subgraph& sg);

// True when the tensor's buffer holds data (a weight, bias or other constant).
bool IsConstant(const ir::Model& model, const ir::Tensor& tensor);

bool IsSubgraphOutput(const ir::Subgraph& sg, int32_t tensor);

// The built-in code of operator `op` (its opcode index must be valid).
ir::BuiltinOp OpCode(const ir::Model& model, const ir::Operator& op);

// "subgraph 0 operator 12 (CONV_2D)" and "tensor 5 'conv/weights'", for messages.
std::string OperatorWhere(const ir::Model& model, size_t subgraph, size_t op);
std::string TensorWhere(const ir::Subgraph& sg, int32_t tensor);

// The float32 values of a constant tensor (copied; the host is little-endian like TFLite files).
// INVALID_ARGUMENT naming the tensor when it is not a float32 constant of the right byte size.
absl::StatusOr<std::vector<float>> ReadFloat32Constant(const ir::Model& model,
                                                       const ir::Subgraph& sg, int32_t tensor);

// Little-endian bytes of a vector of scalars.
template <typename T>
std::vector<uint8_t> ToBytes(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// Removes the operators whose flag is set; the others keep their order.
void RemoveOperators(ir::Subgraph& sg, const std::vector<bool>& remove);

// Inserts each (position, operator) before the operator that is at `position` in the current
// list (position == size appends). Several insertions at one position keep their given order.
void InsertOperators(ir::Subgraph& sg, std::vector<std::pair<int32_t, ir::Operator>> inserts);

// Appends a tensor and returns its index.
int32_t AddTensor(ir::Subgraph& sg, ir::Tensor tensor);

// A name not yet used by a tensor of `sg`: `base`, or base + "_1", "_2", ...
std::string UniqueTensorName(const ir::Subgraph& sg, const std::string& base);

// Which tensors, buffers and operator codes are referenced, to drop only what an edit made
// unused (anything that was already unused in the input stays, so a pass changes nothing else).
struct UsageSnapshot {
  std::vector<std::vector<bool>> tensors;  // per subgraph
  std::vector<bool> buffers;
  std::vector<bool> operator_codes;
};

// Tensors are used when an operator (input, output, intermediate), the subgraph's inputs/outputs
// or a signature def refer to them; buffers when a tensor of any subgraph or metadata refers to
// them (buffer 0, the empty sentinel, always); operator codes when an operator refers to them.
UsageSnapshot TakeUsageSnapshot(const ir::Model& model);

// Removes every tensor, buffer and operator code that is unused now and was used in `before` (or
// did not exist then), remapping all references. Tensors go first, so the buffers of removed
// tensors are dropped too.
void RemoveNewlyUnused(ir::Model& model, const UsageSnapshot& before);

// Every operator input is a constant, a subgraph input, a variable tensor or the output of an
// earlier operator, and no tensor is written twice. INVALID_ARGUMENT naming the operator.
absl::Status CheckExecutionOrder(const ir::Model& model);

}  // namespace compressd::passes

#endif  // COMPRESSD_CORE_PASSES_GRAPH_EDIT_H_
