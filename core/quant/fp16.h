// IEEE 754 binary16 ("half") <-> binary32 conversion for float16 weights, in portable C++.
//
// FloatToHalf rounds to nearest, ties to even — what TFLite's converter uses for float16
// quantization (Eigen::half_impl::float_to_half_rtne in tools/optimize/quantization_utils.cc; the
// MLIR quantizer's APFloat conversion rounds the same way) and what x86's F16C VCVTPS2PH does with
// rounding mode 0:
//   * |x| >= 65520 (the midpoint between the largest finite half 65504 and 2^16) becomes ±inf;
//     the converter does not clamp to the largest finite value, so neither do we (the float16
//     pass reports such values as warnings);
//   * values below the normal range become subnormal halves (multiples of 2^-24), |x| <= 2^-25
//     becomes a signed zero (the tie at exactly 2^-25 goes to the even value, zero);
//   * NaN stays NaN (quiet, sign and top payload bits kept).
// HalfToFloat is exact for every input.
// Pure functions, thread-safe.
#ifndef COMPRESSD_CORE_QUANT_FP16_H_
#define COMPRESSD_CORE_QUANT_FP16_H_

#include <cstdint>
#include <span>

namespace compressd::quant {

uint16_t FloatToHalf(float value);
float HalfToFloat(uint16_t half);

// Element-wise over spans of equal length (the caller guarantees it).
void FloatToHalf(std::span<const float> in, std::span<uint16_t> out);
void HalfToFloat(std::span<const uint16_t> in, std::span<float> out);

// True when every value converts to float16 and back unchanged, bit for bit (any NaN counts as
// unchanged): storing them as float16 loses nothing.
bool AllExactlyHalf(std::span<const float> values);

// Largest finite half value (65504).
inline constexpr float kMaxHalf = 65504.0f;

}  // namespace compressd::quant

#endif  // COMPRESSD_CORE_QUANT_FP16_H_
