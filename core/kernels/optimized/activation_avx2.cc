// AVX2 bodies of the activation kernels (-mavx2 -mfma; AVX2 CPUs only). Only comparisons,
// min/max and byte shuffles: nothing the compiler could contract into FMA.
#include <immintrin.h>

#include "core/kernels/optimized/activation.h"

namespace compressd::kernels::optimized {

void ReluFloatAvx2(const float* in, float* out, int64_t n) {
  // vmaxps(a, b) is a > b ? a : b, so max(0, v) is "0 > v ? 0 : v", i.e. "v < 0 ? 0 : v":
  // -0.0 and NaN (both compare false) pass through as in the reference.
  const __m256 zero = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 a = _mm256_loadu_ps(in + i);
    const __m256 b = _mm256_loadu_ps(in + i + 8);
    _mm256_storeu_ps(out + i, _mm256_max_ps(zero, a));
    _mm256_storeu_ps(out + i + 8, _mm256_max_ps(zero, b));
  }
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(out + i, _mm256_max_ps(zero, _mm256_loadu_ps(in + i)));
  }
  for (; i < n; ++i) {
    const float v = in[i];
    out[i] = v < 0.0f ? 0.0f : v;
  }
}

void ReluRangeFloatAvx2(const float* in, float* out, int64_t n, float lower, float upper) {
  // max(lower, v) = lower > v ? lower : v (NaN and, for lower == 0, -0.0 pass through); then
  // min(upper, w) = upper < w ? upper : w. With lower < upper, w > upper exactly when v > upper,
  // which is the reference's order of tests.
  const __m256 lo = _mm256_set1_ps(lower);
  const __m256 hi = _mm256_set1_ps(upper);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(in + i);
    _mm256_storeu_ps(out + i, _mm256_min_ps(hi, _mm256_max_ps(lo, v)));
  }
  for (; i < n; ++i) {
    const float v = in[i];
    out[i] = v > upper ? upper : (v < lower ? lower : v);
  }
}

namespace {

void AffineAvx2(const Int8Lut& lut, const int8_t* in, int8_t* out, int64_t n) {
  // Saturating add / subtract gives clamp(x + offset, -128, 127); [lo, hi] lies inside that
  // range, so clamping again to [lo, hi] gives clamp(x + offset, lo, hi).
  const bool add = lut.offset >= 0;
  const __m256i d = _mm256_set1_epi8(static_cast<char>(add ? lut.offset : -lut.offset));
  const __m256i lo = _mm256_set1_epi8(lut.lo);
  const __m256i hi = _mm256_set1_epi8(lut.hi);
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    const __m256i s = add ? _mm256_adds_epi8(x, d) : _mm256_subs_epi8(x, d);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                        _mm256_min_epi8(hi, _mm256_max_epi8(lo, s)));
  }
  const int32_t offset = lut.offset, l = lut.lo, h = lut.hi;
  for (; i < n; ++i) {
    const int32_t v = in[i] + offset;
    out[i] = static_cast<int8_t>(v < l ? l : (v > h ? h : v));
  }
}

// 256-entry lookup with vpshufb, which maps an index byte to row[index & 15], or to 0 when the
// index has bit 7 set. Step k (k = 0..15) shuffles shifted[k] with idx_k, where idx_k = u - 16k
// (u the unsigned input byte) computed with wrapping subtraction for k <= 8 and signed saturating
// subtraction after that. Step k contributes (non-zero index bit 7 clear) exactly when
//   u < 128:  k <= u/16            (steps 0 .. j for u in block j = u >> 4)
//   u >= 128: j - 7 <= k <= j.
// With shifted[0] = T0, shifted[k] = Tk ^ Tk-1 (k = 1..7) and Tk ^ Tk-1 ^ shifted[k-8] (k >= 8),
// Tk the table's k-th 16-byte row, the XOR of the contributing steps telescopes to Tj.
void LookupAvx2(const Int8Lut& lut, const int8_t* in, int8_t* out, int64_t n) {
  alignas(16) int8_t shifted[16][16];
  for (int k = 0; k < 16; ++k) {
    for (int i = 0; i < 16; ++i) {
      int8_t v = lut.table[16 * k + i];
      if (k >= 1) v = static_cast<int8_t>(v ^ lut.table[16 * (k - 1) + i]);
      if (k >= 8) v = static_cast<int8_t>(v ^ shifted[k - 8][i]);
      shifted[k][i] = v;
    }
  }
  __m256i rows[16];
  for (int k = 0; k < 16; ++k) {
    rows[k] = _mm256_broadcastsi128_si256(
        _mm_load_si128(reinterpret_cast<const __m128i*>(shifted[k])));
  }
  const __m256i sixteen = _mm256_set1_epi8(16);
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i idx = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    __m256i y = _mm256_shuffle_epi8(rows[0], idx);
    for (int k = 1; k <= 8; ++k) {
      idx = _mm256_sub_epi8(idx, sixteen);
      y = _mm256_xor_si256(y, _mm256_shuffle_epi8(rows[k], idx));
    }
    for (int k = 9; k < 16; ++k) {
      idx = _mm256_subs_epi8(idx, sixteen);
      y = _mm256_xor_si256(y, _mm256_shuffle_epi8(rows[k], idx));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), y);
  }
  for (; i < n; ++i) out[i] = lut.table[static_cast<uint8_t>(in[i])];
}

}  // namespace

void Int8LutApplyAvx2(const Int8Lut& lut, const int8_t* in, int8_t* out, int64_t n) {
  if (lut.affine) {
    AffineAvx2(lut, in, out, n);
  } else {
    LookupAvx2(lut, in, out, n);
  }
}

}  // namespace compressd::kernels::optimized
