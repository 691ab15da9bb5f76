#include "core/quant/quantized_multiplier.h"

#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace compressd::quant {

absl::StatusOr<QuantizedMultiplier> QuantizeMultiplier(double real_multiplier, RoundingMode mode) {
  if (!std::isfinite(real_multiplier)) {
    return absl::InvalidArgumentError(
        absl::StrCat("quantized multiplier: real multiplier ", real_multiplier, " is not finite"));
  }
  if (mode == RoundingMode::kSingle && real_multiplier < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "quantized multiplier: single-rounding mode needs a non-negative multiplier, got ",
        real_multiplier));
  }
  QuantizedMultiplier out;
  if (real_multiplier == 0.0) return out;
  int shift = 0;
  const double q = std::frexp(real_multiplier, &shift);
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  // |q| < 1, so |q_fixed| <= 2^31; only the positive end needs renormalizing (TFLite does the same:
  // -2^31 fits in int32).
  if (q_fixed == (int64_t{1} << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    q_fixed = 0;
  }
  if (mode == RoundingMode::kSingle && shift > 30) {
    shift = 30;
    q_fixed = (int64_t{1} << 31) - 1;
  }
  out.multiplier = static_cast<int32_t>(q_fixed);
  out.shift = shift;
  return out;
}

absl::StatusOr<QuantizedMultiplier> QuantizeMultiplierSmallerThanOneExp(double real_multiplier) {
  if (!(real_multiplier > 0.0 && real_multiplier < 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "quantized multiplier: expected a multiplier in (0, 1), got ", real_multiplier));
  }
  return QuantizeMultiplier(real_multiplier);
}

absl::StatusOr<QuantizedMultiplier> QuantizeMultiplierGreaterThanOne(double real_multiplier) {
  if (!(real_multiplier > 1.0) || !std::isfinite(real_multiplier)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "quantized multiplier: expected a finite multiplier > 1, got ", real_multiplier));
  }
  return QuantizeMultiplier(real_multiplier);
}

double DequantizeMultiplier(const QuantizedMultiplier& qm) {
  return std::ldexp(static_cast<double>(qm.multiplier), qm.shift - 31);
}

}  // namespace compressd::quant
