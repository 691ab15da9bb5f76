// Full-integer quantization: float model + calibrated tensor ranges → a model whose operators run
// TFLite's integer kernels (int8 activations, or int16 activations with int8 weights for 16x8).
//
// What it produces (TFLite's quantization specification; operator rules in integer_op_rules.h):
//   * weights int8 symmetric in [-127, 127] with zero point 0, per channel (CONV_2D axis 0,
//     DEPTHWISE_CONV_2D axis 3; FULLY_CONNECTED per tensor unless fully_connected_per_channel) or
//     per tensor; biases int32 (int64 for 16x8) with scale input_scale × weight_scale[c];
//   * activations int8 asymmetric per tensor from their calibrated range (widened to hold 0), or
//     int16 symmetric with zero point 0 for 16x8; kernel-fixed outputs (LOGISTIC, TANH) and shared
//     parameters (pooling, PAD, RESHAPE, RESIZE_*, CONCATENATION) as TFLite requires;
//   * other float constants read by a converted operator quantized like activations (own range);
//   * operators without an integer kernel, custom operators, operators named in keep_float_ops
//     and operators with an input that calibration never saw stay float32: DEQUANTIZE in front of
//     them, QUANTIZE after them (mixed precision), each listed in `kept_float` with its reason;
//   * model inputs and outputs stay float32 with QUANTIZE / DEQUANTIZE inserted (their tensors
//     keep their names and indices), or become int8 / uint8 (io_type; uint8 through an extra
//     QUANTIZE, as TFLite's converter does);
//   * operator versions raised to what TFLite requires for the integer kernels.
// Only subgraph 0 is converted; models with more subgraphs are rejected (UNIMPLEMENTED).
// The input model must hold float32 weights (fold float16 ones first: fold_fp16_weights.h).
// Thread-safe (pure function of its inputs).
#ifndef COMPRESSD_CORE_PASSES_FULL_INTEGER_H_
#define COMPRESSD_CORE_PASSES_FULL_INTEGER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/eval/report.h"
#include "core/ir/model.h"
#include "core/passes/calibration.h"
#include "core/passes/quantize_options.h"

namespace compressd::passes {

struct FullIntegerOptions {
  int activation_bits = 8;  // 8: int8 activations; 16: int16 activations (16x8)
  bool per_channel = true;
  bool fully_connected_per_channel = false;
  IoType io_type = IoType::kFloat32;
  std::vector<int32_t> keep_float_ops;  // subgraph 0 operator indices of the input model
  // Subtract from each bias the mean output shift its weights' rounding causes, estimated with the
  // calibration means of the input channels (TensorRanges::channel_means). Operators without a
  // bias are left as they are.
  bool bias_correction = false;
  // With activation_bits == 8: operators (subgraph 0 indices) whose activations use 16x8
  // instead: unsupported so far (UNIMPLEMENTED when non-empty).
  std::vector<int32_t> int16_ops;
};

struct FullIntegerResult {
  ir::Model model;
  int quantized_ops = 0;
  std::vector<eval::KeptFloatOp> kept_float;  // operator indices refer to `model`
  std::vector<std::string> warnings;
};

// `ranges` must come from CalibrateRanges on the same model (one entry per tensor of subgraph 0).
// INVALID_ARGUMENT for a model that fails validation, ranges of the wrong size, an io_type other
// than float32 with activation_bits 16, or a keep_float index out of range.
absl::StatusOr<FullIntegerResult> QuantizeFullInteger(const ir::Model& model,
                                                      const TensorRanges& ranges,
                                                      const FullIntegerOptions& options);

}  // namespace compressd::passes

#endif  // COMPRESSD_CORE_PASSES_FULL_INTEGER_H_
