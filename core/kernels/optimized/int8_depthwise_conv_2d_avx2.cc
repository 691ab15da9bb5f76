// AVX2 int8 depthwise convolution rows (depth multiplier 1), 16 channels at a time. Compiled
// with -mavx2 -mfma; only called after GetCpuFeatures() reported avx2_fma.
//
// Work is done in blocks of output rows; within a block, channel group by channel group (so the
// input rows of a block are read from L2 and each group's working set stays in L1):
//  1. Pair rows: P(r) interleaves input rows r and r + dilation_h, widened to int16 with the input
//     offset added (vpmovsxbw + vpaddw, then vpunpck{l,h}wd), over the padded width: column j
//     holds 2 x 16 int16, half h being (x_r[c], x_{r+dh}[c]) for the 8 channels of half h (see
//     int8_depthwise_ukernel.h). Columns and rows in the padding are 0. Output row oy reads the
//     pair rows P(iy0 + 2p*dh), p < ceil(filter_h / 2) (iy0 = oy*stride_h - pad_top); for an odd
//     filter height the second row of the last pair meets zero weights. Pair rows are cached in
//     a small ring indexed by r (so with stride 1 each is built once and used by two output
//     rows).
//  2. Outputs: per output pixel and half, acc = bias + sum over (p, kx) of
//     vpmaddwd(P(iy0 + 2p*dh)[ox*stride_w + kx*dilation_w], w[p][kx]): two taps per 32-bit lane
//     and instruction, exact (|x + offset| <= 255, |w| <= 128); padding taps multiply 0. For
//     3- and 5-wide filters with stride 1 or 2 and dilation_w 1, tiles of 4 output pixels keep
//     their accumulators and the filter row in registers and load every pair-row column once.
//  3. Requantization (int8_requant_avx2.h: TFLite's fixed point, or XNNPACK's fp32 when the
//     stage has fp32 scales) of both halves; packing the two halves to int16
//     restores the channel order, two pixels are packed to int8, clamped and stored.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/kernels/optimized/int8_depthwise_ukernel.h"
#include "core/kernels/optimized/int8_requant_avx2.h"

namespace compressd::kernels::optimized {
namespace {

using avx2::ChannelStage;
using avx2::MakeChannelStage;
using avx2::Requantize8;
using avx2::TailMask;

// Output rows per block: about 128 KB of input rows, so a block's input stays in L2 while the
// channel groups sweep it.
constexpr int64_t kBlockInputBytes = 128 * 1024;

// 16 int32 of `src` (channels [0, lanes) of a group, 0 beyond) as the two halves: lo =
// channels {0..3, 8..11}, hi = {4..7, 12..15}.
inline void LoadHalves(const int32_t* src, int lanes, __m256i* lo, __m256i* hi) {
  __m256i v0, v1;
  if (lanes >= 16) {
    v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src));
    v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + 8));
  } else {
    v0 = _mm256_maskload_epi32(src, TailMask(std::min(lanes, 8)));
    v1 = _mm256_maskload_epi32(src + 8, TailMask(std::max(lanes - 8, 0)));
  }
  *lo = _mm256_permute2x128_si256(v0, v1, 0x20);
  *hi = _mm256_permute2x128_si256(v0, v1, 0x31);
}

// Everything the output loops of one channel group need.
struct GroupCtx {
  int64_t pairs;       // pair rows per output row
  int64_t out_w;
  int64_t pixel;       // output channels = bytes between output pixels
  int64_t filter_w;
  int64_t stride_w;
  int64_t dilation_w;
  int lanes;           // valid channels of this group (1..16)
  const __m256i* w;    // this group's weights: [pairs][filter_w][2 halves]
  __m256i bias[2];
  ChannelStage q[2];   // fixed-point stages
  __m256 scale[2];     // Stage::kFp32
  __m256 fp32_lo;      // Stage::kFp32: act_min - zero_point, act_max - zero_point
  __m256 fp32_hi;
  __m256i zero_point;
  __m256i act_min;     // int8 lanes
  __m256i act_max;
};

