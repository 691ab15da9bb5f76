// Reference float SOFTMAX and LOG_SOFTMAX over the last dimension (TFLite reference_ops).
//
// The tensor is viewed as [outer, depth] with depth = last dimension (rank >= 1).
//   Softmax:    out = exp((x - max) * beta) / sum_c exp((x_c - max) * beta)
//   LogSoftmax: out = x - max - log(sum_c exp(x_c - max))
// max is the row maximum (starting from numeric_limits<float>::lowest()).
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_SOFTMAX_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_SOFTMAX_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

inline void Softmax(float beta, const Shape& shape, const float* input, float* output) {
  const int64_t depth = shape.dim(shape.rank() - 1);
  const int64_t outer = depth == 0 ? 0 : shape.FlatSize() / depth;
  for (int64_t i = 0; i < outer; ++i) {
    const float* in = input + i * depth;
    float* out = output + i * depth;
    float max = std::numeric_limits<float>::lowest();
    for (int64_t c = 0; c < depth; ++c) max = std::max(max, in[c]);
    float sum = 0.0f;
    for (int64_t c = 0; c < depth; ++c) {
      out[c] = std::exp((in[c] - max) * beta);
      sum += out[c];
    }
    for (int64_t c = 0; c < depth; ++c) out[c] = out[c] / sum;
  }
}

inline void LogSoftmax(const Shape& shape, const float* input, float* output) {
  const int64_t depth = shape.dim(shape.rank() - 1);
  const int64_t outer = depth == 0 ? 0 : shape.FlatSize() / depth;
  for (int64_t i = 0; i < outer; ++i) {
    const float* in = input + i * depth;
    float* out = output + i * depth;
    float max = std::numeric_limits<float>::lowest();
    for (int64_t c = 0; c < depth; ++c) max = std::max(max, in[c]);
    float sum = 0.0f;
    for (int64_t c = 0; c < depth; ++c) sum += std::exp(in[c] - max);
    const float log_sum = std::log(sum);
    for (int64_t c = 0; c < depth; ++c) out[c] = in[c] - max - log_sum;
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_SOFTMAX_H_
