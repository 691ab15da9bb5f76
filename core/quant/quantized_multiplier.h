// Turning a real-valued rescale factor into TFLite's (int32 multiplier, shift) pair, exactly as
// tflite::QuantizeMultiplier in tensorflow/lite/kernels/internal/quantization_util.cc:
//
//   q, shift = frexp(m)                  m = q * 2^shift, |q| in [0.5, 1)
//   q_fixed  = round(q * 2^31)           round half away from zero (TfLiteRound = std::round)
//   q_fixed == 2^31  ->  q_fixed = 2^30, shift += 1
//   shift < -31      ->  q_fixed = 0, shift = 0        (tiny multipliers flush to zero)
//   single rounding only: shift > 30 -> shift = 30, q_fixed = 2^31 - 1 (saturate)
//   m == 0           ->  (0, 0)
//
// so that m ≈ multiplier * 2^(shift - 31). Kernels compute these once in Prepare and apply them
// with fixed_point.h. Pure functions, thread-safe.
#ifndef COMPRESSD_CORE_QUANT_QUANTIZED_MULTIPLIER_H_
#define COMPRESSD_CORE_QUANT_QUANTIZED_MULTIPLIER_H_

#include <cstdint>

#include "absl/status/statusor.h"

namespace compressd::quant {

// Which of TFLite's two build modes the pair is for (see fixed_point.h). kDouble is TFLite's
// default and the one compressd's kernels use.
enum class RoundingMode { kDouble, kSingle };

struct QuantizedMultiplier {
  int32_t multiplier = 0;  // Q0.31 fixed point, |multiplier| in [2^30, 2^31) or 0
  int shift = 0;           // power of two: positive = left shift
  bool operator==(const QuantizedMultiplier&) const = default;
};

// INVALID_ARGUMENT for NaN or infinite `real_multiplier`, and for negative ones in kSingle mode
// (TFLite's single-rounding kernels only take non-negative multipliers). Negative multipliers are
// accepted in kDouble mode, as TFLite does.
absl::StatusOr<QuantizedMultiplier> QuantizeMultiplier(double real_multiplier,
                                                       RoundingMode mode = RoundingMode::kDouble);

// TFLite's QuantizeMultiplierSmallerThanOneExp: requires 0 < m < 1; the shift is <= 0.
absl::StatusOr<QuantizedMultiplier> QuantizeMultiplierSmallerThanOneExp(double real_multiplier);

// TFLite's QuantizeMultiplierGreaterThanOne: requires m > 1; the shift is >= 0.
absl::StatusOr<QuantizedMultiplier> QuantizeMultiplierGreaterThanOne(double real_multiplier);

// The real value a pair stands for: multiplier * 2^(shift - 31) (for tests and reports).
double DequantizeMultiplier(const QuantizedMultiplier& qm);

}  // namespace compressd::quant

#endif  // COMPRESSD_CORE_QUANT_QUANTIZED_MULTIPLIER_H_
