// Reference quantized activations, bit-exact with TensorFlow Lite's default kernels:
//
//   RELU / RELU6 / RELU_N1_TO_1 (TFLite activations.cc QuantizedReluX -> reference_ops::ReluX):
//     out = clamp(out_zp + MBQM(x - in_zp, mult, shift), act_min, act_max)
//     mult/shift = QuantizeMultiplier(float(in_scale / out_scale)),
//     act_min = max(T_min, out_zp + round(lo / out_scale)),
//     act_max = hi == inf ? T_max : min(T_max, out_zp + round(hi / out_scale)).
//
//   HARD_SWISH 8-bit (TFLite HardSwishPrepare + reference_ops::HardSwish, which the generic
//     optimized kernel equals off NEON): 16-bit fixed-point steps, see HardSwishElement.
//
//   LOGISTIC 8-bit (TFLite SigmoidPrepare for the reference / generic optimized kernels: a
//     256-entry table from LUTPopulate, see PopulateLut):
//     table[x] = clamp(int32(round(f(in_scale * (x - in_zp)) * (1 / out_scale)) + out_zp))
//     with float arithmetic throughout and f(v) = 1 / (1 + exp(-v)).
//
// Elementwise; `in` and `out` may alias. Eval-time functions never allocate.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_INTEGER_ACTIVATIONS_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_INTEGER_ACTIVATIONS_H_

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/quant/fixed_point.h"

namespace compressd::kernels::reference {

// ---- int16 fixed-point helpers (gemmlowp / TFLite int16 variants) ----

// gemmlowp::SaturatingRoundingDoublingHighMul for int16: (a*b + nudge) / 2^15 truncated, nudge
// 2^14 for a non-negative product and 1 - 2^14 otherwise; -32768 * -32768 saturates to 32767.
inline int16_t SaturatingRoundingDoublingHighMul16(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::max();
  const int32_t ab = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));
}

// TFLite's reference_ops::SaturatingDoublingHighMul: a*b / 2^15 truncated toward zero (no
// rounding), -32768 * -32768 saturating to 32767.
inline int16_t SaturatingDoublingHighMul16(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::max();
  const int32_t ab = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  return static_cast<int16_t>(ab / (1 << 15));
}

// gemmlowp::RoundingDivideByPOT for int16: x / 2^exponent, ties away from zero, for exponent in
// [0, 31]. gemmlowp builds the mask (2^exponent - 1) in the int16 type itself, so for exponent >= 16
// the mask is all ones and the result degenerates to 1 for x >= 0 and -1 for x < 0; this keeps
// that behaviour.
inline int16_t RoundingDivideByPOT16(int16_t x, int exponent) {
  const int16_t mask = static_cast<int16_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int16_t>((x >> exponent) + (remainder > threshold ? 1 : 0));
}

// TFLite's reference_ops::SaturatingLeftShift for int16: x * 2^amount saturated to int16.
inline int16_t SaturatingLeftShift16(int16_t x, int amount) {
  const int64_t v = static_cast<int64_t>(x) * (int64_t{1} << amount);
  return static_cast<int16_t>(std::min<int64_t>(std::max<int64_t>(v, -32768), 32767));
}

// ---- RELU family ----

struct QuantizedReluParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int32_t output_multiplier = 0;
  int output_shift = 0;
  int32_t act_min = 0;
  int32_t act_max = 0;
};

inline int32_t QuantizedReluElement(const QuantizedReluParams& p, int32_t x) {
  const int32_t v = p.output_zero_point +
                    quant::MultiplyByQuantizedMultiplier(x - p.input_zero_point,
                                                         p.output_multiplier, p.output_shift);
  return std::min(std::max(v, p.act_min), p.act_max);
}

// ---- HARD_SWISH ----

struct QuantizedHardSwishParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int16_t output_multiplier_fixedpoint_int16 = 0;
  int output_multiplier_exponent = 0;  // <= 0 (Prepare checks it, as TFLite)
  int16_t reluish_multiplier_fixedpoint_int16 = 0;
  int reluish_multiplier_exponent = 0;  // in [-15, 15]
};

// TFLite's DownScaleInt32ToInt16Multiplier: round a Q0.31 multiplier to Q0.15, saturating at
// 32767 when rounding would overflow.
inline int16_t DownScaleInt32ToInt16Multiplier(int32_t multiplier) {
  constexpr int32_t kRoundingOffset = 1 << 15;
  if (multiplier >= std::numeric_limits<int32_t>::max() - kRoundingOffset) {
    return std::numeric_limits<int16_t>::max();
  }
  return static_cast<int16_t>((multiplier + kRoundingOffset) >> 16);
}

