// TFLite's fixed-point integer arithmetic for requantization (gemmlowp's
// SaturatingRoundingDoublingHighMul / RoundingDivideByPOT and TFLite's
// MultiplyByQuantizedMultiplier from tensorflow/lite/kernels/internal/common.{h,cc}), written from
// their documented rules. Integer kernels that must be bit-exact with TFLite use these.
//
// A real multiplier M is represented as (quantized_multiplier, shift) with
//   M ≈ quantized_multiplier * 2^(shift - 31),  quantized_multiplier in [2^30, 2^31) (or 0),
// see quantized_multiplier.h for how the pair is chosen.
//
// Rounding modes. TFLite builds its kernels in one of two modes, selected at compile time by the
// TFLITE_SINGLE_ROUNDING macro:
//   * double rounding (TFLITE_SINGLE_ROUNDING off, TFLite's default and what its reference kernels,
//     the stock runtime and the pinned test oracle use): x * 2^max(shift,0) is multiplied by the
//     multiplier with SaturatingRoundingDoublingHighMul (first rounding), then divided by
//     2^max(-shift,0) with RoundingDivideByPOT (second rounding). Both round to nearest; the
//     high-mul sends ties toward +infinity (as ARM's VQRDMULH), the division sends them away from
//     zero. Two roundings can be off by one from the correctly rounded product.
//   * single rounding: one 64-bit product, one rounding right shift (round half up).
// MultiplyByQuantizedMultiplier is the double-rounding default; the SingleRounding variants are
// provided for runtimes built with the macro (and for tests comparing the two).
//
// Integer overflow follows TFLite's compiled behaviour (two's-complement wrap-around where TFLite
// would overflow an int32 left shift), but defined in C++20 terms. Pure functions, thread-safe.
#ifndef COMPRESSD_CORE_QUANT_FIXED_POINT_H_
#define COMPRESSD_CORE_QUANT_FIXED_POINT_H_

#include <cstdint>
#include <limits>

namespace compressd::quant {

// gemmlowp::SaturatingRoundingDoublingHighMul: 2*a*b / 2^32 rounded to nearest with ties toward
// +infinity (gemmlowp nudges by ±2^30 and truncates toward zero: -1.5 -> -1, 1.5 -> 2); the single
// overflowing case a == b == INT32_MIN saturates to INT32_MAX.
inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) {
    return std::numeric_limits<int32_t>::max();
  }
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  // C++ integer division truncates toward zero, as gemmlowp relies on.
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// gemmlowp::RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero.
// exponent in [0, 31].
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * 2^left_shift with int32 wrap-around (TFLite computes `x * (1 << left_shift)` in int32).
inline int32_t WrappingShiftLeft(int32_t x, int left_shift) {
  return static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift);
}

// TFLite's default (double-rounding) MultiplyByQuantizedMultiplier for int32 accumulators:
//   RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * 2^max(shift,0), qm), max(-shift,0)).
// shift in [-31, 31]; quantized_multiplier may be negative.
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t quantized_multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  return RoundingDivideByPOT(
      SaturatingRoundingDoublingHighMul(WrappingShiftLeft(x, left_shift), quantized_multiplier),
      right_shift);
}

// TFLite's 64-bit-accumulator variant (used by the 16x8 kernels; identical in both rounding
// modes): the multiplier is reduced to 16 bits (rounded, saturating at 0x7FFF), then one rounding
// right shift by 15 - shift (ties toward +inf). Preconditions (TFLite's): quantized_multiplier >=
// 0, shift in [-31, 7], x in [-2^47, 2^47).
inline int32_t MultiplyByQuantizedMultiplier(int64_t x, int32_t quantized_multiplier, int shift) {
  const int32_t reduced_multiplier =
      quantized_multiplier < 0x7FFF0000 ? ((quantized_multiplier + (1 << 15)) >> 16) : 0x7FFF;
  const int total_shift = 15 - shift;
  const int64_t rounded =
      x * static_cast<int64_t>(reduced_multiplier) + (int64_t{1} << (total_shift - 1));
  return static_cast<int32_t>(rounded >> total_shift);
}

// Single-rounding MultiplyByQuantizedMultiplier (TFLITE_SINGLE_ROUNDING builds):
//   (x * qm + 2^(30 - shift)) >> (31 - shift)   computed in int64 (ties toward +inf).
// Preconditions (TFLite's): quantized_multiplier >= 0, shift in [-31, 30].
inline int32_t MultiplyByQuantizedMultiplierSingleRounding(int32_t x, int32_t quantized_multiplier,
                                                           int shift) {
  const int total_shift = 31 - shift;
  const int64_t rounded = static_cast<int64_t>(x) * static_cast<int64_t>(quantized_multiplier) +
                          (int64_t{1} << (total_shift - 1));
  return static_cast<int32_t>(rounded >> total_shift);
}

// TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp (shift <= 0) and
// MultiplyByQuantizedMultiplierGreaterThanOne (shift >= 0) are the general function restricted to
// one sign of shift; they give identical results and are not repeated here.

}  // namespace compressd::quant

#endif  // COMPRESSD_CORE_QUANT_FIXED_POINT_H_
