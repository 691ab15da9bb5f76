// AVX2 bodies of the XNNPACK int8 elementwise kernels (-mavx2 -mfma; AVX2 CPUs only).
// Float math is a multiply followed only by min / max / conversions (never an add), so FMA
// contraction cannot change it; vcvtps2dq rounds half to even in the default MXCSR mode, like
// lrintf / std::nearbyint in the reference. Integer math is int32 and cannot overflow for the
// parameter ranges of the header (8-bit zero points, supported scales).
#include <immintrin.h>

#include "core/kernels/optimized/int8_requant_avx2.h"
#include "core/kernels/optimized/xnnpack_int8_elementwise.h"

namespace compressd::kernels::optimized {
namespace {

using avx2::LoadInt8AsInt32;

// Stores 4 x 8 int32 lanes (v0 first) as 32 bytes, saturating to [-128, 127].
inline void Store32(int8_t* dst, __m256i v0, __m256i v1, __m256i v2, __m256i v3) {
  // Per 128-bit half: bytes of v0[0..3] v1[0..3] v2[0..3] v3[0..3] | the same for lanes 4..7.
  const __m256i w8 = _mm256_packs_epi16(_mm256_packs_epi32(v0, v1), _mm256_packs_epi32(v2, v3));
  const __m256i ordered =
      _mm256_permutevar8x32_epi32(w8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), ordered);
}

// Runs `lanes(a8, b8)` (8 int32 lanes of each operand -> 8 int32 results in [-128, 127]) over
// every run, 32 then 8 elements at a time; the remaining elements go to `tail` (scalar).
template <typename Lanes, typename Tail>
void ForEachRun(const Int8Runs& runs, Lanes lanes, Tail tail) {
  ForEachInt8Run(runs, [&](const int8_t* a, const int8_t* b, int8_t* out, int64_t n) {
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {  // every load before the store: `out` may alias an input
      const __m256i r0 = lanes(LoadInt8AsInt32(a + i), LoadInt8AsInt32(b + i));
      const __m256i r1 = lanes(LoadInt8AsInt32(a + i + 8), LoadInt8AsInt32(b + i + 8));
      const __m256i r2 = lanes(LoadInt8AsInt32(a + i + 16), LoadInt8AsInt32(b + i + 16));
      const __m256i r3 = lanes(LoadInt8AsInt32(a + i + 24), LoadInt8AsInt32(b + i + 24));
      Store32(out + i, r0, r1, r2, r3);
    }
    for (; i + 8 <= n; i += 8) {
      avx2::StoreLanesAsInt8(out + i, lanes(LoadInt8AsInt32(a + i), LoadInt8AsInt32(b + i)));
    }
    tail(a + i, b + i, out + i, n - i);
  });
}

}  // namespace

int64_t XnnQuantizeF32ToInt8Avx2(float scale, int32_t zero_point, const float* input,
                                 int8_t* output, int64_t n) {
  const __m256 inv_scale = _mm256_set1_ps(1.0f / scale);
  const __m256 lo = _mm256_set1_ps(static_cast<float>(-128 - zero_point));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(127 - zero_point));
  const __m256i zp = _mm256_set1_epi32(zero_point);
  // x * (1 / scale), clamped, rounded half to even, plus the zero point; NaN -> 0 before the
  // conversion (vmaxps returns its second operand for NaN, so the clamp alone would give lo).
  auto lanes = [&](const float* src) {
    __m256 f = _mm256_mul_ps(_mm256_loadu_ps(src), inv_scale);
    const __m256 ordered = _mm256_cmp_ps(f, f, _CMP_ORD_Q);
    f = _mm256_min_ps(_mm256_max_ps(f, lo), hi);
    return _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_and_ps(f, ordered)), zp);
  };
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    Store32(output + i, lanes(input + i), lanes(input + i + 8), lanes(input + i + 16),
            lanes(input + i + 24));
  }
  for (; i + 8 <= n; i += 8) avx2::StoreLanesAsInt8(output + i, lanes(input + i));
  return i;
}

