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

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_RESIZE_BILINEAR_H_
