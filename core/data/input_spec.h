// InputSpec: what a model input expects (name, element type, static shape, per-tensor
// quantization), the target that dataset loading and image preprocessing produce tensors for.
#ifndef COMPRESSD_CORE_DATA_INPUT_SPEC_H_
#define COMPRESSD_CORE_DATA_INPUT_SPEC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/ir/data_type.h"
#include "core/ir/model.h"

namespace compressd::data {

struct InputSpec {
  std::string name;
  ir::DataType type = ir::DataType::kFloat32;
  std::vector<int32_t> shape;
  // Per-tensor quantization (uint8/int8 inputs): real = scale * (q - zero_point). scale == 0 means
  // none (float inputs, or per-channel quantization, which image preprocessing rejects).
  float scale = 0.0f;
  int32_t zero_point = 0;

  bool operator==(const InputSpec&) const = default;
};

// The specs of the inputs of subgraph `subgraph_index`, in the subgraph's input order.
// INVALID_ARGUMENT for a bad subgraph or tensor index.
absl::StatusOr<std::vector<InputSpec>> InputSpecsFromModel(const ir::Model& model,
                                                           int subgraph_index = 0);

}  // namespace compressd::data

#endif  // COMPRESSD_CORE_DATA_INPUT_SPEC_H_