void LoadGroupStage(const Int8DepthwiseArgs& a, int64_t c0, GroupCtx* g) {
  if (a.bias != nullptr) {
    LoadHalves(a.bias + c0, g->lanes, &g->bias[0], &g->bias[1]);
  } else {
    g->bias[0] = g->bias[1] = _mm256_setzero_si256();
  }
  if (a.out.fp32_scale != nullptr) {
    if (a.out.per_channel) {
      __m256i s[2];
      LoadHalves(reinterpret_cast<const int32_t*>(a.out.fp32_scale + c0), g->lanes, &s[0], &s[1]);
      for (int h = 0; h < 2; ++h) g->scale[h] = _mm256_castsi256_ps(s[h]);
    } else {
      g->scale[0] = g->scale[1] = _mm256_set1_ps(a.out.fp32_scale[0]);
    }
    return;
  }
  __m256i m[2], sh[2];
  if (a.out.per_channel) {
    LoadHalves(a.out.multiplier + c0, g->lanes, &m[0], &m[1]);
    LoadHalves(a.out.shift + c0, g->lanes, &sh[0], &sh[1]);
  } else {
    m[0] = m[1] = _mm256_set1_epi32(a.out.multiplier[0]);
    sh[0] = sh[1] = _mm256_set1_epi32(a.out.shift[0]);
  }
  for (int h = 0; h < 2; ++h) g->q[h] = MakeChannelStage(m[h], sh[h]);
}

// The output-stage flavours: TFLite's fixed-point requantization (Requantize8's kLeft, kSatFix)
// as kPlain (no left shift, no INT32_MIN multiplier), kLeftShift (some left shift), kFull (some
// INT32_MIN multiplier, which QuantizeMultiplier never produces; a left shift of 0 is harmless,
// so kFull covers every case); or XNNPACK's fp32 requantization (kFp32).
enum class Stage { kPlain, kLeftShift, kFull, kFp32 };

// Requantizes half `h` of a group.
template <Stage kStage>
inline __m256i Requant(__m256i acc, const GroupCtx& g, int h) {
  if constexpr (kStage == Stage::kFp32) {
    return avx2::RequantizeFp32x8(acc, g.scale[h], g.fp32_lo, g.fp32_hi, g.zero_point);
  } else {
    return Requantize8<kStage != Stage::kPlain, kStage == Stage::kFull>(acc, g.q[h],
                                                                        g.zero_point);
  }
}

// Stores one or two pixels given as 16 int16 each (channel order): packs to int8, clamps.
inline void StorePixels(const GroupCtx& g, __m256i p0, __m256i p1, bool two, int8_t* dst) {
  // [p0 ch 0-7, p1 ch 0-7 | p0 ch 8-15, p1 ch 8-15] -> [p0 ch 0-15 | p1 ch 0-15].
  __m256i bytes = _mm256_permute4x64_epi64(_mm256_packs_epi16(p0, p1), 0xD8);
  bytes = _mm256_min_epi8(_mm256_max_epi8(bytes, g.act_min), g.act_max);
  if (g.lanes == 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm256_castsi256_si128(bytes));
    if (two) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + g.pixel),
                       _mm256_extracti128_si256(bytes, 1));
    }
  } else {
    avx2::StoreBytes(dst, _mm256_castsi256_si128(bytes), g.lanes);
    if (two) avx2::StoreBytes(dst + g.pixel, _mm256_extracti128_si256(bytes, 1), g.lanes);
  }
}

// Half `h` of T consecutive output pixels starting at ox0 (filter width KW, stride S,
// dilation_w 1): accumulators and the filter row in registers, every pair-row column loaded once
// and multiplied into the outputs it overlaps (column j, output t: tap kx = j - t*S).
template <int KW, int S, int T, int NPR>
__attribute__((always_inline)) inline void HalfTile(const GroupCtx& g,
                                                    const int16_t* const* rows, int h,
                                                    int64_t ox0, __m256i* acc) {
#pragma GCC unroll 4
  for (int t = 0; t < T; ++t) acc[t] = g.bias[h];
  const int64_t pairs = NPR > 0 ? NPR : g.pairs;
#pragma GCC unroll 2
  for (int64_t pr = 0; pr < pairs; ++pr) {
    __m256i wv[KW];
#pragma GCC unroll 5
    for (int kx = 0; kx < KW; ++kx) wv[kx] = _mm256_load_si256(g.w + (pr * KW + kx) * 2 + h);
    const int16_t* col = rows[pr] + ox0 * S * 32 + h * 16;
    constexpr int kColumns = (T - 1) * S + KW;
#pragma GCC unroll 16
    for (int j = 0; j < kColumns; ++j) {
      const __m256i x = _mm256_load_si256(reinterpret_cast<const __m256i*>(col + j * 32));
#pragma GCC unroll 4
      for (int t = 0; t < T; ++t) {
        const int kx = j - t * S;
        if (kx >= 0 && kx < KW) acc[t] = _mm256_add_epi32(acc[t], _mm256_madd_epi16(x, wv[kx]));
      }
    }
  }
}

