// Reading TFLite flatbuffers into the IR, defensively: model bytes come from remote users.
//
// ReadModel runs the FlatBuffers verifier and then checks every invariant the rest of the core
// relies on (index ranges, shapes and element counts, constant buffer sizes, quantization and
// sparsity consistency, operator arity for known ops, no integer overflow, limits below). Any
// violation is an absl::Status (INVALID_ARGUMENT, or RESOURCE_EXHAUSTED for a limit) whose message
// names the subgraph/tensor/operator at fault. It never crashes, asserts or allocates more than a
// small multiple of the input size.
//
// Thread-safe: no shared state.
#ifndef COMPRESSD_CORE_TFLITE_MODEL_READER_H_
#define COMPRESSD_CORE_TFLITE_MODEL_READER_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/ir/model.h"
#include "core/tflite/load_limits.h"

namespace compressd::tflite {

absl::StatusOr<ir::Model> ReadModel(std::span<const uint8_t> bytes, const LoadLimits& limits = {});

// A model read without copying its constant buffers (for validating and summarizing large files
// cheaply). `model` is what ReadModel returns except that every buffer is empty (data == nullptr);
// `buffers[i]` is buffer i's data inside the input bytes (empty when the buffer has none), valid
// only as long as those bytes are.
struct ModelView {
  ir::Model model;
  std::vector<std::span<const uint8_t>> buffers;
};

// Accepts and rejects exactly the inputs ReadModel does, with the same status: the same size
// limit, verifier, copy budget (buffers are charged as if they were copied) and ValidateModel
// checks (run on the views). Does not read the bytes of buffers that no check looks at.
absl::StatusOr<ModelView> ReadModelView(std::span<const uint8_t> bytes,
                                        const LoadLimits& limits = {});

// Reads and validates a .tflite file (the file size is checked against limits first).
absl::StatusOr<ir::Model> ReadModelFile(const std::string& path, const LoadLimits& limits = {});

}  // namespace compressd::tflite

#endif  // COMPRESSD_CORE_TFLITE_MODEL_READER_H_
