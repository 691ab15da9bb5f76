// Float16 weight quantization, as TFLite's converter does it for
// `target_spec.supported_types = [tf.float16]` (tools/optimize/quantize_weights.cc
// QuantizeWeightsFloat16; the MLIR quantizer treats weights and biases the same way):
//
//   every float32 constant tensor that an operator reads (weights, biases, any other float
//   constant input) becomes a float16 constant, and a DEQUANTIZE operator (version 3, the one
//   that takes float16) producing a float32 tensor named "<name>_dequantize" is inserted before
//   its first reader; all readers, and subgraph outputs that were the constant, read the new
//   tensor. Operator order stays a valid execution order. Constants nothing reads stay float32.
//
// float32 → float16 rounds to nearest even (quant/fp16.h). Like the converter, values beyond
// float16's range become ±inf (not clamped); each such tensor, and each NaN-holding one, is named
// in a warning. Skipped: sparse tensors (their readers are DENSIFY ops), variable tensors, empty
// tensors, tensors read by an operator listed in `keep_float_ops` (subgraph 0 indices) and, with
// `lossless_only`, tensors holding a value float16 cannot represent exactly.
//
// Thread-safe (pure function of its input).
#ifndef COMPRESSD_CORE_PASSES_FLOAT16_WEIGHTS_H_
#define COMPRESSD_CORE_PASSES_FLOAT16_WEIGHTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/ir/model.h"

namespace compressd::passes {

struct Float16Result {
  ir::Model model;
  int converted = 0;  // float32 constants now stored as float16
  std::vector<std::string> warnings;
};

struct Float16Options {
  std::vector<int32_t> keep_float_ops;  // subgraph 0 operators whose constant inputs stay float32
  // Convert only constants whose every value is exactly a float16 value (so the conversion loses
  // nothing), e.g. float16 weights an earlier fold widened; other constants stay float32.
  bool lossless_only = false;
};

// INVALID_ARGUMENT naming the tensor when a constant's buffer does not match its shape.
absl::StatusOr<Float16Result> ConvertWeightsToFloat16(const ir::Model& model,
                                                      const Float16Options& options = {});

}  // namespace compressd::passes

#endif  // COMPRESSD_CORE_PASSES_FLOAT16_WEIGHTS_H_