template <int KW, int S, int T, int NPR, Stage kStage>
__attribute__((always_inline)) inline void Tile(const GroupCtx& g, const int16_t* const* rows,
                                                int64_t ox0, int8_t* out) {
  __m256i acc[T], lo[T];
  HalfTile<KW, S, T, NPR>(g, rows, 0, ox0, acc);
#pragma GCC unroll 4
  for (int t = 0; t < T; ++t) lo[t] = Requant<kStage>(acc[t], g, 0);
  HalfTile<KW, S, T, NPR>(g, rows, 1, ox0, acc);
  __m256i px[T];
#pragma GCC unroll 4
  for (int t = 0; t < T; ++t) {
    // Per 128-bit lane: [lo (channels 0-3 | 8-11), hi (4-7 | 12-15)] = channels 0-7 | 8-15.
    px[t] = _mm256_packs_epi32(lo[t], Requant<kStage>(acc[t], g, 1));
  }
#pragma GCC unroll 2
  for (int t = 0; t < T; t += 2) {
    StorePixels(g, px[t], t + 1 < T ? px[t + 1] : px[t], t + 1 < T, out + (ox0 + t) * g.pixel);
  }
}

template <int KW, int S, int NPR, Stage kStage>
void RowSpecialized(const GroupCtx& g, const int16_t* const* rows, int8_t* out) {
  int64_t ox = 0;
  for (; ox + 4 <= g.out_w; ox += 4) Tile<KW, S, 4, NPR, kStage>(g, rows, ox, out);
  if (ox + 2 <= g.out_w) {
    Tile<KW, S, 2, NPR, kStage>(g, rows, ox, out);
    ox += 2;
  }
  if (ox < g.out_w) Tile<KW, S, 1, NPR, kStage>(g, rows, ox, out);
}

// Any filter width, stride and dilation: pixel by pixel, weights from memory.
template <Stage kStage>
void RowGeneric(const GroupCtx& g, const int16_t* const* rows, int8_t* out) {
  const int64_t step = g.dilation_w * 32;
  for (int64_t ox = 0; ox < g.out_w; ox += 2) {
    __m256i px[2];
    const int n = ox + 1 < g.out_w ? 2 : 1;
    for (int t = 0; t < n; ++t) {
      __m256i acc[2] = {g.bias[0], g.bias[1]};
      for (int64_t pr = 0; pr < g.pairs; ++pr) {
        const int16_t* col = rows[pr] + (ox + t) * g.stride_w * 32;
        const __m256i* w = g.w + pr * g.filter_w * 2;
        for (int64_t kx = 0; kx < g.filter_w; ++kx, col += step, w += 2) {
          for (int h = 0; h < 2; ++h) {
            const __m256i x =
                _mm256_load_si256(reinterpret_cast<const __m256i*>(col + h * 16));
            acc[h] = _mm256_add_epi32(acc[h], _mm256_madd_epi16(x, w[h]));
          }
        }
      }
      px[t] = _mm256_packs_epi32(Requant<kStage>(acc[0], g, 0), Requant<kStage>(acc[1], g, 1));
    }
    StorePixels(g, px[0], n == 2 ? px[1] : px[0], n == 2, out + ox * g.pixel);
  }
}

using RowFn = void (*)(const GroupCtx&, const int16_t* const*, int8_t*);

// 3- and 5-wide filters with dilation_w 1 and stride_w 1 or 2 get the register-tiled rows
// (NPR: pair rows known at compile time for 3x3, which measured faster; 0 = run time, which
// measured faster for 5x5); everything else the generic one.
template <Stage kStage>
RowFn PickRow(const ConvParams& p, int64_t filter_h, int64_t filter_w) {
  if (p.dilation_w == 1) {
    const bool square3 = filter_h == 3;
    if (filter_w == 3 && p.stride_w == 1) {
      return square3 ? RowSpecialized<3, 1, 2, kStage> : RowSpecialized<3, 1, 0, kStage>;
    }
    if (filter_w == 3 && p.stride_w == 2) {
      return square3 ? RowSpecialized<3, 2, 2, kStage> : RowSpecialized<3, 2, 0, kStage>;
    }
    if (filter_w == 5 && p.stride_w == 1) return RowSpecialized<5, 1, 0, kStage>;
    if (filter_w == 5 && p.stride_w == 2) return RowSpecialized<5, 2, 0, kStage>;
  }
  return RowGeneric<kStage>;
}

