// AVX2 implementation of TFLite's int8 output stage on 8 int32 lanes, shared by the int8 AVX2
// kernels. Include only from *_avx2.cc files (needs -mavx2).
//
//   out = clamp(MultiplyByQuantizedMultiplier(acc, multiplier, shift) + zero_point, min, max)
//
// bit-exact with quant::MultiplyByQuantizedMultiplier (see Requantize8) and
// Int8RequantizeScalar (int8_gemm_ukernel.h); and XNNPACK's fp32 requantization
// (RequantizeFp32x8, bit-exact with reference::XnnRequantizeFp32).
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_REQUANT_AVX2_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_REQUANT_AVX2_H_

#if !defined(__AVX2__)
#error "int8_requant_avx2.h needs -mavx2 (include it from *_avx2.cc files only)"
#endif

#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <limits>

namespace compressd::kernels::optimized::avx2 {

// Lanes [0, lanes) set; lanes in [0, 8].
inline __m256i TailMask(int lanes) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Stores the first n (0..16) bytes of v with at most 4 moves (8/4/2/1 bytes; no libc call).
inline void StoreBytes(int8_t* dst, __m128i v, int n) {
  if (n & 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), v);
    v = _mm_srli_si128(v, 8);
    dst += 8;
  }
  if (n & 4) {
    const int32_t x = _mm_cvtsi128_si32(v);
    std::memcpy(dst, &x, 4);
    v = _mm_srli_si128(v, 4);
    dst += 4;
  }
  if (n & 2) {
    const int16_t x = static_cast<int16_t>(_mm_cvtsi128_si32(v));
    std::memcpy(dst, &x, 2);
    v = _mm_srli_si128(v, 2);
    dst += 2;
  }
  if (n & 1) *dst = static_cast<int8_t>(_mm_cvtsi128_si32(v));
  if (n & 16) _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), v);  // n == 16
}

// 8 int8 values at src as 8 int32 lanes (sign-extended); the inverse of StoreLanesAsInt8.
inline __m256i LoadInt8AsInt32(const int8_t* src) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src)));
}

// Stores 8 int32 lanes as 8 bytes at dst, saturating to [-128, 127].
inline void StoreLanesAsInt8(int8_t* dst, __m256i v) {
  // vpackssdw / vpacksswb work per 128-bit half; the permutation gathers the two 4-byte groups.
  const __m256i w16 = _mm256_packs_epi32(v, v);     // per half: v0..3 v0..3 | v4..7 v4..7
  const __m256i w8 = _mm256_packs_epi16(w16, w16);  // bytes 0..3 of each half hold the lanes
  const __m256i gathered =
      _mm256_permutevar8x32_epi32(w8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), _mm256_castsi256_si128(gathered));
}

// Requantization constants of 8 output channels, derived from (multiplier, shift) vectors.
struct ChannelStage {
  __m256i mult;         // quantized multiplier
  __m256i mult_odd;     // multipliers of the odd lanes moved to the even positions
  __m256i left;         // max(shift, 0)
  __m256i right;        // max(-shift, 0)
  __m256i round;        // 2^(right - 1), or 0 when right == 0
  __m256i mult_is_min;  // all-ones where multiplier == INT32_MIN
};

inline ChannelStage MakeChannelStage(__m256i mult, __m256i shift) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i one = _mm256_set1_epi32(1);
  ChannelStage q;
  q.mult = mult;
  q.mult_odd = _mm256_srli_epi64(mult, 32);
  q.left = _mm256_max_epi32(shift, zero);
  q.right = _mm256_max_epi32(_mm256_sub_epi32(zero, shift), zero);
  q.round = _mm256_srli_epi32(_mm256_sllv_epi32(one, q.right), 1);
  q.mult_is_min =
      _mm256_cmpeq_epi32(mult, _mm256_set1_epi32(std::numeric_limits<int32_t>::min()));
  return q;
}

// quant::MultiplyByQuantizedMultiplier(acc, mult, shift) + zero_point on 8 lanes:
//  * x = acc << left (vpsllvd: int32 wrap-around, as WrappingShiftLeft);
//  * SaturatingRoundingDoublingHighMul(x, m) = floor((x*m + 2^30) / 2^31): gemmlowp's
//    "nudge then truncate toward zero" equals this floor for both signs of x*m (for x*m < 0,
//    trunc((x*m + 1 - 2^30) / 2^31) = floor((x*m + 2^30) / 2^31)). The 64-bit products of the
//    even and odd lanes (vpmuldq) get the 2^30 nudge, and bits 31..62 of each sum, which are
//    the low 32 bits of the floor for logical and arithmetic shifts alike, are moved back into
//    32-bit lanes. The only result that does not fit, x == m == INT32_MIN (2^31), comes out as
//    INT32_MIN and is flipped to INT32_MAX (the saturation);
//  * RoundingDivideByPOT(v, right) = (v >> right) + ((v & mask) > (mask >> 1) + (v < 0)) with
//    mask = 2^right - 1 rounds half away from zero, i.e. it is
//    sign(v) * ((|v| + round) >> right) with round = 2^(right - 1) (0 for right == 0):
//    vpabsd, vpaddd, vpsrlvd, vpsignd. |v| and the sum are taken as unsigned 32-bit values
//    (|INT32_MIN| = 2^31, plus round <= 2^30, stays below 2^32), and vpsignd negates for v < 0
//    (giving INT32_MIN back for 2^31) and yields 0 for v == 0, where the magnitude is 0 anyway;
//  * + zero_point with int32 wrap-around.
// kLeft / kSatFix false skip the left shift / the saturation fix-up: only valid when no shift
// is positive / no multiplier is INT32_MIN.
template <bool kLeft, bool kSatFix>
inline __m256i Requantize8(__m256i acc, const ChannelStage& q, __m256i zero_point) {
  const __m256i x = kLeft ? _mm256_sllv_epi32(acc, q.left) : acc;
  const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, q.mult), nudge);
  const __m256i odd =
      _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), q.mult_odd), nudge);
  __m256i high =
      _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  if constexpr (kSatFix) {
    const __m256i x_is_min =
        _mm256_cmpeq_epi32(x, _mm256_set1_epi32(std::numeric_limits<int32_t>::min()));
    high = _mm256_xor_si256(high, _mm256_and_si256(x_is_min, q.mult_is_min));
  }
  const __m256i magnitude =
      _mm256_srlv_epi32(_mm256_add_epi32(_mm256_abs_epi32(high), q.round), q.right);
  return _mm256_add_epi32(_mm256_sign_epi32(magnitude, high), zero_point);
}

// XNNPACK's fp32 requantization (reference::XnnRequantizeFp32) on 8 lanes:
//   lrintf(clamp((float)acc * scale, lo, hi)) + zero_point
// with lo = act_min - zp and hi = act_max - zp as floats. vcvtdq2ps and vcvtps2dq round to
// nearest even in the default MXCSR mode, like the scalar conversion and lrintf; the clamp comes
// first, so the conversion never overflows.
inline __m256i RequantizeFp32x8(__m256i acc, __m256 scale, __m256 lo, __m256 hi,
                                __m256i zero_point) {
  __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), scale);
  f = _mm256_min_ps(_mm256_max_ps(f, lo), hi);
  return _mm256_add_epi32(_mm256_cvtps_epi32(f), zero_point);
}

}  // namespace compressd::kernels::optimized::avx2

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_REQUANT_AVX2_H_
