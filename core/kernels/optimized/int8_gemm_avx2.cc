// AVX2 int8 GEMM kernel: MR x 16 register tile of int32 accumulators (2 vectors of 8 columns per
// row) over depth pairs: per pair, the 16 columns' int8 weight pairs are sign-extended once
// (vpmovsxbw, 32 bytes of packed B) and each row's int16 pair (A[i][2q], A[i][2q+1]) is
// broadcast as one 32-bit value; vpmaddwd + vpaddd accumulate 2 multiply-adds per lane, exactly
// (no saturation possible, see int8_gemm.h). The requantization epilogue reproduces
// quant::MultiplyByQuantizedMultiplier on 8 lanes at a time (int8_requant_avx2.h), then packs
// two rows to int8 with saturation and clamps. With an fp32 scale the epilogue is XNNPACK's fp32
// requantization instead (RequantizeFp32x8).
//
// Compiled with -mavx2 -mfma; only called after GetCpuFeatures() reported avx2_fma.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/kernels/optimized/int8_gemm_ukernel.h"
#include "core/kernels/optimized/int8_requant_avx2.h"

namespace compressd::kernels::optimized {
namespace {

constexpr int kMr = 4;
constexpr int kNr = 16;

using avx2::ChannelStage;
using avx2::MakeChannelStage;
using avx2::Requantize8;
using avx2::TailMask;

// The output-stage flavours: TFLite's fixed-point requantization without a left shift or an
// INT32_MIN multiplier (kPlain), with some left shift (kLeftShift), with everything (kFull;
// QuantizeMultiplier never produces INT32_MIN, and a left shift of 0 is harmless), or XNNPACK's
// fp32 requantization (kFp32).
enum class Epilogue { kPlain, kLeftShift, kFull, kFp32 };

// Per-panel constants of the epilogue: bias and requantization of the panel's 16 columns,
// computed once per panel and block (not per tile).
struct PanelStage {
  __m256i bias[2];
  ChannelStage q[2];  // fixed-point epilogues
  __m256 scale[2];    // kFp32
};

// Columns [col, col + cols) of the block (cols in [1, 16]); lanes past `cols` are zero.
PanelStage LoadPanelStage(const Int8GemmBlockArgs& g, int64_t col, int cols) {
  PanelStage s;
  const Int8OutputStage& o = g.out;
  for (int j = 0; j < 2; ++j) {
    const int lanes = std::clamp(cols - 8 * j, 0, 8);
    const __m256i tail = TailMask(lanes);
    s.bias[j] = g.bias == nullptr ? _mm256_setzero_si256()
                                  : _mm256_maskload_epi32(g.bias + col + 8 * j, tail);
    if (o.fp32_scale != nullptr) {
      s.scale[j] = o.per_channel
                       ? _mm256_maskload_ps(o.fp32_scale + col + 8 * j, tail)
                       : _mm256_set1_ps(o.fp32_scale[0]);
    } else if (o.per_channel) {
      s.q[j] = MakeChannelStage(_mm256_maskload_epi32(o.multiplier + col + 8 * j, tail),
                                _mm256_maskload_epi32(o.shift + col + 8 * j, tail));
    } else {
      s.q[j] = MakeChannelStage(_mm256_set1_epi32(o.multiplier[0]),
                                _mm256_set1_epi32(o.shift[0]));
    }
  }
  return s;
}

struct TileCtx {
  int64_t k_pairs;
  int64_t lda;
  int64_t ldc;
  __m256i zero_point;
  __m256i act_min;  // int8 lanes
  __m256i act_max;
  __m256 fp32_lo;   // kFp32: act_min - zero_point, act_max - zero_point
  __m256 fp32_hi;
};

template <Epilogue kE>
inline __m256i Requantize(__m256i acc, const PanelStage& s, int j, const TileCtx& t) {
  if constexpr (kE == Epilogue::kFp32) {
    return avx2::RequantizeFp32x8(acc, s.scale[j], t.fp32_lo, t.fp32_hi, t.zero_point);
  } else {
    return Requantize8<kE != Epilogue::kPlain, kE == Epilogue::kFull>(acc, s.q[j], t.zero_point);
  }
}

// Packs rows r0 and r1 (NV vectors of 8 int32 columns each) to int8 with saturation and clamps:
// NV == 2: bytes [0, 16) = row r0, [16, 32) = row r1; NV == 1: bytes [0, 8) = r0, [8, 16) = r1.
// Saturating to int16 then int8 before the clamp gives the clamp of the int32 value, since
// [act_min, act_max] lies inside [-128, 127] and saturation is monotonic.
template <int NV>
inline __m256i PackTwoRows(const __m256i* r0, const __m256i* r1, const TileCtx& t) {
  __m256i bytes;
  if constexpr (NV == 2) {
    // packs_epi32 / packs_epi16 interleave 4-column groups per 128-bit lane; dword d of the
    // result holds columns: d0 r0[0..3], d1 r0[8..11], d2 r1[0..3], d3 r1[8..11], d4 r0[4..7],
    // d5 r0[12..15], d6 r1[4..7], d7 r1[12..15].
    const __m256i p0 = _mm256_packs_epi32(r0[0], r0[1]);
    const __m256i p1 = _mm256_packs_epi32(r1[0], r1[1]);
    bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(p0, p1),
                                        _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  } else {
    // d0 r0[0..3], d1 r1[0..3], d4 r0[4..7], d5 r1[4..7] (d2, d3, d6, d7 duplicates).
    const __m256i p = _mm256_packs_epi32(r0[0], r1[0]);
    bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(p, p),
                                        _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  }
  return _mm256_min_epi8(_mm256_max_epi8(bytes, t.act_min), t.act_max);
}

// One R x (8*NV) tile covering columns [0, cols) of the panel at `b` (cols in
// (8*(NV-1), 8*NV]), with output stage kE.
template <int R, int NV, Epilogue kE>
void Tile(const TileCtx& t, const PanelStage& s, const int16_t* a, const int8_t* b, int cols,
          int8_t* c) {
  __m256i acc[R][NV];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
    for (int j = 0; j < NV; ++j) acc[r][j] = s.bias[j];
  }
  const int16_t* ap[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) ap[r] = a + r * t.lda;
  const int64_t kp = t.k_pairs;
#pragma GCC unroll 2
  for (int64_t q = 0; q < kp; ++q) {
    __m256i bv[NV];
#pragma GCC unroll 2
    for (int j = 0; j < NV; ++j) {
      bv[j] = _mm256_cvtepi8_epi16(
          _mm_load_si128(reinterpret_cast<const __m128i*>(b + q * (2 * kNr) + 16 * j)));
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      int32_t pair;
      std::memcpy(&pair, ap[r] + 2 * q, sizeof(pair));
      const __m256i av = _mm256_set1_epi32(pair);
#pragma GCC unroll 2
      for (int j = 0; j < NV; ++j) {
        acc[r][j] = _mm256_add_epi32(acc[r][j], _mm256_madd_epi16(av, bv[j]));
      }
    }
  }
#pragma GCC unroll 2
  for (int j = 0; j < NV; ++j) {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      acc[r][j] = Requantize<kE>(acc[r][j], s, j, t);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; r += 2) {
    const int r1 = r + 1 < R ? r + 1 : r;
    const __m256i bytes = PackTwoRows<NV>(acc[r], acc[r1], t);
    __m128i row0, row1;
    if constexpr (NV == 2) {
      row0 = _mm256_castsi256_si128(bytes);
      row1 = _mm256_extracti128_si256(bytes, 1);
    } else {
      row0 = _mm256_castsi256_si128(bytes);
      row1 = _mm_srli_si128(row0, 8);
    }
    int8_t* c0 = c + r * t.ldc;
    if (cols == 16) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(c0), row0);
      if (r + 1 < R) _mm_storeu_si128(reinterpret_cast<__m128i*>(c0 + t.ldc), row1);
    } else {
      avx2::StoreBytes(c0, row0, cols);
      if (r + 1 < R) avx2::StoreBytes(c0 + t.ldc, row1, cols);
    }
  }
}