// What building pair rows needs.
struct PairCtx {
  const Int8DepthwiseArgs* a;
  int64_t width;           // pair-row columns
  int64_t j_begin, j_end;  // columns reading inside the input
  const int8_t* input_end;
  __m256i offset;          // int16 lanes
};

// 16 channels of one input pixel, widened with the offset. A partial group (`lanes` < 16) reads
// through a bounce buffer when a 16-byte load would leave the input tensor; otherwise the extra
// channels (of the next pixel) are read and meet zero weights.
inline __m256i LoadPixel(const PairCtx& c, const int8_t* p, int lanes) {
  __m128i v;
  if (lanes < 16 && p + 16 > c.input_end) {
    alignas(16) int8_t tmp[16] = {};
    std::memcpy(tmp, p, static_cast<size_t>(lanes));
    v = _mm_load_si128(reinterpret_cast<const __m128i*>(tmp));
  } else {
    v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  }
  return _mm256_add_epi16(_mm256_cvtepi8_epi16(v), c.offset);
}

// P(y) (rows y and y + dilation_h of `image`) for channels [c0, c0 + lanes) into dst.
void BuildPairRow(const PairCtx& c, const int8_t* image, int64_t y, int64_t c0, int lanes,
                  int16_t* dst) {
  const Int8DepthwiseArgs& a = *c.a;
  const int64_t y2 = y + a.params->dilation_h;
  const bool has_a = y >= 0 && y < a.in_h;
  const bool has_b = y2 >= 0 && y2 < a.in_h;
  __m256i* out = reinterpret_cast<__m256i*>(dst);
  const __m256i zero = _mm256_setzero_si256();
  if (!has_a && !has_b) {
    for (int64_t j = 0; j < 2 * c.width; ++j) _mm256_store_si256(out + j, zero);
    return;
  }
  for (int64_t j = 0; j < 2 * c.j_begin; ++j) _mm256_store_si256(out + j, zero);
  const int64_t pixel = a.in_c;
  const int64_t first = (c.j_begin - a.params->pad_left) * pixel + c0;
  // A row outside the input is never read (its pointer stays in place and is not used).
  const int8_t* src_a = image + (has_a ? y * a.in_w * pixel + first : 0);
  const int8_t* src_b = image + (has_b ? y2 * a.in_w * pixel + first : 0);
  if (has_a && has_b && lanes == 16) {
    for (int64_t j = c.j_begin; j < c.j_end; ++j, src_a += pixel, src_b += pixel) {
      const __m256i va = _mm256_add_epi16(
          _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src_a))),
          c.offset);
      const __m256i vb = _mm256_add_epi16(
          _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src_b))),
          c.offset);
      _mm256_store_si256(out + 2 * j, _mm256_unpacklo_epi16(va, vb));
      _mm256_store_si256(out + 2 * j + 1, _mm256_unpackhi_epi16(va, vb));
    }
  } else {
    const int64_t step_a = has_a ? pixel : 0;
    const int64_t step_b = has_b ? pixel : 0;
    for (int64_t j = c.j_begin; j < c.j_end; ++j, src_a += step_a, src_b += step_b) {
      const __m256i va = has_a ? LoadPixel(c, src_a, lanes) : zero;
      const __m256i vb = has_b ? LoadPixel(c, src_b, lanes) : zero;
      _mm256_store_si256(out + 2 * j, _mm256_unpacklo_epi16(va, vb));
      _mm256_store_si256(out + 2 * j + 1, _mm256_unpackhi_epi16(va, vb));
    }
  }
  for (int64_t j = 2 * c.j_end; j < 2 * c.width; ++j) _mm256_store_si256(out + j, zero);
}

}  // namespace

