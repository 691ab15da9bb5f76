// Reference float PRELU: out = x >= 0 ? x : x * alpha, with alpha broadcast against the input
// numpy-style (TFLite's ApplyPrelu through BroadcastBinaryFunction).
//
// Preconditions (Prepare checks them): input and alpha have rank <= output rank; after padding
// with leading 1s each of their dimensions equals the output's or is 1.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_PRELU_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_PRELU_H_

#include <cstdint>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

inline void Prelu(const Shape& input_shape, const float* input, const Shape& alpha_shape,
                  const float* alpha, const Shape& output_shape, float* output) {
  const int rank = output_shape.rank();
  const Shape in = input_shape.Extended(rank);
  const Shape al = alpha_shape.Extended(rank);
  const int64_t size = output_shape.FlatSize();
  for (int64_t i = 0; i < size; ++i) {
    int64_t rem = i;
    int64_t in_index = 0, al_index = 0, in_stride = 1, al_stride = 1;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t idx = rem % output_shape.dim(d);
      rem /= output_shape.dim(d);
      if (in.dim(d) != 1) in_index += idx * in_stride;
      if (al.dim(d) != 1) al_index += idx * al_stride;
      in_stride *= in.dim(d);
      al_stride *= al.dim(d);
    }
    const float x = input[in_index];
    output[i] = x >= 0.0f ? x : x * alpha[al_index];
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_PRELU_H_
