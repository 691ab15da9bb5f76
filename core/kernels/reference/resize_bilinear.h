// Reference float RESIZE_BILINEAR (TFLite reference_ops::ResizeBilinear semantics).
//
// Layouts: input [N, H, W, C], output [N, OH, OW, C]. For output row y the source coordinate is
//   in_y = (y + 0.5) * scale - 0.5   with half_pixel_centers,   in_y = y * scale   otherwise,
// scale = (H - 1) / (OH - 1) with align_corners and OH > 1, else H / OH (float arithmetic).
// y0 = max(floor(in_y), 0), y1 = min(ceil(in_y), H - 1); the result blends the four neighbours
// with weights (1 - (in_y - y0)) and (in_y - y0) (same for x), in TFLite's term order.
// Preconditions (Prepare checks them): ranks 4, same N and C, H, W, OH, OW >= 1, not both
// align_corners and half_pixel_centers.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_RESIZE_BILINEAR_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_RESIZE_BILINEAR_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

namespace resize_internal {

// Source coordinate and its two neighbours for output index `value` along one axis. The lower
// neighbour is also clamped to input_size - 1 (TFLite omits this; it only matters if float
// rounding ever pushed the coordinate to input_size, where TFLite would read out of bounds).
inline void InterpolationValues(int value, float scale, bool half_pixel_centers, int32_t input_size,
                                float* scaled, int32_t* lower, int32_t* upper) {
  *scaled = half_pixel_centers ? (static_cast<float>(value) + 0.5f) * scale - 0.5f
                               : static_cast<float>(value) * scale;
  *lower =
      std::min(std::max(static_cast<int32_t>(std::floor(*scaled)), int32_t{0}), input_size - 1);
  *upper = std::min(static_cast<int32_t>(std::ceil(*scaled)), input_size - 1);
}

inline float Scale(int32_t in_size, int32_t out_size, bool align_corners) {
  if (align_corners && out_size > 1) {
    return static_cast<float>(in_size - 1) / static_cast<float>(out_size - 1);
  }
  return static_cast<float>(in_size) / static_cast<float>(out_size);
}

}  // namespace resize_internal

inline void ResizeBilinear(bool align_corners, bool half_pixel_centers, const Shape& input_shape,
                           const float* input, const Shape& output_shape, float* output) {
  const int batches = input_shape.dim(0);
  const int32_t in_h = input_shape.dim(1);
  const int32_t in_w = input_shape.dim(2);
  const int depth = input_shape.dim(3);
  const int32_t out_h = output_shape.dim(1);
  const int32_t out_w = output_shape.dim(2);
  const float height_scale = resize_internal::Scale(in_h, out_h, align_corners);
  const float width_scale = resize_internal::Scale(in_w, out_w, align_corners);
  for (int b = 0; b < batches; ++b) {
    for (int y = 0; y < out_h; ++y) {
      float in_y;
      int32_t y0, y1;
      resize_internal::InterpolationValues(y, height_scale, half_pixel_centers, in_h, &in_y, &y0,
                                           &y1);
      for (int x = 0; x < out_w; ++x) {
        float in_x;
        int32_t x0, x1;
        resize_internal::InterpolationValues(x, width_scale, half_pixel_centers, in_w, &in_x, &x0,
                                             &x1);
        const float dy = in_y - static_cast<float>(y0);
        const float dx = in_x - static_cast<float>(x0);
        for (int c = 0; c < depth; ++c) {
          output[output_shape.Offset(b, y, x, c)] =
              input[input_shape.Offset(b, y0, x0, c)] * (1 - dy) * (1 - dx) +
              input[input_shape.Offset(b, y1, x0, c)] * dy * (1 - dx) +
              input[input_shape.Offset(b, y0, x1, c)] * (1 - dy) * dx +
              input[input_shape.Offset(b, y1, x1, c)] * dy * dx;
        }
      }
    }
  }
}

