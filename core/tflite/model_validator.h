// Semantic validation of an IR model: every invariant the interpreter, passes and writer rely on,
// beyond what the flatbuffer verifier guarantees (see model_reader.h). Also usable on models built
// or rewritten in memory, before writing them.
#ifndef COMPRESSD_CORE_TFLITE_MODEL_VALIDATOR_H_
#define COMPRESSD_CORE_TFLITE_MODEL_VALIDATOR_H_

#include <cstdint>
#include <optional>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/ir/model.h"
#include "core/tflite/load_limits.h"

namespace compressd::tflite {

// OK, or INVALID_ARGUMENT / RESOURCE_EXHAUSTED naming the subgraph, tensor or operator at fault.
absl::Status ValidateModel(const ir::Model& model, const LoadLimits& limits = {});

// ValidateModel for a model whose constant buffers were not copied into the IR (ReadModelView):
// the checks read buffer i's bytes from buffer_bytes[i] instead of model.buffers[i]. Runs exactly
// the checks ValidateModel runs. buffer_bytes.size() != model.buffers.size() → INTERNAL.
absl::Status ValidateModelWithBufferBytes(const ir::Model& model,
                                          std::span<const std::span<const uint8_t>> buffer_bytes,
                                          const LoadLimits& limits = {});

// Number of values a sparse tensor stores (the length its buffer must have, in elements), after
// checking the sparsity metadata against the dense shape. Used by DENSIFY.
absl::StatusOr<int64_t> SparseValueCount(const ir::Sparsity& sparsity,
                                         std::span<const int32_t> dense_shape);

}  // namespace compressd::tflite

#endif  // COMPRESSD_CORE_TFLITE_MODEL_VALIDATOR_H_
