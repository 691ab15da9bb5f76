// Portable int8 GEMM kernel: 4x8 register tile over depth pairs with the pmaddwd-like step of
// int8_portable_simd.h (SSE2 on x86-64, NEON on ARM, plain loops elsewhere), scalar
// requantization (Int8RequantizeChannel). Accumulation is in uint32, i.e. int32 with defined
// wrap-around.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/kernels/optimized/int8_gemm_ukernel.h"
#include "core/kernels/optimized/int8_portable_simd.h"

namespace compressd::kernels::optimized {
namespace {

constexpr int kMr = 4;
constexpr int kNr = 8;

using portable::BroadcastPair;
using portable::LoadU4;
using portable::MulAddPairs;
using portable::S8;
using portable::StoreU4;
using portable::U4;
using portable::Widen8;

template <int R>
void Tile(const Int8GemmBlockArgs& g, const int16_t* a, const int8_t* b, const int32_t* bias,
          const Int8OutputStage& out, int nr, int8_t* c) {
  U4 acc[R][2];
  {
    uint32_t init[kNr] = {};
    if (bias != nullptr) {
      for (int j = 0; j < nr; ++j) init[j] = static_cast<uint32_t>(bias[j]);
    }
    for (int r = 0; r < R; ++r) {
      acc[r][0] = LoadU4(init);
      acc[r][1] = LoadU4(init + 4);
    }
  }
  const int64_t lda = g.lda;
  for (int64_t q = 0; q < g.k_pairs; ++q) {
    // The depth pair of columns 0-3 and 4-7, as the packed layout interleaves them.
    const S8 b0 = Widen8(b + q * (2 * kNr));
    const S8 b1 = Widen8(b + q * (2 * kNr) + 8);
    for (int r = 0; r < R; ++r) {
      const S8 av = BroadcastPair(a + r * lda + 2 * q);
      acc[r][0] = MulAddPairs(acc[r][0], av, b0);
      acc[r][1] = MulAddPairs(acc[r][1], av, b1);
    }
  }
  for (int r = 0; r < R; ++r) {
    uint32_t row_acc[kNr];
    StoreU4(row_acc, acc[r][0]);
    StoreU4(row_acc + 4, acc[r][1]);
    int8_t* row = c + r * g.ldc;
    for (int j = 0; j < nr; ++j) {
      row[j] = Int8RequantizeChannel(out, static_cast<int32_t>(row_acc[j]), j);
    }
  }
}

}  // namespace

void Int8GemmBlockPortable4x8(const Int8GemmBlockArgs& g) {
  for (int64_t m0 = 0; m0 < g.m; m0 += kMr) {
    const int mr = static_cast<int>(std::min<int64_t>(kMr, g.m - m0));
    const int16_t* a = g.a + m0 * g.lda;
    for (int64_t n0 = 0; n0 < g.n; n0 += kNr) {
      const int nr = static_cast<int>(std::min<int64_t>(kNr, g.n - n0));
      const int8_t* b = g.b + n0 / kNr * g.b_panel_stride;
      const int32_t* bias = g.bias == nullptr ? nullptr : g.bias + n0;
      Int8OutputStage out = g.out;
      AdvanceOutputStage(n0, &out);
      int8_t* c = g.c + m0 * g.ldc + n0;
      switch (mr) {
        case 4:
          Tile<4>(g, a, b, bias, out, nr, c);
          break;
        case 3:
          Tile<3>(g, a, b, bias, out, nr, c);
          break;
        case 2:
          Tile<2>(g, a, b, bias, out, nr, c);
          break;
        default:
          Tile<1>(g, a, b, bias, out, nr, c);
          break;
      }
    }
  }
}

void Int8WidenPortable(const int8_t* src, int64_t n, int32_t offset, int16_t* dst) {
  const int16_t off = static_cast<int16_t>(offset);
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<int16_t>(src[i] + off);
}

}  // namespace compressd::kernels::optimized
