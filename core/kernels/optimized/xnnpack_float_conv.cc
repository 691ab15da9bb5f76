#include "core/kernels/optimized/xnnpack_float_conv.h"

#include <algorithm>
#include <cstring>

#include "core/kernels/optimized/portable_simd.h"
#include "core/kernels/reference/xnnpack_float_conv.h"

namespace compressd::kernels::optimized {
namespace {

using portable::Broadcast4;
using portable::Load4;
using portable::Store4;
using portable::V4;

constexpr int kRows = 4;  // output positions per tile
constexpr int kCols = 8;  // output channels per panel

// Stores `cols` (<= 8) clamped values of the two accumulators.
inline void StoreRow(V4 lo, V4 hi, int cols, const FloatActivationRange& act, float* out) {
  float tmp[kCols];
  Store4(tmp, lo);
  Store4(tmp + 4, hi);
  for (int j = 0; j < cols; ++j) out[j] = ApplyActivation(tmp[j], act.min, act.max);
}

// `rows` (1..4) rows of A against one panel: 8 output channels starting at column `n0`.
void Tile(int rows, const float* const* a_rows, const float* panel, int64_t k, const float* bias,
          int64_t n0, int cols, const FloatActivationRange& act, float* const* out_rows) {
  float b[kCols] = {};
  if (bias != nullptr) {
    for (int j = 0; j < cols; ++j) b[j] = bias[n0 + j];
  }
  V4 acc_lo[kRows], acc_hi[kRows];
  for (int r = 0; r < kRows; ++r) {
    acc_lo[r] = Load4(b);
    acc_hi[r] = Load4(b + 4);
  }
  for (int64_t kk = 0; kk < k; ++kk) {
    const V4 w_lo = Load4(panel + kk * kCols);
    const V4 w_hi = Load4(panel + kk * kCols + 4);
    for (int r = 0; r < kRows; ++r) {
      if (r >= rows) break;
      const V4 x = Broadcast4(a_rows[r][kk]);
      acc_lo[r] = acc_lo[r] + x * w_lo;
      acc_hi[r] = acc_hi[r] + x * w_hi;
    }
  }
  for (int r = 0; r < rows; ++r) StoreRow(acc_lo[r], acc_hi[r], cols, act, out_rows[r] + n0);
}

// Rows r0..r0+rows-1 given by pointers, all panels.
void GemmRows(int rows, const float* const* a_rows, const XnnPackedWeights& w, const float* bias,
              const FloatActivationRange& act, float* const* out_rows) {
  const int64_t panels = (w.n + kCols - 1) / kCols;
  for (int64_t p = 0; p < panels; ++p) {
    const int64_t n0 = p * kCols;
    const int cols = static_cast<int>(std::min<int64_t>(kCols, w.n - n0));
    Tile(rows, a_rows, w.panels.data() + p * w.k * kCols, w.k, bias, n0, cols, act, out_rows);
  }
}

bool IsPointwise(const ConvParams& params, const Shape& filter_shape) {
  return filter_shape.dim(1) == 1 && filter_shape.dim(2) == 1 && params.stride_h == 1 &&
         params.stride_w == 1 && params.pad_top == 0 && params.pad_left == 0;
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
  const int batches = input_shape.dim(0);
  const int in_h = input_shape.dim(1);
  const int in_w = input_shape.dim(2);
  const int channels = input_shape.dim(3);
  const int filter_h = filter_shape.dim(1);
  const int filter_w = filter_shape.dim(2);
  const int out_h = output_shape.dim(1);
  const int out_w = output_shape.dim(2);
  const int vec_end = channels / 4 * 4;
  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        float* out = output + output_shape.Offset(b, oy, ox, 0);
        for (int c = 0; c < channels; c += 4) {
          const int lanes = c < vec_end ? 4 : channels - c;
          float tmp[4] = {};
          if (bias != nullptr) {
            for (int l = 0; l < lanes; ++l) tmp[l] = bias[c + l];
          }
          V4 acc = Load4(tmp);
          for (int fx = 0; fx < filter_w; ++fx) {
            const int in_x = ox * params.stride_w - params.pad_left + params.dilation_w * fx;
            for (int fy = 0; fy < filter_h; ++fy) {
              const int in_y = oy * params.stride_h - params.pad_top + params.dilation_h * fy;
              const float* w = filter + (int64_t{fy} * filter_w + fx) * channels + c;
              float xs[4] = {};
              float ws[4] = {};
              const bool padding = in_y < 0 || in_y >= in_h || in_x < 0 || in_x >= in_w;
              const float* in = padding ? nullptr : input + input_shape.Offset(b, in_y, in_x, c);
              V4 x, wv;
              if (lanes == 4) {
                x = padding ? portable::Zero4() : Load4(in);
                wv = Load4(w);
              } else {
                for (int l = 0; l < lanes; ++l) {
                  xs[l] = padding ? 0.0f : in[l];
                  ws[l] = w[l];
                }
                x = Load4(xs);
                wv = Load4(ws);
              }
              acc = acc + x * wv;
            }
          }
          Store4(tmp, acc);
          for (int l = 0; l < lanes; ++l) {
            out[c + l] = ApplyActivation(tmp[l], params.act_min, params.act_max);
          }
        }
      }
    }
  }
}

}  // namespace compressd::kernels::optimized
