#include "core/kernels/optimized/fully_connected.h"

namespace compressd::kernels::optimized {

PackedMatrix PackFullyConnectedWeights(const Shape& weights_shape, const float* weights,
                                       const GemmVariant& variant) {
  const int64_t out = weights_shape.dim(0);
  const int64_t in = weights_shape.dim(1);
  return PackedMatrix::FromTransposed(variant, out, in, weights, in);
}

PackedMatrix PackFullyConnectedWeights(const Shape& weights_shape, const float* weights) {
  return PackFullyConnectedWeights(weights_shape, weights, DefaultGemmVariant());
}

void FullyConnected(const FloatActivationRange& activation, const Shape& input_shape,
                    const float* input, const PackedMatrix& weights, const float* bias,
                    const Shape& output_shape, float* output, ThreadPool* pool) {
  if (weights.empty()) return;
  // As TFLite: the batch count comes from the output, [batch, units] after flattening.
  const int64_t batch = output_shape.FlatSize() / weights.n();
  GemmEpilogue ep;
  ep.bias = bias;
  ep.act_min = activation.min;
  ep.act_max = activation.max;
  Gemm(batch, input, weights.k(), weights, ep, output, weights.n(), pool);
}

}  // namespace compressd::kernels::optimized