// One element of TFLite's quantized HardSwish for an 8-bit value x (int8 or uint8 range):
//   v = x - in_zp (int16); hires = v * 2^7;
//   pre_out = SRDHM16(hires, out_mult16);
//   r = hires; if (e_r > 0) r = SatLeftShift(r, e_r - 1); r = SRDHM16(r, reluish_mult16);
//   if (e_r > 0) r = SatLeftShift(r, 1); if (e_r < 0) r = RDBPOT16(r, -e_r);
//   r = (r + 2^15) >> 1   (int32, then int16: [-1, 1] -> [0, 1]);
//   out = RDBPOT16(SDHM16(r, pre_out), -e_out) + out_zp, clamped to [out_min, out_max].
inline int32_t QuantizedHardSwishElement(const QuantizedHardSwishParams& p, int32_t x,
                                         int32_t out_min, int32_t out_max) {
  const int16_t v = static_cast<int16_t>(x - p.input_zero_point);
  const int16_t hires = static_cast<int16_t>(v * (1 << 7));
  const int16_t pre_out = SaturatingRoundingDoublingHighMul16(hires, p.output_multiplier_fixedpoint_int16);
  int16_t reluish = hires;
  if (p.reluish_multiplier_exponent > 0) {
    reluish = SaturatingLeftShift16(reluish, p.reluish_multiplier_exponent - 1);
  }
  reluish = SaturatingRoundingDoublingHighMul16(reluish, p.reluish_multiplier_fixedpoint_int16);
  if (p.reluish_multiplier_exponent > 0) reluish = SaturatingLeftShift16(reluish, 1);
  if (p.reluish_multiplier_exponent < 0) {
    reluish = RoundingDivideByPOT16(reluish, -p.reluish_multiplier_exponent);
  }
  reluish = static_cast<int16_t>((static_cast<int32_t>(reluish) + (1 << 15)) >> 1);
  const int16_t preshift = SaturatingDoublingHighMul16(reluish, pre_out);
  int16_t out = RoundingDivideByPOT16(preshift, -p.output_multiplier_exponent);
  // TFLite adds the zero point in int16 arithmetic; |out| <= 2^15 >> 0 and |zp| <= 255, so the sum
  // is computed in int32 and narrowed the same way.
  out = static_cast<int16_t>(static_cast<int32_t>(out) + p.output_zero_point);
  return std::min<int32_t>(std::max<int32_t>(out, out_min), out_max);
}

// ---- lookup tables (8-bit) ----

// TFLite's LUTPopulate for 8-bit types: entry for every value x of T, indexed by the value's byte
// (uint8 reinterpretation, as TFLite's LUTIndex). `f` maps float to float.
template <typename T, typename F>
inline void PopulateLut(float input_scale, int32_t input_zero_point, float output_scale,
                        int32_t output_zero_point, F f, std::array<T, 256>& table) {
  static_assert(sizeof(T) == 1);
  const float inverse_scale = 1 / output_scale;
  constexpr int32_t kMin = std::numeric_limits<T>::min();
  constexpr int32_t kMax = std::numeric_limits<T>::max();
  for (int32_t x = kMin; x <= kMax; ++x) {
    const float dequantized = input_scale * static_cast<float>(x - input_zero_point);
    const float transformed = f(dequantized);
    const float rescaled = std::round(transformed * inverse_scale);
    const float shifted = rescaled + static_cast<float>(output_zero_point);
    // static_cast<int32_t> of a float outside int32 (or NaN) is undefined; TFLite only sees
    // finite in-range values for the functions it tabulates. Clamp first so the result is
    // defined and equal wherever TFLite's is.
    int32_t q;
    if (std::isnan(shifted)) {
      q = kMin;
    } else if (shifted >= 2147483520.0f) {
      q = kMax;
    } else if (shifted <= -2147483520.0f) {
      q = kMin;
    } else {
      q = static_cast<int32_t>(shifted);
    }
    table[static_cast<uint8_t>(static_cast<T>(x))] = static_cast<T>(std::min(std::max(q, kMin), kMax));
  }
}

// out[i] = table[byte of in[i]].
template <typename T>
inline void LookupTable(int64_t size, const T* in, const std::array<T, 256>& table, T* out) {
  for (int64_t i = 0; i < size; ++i) out[i] = table[static_cast<uint8_t>(in[i])];
}

// TFLite's float logistic transform used to populate the 8-bit table.
inline float LogisticForTable(float v) { return 1.0f / (1.0f + std::exp(-v)); }

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_INTEGER_ACTIVATIONS_H_
