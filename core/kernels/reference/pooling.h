// Reference float and integer AVERAGE_POOL_2D and MAX_POOL_2D (TFLite reference_ops /
// reference_integer_ops semantics).
//
// Layouts: input [N, H, W, C], output [N, OH, OW, C]. Window of output (oy, ox) starts at
// (oy * stride_h - pad_top, ox * stride_w - pad_left) and spans filter_h x filter_w; cells outside
// the input are skipped. The average divides by the number of cells inside the input (padding is
// not counted). Results are clamped to [act_min, act_max].
// Preconditions (Prepare checks them): ranks 4, same N and C; strides and filter sizes >= 1;
// output extents and padding from ComputePaddedSize, so every window overlaps the input.
//
// Integer variants (int8 / int16, input and output sharing scale and zero point; bit-exact with
// TFLite's reference_integer_ops::AveragePool / MaxPool, which the default kernel matches):
//   AVERAGE: acc = sum of the window's raw values (int32); count = cells inside the input;
//            avg = acc > 0 ? (acc + count/2) / count : (acc - count/2) / count  (C division,
//            truncating: round half away from zero); out = clamp(avg, act_min, act_max).
//   MAX:     out = clamp(max of the window's raw values, act_min, act_max).
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_POOLING_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_POOLING_H_

#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/kernels/conv_params.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

namespace pooling_internal {

// The window's valid filter range [start, end) along one axis.
inline void WindowRange(int origin, int filter, int in_size, int* start, int* end) {
  *start = std::max(0, -origin);
  *end = std::min(filter, in_size - origin);
}

}  // namespace pooling_internal

inline void AveragePool(const PoolParams& params, const Shape& input_shape, const float* input,
                        const Shape& output_shape, float* output) {
  const int batches = input_shape.dim(0);
  const int in_h = input_shape.dim(1);
  const int in_w = input_shape.dim(2);
  const int depth = input_shape.dim(3);
  const int out_h = output_shape.dim(1);
  const int out_w = output_shape.dim(2);
  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_y0 = oy * params.stride_h - params.pad_top;
        const int in_x0 = ox * params.stride_w - params.pad_left;
        int fy_start, fy_end, fx_start, fx_end;
        pooling_internal::WindowRange(in_y0, params.filter_h, in_h, &fy_start, &fy_end);
        pooling_internal::WindowRange(in_x0, params.filter_w, in_w, &fx_start, &fx_end);
        for (int c = 0; c < depth; ++c) {
          float total = 0.0f;
          int count = 0;
          for (int fy = fy_start; fy < fy_end; ++fy) {
            for (int fx = fx_start; fx < fx_end; ++fx) {
              total += input[input_shape.Offset(b, in_y0 + fy, in_x0 + fx, c)];
              ++count;
            }
          }
          const float average = count > 0 ? total / static_cast<float>(count) : 0.0f;
          output[output_shape.Offset(b, oy, ox, c)] =
              ApplyActivation(average, params.act_min, params.act_max);
        }
      }
    }
  }
}

inline void MaxPool(const PoolParams& params, const Shape& input_shape, const float* input,
                    const Shape& output_shape, float* output) {
  const int batches = input_shape.dim(0);
  const int in_h = input_shape.dim(1);
  const int in_w = input_shape.dim(2);
  const int depth = input_shape.dim(3);
  const int out_h = output_shape.dim(1);
  const int out_w = output_shape.dim(2);
  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_y0 = oy * params.stride_h - params.pad_top;
        const int in_x0 = ox * params.stride_w - params.pad_left;
        int fy_start, fy_end, fx_start, fx_end;
        pooling_internal::WindowRange(in_y0, params.filter_h, in_h, &fy_start, &fy_end);
        pooling_internal::WindowRange(in_x0, params.filter_w, in_w, &fx_start, &fx_end);
        for (int c = 0; c < depth; ++c) {
          float max = std::numeric_limits<float>::lowest();
          for (int fy = fy_start; fy < fy_end; ++fy) {
            for (int fx = fx_start; fx < fx_end; ++fx) {
              max = std::max(max, input[input_shape.Offset(b, in_y0 + fy, in_x0 + fx, c)]);
            }
          }
          output[output_shape.Offset(b, oy, ox, c)] =
              ApplyActivation(max, params.act_min, params.act_max);
        }
      }
    }
  }
}

// Window geometry plus the quantized activation clamp (CalculateActivationRangeQuantized).
struct IntegerPoolParams {
  int32_t stride_h = 1;
  int32_t stride_w = 1;
  int32_t filter_h = 1;
  int32_t filter_w = 1;
  int32_t pad_top = 0;
  int32_t pad_left = 0;
  int32_t act_min = 0;
  int32_t act_max = 0;
};

template <typename T, bool kMax>
inline void IntegerPool(const IntegerPoolParams& params, const Shape& input_shape, const T* input,
                        const Shape& output_shape, T* output) {
  const int batches = input_shape.dim(0);
  const int in_h = input_shape.dim(1);
  const int in_w = input_shape.dim(2);
  const int depth = input_shape.dim(3);
  const int out_h = output_shape.dim(1);
  const int out_w = output_shape.dim(2);
  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_y0 = oy * params.stride_h - params.pad_top;
        const int in_x0 = ox * params.stride_w - params.pad_left;
        int fy_start, fy_end, fx_start, fx_end;
        pooling_internal::WindowRange(in_y0, params.filter_h, in_h, &fy_start, &fy_end);
        pooling_internal::WindowRange(in_x0, params.filter_w, in_w, &fx_start, &fx_end);
        for (int c = 0; c < depth; ++c) {
          int32_t acc = kMax ? std::numeric_limits<T>::lowest() : 0;
          int32_t count = 0;
          for (int fy = fy_start; fy < fy_end; ++fy) {
            for (int fx = fx_start; fx < fx_end; ++fx) {
              const int32_t v = input[input_shape.Offset(b, in_y0 + fy, in_x0 + fx, c)];
              if constexpr (kMax) {
                acc = std::max(acc, v);
              } else {
                acc += v;
              }
              ++count;
            }
          }
          if constexpr (!kMax) {
            if (count > 0) {
              acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
            }
          }
          output[output_shape.Offset(b, oy, ox, c)] =
              static_cast<T>(std::min(std::max(acc, params.act_min), params.act_max));
        }
      }
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_POOLING_H_
