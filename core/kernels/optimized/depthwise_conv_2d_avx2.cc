// AVX2+FMA depthwise convolution rows (depth multiplier 1), vectorized over channels: 8 channels
// per __m256, the last partial group with masked loads/stores. Compiled with -mavx2 -mfma; only
// called after GetCpuFeatures() reported avx2_fma.
//
// Each output row is split into a border (output pixels with a horizontal tap in the padding),
// computed pixel by pixel (in-bounds taps only, accumulating in the output pixel, channels
// innermost), and an interior, computed by a kernel specialized for the filter width and stride
// that keeps T = 8/4/2/1 output pixels x 8 channels in registers and loads every input column of
// a filter row once. Filter rows in the vertical padding are skipped in both. Both compute
// bias (or 0) followed by one FMA per in-bounds tap in (ky, kx) order, so an element's value does
// not depend on the path or tile that computed it (nor on the rows a thread was given).
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "core/kernels/optimized/depthwise_ukernel.h"

namespace compressd::kernels::optimized {
namespace {

inline __m256i TailMask(int64_t lanes) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(lanes)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

template <bool kMask>
inline __m256 Load(const float* p, __m256i mask) {
  if constexpr (kMask) {
    return _mm256_maskload_ps(p, mask);
  } else {
    return _mm256_loadu_ps(p);
  }
}

template <bool kMask>
inline void Store(float* p, __m256i mask, __m256 v) {
  if constexpr (kMask) {
    _mm256_maskstore_ps(p, mask, v);
  } else {
    _mm256_storeu_ps(p, v);
  }
}

// Smallest v >= 0 with v * step >= x (x may be negative), for step >= 1.
inline int64_t CeilDivNonNeg(int64_t x, int64_t step) {
  return x <= 0 ? 0 : (x + step - 1) / step;
}

// What every kernel of one output row needs.
struct RowCtx {
  const DepthwiseArgs* a;
  int64_t channels;
  int64_t ky_begin, ky_end;  // filter rows whose input row is inside the image
  int64_t iy0;               // input row of ky = 0 (may be outside)
  const float* in_image;     // input image of this row's batch
  float* out_row;            // output row
  __m256 vmin, vmax;
  __m256i mask;  // lanes of the last channel group (channels % 8)
};

// Per-pixel path for output pixel `ox`: any filter size, stride and dilation; only the taps
// inside the input. Accumulates in the output pixel itself, channels innermost: each tap is a
// simple, well-predicted loop over channel groups whose iterations are independent (no long
// dependent FMA chain), then a clamp pass.
void Pixel(const RowCtx& r, int64_t ox) {
  const DepthwiseArgs& a = *r.a;
  const ConvParams& p = *a.params;
  const int64_t ch = r.channels;
  const int64_t full = ch / 8 * 8;
  const bool tail = full < ch;
  const __m256i mask = r.mask;
  float* out = r.out_row + ox * ch;
  if (a.bias == nullptr) {
    for (int64_t c = 0; c < full; c += 8) _mm256_storeu_ps(out + c, _mm256_setzero_ps());
    if (tail) _mm256_maskstore_ps(out + full, mask, _mm256_setzero_ps());
  } else {
    for (int64_t c = 0; c < full; c += 8) _mm256_storeu_ps(out + c, _mm256_loadu_ps(a.bias + c));
    if (tail) _mm256_maskstore_ps(out + full, mask, _mm256_maskload_ps(a.bias + full, mask));
  }
  const int64_t ix0 = ox * p.stride_w - p.pad_left;
  // kx with 0 <= ix0 + kx*dilation_w <= in_w - 1.
  const int64_t kx_begin = std::min(a.filter_w, CeilDivNonNeg(-ix0, p.dilation_w));
  const int64_t last_dx = a.in_w - 1 - ix0;
  const int64_t kx_end =
      std::max(kx_begin, last_dx < 0 ? 0 : std::min(a.filter_w, last_dx / p.dilation_w + 1));
  for (int64_t ky = r.ky_begin; ky < r.ky_end; ++ky) {
    const float* in_row = r.in_image + (r.iy0 + ky * p.dilation_h) * a.in_w * ch;
    const float* w_row = a.filter + ky * a.filter_w * ch;
    for (int64_t kx = kx_begin; kx < kx_end; ++kx) {
      const float* in = in_row + (ix0 + kx * p.dilation_w) * ch;
      const float* w = w_row + kx * ch;
      for (int64_t c = 0; c < full; c += 8) {
        _mm256_storeu_ps(out + c, _mm256_fmadd_ps(_mm256_loadu_ps(in + c), _mm256_loadu_ps(w + c),
                                                  _mm256_loadu_ps(out + c)));
      }
      if (tail) {
        _mm256_maskstore_ps(
            out + full, mask,
            _mm256_fmadd_ps(_mm256_maskload_ps(in + full, mask),
                            _mm256_maskload_ps(w + full, mask),
                            _mm256_maskload_ps(out + full, mask)));
      }
    }
  }
  for (int64_t c = 0; c < full; c += 8) {
    _mm256_storeu_ps(out + c,
                     _mm256_min_ps(r.vmax, _mm256_max_ps(r.vmin, _mm256_loadu_ps(out + c))));
  }
  if (tail) {
    _mm256_maskstore_ps(
        out + full, mask,
        _mm256_min_ps(r.vmax, _mm256_max_ps(r.vmin, _mm256_maskload_ps(out + full, mask))));
  }
}

// T output pixels x 8 channels (filter width KW, stride S, dilation 1, all horizontal taps
// inside the input). `in` is the input at the first valid filter row, the tile's first input
// column and this channel group; filter rows are `in_row_step` floats apart in the input and
// KW*ch floats apart in `w`. Accumulators stay in registers; every input column of a filter row
// is loaded once and feeds the outputs it overlaps (column j, output t: tap kx = j - t*S).
template <int KW, int S, int T, bool kMask>
__attribute__((always_inline)) inline void InteriorGroup(const float* in, int64_t in_row_step,
                                                         const float* w, int64_t rows,
                                                         int64_t ch, const float* bias,
                                                         float* out, __m256 vmin, __m256 vmax,
                                                         __m256i mask) {
  const __m256 init = bias == nullptr ? _mm256_setzero_ps() : Load<kMask>(bias, mask);
  __m256 acc[T];
#pragma GCC unroll 8
  for (int t = 0; t < T; ++t) acc[t] = init;
  for (int64_t ky = 0; ky < rows; ++ky, in += in_row_step, w += KW * ch) {
    __m256 wv[KW];
#pragma GCC unroll 5
    for (int kx = 0; kx < KW; ++kx) wv[kx] = Load<kMask>(w + kx * ch, mask);
    const float* col = in;
    constexpr int kColumns = (T - 1) * S + KW;
#pragma GCC unroll 32
    for (int j = 0; j < kColumns; ++j) {
      const __m256 x = Load<kMask>(col, mask);
      col += ch;
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) {
        const int kx = j - t * S;
        if (kx >= 0 && kx < KW) acc[t] = _mm256_fmadd_ps(x, wv[kx], acc[t]);
      }
    }
  }
#pragma GCC unroll 8
  for (int t = 0; t < T; ++t) {
    Store<kMask>(out + t * ch, mask, _mm256_min_ps(vmax, _mm256_max_ps(vmin, acc[t])));
  }
}

// Output pixels [ox, ox + T), all channels.
template <int KW, int S, int T>
void InteriorTile(const RowCtx& r, int64_t ox) {
  const DepthwiseArgs& a = *r.a;
  const ConvParams& p = *a.params;
  const int64_t ch = r.channels;
  const int64_t rows = r.ky_end - r.ky_begin;
  const int64_t ix0 = ox * S - p.pad_left;
  const int64_t in_row_step = p.dilation_h * a.in_w * ch;
  const float* in =
      r.in_image + ((r.iy0 + r.ky_begin * p.dilation_h) * a.in_w + ix0) * ch;
  const float* w = a.filter + r.ky_begin * KW * ch;
  float* out = r.out_row + ox * ch;
  const __m256 vmin = r.vmin, vmax = r.vmax;
  const __m256i mask = r.mask;
  const int64_t full = ch / 8 * 8;
  int64_t c = 0;
  for (; c < full; c += 8) {
    InteriorGroup<KW, S, T, false>(in + c, in_row_step, w + c, rows, ch,
                                   a.bias == nullptr ? nullptr : a.bias + c, out + c, vmin,
                                   vmax, mask);
  }
  if (c < ch) {
    InteriorGroup<KW, S, T, true>(in + c, in_row_step, w + c, rows, ch,
                                  a.bias == nullptr ? nullptr : a.bias + c, out + c, vmin, vmax,
                                  mask);
  }
}

template <int KW, int S>
void Interior(const RowCtx& r, int64_t ox_begin, int64_t ox_end) {
  int64_t ox = ox_begin;
  for (; ox + 8 <= ox_end; ox += 8) InteriorTile<KW, S, 8>(r, ox);
  if (ox + 4 <= ox_end) {
    InteriorTile<KW, S, 4>(r, ox);
    ox += 4;
  }
  if (ox + 2 <= ox_end) {
    InteriorTile<KW, S, 2>(r, ox);
    ox += 2;
  }
  if (ox < ox_end) InteriorTile<KW, S, 1>(r, ox);
}

using InteriorFn = void (*)(const RowCtx&, int64_t, int64_t);

struct Specialization {
  const char* name;
  InteriorFn fn;
};

// The interior kernels need dilation_w 1 and depth multiplier 1; the filter height, vertical
// stride and vertical dilation are free (rows are looped at run time).
Specialization FindSpecialization(const ConvParams& p, int64_t filter_w) {
  if (p.dilation_w != 1 || p.depth_multiplier != 1) return {nullptr, nullptr};
  if (filter_w == 3 && p.stride_w == 1) return {"avx2_kw3_sw1", Interior<3, 1>};
  if (filter_w == 3 && p.stride_w == 2) return {"avx2_kw3_sw2", Interior<3, 2>};
  if (filter_w == 5 && p.stride_w == 1) return {"avx2_kw5_sw1", Interior<5, 1>};
  if (filter_w == 5 && p.stride_w == 2) return {"avx2_kw5_sw2", Interior<5, 2>};
  return {nullptr, nullptr};
}

}  // namespace

