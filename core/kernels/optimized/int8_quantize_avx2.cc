// AVX2 body of QuantizeFloatToInt8 (compiled with -mavx2 -mfma; called only on AVX2 CPUs).
#include <immintrin.h>

#include "core/kernels/optimized/int8_quantize.h"
#include "core/kernels/optimized/int8_requant_avx2.h"

namespace compressd::kernels::optimized {

int64_t QuantizeFloatToInt8Avx2(float scale, int32_t zero_point, const float* input,
                                int8_t* output, int64_t n) {
  const __m256 vscale = _mm256_set1_ps(scale);
  const __m256 half = _mm256_set1_ps(0.5f);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  const __m256 limit = _mm256_set1_ps(256.0f);
  const __m256 neg_limit = _mm256_set1_ps(-256.0f);
  const __m256i zp = _mm256_set1_epi32(zero_point);
  const __m256i lo = _mm256_set1_epi32(-128);
  const __m256i hi = _mm256_set1_epi32(127);
  const int64_t end = n - n % 8;
  for (int64_t i = 0; i < end; i += 8) {
    // The same float division as the reference (not a reciprocal multiply).
    const __m256 q = _mm256_div_ps(_mm256_loadu_ps(input + i), vscale);
    // round half away from zero: trunc, plus ±1 where |q - trunc(q)| >= 0.5 (the difference is
    // exact: trunc(q) shares q's exponent range).
    const __m256 t = _mm256_round_ps(q, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256 frac = _mm256_andnot_ps(sign_bit, _mm256_sub_ps(q, t));
    const __m256 step = _mm256_or_ps(_mm256_and_ps(q, sign_bit), one);  // ±1 with q's sign
    __m256 r = _mm256_add_ps(t, _mm256_and_ps(_mm256_cmp_ps(frac, half, _CMP_GE_OQ), step));
    // NaN -> 0 (before min/max, which return their second operand for NaN), then bound.
    r = _mm256_and_ps(r, _mm256_cmp_ps(q, q, _CMP_ORD_Q));
    r = _mm256_max_ps(_mm256_min_ps(r, limit), neg_limit);
    __m256i v = _mm256_add_epi32(_mm256_cvttps_epi32(r), zp);
    avx2::StoreLanesAsInt8(output + i, _mm256_min_epi32(_mm256_max_epi32(v, lo), hi));
  }
  return end;
}

}  // namespace compressd::kernels::optimized
