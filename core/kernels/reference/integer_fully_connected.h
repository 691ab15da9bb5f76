// Reference integer (quantized) FULLY_CONNECTED, bit-exact with TensorFlow Lite's
// reference_integer_ops::FullyConnectedPerChannel / FullyConnected (int8 and 16x8 variants, with
// a symmetric filter). A per-tensor filter is the per-channel computation with the same
// (multiplier, shift) in every channel.
//
// Per output element (batch b, unit u):
//   acc = bias[u] + Σ_d weights[u, d] * (input[b, d] + input_offset)   (AccT, wrap-around)
//   out = clamp(MultiplyByQuantizedMultiplier(acc, multiplier[u], shift[u]) + output_offset,
//               act_min, act_max)
// exactly as in reference/integer_conv.h (same types, same requantization, same preconditions on
// IntegerRequantParams).
//
// Layouts (as reference/fully_connected.h): weights [units, depth] row-major; input viewed as
// [batches, depth]; bias [units] or nullptr; output viewed as [batches, units] with
// batches = output_shape.FlatSize() / units.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_INTEGER_FULLY_CONNECTED_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_INTEGER_FULLY_CONNECTED_H_

#include <cstdint>

#include "core/kernels/reference/integer_conv.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

template <typename InT, typename AccT>
void IntegerFullyConnected(const IntegerRequantParams& rq, const Shape& weights_shape,
                           const InT* input, const int8_t* weights, const AccT* bias,
                           const Shape& output_shape, InT* output) {
  using UAcc = integer_internal::UnsignedAcc<AccT>;
  const int64_t units = weights_shape.dim(0);
  const int64_t depth = weights_shape.dim(1);
  const int64_t batches = units == 0 ? 0 : output_shape.FlatSize() / units;
  const int32_t input_offset = rq.input_offset;
  for (int64_t b = 0; b < batches; ++b) {
    const InT* in_row = input + b * depth;
    InT* out_row = output + b * units;
    for (int64_t u = 0; u < units; ++u) {
      const int8_t* w_row = weights + u * depth;
      UAcc acc = bias != nullptr ? static_cast<UAcc>(bias[u]) : UAcc{0};
      for (int64_t d = 0; d < depth; ++d) {
        const int32_t product =
            static_cast<int32_t>(w_row[d]) * (static_cast<int32_t>(in_row[d]) + input_offset);
        acc += static_cast<UAcc>(product);
      }
      out_row[u] = integer_internal::Finish<InT>(static_cast<AccT>(acc), static_cast<int>(u), rq);
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_INTEGER_FULLY_CONNECTED_H_
