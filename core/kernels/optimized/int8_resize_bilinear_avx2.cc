// AVX2 channel loop of Int8ResizeBilinear (-mavx2 -mfma; AVX2 CPUs only).
#include <immintrin.h>

#include "core/kernels/optimized/int8_requant_avx2.h"
#include "core/kernels/optimized/int8_resize_bilinear.h"

namespace compressd::kernels::optimized {

using avx2::LoadInt8AsInt32;

int32_t Int8BilinearPixelAvx2(const int8_t* p00, const int8_t* p10, const int8_t* p01,
                              const int8_t* p11, int32_t w00, int32_t w10, int32_t w01,
                              int32_t w11, int8_t* out, int32_t depth) {
  const __m256i v00 = _mm256_set1_epi32(w00);
  const __m256i v10 = _mm256_set1_epi32(w10);
  const __m256i v01 = _mm256_set1_epi32(w01);
  const __m256i v11 = _mm256_set1_epi32(w11);
  const __m256i half = _mm256_set1_epi32(1 << 19);
  const __m256i two_halves = _mm256_set1_epi32(1 << 20);
  const __m256i zero = _mm256_setzero_si256();
  const int32_t end = depth - depth % 8;
  for (int32_t c = 0; c < end; c += 8) {
    __m256i sum = _mm256_mullo_epi32(LoadInt8AsInt32(p00 + c), v00);
    sum = _mm256_add_epi32(sum, _mm256_mullo_epi32(LoadInt8AsInt32(p10 + c), v10));
    sum = _mm256_add_epi32(sum, _mm256_mullo_epi32(LoadInt8AsInt32(p01 + c), v01));
    sum = _mm256_add_epi32(sum, _mm256_mullo_epi32(LoadInt8AsInt32(p11 + c), v11));
    // (sum + sign(sum)·2^19) / 2^20 truncated toward zero (sum <= 0 takes -2^19): divide the
    // magnitude and restore the sign.
    const __m256i positive = _mm256_cmpgt_epi32(sum, zero);
    const __m256i rounded =
        _mm256_add_epi32(sum, _mm256_sub_epi32(_mm256_and_si256(positive, two_halves), half));
    const __m256i sign = _mm256_srai_epi32(rounded, 31);
    const __m256i magnitude = _mm256_sub_epi32(_mm256_xor_si256(rounded, sign), sign);
    const __m256i q = _mm256_srli_epi32(magnitude, 20);
    // The saturating packs of StoreLanesAsInt8 clamp to [-128, 127] like the reference.
    avx2::StoreLanesAsInt8(out + c, _mm256_sub_epi32(_mm256_xor_si256(q, sign), sign));
  }
  return end;
}

}  // namespace compressd::kernels::optimized