void Int8DepthwiseRowsAvx2(const Int8DepthwiseArgs& a, int64_t row_begin, int64_t row_end,
                           int16_t* scratch) {
  const ConvParams& p = *a.params;
  const int64_t pairs = Int8DepthwisePairRows(a.filter_h);
  const int64_t width = Int8DepthwisePairWidth(p, a.out_w, a.filter_w);
  const int64_t ring = Int8DepthwisePairRing(p, a.filter_h);
  PairCtx pc;
  pc.a = &a;
  pc.width = width;
  pc.j_begin = std::min<int64_t>(width, p.pad_left);
  pc.j_end = std::clamp<int64_t>(p.pad_left + a.in_w, pc.j_begin, width);
  pc.input_end = a.input + a.batch * a.in_h * a.in_w * a.in_c;
  pc.offset = _mm256_set1_epi16(static_cast<int16_t>(a.input_offset));
  const RowFn row_fn = a.out.fp32_scale != nullptr
                           ? PickRow<Stage::kFp32>(p, a.filter_h, a.filter_w)
                       : a.out.any_min_multiplier
                           ? PickRow<Stage::kFull>(p, a.filter_h, a.filter_w)
                       : a.out.any_left_shift
                           ? PickRow<Stage::kLeftShift>(p, a.filter_h, a.filter_w)
                           : PickRow<Stage::kPlain>(p, a.filter_h, a.filter_w);
  GroupCtx g;
  g.pairs = pairs;
  g.out_w = a.out_w;
  g.pixel = a.out_c;
  g.filter_w = a.filter_w;
  g.stride_w = p.stride_w;
  g.dilation_w = p.dilation_w;
  g.zero_point = _mm256_set1_epi32(a.out.output_zero_point);
  g.fp32_lo = _mm256_set1_ps(static_cast<float>(a.out.act_min - a.out.output_zero_point));
  g.fp32_hi = _mm256_set1_ps(static_cast<float>(a.out.act_max - a.out.output_zero_point));
  g.act_min = _mm256_set1_epi8(static_cast<char>(a.out.act_min));
  g.act_max = _mm256_set1_epi8(static_cast<char>(a.out.act_max));
  const int64_t groups = (a.out_c + 15) / 16;
  const int64_t weights_per_group = pairs * a.filter_w * 2;  // __m256i
  const int64_t row_bytes = std::max<int64_t>(1, a.in_w * a.in_c * p.stride_h);
  const int64_t block = std::max<int64_t>(1, kBlockInputBytes / row_bytes);
  const int64_t slot_elements = width * 32;
  // Ring of pair rows: slot s caches P(r) of image tag_b[s] for r = tag_r[s], r = s (mod ring).
  int64_t tag_b[kInt8DepthwiseMaxRing], tag_r[kInt8DepthwiseMaxRing];
  const int16_t* rows[kInt8DepthwiseMaxRing];  // pairs <= ring
  for (int64_t block_begin = row_begin; block_begin < row_end; block_begin += block) {
    const int64_t block_end = std::min(row_end, block_begin + block);
    for (int64_t grp = 0; grp < groups; ++grp) {
      const int64_t c0 = 16 * grp;
      g.lanes = static_cast<int>(std::min<int64_t>(16, a.out_c - c0));
      g.w = reinterpret_cast<const __m256i*>(a.interleaved) + grp * weights_per_group;
      LoadGroupStage(a, c0, &g);
      for (int64_t s = 0; s < ring; ++s) tag_b[s] = -1;
      // The image, output row and ring slot of pair 0 advance row by row without divisions
      // (slot0 = iy0 mod ring; pair pr's slot is slot0 + 2 * pr * dilation_h, less than
      // 2 * ring).
      int64_t b = block_begin / a.out_h;
      int64_t oy = block_begin % a.out_h;
      int64_t slot0 = ((oy * p.stride_h - p.pad_top) % ring + ring) % ring;
      const int64_t slot_step = p.stride_h % ring;
      const int64_t slot_first_row = (-p.pad_top % ring + ring) % ring;  // oy == 0
      for (int64_t row = block_begin; row < block_end; ++row) {
        const int64_t iy0 = oy * p.stride_h - p.pad_top;
        const int8_t* image = a.input + b * a.in_h * a.in_w * a.in_c;
        for (int64_t pr = 0; pr < pairs; ++pr) {
          const int64_t r = iy0 + 2 * pr * p.dilation_h;
          int64_t s = slot0 + 2 * pr * p.dilation_h;
          if (s >= ring) s -= ring;
          int16_t* slot = scratch + s * slot_elements;
          if (tag_b[s] != b || tag_r[s] != r) {
            BuildPairRow(pc, image, r, c0, g.lanes, slot);
            tag_b[s] = b;
            tag_r[s] = r;
          }
          rows[pr] = slot;
        }
        row_fn(g, rows, a.output + row * a.out_w * a.out_c + c0);
        if (++oy == a.out_h) {
          oy = 0;
          ++b;
          slot0 = slot_first_row;
        } else {
          slot0 += slot_step;
          if (slot0 >= ring) slot0 -= ring;
        }
      }
    }
  }
}

}  // namespace compressd::kernels::optimized
