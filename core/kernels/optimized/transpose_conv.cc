#include "core/kernels/optimized/transpose_conv.h"

#include <algorithm>
#include <cstdint>
#include <cstddef>

namespace compressd::kernels::optimized {
namespace {

// Floats of the per-pixel window buffer (KH * KW * Cout up to this size use it).
constexpr int64_t kWindowFloats = 4096;
// Windows of up to this many floats (8 or 16 lanes) keep their accumulators in registers.
constexpr int kSmallWindow = 16;

// The clipped window of one input pixel: filter rows [fy0, fy1), columns [fx0, fx1).
struct Window {
  int32_t fy0, fy1, fx0, fx1;
  int64_t oy0, ox0;  // output coordinates of filter tap (0, 0)
};

// A whole (unclipped) window of E = KH * KW * Cout <= N floats: its rows are gathered into N
// accumulators that stay in registers across the input channels (the lanes past E multiply
// zero weights and are never written back), then scattered back. `w` is the packed filter's
// [Cin][N] form (PackedTransposeConvFilter::small).
template <int N>
inline void SmallWindow(const float* x, int64_t in_c, const float* w, int64_t kh, int64_t span,
                        float* first_row, int64_t row_stride) {
  float acc[N] = {};
  for (int64_t fy = 0; fy < kh; ++fy) {
    std::copy_n(first_row + fy * row_stride, span, acc + fy * span);
  }
  for (int64_t ic = 0; ic < in_c; ++ic) {
    const float v = x[ic];
    const float* wi = w + ic * N;
    for (int e = 0; e < N; ++e) acc[e] += v * wi[e];
  }
  for (int64_t fy = 0; fy < kh; ++fy) {
    std::copy_n(acc + fy * span, span, first_row + fy * row_stride);
  }
}

}  // namespace

PackedTransposeConvFilter PackTransposeConvFilter(const Shape& filter_shape, const float* filter) {
  PackedTransposeConvFilter p;
  p.out_c = filter_shape.dim(0);
  p.filter_h = filter_shape.dim(1);
  p.filter_w = filter_shape.dim(2);
  p.in_c = filter_shape.dim(3);
  p.weights.resize(static_cast<size_t>(filter_shape.FlatSize()));
  for (int32_t oc = 0; oc < p.out_c; ++oc) {
    for (int32_t fy = 0; fy < p.filter_h; ++fy) {
      for (int32_t fx = 0; fx < p.filter_w; ++fx) {
        for (int32_t ic = 0; ic < p.in_c; ++ic) {
          const int64_t dst = ((static_cast<int64_t>(fy) * p.in_c + ic) * p.filter_w + fx) *
                                  p.out_c + oc;
          p.weights[static_cast<size_t>(dst)] = filter[filter_shape.Offset(oc, fy, fx, ic)];
        }
      }
    }
  }
  const int64_t window = int64_t{p.filter_h} * p.filter_w * p.out_c;
  if (window <= kSmallWindow) {
    p.small_lanes = window <= 8 ? 8 : kSmallWindow;
    p.small.assign(static_cast<size_t>(p.in_c) * static_cast<size_t>(p.small_lanes), 0.0f);
    for (int32_t ic = 0; ic < p.in_c; ++ic) {
      for (int32_t fy = 0; fy < p.filter_h; ++fy) {
        for (int32_t fx = 0; fx < p.filter_w; ++fx) {
          for (int32_t oc = 0; oc < p.out_c; ++oc) {
            const int64_t e = (int64_t{fy} * p.filter_w + fx) * p.out_c + oc;
            p.small[static_cast<size_t>(ic * p.small_lanes + e)] =
                filter[filter_shape.Offset(oc, fy, fx, ic)];
          }
        }
      }
    }
  }
  return p;
}

void TransposeConvAccumulate(const ConvParams& params, const Shape& input_shape,
                             const float* input, const PackedTransposeConvFilter& filter,
                             const Shape& output_shape, float* output) {
  const int64_t batches = input_shape.dim(0);
  const int64_t in_h = input_shape.dim(1);
  const int64_t in_w = input_shape.dim(2);
  const int64_t in_c = input_shape.dim(3);
  const int64_t out_h = output_shape.dim(1);
  const int64_t out_w = output_shape.dim(2);
  const int64_t out_c = output_shape.dim(3);
  const int64_t kh = filter.filter_h;
  const int64_t kw = filter.filter_w;
  const int64_t w_row = kw * out_c;  // floats of one packed (fy, ic) row
  const bool buffered = kh * w_row <= kWindowFloats;
  float window[kWindowFloats];
  for (int64_t b = 0; b < batches; ++b) {
    float* out_image = output + b * out_h * out_w * out_c;
    for (int64_t iy = 0; iy < in_h; ++iy) {
      for (int64_t ix = 0; ix < in_w; ++ix) {
        const float* x = input + ((b * in_h + iy) * in_w + ix) * in_c;
        Window win;
        win.oy0 = iy * params.stride_h - params.pad_top;
        win.ox0 = ix * params.stride_w - params.pad_left;
        win.fy0 = static_cast<int32_t>(std::clamp<int64_t>(-win.oy0, 0, kh));
        win.fy1 = static_cast<int32_t>(std::clamp<int64_t>(out_h - win.oy0, win.fy0, kh));
        win.fx0 = static_cast<int32_t>(std::clamp<int64_t>(-win.ox0, 0, kw));
        win.fx1 = static_cast<int32_t>(std::clamp<int64_t>(out_w - win.ox0, win.fx0, kw));
        if (win.fy0 == win.fy1 || win.fx0 == win.fx1) continue;
        if (filter.small_lanes > 0 && win.fy0 == 0 && win.fy1 == kh && win.fx0 == 0 &&
            win.fx1 == kw) {
          float* first_row = out_image + (win.oy0 * out_w + win.ox0) * out_c;
          if (filter.small_lanes == 8) {
            SmallWindow<8>(x, in_c, filter.small.data(), kh, w_row, first_row, out_w * out_c);
          } else {
            SmallWindow<kSmallWindow>(x, in_c, filter.small.data(), kh, w_row, first_row,
                                      out_w * out_c);
          }
          continue;
        }
        const int64_t span = (win.fx1 - win.fx0) * out_c;  // contiguous output floats per row
        const int64_t first = win.fx0 * out_c;             // offset of the span in a packed row
        auto row_ptr = [&](int64_t fy) {
          return out_image + ((win.oy0 + fy) * out_w + win.ox0 + win.fx0) * out_c;
        };
        // Accumulate into the window buffer (gathered first, scattered back after) or, for
        // windows larger than it, into the output rows themselves; the same order either way.
        auto acc_row = [&](int64_t fy) {
          return buffered ? window + fy * w_row : row_ptr(fy);
        };
        if (buffered) {
          for (int64_t fy = win.fy0; fy < win.fy1; ++fy) {
            std::copy_n(row_ptr(fy), span, acc_row(fy));
          }
        }
        for (int64_t ic = 0; ic < in_c; ++ic) {
          const float v = x[ic];
          for (int64_t fy = win.fy0; fy < win.fy1; ++fy) {
            const float* w = filter.weights.data() + (fy * in_c + ic) * w_row + first;
            float* acc = acc_row(fy);
            for (int64_t j = 0; j < span; ++j) acc[j] += v * w[j];
          }
        }
        if (buffered) {
          for (int64_t fy = win.fy0; fy < win.fy1; ++fy) {
            std::copy_n(acc_row(fy), span, row_ptr(fy));
          }
        }
      }
    }
  }
}

void TransposeConv(const ConvParams& params, const Shape& input_shape, const float* input,
                   const PackedTransposeConvFilter& filter, const float* bias,
                   const Shape& output_shape, float* output) {
  const int64_t size = output_shape.FlatSize();
  std::fill_n(output, size, 0.0f);
  TransposeConvAccumulate(params, input_shape, input, filter, output_shape, output);
  const int64_t out_c = output_shape.dim(3);
  for (int64_t i = 0; i < size; i += out_c) {
    for (int64_t c = 0; c < out_c; ++c) {
      const float bias_value = bias != nullptr ? bias[c] : 0.0f;
      output[i + c] = ApplyActivation(output[i + c] + bias_value, params.act_min, params.act_max);
    }
  }
}

void TransposeConvBias(const ConvParams& params, const Shape& input_shape, const float* input,
                       const PackedTransposeConvFilter& filter, const float* bias,
                       const Shape& output_shape, float* output) {
  const int64_t size = output_shape.FlatSize();
  const int64_t out_c = output_shape.dim(3);
  for (int64_t i = 0; i < size; i += out_c) std::copy_n(bias, out_c, output + i);
  TransposeConvAccumulate(params, input_shape, input, filter, output_shape, output);
}

}  // namespace compressd::kernels::optimized
