// Optimized float32 CONV_2D (NHWC input/output, OHWI filter), as a GEMM over output pixels:
//   rows M = batch*out_h*out_w, depth K = filter_h*filter_w*in_channels, columns N = out_channels.
// 1x1 convolutions with stride 1 and no padding multiply the NHWC input in place; all others
// first copy each block of output pixels' receptive fields into scratch (im2col), then multiply.
//
// Use from the op glue:
//   Prepare: filter = PackConvFilter(filter_shape, filter_data);   // constant filter, kept in
//                                                                 // the OpState
//            bytes = ConvScratchBytes(params, in_shape, filter_shape, out_shape,
//                                     pool ? pool->num_threads() : 1);
//            if (bytes > 0) scratch_index = ctx.RequestScratch(bytes);
//   Eval:    Conv2D(params, in_shape, in, filter, bias, out_shape, out,
//                   bytes > 0 ? ctx.scratch(scratch_index) : nullptr, ctx.thread_pool());
//
// Semantics are TFLite's reference Conv (tensorflow/lite/kernels/internal/reference/conv.h):
// out = clamp(sum over taps inside the input + bias, act_min, act_max); taps in the padding
// contribute nothing.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_CONV_2D_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_CONV_2D_H_

#include <cstdint>

#include "core/kernels/conv_params.h"
#include "core/kernels/optimized/gemm.h"
#include "core/kernels/shape.h"

namespace compressd {
class ThreadPool;
}

namespace compressd::kernels::optimized {

// The filter packed as the GEMM's B operand (B = filter^T, K = filter_h*filter_w*in_channels,
// N = out_channels). Immutable after packing; shareable between threads.
struct PackedConvFilter {
  int32_t output_channels = 0;
  int32_t filter_h = 0;
  int32_t filter_w = 0;
  int32_t input_channels = 0;
  PackedMatrix matrix;
};

// Packs an OHWI filter ([out_channels, filter_h, filter_w, in_channels], all >= 1) for the
// default GEMM variant, or for `variant` (tests, benchmarks).
PackedConvFilter PackConvFilter(const Shape& filter_shape, const float* filter);
PackedConvFilter PackConvFilter(const Shape& filter_shape, const float* filter,
                                const GemmVariant& variant);

// Whether Conv2D handles this convolution: everything the reference kernel does except grouped
// convolution (filter input depth != input channels), which the op glue must leave to the
// reference kernel.
bool OptimizedConv2DSupports(const Shape& input_shape, const Shape& filter_shape);

// True when Conv2D multiplies the input in place (1x1 filter, stride 1, no padding, output
// spatial size equal to the input's): no scratch needed.
bool ConvIsDirectGemm(const ConvParams& params, const Shape& input_shape,
                      const Shape& filter_shape, const Shape& output_shape);

// Scratch bytes Conv2D needs when run with a pool of at most `num_threads` threads (>= 1; use 1
// for no pool). 0 when no scratch is needed. Deterministic in its arguments.
int64_t ConvScratchBytes(const ConvParams& params, const Shape& input_shape,
                         const Shape& filter_shape, const Shape& output_shape, int num_threads);

// input_shape [batch, in_h, in_w, in_c]; output_shape [batch, out_h, out_w, filter.output_channels]
// with out_h/out_w consistent with params (stride, dilation, pad_top/pad_left) as Prepare
// computed them (ComputePaddedSize); filter.input_channels == in_c (OptimizedConv2DSupports).
// bias: out_c floats or nullptr.
// scratch: ConvScratchBytes(..., n) bytes, 64-byte aligned, where n >= pool's thread count (or
// nullptr when that is 0); its contents are clobbered. pool: nullable. Results do not depend on
// the pool's thread count. No heap allocation.
void Conv2D(const ConvParams& params, const Shape& input_shape, const float* input,
            const PackedConvFilter& filter, const float* bias, const Shape& output_shape,
            float* output, void* scratch, ThreadPool* pool);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_CONV_2D_H_
