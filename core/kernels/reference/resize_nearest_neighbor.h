// Reference RESIZE_NEAREST_NEIGHBOR for any element type (TFLite reference_ops semantics).
//
// Layouts: input [N, H, W, C], output [N, OH, OW, C]. Output row y copies input row
//   min(align_corners ? round((y + offset) * scale) : floor((y + offset) * scale), H - 1)
// (then max(.., 0) with half_pixel_centers), offset = 0.5 with half_pixel_centers else 0,
// scale = (H - 1) / (OH - 1) with align_corners and OH > 1, else H / OH; round is half away
// from zero. Same for columns.
// Preconditions (Prepare checks them): ranks 4, same N and C, H, W, OH, OW >= 1.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_RESIZE_NEAREST_NEIGHBOR_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_RESIZE_NEAREST_NEIGHBOR_H_

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

inline int32_t NearestNeighborSource(int value, int32_t input_size, int32_t output_size,
                                     bool align_corners, bool half_pixel_centers) {
  const float scale = (align_corners && output_size > 1)
                          ? static_cast<float>(input_size - 1) / static_cast<float>(output_size - 1)
                          : static_cast<float>(input_size) / static_cast<float>(output_size);
  const float offset = half_pixel_centers ? 0.5f : 0.0f;
  const float scaled = (static_cast<float>(value) + offset) * scale;
  int32_t source =
      std::min(static_cast<int32_t>(align_corners ? std::round(scaled) : std::floor(scaled)),
               input_size - 1);
  if (half_pixel_centers) source = std::max(int32_t{0}, source);
  return source;
}

template <typename T>
inline void ResizeNearestNeighbor(bool align_corners, bool half_pixel_centers,
                                  const Shape& input_shape, const T* input,
                                  const Shape& output_shape, T* output) {
  const int batches = input_shape.dim(0);
  const int32_t in_h = input_shape.dim(1);
  const int32_t in_w = input_shape.dim(2);
  const int depth = input_shape.dim(3);
  const int32_t out_h = output_shape.dim(1);
  const int32_t out_w = output_shape.dim(2);
  for (int b = 0; b < batches; ++b) {
    for (int y = 0; y < out_h; ++y) {
      const int32_t in_y = NearestNeighborSource(y, in_h, out_h, align_corners, half_pixel_centers);
      for (int x = 0; x < out_w; ++x) {
        const int32_t in_x =
            NearestNeighborSource(x, in_w, out_w, align_corners, half_pixel_centers);
        for (int c = 0; c < depth; ++c) {
          output[output_shape.Offset(b, y, x, c)] = input[input_shape.Offset(b, in_y, in_x, c)];
        }
      }
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_RESIZE_NEAREST_NEIGHBOR_H_
