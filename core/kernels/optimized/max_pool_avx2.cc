// AVX2 folds of MaxPoolFloat / MaxPoolInt8 (-mavx2 -mfma; AVX2 CPUs only).
#include <immintrin.h>

#include <algorithm>

#include "core/kernels/optimized/max_pool.h"

namespace compressd::kernels::optimized {

void MaxIntoFloatAvx2(float* acc, const float* in, int32_t n) {
  int32_t c = 0;
  for (; c + 8 <= n; c += 8) {
    // vmaxps returns its second operand when either is NaN: max(in, acc) keeps acc for a NaN
    // input, as std::max(acc, in) does.
    _mm256_storeu_ps(acc + c, _mm256_max_ps(_mm256_loadu_ps(in + c), _mm256_loadu_ps(acc + c)));
  }
  for (; c < n; ++c) acc[c] = std::max(acc[c], in[c]);
}

void MaxIntoInt8Avx2(int8_t* acc, const int8_t* in, int32_t n) {
  int32_t c = 0;
  for (; c + 32 <= n; c += 32) {
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + c));
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + c));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + c), _mm256_max_epi8(a, v));
  }
  for (; c + 16 <= n; c += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(acc + c));
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + c));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(acc + c), _mm_max_epi8(a, v));
  }
  for (; c < n; ++c) acc[c] = std::max(acc[c], in[c]);
}

}  // namespace compressd::kernels::optimized
