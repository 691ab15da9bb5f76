// Optimized float32 FULLY_CONNECTED: output[b, o] = clamp(sum_i input[b, i] * weights[o, i] +
// bias[o]) as a GEMM with the [out, in] weights packed once; batch 1 takes a GEMV path
// (bandwidth-bound, split accumulators).
//
// Use from the op glue:
//   Prepare: weights = PackFullyConnectedWeights(weights_shape, weights_data);  // constant
//   Eval:    FullyConnected(ActivationRange(options.activation), in_shape, in, weights, bias,
//                           out_shape, out, ctx.thread_pool());
// No scratch. (Non-constant weights would need packing in every Eval; the op glue should keep
// the reference kernel for that case.)
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_FULLY_CONNECTED_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_FULLY_CONNECTED_H_

#include "core/kernels/conv_params.h"
#include "core/kernels/optimized/gemm.h"
#include "core/kernels/shape.h"

namespace compressd {
class ThreadPool;
}

namespace compressd::kernels::optimized {

// Packs weights of shape [out, in] (out, in >= 1) for the default GEMM variant, or for `variant`.
PackedMatrix PackFullyConnectedWeights(const Shape& weights_shape, const float* weights);
PackedMatrix PackFullyConnectedWeights(const Shape& weights_shape, const float* weights,
                                       const GemmVariant& variant);

// input: any shape whose FlatSize is batch * in (TFLite flattens it to [batch, in]); output:
// FlatSize batch * out (batch is taken from it, as TFLite does). bias: out floats or nullptr. pool: nullable; results do not
// depend on its thread count. No heap allocation.
void FullyConnected(const FloatActivationRange& activation, const Shape& input_shape,
                    const float* input, const PackedMatrix& weights, const float* bias,
                    const Shape& output_shape, float* output, ThreadPool* pool);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_FULLY_CONNECTED_H_
