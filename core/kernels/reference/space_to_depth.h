// Reference SPACE_TO_DEPTH for any element type (TFLite reference_ops semantics).
//
// input [N, H * bs, W * bs, C] → output [N, H, W, C * bs * bs]:
//   output[b, y / bs, x / bs, c + ((y % bs) * bs + x % bs) * C] = input[b, y, x, c].
// Preconditions (Prepare checks them): ranks 4, H and W of the input multiples of block_size >= 1.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_SPACE_TO_DEPTH_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_SPACE_TO_DEPTH_H_

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

template <typename T>
inline void SpaceToDepth(int block_size, const Shape& input_shape, const T* input,
                         const Shape& output_shape, T* output) {
  const int batches = input_shape.dim(0);
  const int in_h = input_shape.dim(1);
  const int in_w = input_shape.dim(2);
  const int in_c = input_shape.dim(3);
  for (int b = 0; b < batches; ++b) {
    for (int y = 0; y < in_h; ++y) {
      for (int x = 0; x < in_w; ++x) {
        for (int c = 0; c < in_c; ++c) {
          const int out_c = c + ((y % block_size) * block_size + x % block_size) * in_c;
          output[output_shape.Offset(b, y / block_size, x / block_size, out_c)] =
              input[input_shape.Offset(b, y, x, c)];
        }
      }
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_SPACE_TO_DEPTH_H_
