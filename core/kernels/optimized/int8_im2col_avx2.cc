// AVX2 im2col for the int8 CONV_2D: int8 -> int16 + offset in 16-element vectors (vpmovsxbw +
// vpaddw). To avoid per-piece tails (a receptive-field piece is often only in_c = 3..16 bytes),
// every piece is written as whole vectors, running up to 15 elements past its end; pieces are
// written in increasing address order, so each overrun is rewritten by the next piece (or falls
// into the next row, or into the kInt8Im2ColSlack elements past the block). Input reads stay
// inside the input tensor: a 16-byte load that would cross its end is done element by element.
// Compiled with -mavx2; only called for the AVX2 GEMM variant (after GetCpuFeatures() reported
// avx2_fma).
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "core/kernels/optimized/int8_im2col.h"

namespace compressd::kernels::optimized {
namespace {

struct Ctx {
  const int8_t* end;
  __m256i off;
  int32_t offset;
};

// dst[0, n) = src[0, n) + offset; may write dst[n, n + 15) (garbage).
inline void WidenOver(const Ctx& c, const int8_t* src, int64_t n, int16_t* dst) {
  for (int64_t i = 0; i < n; i += 16) {
    if (src + i + 16 > c.end) {
      for (; i < n; ++i) dst[i] = static_cast<int16_t>(src[i] + c.offset);
      return;
    }
    const __m256i v =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_add_epi16(v, c.off));
  }
}

// dst[0, n) = 0; may write dst[n, n + 15).
inline void ZeroOver(int64_t n, int16_t* dst) {
  for (int64_t i = 0; i < n; i += 16) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm256_setzero_si256());
  }
}

// Smallest v >= 0 with v * step >= x (x may be negative), for step >= 1.
inline int64_t CeilDivNonNeg(int64_t x, int64_t step) {
  return x <= 0 ? 0 : (x + step - 1) / step;
}

}  // namespace

void Int8Im2ColAvx2(const Int8Im2ColArgs& a, int64_t row_begin, int64_t row_end, int16_t* col) {
  const ConvParams& p = *a.params;
  Ctx c;
  c.end = a.input_end;
  c.off = _mm256_set1_epi16(static_cast<int16_t>(a.offset));
  c.offset = a.offset;
  const int64_t k = a.k;
  const int64_t lda = a.lda;
  const int64_t row_elems = a.filter_w * a.in_c;  // one ky row of a patch
  int64_t ox = row_begin % a.out_w;
  int64_t oy = row_begin / a.out_w % a.out_h;
  int64_t b = row_begin / (a.out_w * a.out_h);
  for (int64_t r = row_begin; r < row_end; ++r) {
    int16_t* dst = col + (r - row_begin) * lda;
    const int64_t iy0 = oy * p.stride_h - p.pad_top;
    const int64_t ix0 = ox * p.stride_w - p.pad_left;
    // Filter columns whose input column is inside the image (no division for dilation 1: a
    // 64-bit division per output pixel was a third of this function's time).
    const int64_t last = a.in_w - 1 - ix0;
    int64_t kx_begin, kx_end;
    if (p.dilation_w == 1) {
      kx_begin = std::clamp<int64_t>(-ix0, 0, a.filter_w);
      kx_end = std::max(kx_begin, std::min(a.filter_w, last + 1));
    } else {
      kx_begin = std::min(a.filter_w, CeilDivNonNeg(-ix0, p.dilation_w));
      kx_end = std::max(kx_begin, last < 0 ? 0 : std::min(a.filter_w, last / p.dilation_w + 1));
    }
    for (int64_t ky = 0; ky < a.filter_h; ++ky, dst += row_elems) {
      const int64_t iy = iy0 + ky * p.dilation_h;
      if (iy < 0 || iy >= a.in_h || kx_begin == kx_end) {
        ZeroOver(row_elems, dst);
        continue;
      }
      const int8_t* src_row = a.input + (b * a.in_h + iy) * a.in_w * a.in_c;
      if (kx_begin > 0) ZeroOver(kx_begin * a.in_c, dst);
      if (p.dilation_w == 1) {
        WidenOver(c, src_row + (ix0 + kx_begin) * a.in_c, (kx_end - kx_begin) * a.in_c,
                  dst + kx_begin * a.in_c);
      } else {
        for (int64_t kx = kx_begin; kx < kx_end; ++kx) {
          WidenOver(c, src_row + (ix0 + kx * p.dilation_w) * a.in_c, a.in_c, dst + kx * a.in_c);
        }
      }
      if (kx_end < a.filter_w) ZeroOver((a.filter_w - kx_end) * a.in_c, dst + kx_end * a.in_c);
    }
    if (lda != k) col[(r - row_begin) * lda + k] = 0;
    if (++ox == a.out_w) {
      ox = 0;
      if (++oy == a.out_h) {
        oy = 0;
        ++b;
      }
    }
  }
}

}  // namespace compressd::kernels::optimized
