// Portable GEMM kernel: 4x8 register tile (8 accumulators of 4 floats) in plain C++ with 4-float
// vectors (portable_simd.h: SSE2 on x86-64, NEON on ARM). Unfused multiply-add.
#include <algorithm>
#include <cstdint>

#include "core/kernels/optimized/gemm_ukernel.h"
#include "core/kernels/optimized/portable_simd.h"

namespace compressd::kernels::optimized {
namespace {

using portable::Broadcast4;
using portable::Load4;
using portable::Store4;
using portable::V4;
using portable::Zero4;

constexpr int kMr = 4;
constexpr int kNr = 8;

template <int R>
void Tile(const GemmBlockArgs& g, const float* a, const float* b, const float* bias, int nr,
          float* c) {
  V4 acc[R][2];
  if (g.first_k) {
    float init[kNr] = {};
    if (bias != nullptr) std::copy(bias, bias + nr, init);
    const V4 i0 = Load4(init), i1 = Load4(init + 4);
    for (int r = 0; r < R; ++r) {
      acc[r][0] = i0;
      acc[r][1] = i1;
    }
  } else {
    for (int r = 0; r < R; ++r) {
      float row[kNr] = {};
      std::copy(c + r * g.ldc, c + r * g.ldc + nr, row);
      acc[r][0] = Load4(row);
      acc[r][1] = Load4(row + 4);
    }
  }
  const int64_t lda = g.lda;
  for (int64_t kk = 0; kk < g.k; ++kk) {
    const V4 b0 = Load4(b + kk * kNr);
    const V4 b1 = Load4(b + kk * kNr + 4);
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      const V4 av = Broadcast4(a[r * lda + kk]);
      acc[r][0] = acc[r][0] + av * b0;
      acc[r][1] = acc[r][1] + av * b1;
    }
  }
  for (int r = 0; r < R; ++r) {
    float row[kNr];
    Store4(row, acc[r][0]);
    Store4(row + 4, acc[r][1]);
    float* out = c + r * g.ldc;
    if (g.last_k) {
      // std::min(std::max(x, lo), hi), like TFLite (keeps NaN).
      for (int j = 0; j < nr; ++j) out[j] = std::min(std::max(row[j], g.act_min), g.act_max);
    } else {
      for (int j = 0; j < nr; ++j) out[j] = row[j];
    }
  }
}

}  // namespace

void GemmBlockPortable4x8(const GemmBlockArgs& g) {
  for (int64_t m0 = 0; m0 < g.m; m0 += kMr) {
    const int mr = static_cast<int>(std::min<int64_t>(kMr, g.m - m0));
    const float* a = g.a + m0 * g.lda;
    for (int64_t n0 = 0; n0 < g.n; n0 += kNr) {
      const int nr = static_cast<int>(std::min<int64_t>(kNr, g.n - n0));
      const float* b = g.b + n0 / kNr * g.b_panel_stride;
      const float* bias = g.bias == nullptr ? nullptr : g.bias + n0;
      float* c = g.c + m0 * g.ldc + n0;
      switch (mr) {
        case 4:
          Tile<4>(g, a, b, bias, nr, c);
          break;
        case 3:
          Tile<3>(g, a, b, bias, nr, c);
          break;
        case 2:
          Tile<2>(g, a, b, bias, nr, c);
          break;
        default:
          Tile<1>(g, a, b, bias, nr, c);
          break;
      }
    }
  }
}

}  // namespace compressd::kernels::optimized
