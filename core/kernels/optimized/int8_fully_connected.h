// Optimized int8 FULLY_CONNECTED, bit-exact with TFLite's reference_integer_ops::FullyConnected
// (per-tensor requantization) and its per-channel variant:
//
//   acc[b, o] = (bias ? bias[o] : 0) + sum_i (input[b, i] + input_offset) * weights[o, i]
//   out[b, o] = clamp(MultiplyByQuantizedMultiplier(acc, multiplier, shift)
//                     + output_zero_point, act_min, act_max)
//
// as an int8 GEMM (int8_gemm.h) with the [out, in] int8 weights (zero point 0) packed once; the
// input rows are widened to int16 with the offset added into scratch, block by block. Batch 1 is
// a GEMV over the packed panels (4x less weight traffic than float32). Overflow: see
// int8_gemm.h.
//
// Use from the op glue:
//   Prepare: weights = PackInt8FullyConnectedWeights(weights_shape, weights_data);  // constant
//            bytes = Int8FullyConnectedScratchBytes(weights_shape, out_shape);
//            scratch_index = ctx.RequestScratch(bytes);
//   Eval:    Int8FullyConnected(requant, in_shape, in, weights, bias, out_shape, out,
//                               ctx.scratch(scratch_index), ctx.thread_pool());
// (Non-constant weights would need packing in every Eval; the glue should keep the reference
// kernel for that case.) For per-tensor quantization set requant.per_channel = false and pass
// pointers to the single multiplier and shift.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_FULLY_CONNECTED_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_FULLY_CONNECTED_H_

#include <cstdint>

#include "core/kernels/optimized/int8_gemm.h"
#include "core/kernels/shape.h"

namespace compressd {
class ThreadPool;
}

namespace compressd::kernels::optimized {

// Packs int8 weights of shape [out, in] (out, in >= 1) for the default int8 GEMM variant, or for
// `variant`.
PackedInt8Matrix PackInt8FullyConnectedWeights(const Shape& weights_shape, const int8_t* weights);
PackedInt8Matrix PackInt8FullyConnectedWeights(const Shape& weights_shape, const int8_t* weights,
                                               const Int8GemmVariant& variant);

// Scratch bytes Int8FullyConnected needs (independent of the thread count); > 0 for non-empty
// problems. output_shape: FlatSize batch * out.
int64_t Int8FullyConnectedScratchBytes(const Shape& weights_shape, const Shape& output_shape);

// input: any shape whose FlatSize is batch * in (TFLite flattens it to [batch, in]); output:
// FlatSize batch * out (batch is taken from it, as TFLite does). bias: out int32 or nullptr.
// scratch: Int8FullyConnectedScratchBytes bytes, 64-byte aligned; clobbered. pool: nullable;
// results do not depend on its thread count. No heap allocation.
void Int8FullyConnected(const Int8Requant& rq, const Shape& input_shape, const int8_t* input,
                        const PackedInt8Matrix& weights, const int32_t* bias,
                        const Shape& output_shape, int8_t* output, void* scratch,
                        ThreadPool* pool);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_FULLY_CONNECTED_H_