// Integer RESIZE_BILINEAR (int8 / int16), TFLite's reference_ops::ResizeBilinearInteger, which
// the default kernel runs for int8 (optimized_ops::ResizeBilinear<int8> forwards to it) and int16.
// All coordinates are in 1/1024 units (computed in int64 here: identical wherever TFLite's int32
// arithmetic does not overflow):
//   scale_10 = (1024 * in + out / 2) / out, or with align_corners and out > 1
//              (1024 * (in - 1) + (out - 1) / 2) / (out - 1);
//   v = o * scale_10 (+ scale_10 / 2 - 512 with half_pixel_centers);
//   lo = max(v / 1024, 0) (C division), hi = min((v + 1023) / 1024, in - 1);
//   out = (sum of the four neighbours times their weights (1024 - (v - 1024 lo)) / (v - 1024 lo),
//          an int64 in 1/2^20 units, rounded half away from zero) / 2^20.
// The lower neighbour is also clamped to in - 1 (TFLite would read past the edge in the
// degenerate case of a scale rounded to nearly zero), and the result is saturated to T (it only
// leaves T's range in that degenerate case).
namespace resize_internal {

inline void IntegerInterpolationValues(int64_t value, int64_t scale_10, bool half_pixel_centers,
                                       int64_t input_size, int64_t* scaled, int64_t* lower,
                                       int64_t* upper) {
  *scaled = half_pixel_centers ? value * scale_10 + scale_10 / 2 - (1 << 9) : value * scale_10;
  *lower = std::min(std::max(*scaled / (1 << 10), int64_t{0}), input_size - 1);
  *upper = std::min((*scaled + (1 << 10) - 1) / (1 << 10), input_size - 1);
}

inline int64_t IntegerScale(int64_t in_size, int64_t out_size, bool align_corners) {
  if (align_corners && out_size > 1) {
    return ((1 << 10) * (in_size - 1) + (out_size - 1) / 2) / (out_size - 1);
  }
  return ((1 << 10) * in_size + out_size / 2) / out_size;
}

}  // namespace resize_internal

template <typename T>
inline void ResizeBilinearInteger(bool align_corners, bool half_pixel_centers,
                                  const Shape& input_shape, const T* input,
                                  const Shape& output_shape, T* output) {
  const int batches = input_shape.dim(0);
  const int64_t in_h = input_shape.dim(1);
  const int64_t in_w = input_shape.dim(2);
  const int depth = input_shape.dim(3);
  const int32_t out_h = output_shape.dim(1);
  const int32_t out_w = output_shape.dim(2);
  const int64_t h_scale = resize_internal::IntegerScale(in_h, out_h, align_corners);
  const int64_t w_scale = resize_internal::IntegerScale(in_w, out_w, align_corners);
  constexpr int64_t kOne = 1 << 10;
  for (int b = 0; b < batches; ++b) {
    for (int32_t y = 0; y < out_h; ++y) {
      int64_t in_y, y0, y1;
      resize_internal::IntegerInterpolationValues(y, h_scale, half_pixel_centers, in_h, &in_y, &y0,
                                                  &y1);
      const int64_t dy = in_y - kOne * y0;
      for (int32_t x = 0; x < out_w; ++x) {
        int64_t in_x, x0, x1;
        resize_internal::IntegerInterpolationValues(x, w_scale, half_pixel_centers, in_w, &in_x,
                                                    &x0, &x1);
        const int64_t dx = in_x - kOne * x0;
        const T* p00 = input + input_shape.Offset(b, static_cast<int32_t>(y0),
                                                  static_cast<int32_t>(x0), 0);
        const T* p10 = input + input_shape.Offset(b, static_cast<int32_t>(y1),
                                                  static_cast<int32_t>(x0), 0);
        const T* p01 = input + input_shape.Offset(b, static_cast<int32_t>(y0),
                                                  static_cast<int32_t>(x1), 0);
        const T* p11 = input + input_shape.Offset(b, static_cast<int32_t>(y1),
                                                  static_cast<int32_t>(x1), 0);
        T* dst = output + output_shape.Offset(b, y, x, 0);
        for (int c = 0; c < depth; ++c) {
          const int64_t sum = static_cast<int64_t>(p00[c]) * (kOne - dy) * (kOne - dx) +
                              static_cast<int64_t>(p10[c]) * dy * (kOne - dx) +
                              static_cast<int64_t>(p01[c]) * (kOne - dy) * dx +
                              static_cast<int64_t>(p11[c]) * dy * dx;
          const int64_t round = sum > 0 ? (1 << 19) : -(1 << 19);
          const int64_t v = (sum + round) / (1 << 20);
          dst[c] = static_cast<T>(std::min<int64_t>(
              std::max<int64_t>(v, std::numeric_limits<T>::min()), std::numeric_limits<T>::max()));
        }
      }
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_RESIZE_BILINEAR_H_
