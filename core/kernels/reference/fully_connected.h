// Reference float FULLY_CONNECTED (TFLite reference_ops::FullyConnected semantics).
//
// Layouts: weights [units, depth] row-major; input viewed as [batches, depth] (its flat size is
// batches * depth); bias [units] or nullptr; output viewed as [batches, units] with
// batches = output_shape.FlatSize() / units.
// Accumulation order: d = 0..depth-1 from 0; then + bias, then clamp.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_FULLY_CONNECTED_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_FULLY_CONNECTED_H_

#include <cstdint>

#include "core/kernels/conv_params.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

inline void FullyConnected(const FloatActivationRange& activation, const Shape& input_shape,
                           const float* input, const Shape& weights_shape, const float* weights,
                           const float* bias, const Shape& output_shape, float* output) {
  (void)input_shape;
  const int64_t units = weights_shape.dim(0);
  const int64_t depth = weights_shape.dim(1);
  const int64_t batches = units == 0 ? 0 : output_shape.FlatSize() / units;
  for (int64_t b = 0; b < batches; ++b) {
    for (int64_t u = 0; u < units; ++u) {
      float total = 0.0f;
      for (int64_t d = 0; d < depth; ++d) total += input[b * depth + d] * weights[u * depth + d];
      const float bias_value = bias != nullptr ? bias[u] : 0.0f;
      output[b * units + u] = ApplyActivation(total + bias_value, activation.min, activation.max);
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_FULLY_CONNECTED_H_
