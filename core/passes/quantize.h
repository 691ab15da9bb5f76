// The quantization pass: float model → quantized model (modes in quantize_options.h).
//
// Every mode first folds float16 weights behind DEQUANTIZE (how MediaPipe ships its models) into
// float32 constants (fold_fp16_weights.h), then:
//   kFloat16  every float32 constant an operator reads becomes float16 + DEQUANTIZE, as TFLite's
//             converter does (float16_weights.h). On a MediaPipe model this rebuilds the original
//             structure (same tensor names; outputs bit-identical in TFLite).
//   kDynamic  CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED weights become int8 for TFLite's
//             hybrid kernels (dynamic_range.h; options.per_tensor, options.dynamic_min_elements).
//             Float constants that stay float and hold only float16-exact values (the folded
//             float16 weights of the input) are stored as float16 + DEQUANTIZE again, which changes
//             no value and keeps small weights and biases at their original size.
//   kInt8, kInt16x8  calibrate on `calibration` (calibration.h), then convert to integer kernels
//             (full_integer.h): int8 activations, or int16 activations with int8 weights.
// options.keep_float names operators (output tensor name, or operator index in subgraph 0 of the
// model passed in) whose weights stay float32.
//
// The result always passes tflite::ValidateModel and has a valid execution order (checked;
// INTERNAL otherwise). Thread-safe (pure function of its inputs).
#ifndef COMPRESSD_CORE_PASSES_QUANTIZE_H_
#define COMPRESSD_CORE_PASSES_QUANTIZE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/eval/report.h"
#include "core/ir/model.h"
#include "core/passes/calibration.h"
#include "core/passes/quantize_options.h"

namespace compressd::passes {

struct QuantizeResult {
  ir::Model model;
  // Weight-bearing ops left in float, with reasons; operator indices refer to `model`.
  std::vector<eval::KeptFloatOp> kept_float;
  std::vector<std::string> warnings;
  uint32_t calibration_samples = 0;  // kInt8 / kInt16x8
  // kInt8 / kInt16x8: standalone RELU / RELU6 / RELU_N1_TO_1 operators fused into the operator
  // producing their input (passes/fuse_activations.h) before calibration.
  int fused_activations = 0;
};

// `calibration` is required (non-null, non-empty) for kInt8 and kInt16x8 and ignored otherwise.
// INVALID_ARGUMENT for an invalid model, a keep_float entry naming nothing, an io_type other than
// float32 (only kInt8 changes inputs/outputs), a negative dynamic_min_elements or a missing/empty
// calibration set in a calibrated mode; calibration errors name the sample and input.
absl::StatusOr<QuantizeResult> Quantize(const ir::Model& model, const QuantizeOptions& options,
                                        const CalibrationSet* calibration);

}  // namespace compressd::passes

#endif  // COMPRESSD_CORE_PASSES_QUANTIZE_H_
