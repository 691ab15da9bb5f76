// Optimized int8 DEPTHWISE_CONV_2D, bit-exact with TFLite's
// reference_integer_ops::DepthwiseConvPerChannel: NHWC int8 input [batch, in_h, in_w, in_c],
// int8 filter [1, filter_h, filter_w, in_c * depth_multiplier] (zero point 0), int32 bias, int8
// output [batch, out_h, out_w, in_c * depth_multiplier]; output channel oc = ic * dm + m reads
// input channel ic:
//
//   acc = (bias ? bias[oc] : 0) + sum over taps inside the input of (x + input_offset) * w
//   out = clamp(MultiplyByQuantizedMultiplier(acc, multiplier[oc], shift[oc])
//               + output_zero_point, act_min, act_max)
//
// Implementations:
//  * "avx2" (depth multiplier 1, AVX2+FMA CPU; any filter width, stride, dilation and padding;
//    filter height x vertical dilation up to ~64 rows): vectorized over 16 channels. Input rows
//    r and r + dilation_h are widened to int16 with the input offset added and interleaved
//    channel by channel into a "pair row" over the padded width (0 in the padding), cached in
//    scratch while consecutive output rows reuse it; every output pixel then needs one vpmaddwd
//    per pair row and filter column per 8 channels (two taps per multiply, exact; the missing
//    partner of an odd filter height meets zero weights), then the requantization of
//    int8_requant_avx2.h. Border pixels take the same path as interior ones.
//  * "portable" (everything else): plain loops over in-bounds taps, scalar requantization.
// Padding: a tap in the padding contributes 0 in both, exactly like the reference, which skips
// it (no bias folding is involved, so any input zero point works, -128 and 127 included).
// Overflow: products (x + offset) * w are exact (|.| <= 255 * 128), and the int32 sums wrap
// like TFLite's int32 accumulator; no wrap-around at all while |bias| + taps * 32640 < 2^31.
// Cost note (AVX2 without VNNI): the exact double-rounding requantization takes ~15 vector ops
// per 8 outputs, more than the 9 multiply-adds of a 3x3 tap set, so this kernel gains over the
// float32 one mostly through 4x less memory traffic and the absence of a slow border path.
//
// Use from the op glue:
//   Prepare: filter = PackInt8DepthwiseFilter(filter_shape, filter_data, depth_multiplier);
//            bytes = Int8DepthwiseScratchBytes(params, in_shape, filter, out_shape,
//                                              pool ? pool->num_threads() : 1);
//            if (bytes > 0) scratch_index = ctx.RequestScratch(bytes);
//   Eval:    Int8DepthwiseConv2D(params, in_shape, in, filter, bias, requant, out_shape, out,
//                                bytes > 0 ? ctx.scratch(scratch_index) : nullptr,
//                                ctx.thread_pool());
// `params` supplies stride, dilation, padding and depth_multiplier; its float act_min/act_max
// are ignored (the int8 clamp range is in Int8Requant).
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_DEPTHWISE_CONV_2D_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_DEPTHWISE_CONV_2D_H_

#include <cstdint>

#include "core/kernels/conv_params.h"
#include "core/kernels/optimized/aligned_buffer.h"
#include "core/kernels/optimized/int8_gemm.h"
#include "core/kernels/shape.h"

namespace compressd {
class ThreadPool;
}

namespace compressd::kernels::optimized {

// The filter as the kernels read it. Immutable after packing; shareable between threads.
struct PackedInt8DepthwiseFilter {
  int32_t filter_h = 0;
  int32_t filter_w = 0;
  int32_t output_channels = 0;
  int32_t depth_multiplier = 1;
  AlignedBuffer weights;      // int8 [filter_h][filter_w][output_channels] (portable path)
  AlignedBuffer interleaved;  // int16, the AVX2 layout; empty when that path is not used

  const int8_t* weights_data() const { return reinterpret_cast<const int8_t*>(weights.data()); }
  const int16_t* interleaved_data() const {
    return reinterpret_cast<const int16_t*>(interleaved.data());
  }
  bool empty() const { return output_channels == 0; }
};

// Packs a [1, filter_h, filter_w, out_c] int8 filter (all >= 1, out_c a multiple of
// depth_multiplier >= 1). The AVX2 layout is added when depth_multiplier == 1, the CPU has
// AVX2+FMA (GetCpuFeatures(), honouring COMPRESSD_CPU) and allow_simd is true; otherwise
// Int8DepthwiseConv2D runs the portable loops (tests use allow_simd = false to check them).
PackedInt8DepthwiseFilter PackInt8DepthwiseFilter(const Shape& filter_shape, const int8_t* filter,
                                                  int32_t depth_multiplier,
                                                  bool allow_simd = true);

// Whether Int8DepthwiseConv2D handles these shapes: rank-4 input/filter with filter channels ==
// input channels * depth_multiplier (always true for a valid DEPTHWISE_CONV_2D; every
// depth multiplier, filter size, stride and dilation is supported).
bool Int8DepthwiseConv2DSupports(const ConvParams& params, const Shape& input_shape,
                                 const Shape& filter_shape);

// Scratch bytes Int8DepthwiseConv2D needs with `filter` when run with a pool of at most
// `num_threads` threads (>= 1; 1 for no pool); 0 when none is needed (portable path).
// Deterministic in its arguments.
int64_t Int8DepthwiseScratchBytes(const ConvParams& params, const Shape& input_shape,
                                  const PackedInt8DepthwiseFilter& filter,
                                  const Shape& output_shape, int num_threads);

// Which implementation Int8DepthwiseConv2D runs with `filter` and `params`: "avx2" or
// "portable".
const char* Int8DepthwiseConv2DPath(const ConvParams& params,
                                    const PackedInt8DepthwiseFilter& filter);

// Shapes as above, consistent with params (stride, dilation, pad_top/pad_left,
// depth_multiplier == filter.depth_multiplier) as Prepare computed them. bias: out_c int32 or
// nullptr. requant: per output channel (or per tensor). scratch: Int8DepthwiseScratchBytes(...,
// n) bytes, 64-byte aligned, n >= the pool's thread count; clobbered. pool: nullable; the work
// is split over output rows and results do not depend on the thread count. No heap allocation.
void Int8DepthwiseConv2D(const ConvParams& params, const Shape& input_shape, const int8_t* input,
                         const PackedInt8DepthwiseFilter& filter, const int32_t* bias,
                         const Int8Requant& rq, const Shape& output_shape, int8_t* output,
                         void* scratch, ThreadPool* pool);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_DEPTHWISE_CONV_2D_H_
