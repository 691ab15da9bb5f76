// Reference DEQUANTIZE kernels (TFLite reference_ops::Dequantize / PerChannelDequantize and the
// float16 path).
//
// Per-tensor: out = float(double(scale) * (q - zero_point)).
// Per-channel along `quantized_dimension` (c = index along it):
//   out = scale[c] * float(q - zero_point[c])   (float arithmetic, as TFLite).
// Float16: exact widening (fp16.h).
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_DEQUANTIZE_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_DEQUANTIZE_H_

#include <cstdint>

#include "core/kernels/reference/fp16.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

template <typename T>
inline void Dequantize(float scale, int64_t zero_point, int64_t size, const T* input,
                       float* output) {
  const double s = scale;
  for (int64_t i = 0; i < size; ++i) {
    output[i] =
        static_cast<float>(s * static_cast<double>(static_cast<int64_t>(input[i]) - zero_point));
  }
}

// scales and zero_points have shape.dim(quantized_dimension) entries.
template <typename T>
inline void PerChannelDequantize(const float* scales, const int64_t* zero_points,
                                 int quantized_dimension, const Shape& shape, const T* input,
                                 float* output) {
  const int64_t outer = shape.Product(0, quantized_dimension);
  const int64_t channels = shape.dim(quantized_dimension);
  const int64_t inner = shape.Product(quantized_dimension + 1, shape.rank());
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t base = (o * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t q = static_cast<int64_t>(input[base + i]) - zero_points[c];
        output[base + i] = scales[c] * static_cast<float>(q);
      }
    }
  }
}

// IEEE half bits -> float.
inline void DequantizeFloat16(int64_t size, const uint16_t* input, float* output) {
  for (int64_t i = 0; i < size; ++i) output[i] = HalfToFloat(input[i]);
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_DEQUANTIZE_H_
