// AVX2+FMA GEMM kernels: 6x16 register tile (12 accumulators, 2 B vectors, 1 broadcast A = 15 of
// the 16 YMM registers) and a 16-column GEMV with 4-way split accumulators. Compiled with
// -mavx2 -mfma; only called after GetCpuFeatures() reported avx2_fma.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "core/kernels/optimized/gemm_ukernel.h"

namespace compressd::kernels::optimized {
namespace {

constexpr int kMr = 6;
constexpr int kNr = 16;

// Lanes [0, cols) set; cols in [1, 8].
inline __m256i TailMask(int cols) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(cols), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

struct TileCtx {
  int64_t k;
  int64_t lda;
  int64_t ldc;
  bool first_k;
  bool last_k;
  __m256 vmin;
  __m256 vmax;
  __m256i mask;  // lanes of the last vector when kMask
};

// One R x (8*NV) tile; with kMask the last vector only covers the lanes of ctx.mask.
template <int R, int NV, bool kMask>
void Tile(const TileCtx& t, const float* a, const float* b, const float* bias, float* c) {
  __m256 acc[R][NV];
  if (t.first_k) {
    __m256 init[NV];
#pragma GCC unroll 2
    for (int j = 0; j < NV; ++j) {
      if (bias == nullptr) {
        init[j] = _mm256_setzero_ps();
      } else if (kMask && j == NV - 1) {
        init[j] = _mm256_maskload_ps(bias + 8 * j, t.mask);
      } else {
        init[j] = _mm256_loadu_ps(bias + 8 * j);
      }
    }
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
      for (int j = 0; j < NV; ++j) acc[r][j] = init[j];
    }
  } else {
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
      for (int j = 0; j < NV; ++j) {
        const float* p = c + r * t.ldc + 8 * j;
        acc[r][j] = (kMask && j == NV - 1) ? _mm256_maskload_ps(p, t.mask) : _mm256_loadu_ps(p);
      }
    }
  }
  const float* ap[R];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) ap[r] = a + r * t.lda;
  const int64_t k = t.k;
#pragma GCC unroll 4
  for (int64_t kk = 0; kk < k; ++kk) {
    __m256 bv[NV];
#pragma GCC unroll 2
    for (int j = 0; j < NV; ++j) bv[j] = _mm256_load_ps(b + kk * kNr + 8 * j);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(ap[r] + kk);
#pragma GCC unroll 2
      for (int j = 0; j < NV; ++j) acc[r][j] = _mm256_fmadd_ps(av, bv[j], acc[r][j]);
    }
  }
  if (t.last_k) {
    // max(min, x) / min(max, x) return x when x is NaN, as std::min(std::max(x, lo), hi) does.
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
      for (int j = 0; j < NV; ++j) {
        acc[r][j] = _mm256_min_ps(t.vmax, _mm256_max_ps(t.vmin, acc[r][j]));
      }
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
    for (int j = 0; j < NV; ++j) {
      float* p = c + r * t.ldc + 8 * j;
      if (kMask && j == NV - 1) {
        _mm256_maskstore_ps(p, t.mask, acc[r][j]);
      } else {
        _mm256_storeu_ps(p, acc[r][j]);
      }
    }
  }
}

using TileFn = void (*)(const TileCtx&, const float*, const float*, const float*, float*);

// [rows - 1][vectors - 1][masked]
template <int R>
constexpr TileFn kRowTiles[2][2] = {{Tile<R, 1, false>, Tile<R, 1, true>},
                                    {Tile<R, 2, false>, Tile<R, 2, true>}};
constexpr const TileFn (*kTiles[kMr])[2] = {kRowTiles<1>, kRowTiles<2>, kRowTiles<3>,
                                            kRowTiles<4>, kRowTiles<5>, kRowTiles<6>};

}  // namespace

