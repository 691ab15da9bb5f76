// AVX2 channel loop of XnnInt8ResizeBilinear (-mavx2 -mfma; AVX2 CPUs only). Integer only.
#include <immintrin.h>

#include "core/kernels/optimized/xnnpack_int8_resize.h"

namespace compressd::kernels::optimized {
namespace {

// 8 channels of a and b interleaved as int16 pairs (a0, b0, a1, b1, ...).
inline __m256i LoadPairs(const int8_t* a, const int8_t* b) {
  const __m128i va = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(a));
  const __m128i vb = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(b));
  return _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(va, vb));
}

}  // namespace

int32_t XnnInt8BilinearPixelAvx2(const int8_t* tl, const int8_t* tr, const int8_t* bl,
                                 const int8_t* br, int32_t alpha_h, int32_t alpha_v, int8_t* out,
                                 int32_t depth) {
  // l*2048 + (r - l)*alpha_h == l*(2048 - alpha_h) + r*alpha_h: one vpmaddwd on (l, r) pairs
  // (weights within [0, 2048] fit int16; the pair sum is exact in int32).
  const __m256i weights_h = _mm256_set1_epi32(static_cast<int32_t>(
      (static_cast<uint32_t>(alpha_h) << 16) | static_cast<uint32_t>(2048 - alpha_h)));
  const __m256i av = _mm256_set1_epi32(alpha_v);
  const __m256i round = _mm256_set1_epi32(1 << 21);
  const int32_t end = depth - depth % 8;
  for (int32_t c = 0; c < end; c += 8) {
    const __m256i top = _mm256_madd_epi16(LoadPairs(tl + c, tr + c), weights_h);
    const __m256i bottom = _mm256_madd_epi16(LoadPairs(bl + c, br + c), weights_h);
    const __m256i acc = _mm256_add_epi32(_mm256_slli_epi32(top, 11),
                                         _mm256_mullo_epi32(_mm256_sub_epi32(bottom, top), av));
    const __m256i v = _mm256_srai_epi32(_mm256_add_epi32(acc, round), 22);  // in [-128, 127]
    // Narrow 8 int32 lanes to bytes (the packs saturate, a no-op for values in range).
    const __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + c), _mm_packs_epi16(w16, w16));
  }
  return end;
}

}  // namespace compressd::kernels::optimized