using TileFn = void (*)(const TileCtx&, const PanelStage&, const int16_t*, const int8_t*, int,
                        int8_t*);

// [rows - 1][vectors - 1] for each output-stage flavour.
template <int R, Epilogue kE>
constexpr TileFn kRowTiles[2] = {Tile<R, 1, kE>, Tile<R, 2, kE>};
template <Epilogue kE>
constexpr const TileFn* kTiles[kMr] = {kRowTiles<1, kE>, kRowTiles<2, kE>, kRowTiles<3, kE>,
                                       kRowTiles<4, kE>};

}  // namespace

// Panel by panel (the panel's packed B, a few KB, stays in L1 while the row tiles of A stream
// from L2), row tile by row tile.
void Int8GemmBlockAvx2_4x16(const Int8GemmBlockArgs& g) {
  TileCtx t;
  t.k_pairs = g.k_pairs;
  t.lda = g.lda;
  t.ldc = g.ldc;
  t.zero_point = _mm256_set1_epi32(g.out.output_zero_point);
  t.act_min = _mm256_set1_epi8(static_cast<char>(g.out.act_min));
  t.act_max = _mm256_set1_epi8(static_cast<char>(g.out.act_max));
  t.fp32_lo = _mm256_set1_ps(static_cast<float>(g.out.act_min - g.out.output_zero_point));
  t.fp32_hi = _mm256_set1_ps(static_cast<float>(g.out.act_max - g.out.output_zero_point));
  const TileFn* const* tiles = g.out.fp32_scale != nullptr ? kTiles<Epilogue::kFp32>
                               : g.out.any_min_multiplier  ? kTiles<Epilogue::kFull>
                               : g.out.any_left_shift      ? kTiles<Epilogue::kLeftShift>
                                                           : kTiles<Epilogue::kPlain>;
  const int64_t full_m = g.m / kMr * kMr;
  for (int64_t n0 = 0; n0 < g.n; n0 += kNr) {
    const int cols = static_cast<int>(std::min<int64_t>(kNr, g.n - n0));
    const int nv = cols > 8 ? 2 : 1;
    const PanelStage s = LoadPanelStage(g, n0, cols);
    const int8_t* b = g.b + n0 / kNr * g.b_panel_stride;
    int8_t* c = g.c + n0;
    const TileFn full = tiles[kMr - 1][nv - 1];
    for (int64_t m0 = 0; m0 < full_m; m0 += kMr) {
      full(t, s, g.a + m0 * g.lda, b, cols, c + m0 * g.ldc);
    }
    if (full_m < g.m) {
      tiles[g.m - full_m - 1][nv - 1](t, s, g.a + full_m * g.lda, b, cols, c + full_m * g.ldc);
    }
  }
}

void Int8WidenAvx2(const int8_t* src, int64_t n, int32_t offset, int16_t* dst) {
  const __m256i off = _mm256_set1_epi16(static_cast<int16_t>(offset));
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i lo =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)));
    const __m256i hi =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 16)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_add_epi16(lo, off));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i + 16), _mm256_add_epi16(hi, off));
  }
  if (i + 16 <= n) {
    const __m256i v =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_add_epi16(v, off));
    i += 16;
  }
  if (i + 8 <= n) {
    const __m128i v =
        _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + i)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                     _mm_add_epi16(v, _mm256_castsi256_si128(off)));
    i += 8;
  }
  for (; i < n; ++i) dst[i] = static_cast<int16_t>(src[i] + offset);
}

}  // namespace compressd::kernels::optimized
