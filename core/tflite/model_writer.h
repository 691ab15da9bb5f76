// Serializing the IR into a .tflite flatbuffer that TensorFlow Lite loads. Constant buffers are
// aligned to 16 bytes inside the file, as TFLite's own converter does, so runtimes can map them
// in place. Models whose buffers would push the flatbuffer past 2 GiB are written in TFLite's
// "buffers after the flatbuffer" form (Buffer.offset/size).
//
// Thread-safe: no shared state.
#ifndef COMPRESSD_CORE_TFLITE_MODEL_WRITER_H_
#define COMPRESSD_CORE_TFLITE_MODEL_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/ir/model.h"

namespace compressd::tflite {

absl::StatusOr<std::vector<uint8_t>> WriteModel(const ir::Model& model);

// Writes atomically (temp file + fsync + rename).
absl::Status WriteModelFile(const ir::Model& model, const std::string& path);

}  // namespace compressd::tflite

#endif  // COMPRESSD_CORE_TFLITE_MODEL_WRITER_H_