const char* DepthwiseAvx2SpecializedName(const ConvParams& params, int64_t filter_w) {
  return FindSpecialization(params, filter_w).name;
}

void DepthwiseRowsAvx2(const DepthwiseArgs& a, int64_t row_begin, int64_t row_end) {
  const ConvParams& p = *a.params;
  const InteriorFn interior = FindSpecialization(p, a.filter_w).fn;
  RowCtx r;
  r.a = &a;
  r.channels = a.out_c;
  r.vmin = _mm256_set1_ps(p.act_min);
  r.vmax = _mm256_set1_ps(p.act_max);
  r.mask = TailMask(a.out_c % 8 == 0 ? 8 : a.out_c % 8);
  // Output columns whose taps are all inside the input: ox*s - pad_left >= 0 and
  // ox*s - pad_left + (filter_w-1)*dilation_w <= in_w - 1.
  const int64_t span = (a.filter_w - 1) * p.dilation_w;
  int64_t ox_lo = CeilDivNonNeg(p.pad_left, p.stride_w);
  const int64_t last_ix0 = a.in_w - 1 - span + p.pad_left;  // largest allowed ox*s
  int64_t ox_hi = last_ix0 < 0 ? 0 : last_ix0 / p.stride_w + 1;
  ox_lo = std::min(ox_lo, a.out_w);
  ox_hi = std::clamp(ox_hi, ox_lo, a.out_w);
  if (interior == nullptr) {
    ox_lo = ox_hi = a.out_w;  // all pixels take the per-pixel path
  }
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int64_t b = row / a.out_h;
    const int64_t oy = row % a.out_h;
    r.iy0 = oy * p.stride_h - p.pad_top;
    r.ky_begin = std::min(a.filter_h, CeilDivNonNeg(-r.iy0, p.dilation_h));
    const int64_t last_dy = a.in_h - 1 - r.iy0;  // largest allowed ky*dilation_h
    r.ky_end = last_dy < 0 ? 0 : std::min(a.filter_h, last_dy / p.dilation_h + 1);
    r.ky_end = std::max(r.ky_end, r.ky_begin);
    r.in_image = a.input + b * a.in_h * a.in_w * a.in_c;
    r.out_row = a.output + row * a.out_w * a.out_c;
    for (int64_t ox = 0; ox < ox_lo; ++ox) Pixel(r, ox);
    if (ox_lo < ox_hi) interior(r, ox_lo, ox_hi);
    for (int64_t ox = ox_hi; ox < a.out_w; ++ox) Pixel(r, ox);
  }
}

}  // namespace compressd::kernels::optimized
