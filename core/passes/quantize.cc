#include "core/passes/quantize.h"

#include "absl/strings/str_cat.h"

namespace compressd::passes {

absl::StatusOr<QuantizeResult> Quantize(const ir::Model& model, const QuantizeOptions& options,
                                        const CalibrationSet* calibration) {
  return absl::UnimplementedError(
      absl::StrCat("quantization mode ", QuantModeName(options.mode), " is not available yet"));
}

}  // namespace compressd::passes
