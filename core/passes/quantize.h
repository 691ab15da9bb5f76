// The quantization pass: float model → quantized model (modes in quantize_options.h).
#ifndef COMPRESSD_CORE_PASSES_QUANTIZE_H_
#define COMPRESSD_CORE_PASSES_QUANTIZE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/eval/report.h"
#include "core/ir/model.h"
#include "core/passes/quantize_options.h"

namespace compressd::passes {

// Calibration samples: samples[s][i] holds the raw bytes of model input i for sample s, in the
// input's type and shape.
struct CalibrationSet {
  std::vector<std::vector<std::vector<uint8_t>>> samples;
};

struct QuantizeResult {
  ir::Model model;
  std::vector<eval::KeptFloatOp> kept_float;  // ops left in float, with reasons
  std::vector<std::string> warnings;
};

// `calibration` is required (non-null, non-empty) for kInt8 and kInt16x8 and ignored otherwise.
absl::StatusOr<QuantizeResult> Quantize(const ir::Model& model, const QuantizeOptions& options,
                                        const CalibrationSet* calibration);

}  // namespace compressd::passes

#endif  // COMPRESSD_CORE_PASSES_QUANTIZE_H_
