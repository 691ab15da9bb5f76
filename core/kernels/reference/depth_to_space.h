// Reference DEPTH_TO_SPACE for any element type (TFLite reference_ops semantics).
//
// input [N, H, W, C * bs * bs] → output [N, H * bs, W * bs, C]:
//   output[b, y, x, c] = input[b, y / bs, x / bs, c + ((y % bs) * bs + x % bs) * C].
// Preconditions (Prepare checks them): ranks 4, shapes consistent, block_size >= 1.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_DEPTH_TO_SPACE_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_DEPTH_TO_SPACE_H_

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

template <typename T>
inline void DepthToSpace(int block_size, const Shape& input_shape, const T* input,
                         const Shape& output_shape, T* output) {
  const int batches = output_shape.dim(0);
  const int out_h = output_shape.dim(1);
  const int out_w = output_shape.dim(2);
  const int out_c = output_shape.dim(3);
  for (int b = 0; b < batches; ++b) {
    for (int y = 0; y < out_h; ++y) {
      for (int x = 0; x < out_w; ++x) {
        for (int c = 0; c < out_c; ++c) {
          const int in_c = c + ((y % block_size) * block_size + x % block_size) * out_c;
          output[output_shape.Offset(b, y, x, c)] =
              input[input_shape.Offset(b, y / block_size, x / block_size, in_c)];
        }
      }
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_DEPTH_TO_SPACE_H_
