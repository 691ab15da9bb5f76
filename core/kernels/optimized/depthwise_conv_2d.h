// Optimized float32 DEPTHWISE_CONV_2D: NHWC input [batch, in_h, in_w, in_c], filter
// [1, filter_h, filter_w, in_c * depth_multiplier], output [batch, out_h, out_w,
// in_c * depth_multiplier]; output channel oc = ic * depth_multiplier + m reads input channel ic.
//
// With AVX2+FMA and depth_multiplier 1, filters 3 or 5 wide with horizontal stride 1 or 2 and
// horizontal dilation 1 (so 3x3 and 5x5 with stride 1/2; any height, vertical stride and
// vertical dilation) run a specialized path vectorized over channels (8 per vector, masked
// tails) with 8/4/2/1-pixel register tiles for the interior and a per-pixel border path for
// pixels with taps in the padding; other AVX2 cases (other widths, dilation_w > 1) use the
// per-pixel path throughout, and everything else (depth multiplier > 1, no AVX2) a portable loop
// nest. Semantics are TFLite's reference DepthwiseConv: taps in the padding contribute nothing;
// out = clamp(sum + bias, act_min, act_max). The sum starts from the bias (the reference adds it
// last), so results differ from the reference by rounding only.
//
// Use from the op glue: no packing and no scratch; in Eval call
//   DepthwiseConv2D(params, in_shape, in, filter_shape, filter, bias, out_shape, out,
//                   ctx.thread_pool());
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_DEPTHWISE_CONV_2D_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_DEPTHWISE_CONV_2D_H_

#include "core/kernels/conv_params.h"
#include "core/kernels/shape.h"

namespace compressd {
class ThreadPool;
}

namespace compressd::kernels::optimized {

// Shapes as above, consistent with params (stride, dilation, pad_top/pad_left,
// depth_multiplier) as Prepare computed them. bias: out_c floats or nullptr. pool: nullable; the
// work is split over output rows and results do not depend on the thread count. No heap
// allocation.
void DepthwiseConv2D(const ConvParams& params, const Shape& input_shape, const float* input,
                     const Shape& filter_shape, const float* filter, const float* bias,
                     const Shape& output_shape, float* output, ThreadPool* pool);

// Which implementation DepthwiseConv2D picks for these parameters on this CPU: "avx2_kw3_sw1",
// "avx2_kw5_sw2", ..., "avx2_generic" or "portable". For tests and benchmarks.
const char* DepthwiseConv2DPath(const ConvParams& params, const Shape& filter_shape);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_DEPTHWISE_CONV_2D_H_
