// Fuses standalone RELU / RELU6 / RELU_N1_TO_1 operators into the operator that produces their
// input, as TFLite's converter does: ADD, SUB, MUL, CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED carry a fused activation, so `y = RELU(ADD(a, b))` becomes `y = ADD(a, b)` with
// activation RELU. The float results are identical (max(v, 0) either way); a quantized model gains
// one requantization less per fused pair (more accurate) and one pass over the tensor less.
//
// A pair is fused only when the producer's activation is NONE, its output is read by the
// activation alone and is not a subgraph output, and neither operator is in `keep`: every other
// tensor, name and operator stays as it was. The activation's output tensor (and its name) becomes
// the producer's output; the intermediate tensor is dropped.
//
// Contracts: `model` passed tflite::ValidateModel; the result does too. Pure function.
#ifndef COMPRESSD_CORE_PASSES_FUSE_ACTIVATIONS_H_
#define COMPRESSD_CORE_PASSES_FUSE_ACTIVATIONS_H_

#include <cstdint>
#include <vector>

#include "core/ir/model.h"

namespace compressd::passes {

struct FuseActivationsResult {
  ir::Model model;
  int fused = 0;  // activation operators removed
  // operator_map[i] = index in `model` of the input's subgraph-0 operator i; for a removed
  // activation, the index of the producer it was fused into.
  std::vector<int32_t> operator_map;
};

// `keep`: subgraph-0 operator indices that must not take part in a fusion (e.g. operators the
// user keeps in float). Only subgraph 0 is edited.
FuseActivationsResult FuseActivations(const ir::Model& model, const std::vector<int32_t>& keep);

}  // namespace compressd::passes

#endif  // COMPRESSD_CORE_PASSES_FUSE_ACTIVATIONS_H_