int64_t XnnRequantizeInt8Avx2(const reference::XnnRequantizeParams& p, const int8_t* input,
                              int8_t* output, int64_t n) {
  const __m256i multiplier = _mm256_set1_epi32(p.multiplier);
  const __m256i bias = _mm256_set1_epi32(p.bias);
  // (bias + x * multiplier) >> 8; the saturating packs of the store are the clamp.
  auto lanes = [&](const int8_t* src) {
    return _mm256_srai_epi32(_mm256_add_epi32(bias, _mm256_mullo_epi32(LoadInt8AsInt32(src), multiplier)),
                             8);
  };
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {  // every load before the store: `output` may alias `input`
    const __m256i r0 = lanes(input + i), r1 = lanes(input + i + 8);
    const __m256i r2 = lanes(input + i + 16), r3 = lanes(input + i + 24);
    Store32(output + i, r0, r1, r2, r3);
  }
  for (; i + 8 <= n; i += 8) avx2::StoreLanesAsInt8(output + i, lanes(input + i));
  return i;
}

void XnnAddInt8Avx2(const reference::XnnAddParams& p, const Int8Runs& runs) {
  const __m256i bias = _mm256_set1_epi32(p.bias);
  const __m256i a_multiplier = _mm256_set1_epi32(p.a_multiplier);
  const __m256i b_multiplier = _mm256_set1_epi32(p.b_multiplier);
  const __m128i shift = _mm_cvtsi32_si128(static_cast<int>(p.shift));
  const __m256i zp = _mm256_set1_epi32(p.output_zero_point);
  const __m256i lo = _mm256_set1_epi32(p.range.min);
  const __m256i hi = _mm256_set1_epi32(p.range.max);
  // clamp((bias + ma*a + mb*b) >> shift + zp, min, max): the reference clamps before adding zp,
  // the same for these small values.
  auto lanes = [&](__m256i a, __m256i b) {
    const __m256i acc = _mm256_add_epi32(
        bias, _mm256_add_epi32(_mm256_mullo_epi32(a, a_multiplier),
                               _mm256_mullo_epi32(b, b_multiplier)));
    const __m256i out = _mm256_add_epi32(_mm256_sra_epi32(acc, shift), zp);
    return _mm256_min_epi32(_mm256_max_epi32(out, lo), hi);
  };
  ForEachRun(runs, lanes, [&p](const int8_t* a, const int8_t* b, int8_t* out, int64_t n) {
    XnnAddInt8Portable(p, a, b, out, n);
  });
}

void XnnMulInt8Avx2(const reference::XnnMulParams& p, const Int8Runs& runs) {
  const __m256i a_zp = _mm256_set1_epi32(p.a_zero_point);
  const __m256i b_zp = _mm256_set1_epi32(p.b_zero_point);
  const __m256 scale = _mm256_set1_ps(p.scale);
  const __m256 lo = _mm256_set1_ps(static_cast<float>(p.range.min - p.output_zero_point));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(p.range.max - p.output_zero_point));
  const __m256i zp = _mm256_set1_epi32(p.output_zero_point);
  // |a - a_zp|, |b - b_zp| <= 255: the product fits in int32 (and exactly in float).
  auto lanes = [&](__m256i a, __m256i b) {
    const __m256i product =
        _mm256_mullo_epi32(_mm256_sub_epi32(a, a_zp), _mm256_sub_epi32(b, b_zp));
    return avx2::RequantizeFp32x8(product, scale, lo, hi, zp);
  };
  ForEachRun(runs, lanes, [&p](const int8_t* a, const int8_t* b, int8_t* out, int64_t n) {
    XnnMulInt8Portable(p, a, b, out, n);
  });
}

}  // namespace compressd::kernels::optimized
