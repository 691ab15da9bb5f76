// QUANTIZE float32 -> int8 with one scale and zero point, TFLite's builtin arithmetic
// (reference_ops::AffineQuantize): q = clamp(round_half_away_from_zero(x / scale) + zero_point,
// -128, 127), x / scale in float; NaN maps to the zero point (clamped).
//
// Bit-exact with reference::QuantizeValue<int8_t> (reference/quantize.h); tested against it.
// Dispatch: AVX2 (8 lanes) on AVX2+FMA CPUs (GetCpuFeatures(), honouring COMPRESSD_CPU), a scalar
// loop otherwise.
//
// Thread safety: pure function of its arguments.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_QUANTIZE_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_QUANTIZE_H_

#include <cstdint>

namespace compressd::kernels::optimized {

// scale > 0 and finite; zero_point in [-128, 127].
void QuantizeFloatToInt8(float scale, int32_t zero_point, const float* input, int8_t* output,
                         int64_t n);
void QuantizeFloatToInt8Portable(float scale, int32_t zero_point, const float* input,
                                 int8_t* output, int64_t n);

#if defined(__x86_64__)
// AVX2 body (int8_quantize_avx2.cc): the first n - n % 8 elements; returns how many.
int64_t QuantizeFloatToInt8Avx2(float scale, int32_t zero_point, const float* input,
                                int8_t* output, int64_t n);
#endif

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_QUANTIZE_H_
