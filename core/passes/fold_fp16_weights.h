// Folding float16 weights: every DEQUANTIZE whose input is a constant float16 tensor becomes a
// float32 constant. The DEQUANTIZE's output tensor keeps its index and shape and receives the
// widened values (exact: every half is a float), so its consumers need no rewiring; it takes the
// float16 tensor's name (the weight's name, e.g. "conv/Kernel" rather than
// "conv/Kernel_dequantize") when that tensor has no other reader. The
// DEQUANTIZE operator is removed, and the float16 tensor, its buffer and the DEQUANTIZE operator
// code are dropped once nothing refers to them. Everything else — other operators, tensors,
// buffers (even ones already unused), metadata, signatures — is left as it was.
//
// Skipped (left as they are): DEQUANTIZE ops whose input is not a float16 constant (int8 weights,
// run-time tensors), whose input is sparse, whose output is a subgraph output or a variable.
//
// This is how the MediaPipe models ship their weights; quantization passes start from the folded
// float32 graph. Thread-safe (pure function of its input).
#ifndef COMPRESSD_CORE_PASSES_FOLD_FP16_WEIGHTS_H_
#define COMPRESSD_CORE_PASSES_FOLD_FP16_WEIGHTS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/ir/model.h"

namespace compressd::passes {

struct FoldFp16Result {
  ir::Model model;
  int folded = 0;  // DEQUANTIZE operators removed
  // operator_map[subgraph][i] = index in `model` of the input's operator i, -1 if it was removed.
  std::vector<std::vector<int32_t>> operator_map;
};

// INVALID_ARGUMENT naming the operator and tensor when a float16 constant's buffer size does not
// match its shape or the DEQUANTIZE output's element count differs from its input's.
absl::StatusOr<FoldFp16Result> FoldFp16Weights(const ir::Model& model);

}  // namespace compressd::passes

#endif  // COMPRESSD_CORE_PASSES_FOLD_FP16_WEIGHTS_H_
