// Reference QUANTIZE float32 -> integer kernels (TFLite reference_ops::AffineQuantize /
// PerChannelQuantize):
//   q = clamp(round_half_away_from_zero(x / scale) + zero_point, T's range)
// with x / scale computed in float, except for int16: TFLite's default kernel
// (optimized_ops::AffineQuantize for int16) divides in double, which rounds differently where
// x / scale lies within a float rounding error of a .5 tie (checked against the TFLite runtime by
// the 16x8 models of tests/compat/quantize_int8_oracle_test.cc). NaN inputs (undefined behaviour
// in TFLite's cast) map to zero_point clamped to T's range.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_QUANTIZE_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_QUANTIZE_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "core/kernels/shape.h"
#include "core/quant/fixed_point.h"

namespace compressd::kernels::reference {

template <typename T>
inline T QuantizeValue(float x, float scale, int64_t zero_point) {
  constexpr double kMin = std::numeric_limits<T>::min();
  constexpr double kMax = std::numeric_limits<T>::max();
  const double rounded = std::is_same_v<T, int16_t>
                             ? std::round(static_cast<double>(x) / static_cast<double>(scale))
                             : static_cast<double>(std::round(x / scale));
  const double unclamped =
      (std::isnan(rounded) ? 0.0 : rounded) + static_cast<double>(zero_point);
  return static_cast<T>(std::min(std::max(unclamped, kMin), kMax));
}

template <typename T>
inline void Quantize(float scale, int64_t zero_point, int64_t size, const float* input, T* output) {
  for (int64_t i = 0; i < size; ++i) output[i] = QuantizeValue<T>(input[i], scale, zero_point);
}

// scales and zero_points have shape.dim(quantized_dimension) entries.
template <typename T>
inline void PerChannelQuantize(const float* scales, const int64_t* zero_points,
                               int quantized_dimension, const Shape& shape, const float* input,
                               T* output) {
  const int64_t outer = shape.Product(0, quantized_dimension);
  const int64_t channels = shape.dim(quantized_dimension);
  const int64_t inner = shape.Product(quantized_dimension + 1, shape.rank());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t base = (o * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i) {
        output[base + i] = QuantizeValue<T>(input[base + i], scales[c], zero_points[c]);
      }
    }
  }
}

// TFLite's reference_ops::Requantize (QUANTIZE between integer types; the default kernel's
// optimized_ops::Requantize and the int8<->uint8 "xor 0x80" fast path give the same values):
//   out = clamp(MBQM(x - in_zp, multiplier, shift) + out_zp, Out's range)
// with (multiplier, shift) = QuantizeMultiplier(double(in_scale) / double(out_scale)).
template <typename In, typename Out>
inline void Requantize(int64_t size, const In* input, int32_t multiplier, int shift,
                       int32_t input_zero_point, int32_t output_zero_point, Out* output) {
  constexpr int32_t kMin = std::numeric_limits<Out>::min();
  constexpr int32_t kMax = std::numeric_limits<Out>::max();
  for (int64_t i = 0; i < size; ++i) {
    const int32_t v =
        quant::MultiplyByQuantizedMultiplier(int32_t{input[i]} - input_zero_point, multiplier,
                                             shift) +
        output_zero_point;
    output[i] = static_cast<Out>(std::min(std::max(v, kMin), kMax));
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_QUANTIZE_H_
