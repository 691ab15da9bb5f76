// Translation of operator builtin options between the flatbuffer schema and the IR
// (core/ir/builtin_options.h). Options types the IR models are decoded into typed structs; every
// other options table is carried as RawBuiltinOptions (its union type and a standalone flatbuffer
// of the table) and re-encoded unchanged.
//
// Internal to core/tflite (includes generated flatbuffer types).
#ifndef COMPRESSD_CORE_TFLITE_OPTIONS_CODEC_H_
#define COMPRESSD_CORE_TFLITE_OPTIONS_CODEC_H_

#include <optional>

#include "absl/status/statusor.h"
#include "core/ir/builtin_options.h"
#include "core/tflite/schema/tflite_generated.h"

namespace compressd::tflite {

// Decodes op.builtin_options. The buffer must have passed the flatbuffer verifier. Fails with
// UNIMPLEMENTED for a union type this schema does not know (a newer file), naming it.
absl::StatusOr<ir::BuiltinOptions> DecodeBuiltinOptions(const ::tflite::Operator& op);

// Decodes op.builtin_options_2 (nullopt when NONE).
absl::StatusOr<std::optional<ir::RawBuiltinOptions>> DecodeBuiltinOptions2(
    const ::tflite::Operator& op);

struct EncodedOptions {
  uint8_t type = 0;  // union type, 0 = NONE
  flatbuffers::Offset<void> value;
};

// Encodes IR options into `fbb`. RawBuiltinOptions tables must come from DecodeBuiltinOptions
// (or be otherwise well-formed); a malformed one fails with INVALID_ARGUMENT.
absl::StatusOr<EncodedOptions> EncodeBuiltinOptions(const ir::BuiltinOptions& options,
                                                    flatbuffers::FlatBufferBuilder& fbb);
absl::StatusOr<EncodedOptions> EncodeBuiltinOptions2(const ir::RawBuiltinOptions& options,
                                                     flatbuffers::FlatBufferBuilder& fbb);

// Name of a BuiltinOptions union type ("Conv2DOptions"), "NONE" for 0, "unknown(N)" otherwise.
std::string BuiltinOptionsTypeName(uint8_t type);

// The union type the IR's typed options correspond to (0 for monostate, raw.union_type for raw).
uint8_t BuiltinOptionsUnionType(const ir::BuiltinOptions& options);

}  // namespace compressd::tflite

#endif  // COMPRESSD_CORE_TFLITE_OPTIONS_CODEC_H_