void GemmBlockAvx2_6x16(const GemmBlockArgs& g) {
  TileCtx t;
  t.k = g.k;
  t.lda = g.lda;
  t.ldc = g.ldc;
  t.first_k = g.first_k;
  t.last_k = g.last_k;
  t.vmin = _mm256_set1_ps(g.act_min);
  t.vmax = _mm256_set1_ps(g.act_max);
  const int64_t full_n = g.n / kNr * kNr;
  const int tail = static_cast<int>(g.n - full_n);
  t.mask = TailMask(tail % 8 == 0 ? 8 : tail % 8);
  const float* tail_b = g.b + full_n / kNr * g.b_panel_stride;
  const float* tail_bias = g.bias == nullptr ? nullptr : g.bias + full_n;
  const TileFn* tail_fns = nullptr;
  for (int64_t m0 = 0; m0 < g.m; m0 += kMr) {
    const int mr = static_cast<int>(std::min<int64_t>(kMr, g.m - m0));
    const float* a = g.a + m0 * g.lda;
    float* c = g.c + m0 * g.ldc;
    if (mr == kMr) {
      for (int64_t n0 = 0; n0 < full_n; n0 += kNr) {
        Tile<kMr, 2, false>(t, a, g.b + n0 / kNr * g.b_panel_stride,
                            g.bias == nullptr ? nullptr : g.bias + n0, c + n0);
      }
    } else {
      const TileFn full = kTiles[mr - 1][1][0];
      for (int64_t n0 = 0; n0 < full_n; n0 += kNr) {
        full(t, a, g.b + n0 / kNr * g.b_panel_stride, g.bias == nullptr ? nullptr : g.bias + n0,
             c + n0);
      }
    }
    if (tail > 0) {
      tail_fns = kTiles[mr - 1][tail > 8 ? 1 : 0];
      tail_fns[tail % 8 != 0](t, a, tail_b, tail_bias, c + full_n);
    }
  }
}

void GemvAvx2_16(const GemvArgs& g) {
  const __m256 vmin = _mm256_set1_ps(g.act_min);
  const __m256 vmax = _mm256_set1_ps(g.act_max);
  const int64_t k4 = g.k / 4 * 4;
  for (int64_t n0 = 0; n0 < g.n; n0 += kNr) {
    const float* b = g.b + n0 / kNr * g.b_panel_stride;
    const int cols = static_cast<int>(std::min<int64_t>(kNr, g.n - n0));
    __m256 acc[4][2];
    for (auto& row : acc) row[0] = row[1] = _mm256_setzero_ps();
    if (g.bias != nullptr) {
      if (cols == kNr) {
        acc[0][0] = _mm256_loadu_ps(g.bias + n0);
        acc[0][1] = _mm256_loadu_ps(g.bias + n0 + 8);
      } else {
        acc[0][0] = _mm256_maskload_ps(g.bias + n0, TailMask(std::min(cols, 8)));
        if (cols > 8) acc[0][1] = _mm256_maskload_ps(g.bias + n0 + 8, TailMask(cols - 8));
      }
    }
    int64_t kk = 0;
    for (; kk < k4; kk += 4) {
#pragma GCC unroll 4
      for (int u = 0; u < 4; ++u) {
        const __m256 av = _mm256_broadcast_ss(g.a + kk + u);
        const float* bk = b + (kk + u) * kNr;
        acc[u][0] = _mm256_fmadd_ps(av, _mm256_load_ps(bk), acc[u][0]);
        acc[u][1] = _mm256_fmadd_ps(av, _mm256_load_ps(bk + 8), acc[u][1]);
      }
    }
    for (; kk < g.k; ++kk) {
      const __m256 av = _mm256_broadcast_ss(g.a + kk);
      const float* bk = b + kk * kNr;
      acc[0][0] = _mm256_fmadd_ps(av, _mm256_load_ps(bk), acc[0][0]);
      acc[0][1] = _mm256_fmadd_ps(av, _mm256_load_ps(bk + 8), acc[0][1]);
    }
    __m256 out[2];
    for (int j = 0; j < 2; ++j) {
      const __m256 s = _mm256_add_ps(_mm256_add_ps(acc[0][j], acc[1][j]),
                                     _mm256_add_ps(acc[2][j], acc[3][j]));
      out[j] = _mm256_min_ps(vmax, _mm256_max_ps(vmin, s));
    }
    float* c = g.c + n0;
    if (cols == kNr) {
      _mm256_storeu_ps(c, out[0]);
      _mm256_storeu_ps(c + 8, out[1]);
    } else {
      if (cols >= 8) {
        _mm256_storeu_ps(c, out[0]);
      } else {
        _mm256_maskstore_ps(c, TailMask(cols), out[0]);
      }
      if (cols > 8) _mm256_maskstore_ps(c + 8, TailMask(cols - 8), out[1]);
    }
  }
}

}  // namespace compressd::kernels::optimized
