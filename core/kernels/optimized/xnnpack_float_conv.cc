#include "core/kernels/optimized/xnnpack_float_conv.h"

#include <algorithm>
#include <cstring>

#include "core/base/cpu_features.h"
#include "core/kernels/optimized/portable_simd.h"
#include "core/kernels/optimized/xnnpack_float_ukernel.h"
#include "core/kernels/reference/xnnpack_float_conv.h"

namespace compressd::kernels::optimized {
namespace {

using portable::Broadcast4;
using portable::Load4;
using portable::Store4;
using portable::V4;

constexpr int kRows = kXnnTileRows;  // output positions per tile
constexpr int kCols = 8;             // output channels per panel

// `rows` (1..6) rows of A against one panel (portable): raw sums into acc[6][16] (first 8).
void PortableTile(int rows, const float* const* a_rows, const float* panel, int64_t k,
                  const float* bias8, float* acc) {
  V4 lo[kRows], hi[kRows];
  for (int r = 0; r < kRows; ++r) {
    lo[r] = Load4(bias8);
    hi[r] = Load4(bias8 + 4);
  }
  for (int64_t kk = 0; kk < k; ++kk) {
    const V4 w_lo = Load4(panel + kk * kCols);
    const V4 w_hi = Load4(panel + kk * kCols + 4);
    for (int r = 0; r < kRows; ++r) {
      if (r >= rows) break;
      const V4 x = Broadcast4(a_rows[r][kk]);
      lo[r] = lo[r] + x * w_lo;
      hi[r] = hi[r] + x * w_hi;
    }
  }
  for (int r = 0; r < rows; ++r) {
    Store4(acc + r * 16, lo[r]);
    Store4(acc + r * 16 + 4, hi[r]);
  }
}

// Rows given by pointers (1..6 of them), all panels; clamps and stores.
void GemmRows(int rows, const float* const* a_rows, const XnnPackedWeights& w, const float* bias,
              const FloatActivationRange& act, float* const* out_rows) {
  static const bool avx2 = GetCpuFeatures().avx2_fma;
  const int64_t panels = (w.n + kCols - 1) / kCols;
  const int64_t step = avx2 ? 2 : 1;
  float acc[kRows * 16];
  float b[16];
  for (int64_t p = 0; p < panels; p += step) {
    const int64_t n0 = p * kCols;
    const int cols = static_cast<int>(std::min<int64_t>(kCols * step, w.n - n0));
    for (int j = 0; j < 16; ++j) b[j] = bias != nullptr && j < cols ? bias[n0 + j] : 0.0f;
    const float* panel0 = w.panels.data() + p * w.k * kCols;
    if (avx2) {
      const float* panel1 = p + 1 < panels ? panel0 + w.k * kCols : nullptr;
      XnnGemmTileAvx2(rows, a_rows, panel0, panel1, w.k, b, out_rows, n0, cols, act.min, act.max);
      continue;
    }
    PortableTile(rows, a_rows, panel0, w.k, b, acc);
    for (int r = 0; r < rows; ++r) {
      for (int j = 0; j < cols; ++j) {
        out_rows[r][n0 + j] = ApplyActivation(acc[r * 16 + j], act.min, act.max);
      }
    }
  }
}

bool IsPointwise(const ConvParams& params, const Shape& filter_shape) {
  return filter_shape.dim(1) == 1 && filter_shape.dim(2) == 1 && params.stride_h == 1 &&
         params.stride_w == 1 && params.pad_top == 0 && params.pad_left == 0;
}

// Depthwise, depth multiplier 1, portable: as XnnDepthwiseTapsAvx2 with 4 channels per vector.
void DepthwiseTapsPortable(int lanes, int taps, const float* const* x, const float* const* w,
                           const float* bias, float act_min, float act_max, float* out) {
  int c = 0;
  float tmp[4];
  for (; c + 4 <= lanes; c += 4) {
    V4 a = bias != nullptr ? Load4(bias + c) : portable::Zero4();
    for (int t = 0; t < taps; ++t) a = a + Load4(x[t] + c) * Load4(w[t] + c);
    Store4(tmp, a);
    for (int l = 0; l < 4; ++l) out[c + l] = ApplyActivation(tmp[l], act_min, act_max);
  }
  for (; c < lanes; ++c) {
    float a = bias != nullptr ? bias[c] : 0.0f;
    for (int t = 0; t < taps; ++t) {
      const float product = x[t][c] * w[t][c];
      a = a + product;
    }
    out[c] = ApplyActivation(a, act_min, act_max);
  }
}

}  // namespace

XnnPackedWeights PackXnnWeights(int64_t n, int64_t k, const float* weights) {
  XnnPackedWeights w;
  w.n = n;
  w.k = k;
  const int64_t panels = (n + kCols - 1) / kCols;
  w.panels.assign(static_cast<size_t>(panels * k * kCols), 0.0f);
  for (int64_t j = 0; j < n; ++j) {
    float* panel = w.panels.data() + (j / kCols) * k * kCols + j % kCols;
    for (int64_t kk = 0; kk < k; ++kk) panel[kk * kCols] = weights[j * k + kk];
  }
  return w;
}

void XnnGemm(int64_t rows, const float* a, int64_t lda, const XnnPackedWeights& w,
             const float* bias, const FloatActivationRange& activation, float* out, int64_t ldo) {
  for (int64_t r0 = 0; r0 < rows; r0 += kRows) {
    const int n = static_cast<int>(std::min<int64_t>(kRows, rows - r0));
    const float* a_rows[kRows];
    float* out_rows[kRows];
    for (int r = 0; r < n; ++r) {
      a_rows[r] = a + (r0 + r) * lda;
      out_rows[r] = out + (r0 + r) * ldo;
    }
    GemmRows(n, a_rows, w, bias, activation, out_rows);
  }
}

int64_t XnnConvScratchBytes(const ConvParams& params, const Shape& filter_shape,
                            const Shape& output_shape) {
  (void)output_shape;
  if (IsPointwise(params, filter_shape)) return 0;
  const int64_t k = int64_t{filter_shape.dim(1)} * filter_shape.dim(2) * filter_shape.dim(3);
  return kRows * k * static_cast<int64_t>(sizeof(float));
}

void XnnConv2D(const ConvParams& params, const Shape& input_shape, const float* input,
               const Shape& filter_shape, const XnnPackedWeights& weights, const float* bias,
               const Shape& output_shape, float* output, void* scratch) {
  const FloatActivationRange act{params.act_min, params.act_max};
  const int64_t out_c = output_shape.dim(3);
  const int64_t pixels = output_shape.FlatSize() / std::max<int64_t>(out_c, 1);
  if (IsPointwise(params, filter_shape)) {
    XnnGemm(pixels, input, input_shape.dim(3), weights, bias, act, output, out_c);
    return;
  }
  const int in_h = input_shape.dim(1);
  const int in_w = input_shape.dim(2);
  const int in_c = input_shape.dim(3);
  const int filter_h = filter_shape.dim(1);
  const int filter_w = filter_shape.dim(2);
  const int out_h = output_shape.dim(1);
  const int out_w = output_shape.dim(2);
  const int64_t k = weights.k;
  float* columns = static_cast<float*>(scratch);
  for (int64_t p0 = 0; p0 < pixels; p0 += kRows) {
    const int n = static_cast<int>(std::min<int64_t>(kRows, pixels - p0));
    const float* a_rows[kRows];
    float* out_rows[kRows];
    for (int r = 0; r < n; ++r) {
      const int64_t p = p0 + r;
      const int b = static_cast<int>(p / (int64_t{out_h} * out_w));
      const int oy = static_cast<int>(p / out_w % out_h);
      const int ox = static_cast<int>(p % out_w);
      float* col = columns + r * k;
      for (int fy = 0; fy < filter_h; ++fy) {
        const int in_y = oy * params.stride_h - params.pad_top + params.dilation_h * fy;
        for (int fx = 0; fx < filter_w; ++fx) {
          const int in_x = ox * params.stride_w - params.pad_left + params.dilation_w * fx;
          float* dst = col + (int64_t{fy} * filter_w + fx) * in_c;
          if (in_y < 0 || in_y >= in_h || in_x < 0 || in_x >= in_w) {
            std::fill(dst, dst + in_c, 0.0f);
          } else {
            std::memcpy(dst, input + input_shape.Offset(b, in_y, in_x, 0),
                        sizeof(float) * static_cast<size_t>(in_c));
          }
        }
      }
      a_rows[r] = col;
      out_rows[r] = output + p * out_c;
    }
    GemmRows(n, a_rows, weights, bias, act, out_rows);
  }
}

void XnnDepthwiseConv2D(const ConvParams& params, const Shape& input_shape, const float* input,
                        const Shape& filter_shape, const float* filter, const float* bias,
                        const Shape& output_shape, float* output) {
  if (params.depth_multiplier != 1) {
    reference::DepthwiseConv2DXnnpack(params, input_shape, input, filter_shape, filter, bias,
                                      output_shape, output);
    return;
  }
  static const bool avx2 = GetCpuFeatures().avx2_fma;
  const int batches = input_shape.dim(0);
  const int in_h = input_shape.dim(1);
  const int in_w = input_shape.dim(2);
  const int channels = input_shape.dim(3);
  const int filter_h = filter_shape.dim(1);
  const int filter_w = filter_shape.dim(2);
  const int out_h = output_shape.dim(1);
  const int out_w = output_shape.dim(2);
  const int taps = filter_h * filter_w;
  // Channels per pass: the accumulators and a zero row for padding taps live on the stack.
  constexpr int kChunk = 256;
  constexpr int kMaxTaps = 64;
  if (taps > kMaxTaps) {
    reference::DepthwiseConv2DXnnpack(params, input_shape, input, filter_shape, filter, bias,
                                      output_shape, output);
    return;
  }
  static const float kZeros[kChunk] = {};
  const float* x[kMaxTaps];
  const float* w[kMaxTaps];
  const int64_t row_stride = int64_t{in_w} * channels;
  // Per tap (column-major, XNNPACK's order): its input offset from the window's corner.
  int64_t tap_offset[kMaxTaps];
  for (int fx = 0, t = 0; fx < filter_w; ++fx) {
    for (int fy = 0; fy < filter_h; ++fy, ++t) {
      tap_offset[t] = int64_t{params.dilation_h} * fy * row_stride +
                      int64_t{params.dilation_w} * fx * channels;
    }
  }
  const int span_h = (filter_h - 1) * params.dilation_h;
  const int span_w = (filter_w - 1) * params.dilation_w;
  for (int c0 = 0; c0 < channels; c0 += kChunk) {
    const int lanes = std::min(kChunk, channels - c0);
    for (int fx = 0, t = 0; fx < filter_w; ++fx) {
      for (int fy = 0; fy < filter_h; ++fy, ++t) {
        w[t] = filter + (int64_t{fy} * filter_w + fx) * channels + c0;
      }
    }
    const float* chunk_bias = bias != nullptr ? bias + c0 : nullptr;
    for (int b = 0; b < batches; ++b) {
      const float* image = input + int64_t{b} * in_h * row_stride + c0;
      for (int oy = 0; oy < out_h; ++oy) {
        const int in_y0 = oy * params.stride_h - params.pad_top;
        const bool rows_inside = in_y0 >= 0 && in_y0 + span_h < in_h;
        float* out_row = output + (int64_t{b} * out_h + oy) * out_w * channels + c0;
        for (int ox = 0; ox < out_w; ++ox) {
          const int in_x0 = ox * params.stride_w - params.pad_left;
          if (rows_inside && in_x0 >= 0 && in_x0 + span_w < in_w) {
            const float* corner = image + in_y0 * row_stride + int64_t{in_x0} * channels;
            for (int t = 0; t < taps; ++t) x[t] = corner + tap_offset[t];
          } else {  // a padding tap reads zeros
            for (int fx = 0, t = 0; fx < filter_w; ++fx) {
              const int in_x = in_x0 + params.dilation_w * fx;
              for (int fy = 0; fy < filter_h; ++fy, ++t) {
                const int in_y = in_y0 + params.dilation_h * fy;
                x[t] = in_y < 0 || in_y >= in_h || in_x < 0 || in_x >= in_w
                           ? kZeros
                           : image + in_y * row_stride + int64_t{in_x} * channels;
              }
            }
          }
          float* out = out_row + int64_t{ox} * channels;
          if (avx2) {
            XnnDepthwiseTapsAvx2(lanes, taps, x, w, chunk_bias, params.act_min, params.act_max,
                                 out);
          } else {
            DepthwiseTapsPortable(lanes, taps, x, w, chunk_bias, params.act_min, params.act_max,
                                  out);
          }
        }
      }
    }
  }
}

}  // namespace compressd::kernels::optimized
