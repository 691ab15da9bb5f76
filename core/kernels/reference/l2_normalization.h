// Reference float L2_NORMALIZATION over the last dimension (TFLite reference_ops):
//   out = x / max(sqrt(sum_c x_c^2), epsilon), epsilon = 1e-6 as TFLite's op uses.
// The tensor is viewed as [outer, depth] with depth = last dimension (rank >= 1).
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_L2_NORMALIZATION_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_L2_NORMALIZATION_H_

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

inline constexpr float kL2NormalizationEpsilon = 1e-6f;

inline void L2Normalization(const Shape& shape, const float* input, float* output,
                            float epsilon = kL2NormalizationEpsilon) {
  const int64_t depth = shape.dim(shape.rank() - 1);
  const int64_t outer = depth == 0 ? 0 : shape.FlatSize() / depth;
  for (int64_t i = 0; i < outer; ++i) {
    const float* in = input + i * depth;
    float* out = output + i * depth;
    float squared = 0.0f;
    for (int64_t c = 0; c < depth; ++c) squared += in[c] * in[c];
    const float norm = std::max(std::sqrt(squared), epsilon);
    for (int64_t c = 0; c < depth; ++c) out[c] = in[c] / norm;
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_L2_NORMALIZATION_H_
