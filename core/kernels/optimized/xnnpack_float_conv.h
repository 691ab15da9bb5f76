// Float CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED in XNNPACK's order of operations, fast:
// bit-identical with reference/xnnpack_float_conv.h (tested there), which states the order. Each
// output is still one sequential, unfused sum starting from its bias; the speed comes from
// computing 4 output positions x 8 output channels at a time (portable 4-float vectors: SSE2 on
// x86-64, NEON on ARM), which does not change any output's order of operations.
//
// Use from the op glue: pack constant weights once at Prepare (PackXnnWeights), request
// XnnConvScratchBytes of scratch, and call the functions below in Eval. They run on the calling
// thread and do not allocate.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_XNNPACK_FLOAT_CONV_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_XNNPACK_FLOAT_CONV_H_

#include <cstdint>
#include <vector>

#include "core/kernels/conv_params.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::optimized {

// Weights [n][k] (row-major: n outputs of k inputs each) packed as ceil(n / 8) panels of k rows of
// 8 floats, zero past n. Owns its data; immutable after packing (safe to share between threads).
struct XnnPackedWeights {
  int64_t n = 0;
  int64_t k = 0;
  std::vector<float> panels;
};

XnnPackedWeights PackXnnWeights(int64_t n, int64_t k, const float* weights);

// out[r][j] = clamp(bias[j] + a[r][0] * w[j][0] + ... + a[r][k-1] * w[j][k-1]) for r < rows,
// j < n, summed left to right. a: rows x k with row stride lda; out: row stride ldo; bias: n
// floats or nullptr.
void XnnGemm(int64_t rows, const float* a, int64_t lda, const XnnPackedWeights& w,
             const float* bias, const FloatActivationRange& activation, float* out, int64_t ldo);

// Scratch bytes XnnConv2D needs (0 for a 1x1, stride-1, unpadded convolution).
int64_t XnnConvScratchBytes(const ConvParams& params, const Shape& filter_shape,
                            const Shape& output_shape);

// CONV_2D with one group; weights packed from the [out_c][kh * kw * in_c] filter. scratch:
// XnnConvScratchBytes bytes (may be null when that is 0).
void XnnConv2D(const ConvParams& params, const Shape& input_shape, const float* input,
               const Shape& filter_shape, const XnnPackedWeights& weights, const float* bias,
               const Shape& output_shape, float* output, void* scratch);

// DEPTHWISE_CONV_2D (any depth multiplier; multiplier 1 is vectorized over channels).
void XnnDepthwiseConv2D(const ConvParams& params, const Shape& input_shape, const float* input,
                        const Shape& filter_shape, const float* filter, const float* bias,
                        const Shape& output_shape, float* output);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_XNNPACK_FLOAT_CONV_H_
