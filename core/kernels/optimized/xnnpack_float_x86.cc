// AVX2 micro-kernels of the XNNPACK-order float GEMM and depthwise convolution (see
// xnnpack_float_ukernel.h). This file is
// compiled for the baseline target, its functions for AVX2 only (target attribute, not -mfma):
// without FMA in the instruction set the compiler cannot contract a multiply and an add, so every
// output is the same sequential unfused sum as the reference; the kernel only computes up to
// 6 x 16 of them at once.
#include "core/kernels/optimized/xnnpack_float_ukernel.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <algorithm>
#define COMPRESSD_TARGET_AVX2 __attribute__((target("avx2")))
#else
#include <cstdlib>
#endif

namespace compressd::kernels::optimized {

#if defined(__x86_64__) || defined(__i386__)

// Clamps like ApplyActivation (std::min(std::max(v, lo), hi), NaN passes): vmaxps / vminps
// return their second operand when either is NaN.
COMPRESSD_TARGET_AVX2 inline __m256 Clamp(__m256 v, __m256 lo, __m256 hi) {
  return _mm256_min_ps(hi, _mm256_max_ps(lo, v));
}

template <int kRows, bool kTwoPanels>
COMPRESSD_TARGET_AVX2 void Tile(const float* const* a, const float* p0, const float* p1, int64_t k,
                                const float* bias, float* const* out_rows, int64_t n0, int cols,
                                float act_min, float act_max) {
  // The row loops are unrolled so the accumulators stay in registers.
  __m256 lo[kRows], hi[kRows];
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) {
    lo[r] = _mm256_loadu_ps(bias);
    if (kTwoPanels) hi[r] = _mm256_loadu_ps(bias + 8);
  }
  for (int64_t kk = 0; kk < k; ++kk) {
    const __m256 w0 = _mm256_loadu_ps(p0 + kk * 8);
    __m256 w1 = _mm256_setzero_ps();
    if (kTwoPanels) w1 = _mm256_loadu_ps(p1 + kk * 8);
#pragma GCC unroll 6
    for (int r = 0; r < kRows; ++r) {
      const __m256 x = _mm256_broadcast_ss(a[r] + kk);
      lo[r] = _mm256_add_ps(lo[r], _mm256_mul_ps(x, w0));
      if (kTwoPanels) hi[r] = _mm256_add_ps(hi[r], _mm256_mul_ps(x, w1));
    }
  }
  const __m256 vmin = _mm256_set1_ps(act_min);
  const __m256 vmax = _mm256_set1_ps(act_max);
#pragma GCC unroll 6
  for (int r = 0; r < kRows; ++r) {
    lo[r] = Clamp(lo[r], vmin, vmax);
    if (kTwoPanels) hi[r] = Clamp(hi[r], vmin, vmax);
  }
  if (cols == (kTwoPanels ? 16 : 8)) {
#pragma GCC unroll 6
    for (int r = 0; r < kRows; ++r) {
      _mm256_storeu_ps(out_rows[r] + n0, lo[r]);
      if (kTwoPanels) _mm256_storeu_ps(out_rows[r] + n0 + 8, hi[r]);
    }
    return;
  }
  float tmp[16];
  for (int r = 0; r < kRows; ++r) {
    _mm256_storeu_ps(tmp, lo[r]);
    if (kTwoPanels) _mm256_storeu_ps(tmp + 8, hi[r]);
    for (int j = 0; j < cols; ++j) out_rows[r][n0 + j] = tmp[j];
  }
}

template <bool kTwoPanels>
COMPRESSD_TARGET_AVX2 void TileRows(int rows, const float* const* a, const float* p0,
                                    const float* p1, int64_t k, const float* bias,
                                    float* const* out, int64_t n0, int cols, float lo, float hi) {
  switch (rows) {
    case 1: return Tile<1, kTwoPanels>(a, p0, p1, k, bias, out, n0, cols, lo, hi);
    case 2: return Tile<2, kTwoPanels>(a, p0, p1, k, bias, out, n0, cols, lo, hi);
    case 3: return Tile<3, kTwoPanels>(a, p0, p1, k, bias, out, n0, cols, lo, hi);
    case 4: return Tile<4, kTwoPanels>(a, p0, p1, k, bias, out, n0, cols, lo, hi);
    case 5: return Tile<5, kTwoPanels>(a, p0, p1, k, bias, out, n0, cols, lo, hi);
    default: return Tile<6, kTwoPanels>(a, p0, p1, k, bias, out, n0, cols, lo, hi);
  }
}

COMPRESSD_TARGET_AVX2 void XnnGemmTileAvx2(int rows, const float* const* a_rows,
                                           const float* panel0, const float* panel1, int64_t k,
                                           const float* bias16, float* const* out_rows,
                                           int64_t n0, int cols, float act_min, float act_max) {
  if (panel1 != nullptr) {
    TileRows<true>(rows, a_rows, panel0, panel1, k, bias16, out_rows, n0, cols, act_min,
                   act_max);
  } else {
    TileRows<false>(rows, a_rows, panel0, nullptr, k, bias16, out_rows, n0, cols, act_min,
                    act_max);
  }
}

COMPRESSD_TARGET_AVX2 void XnnDepthwiseTapsAvx2(int lanes, int taps, const float* const* x,
                                                const float* const* w, const float* bias,
                                                float act_min, float act_max, float* out) {
  const __m256 vmin = _mm256_set1_ps(act_min);
  const __m256 vmax = _mm256_set1_ps(act_max);
  int c = 0;
  for (; c + 16 <= lanes; c += 16) {
    __m256 a0 = bias != nullptr ? _mm256_loadu_ps(bias + c) : _mm256_setzero_ps();
    __m256 a1 = bias != nullptr ? _mm256_loadu_ps(bias + c + 8) : _mm256_setzero_ps();
    for (int t = 0; t < taps; ++t) {
      a0 = _mm256_add_ps(a0, _mm256_mul_ps(_mm256_loadu_ps(x[t] + c), _mm256_loadu_ps(w[t] + c)));
      a1 = _mm256_add_ps(a1, _mm256_mul_ps(_mm256_loadu_ps(x[t] + c + 8),
                                           _mm256_loadu_ps(w[t] + c + 8)));
    }
    _mm256_storeu_ps(out + c, Clamp(a0, vmin, vmax));
    _mm256_storeu_ps(out + c + 8, Clamp(a1, vmin, vmax));
  }
  for (; c + 8 <= lanes; c += 8) {
    __m256 a = bias != nullptr ? _mm256_loadu_ps(bias + c) : _mm256_setzero_ps();
    for (int t = 0; t < taps; ++t) {
      a = _mm256_add_ps(a, _mm256_mul_ps(_mm256_loadu_ps(x[t] + c), _mm256_loadu_ps(w[t] + c)));
    }
    _mm256_storeu_ps(out + c, Clamp(a, vmin, vmax));
  }
  for (; c < lanes; ++c) {
    float a = bias != nullptr ? bias[c] : 0.0f;
    for (int t = 0; t < taps; ++t) {
      const float product = x[t][c] * w[t][c];
      a = a + product;
    }
    out[c] = std::min(std::max(a, act_min), act_max);
  }
}

#else  // not x86: never called (no AVX2)

void XnnDepthwiseTapsAvx2(int, int, const float* const*, const float* const*, const float*, float,
                          float, float*) {
  std::abort();
}

void XnnGemmTileAvx2(int, const float* const*, const float*, const float*, int64_t, const float*,
                     float* const*, int64_t, int, float, float) {
  std::abort();
}

#endif

}  // namespace compressd::kernels::optimized
