// Optimized int8 CONV_2D (NHWC int8 input/output, OHWI int8 filter with zero point 0, int32
// bias), bit-exact with TFLite's reference_integer_ops::ConvPerChannel:
//
//   acc = (bias ? bias[oc] : 0) + sum over taps inside the input of (x + input_offset) * w
//   out = clamp(MultiplyByQuantizedMultiplier(acc, multiplier[oc], shift[oc])
//               + output_zero_point, act_min, act_max)
//
// as an int8 GEMM (int8_gemm.h) over output pixels: rows M = batch*out_h*out_w, depth
// K = filter_h*filter_w*in_channels, columns N = out_channels. Each block of output pixels'
// receptive fields is first copied into scratch as int16 with the input offset added (im2col;
// for 1x1 stride-1 convolutions a plain widening of the NHWC rows), then multiplied by the
// packed filter with the requantization fused into the GEMM's epilogue.
//
// Padding: a tap in the padding is written as 0 into the im2col rows, i.e. exactly the value
// (input_zero_point + input_offset) a TFLite zero-point padded input would produce, and 0 * w
// adds nothing: identical to the reference, which skips the tap. No bias folding is involved.
// Overflow: see int8_gemm.h (exact int32 with wrap-around; no overflow while
// |bias| + K * 32640 < 2^31).
//
// Use from the op glue:
//   Prepare: filter = PackInt8ConvFilter(filter_shape, filter_data);  // constant filter, kept
//                                                                     // in the OpState
//            bytes = Int8ConvScratchBytes(params, in_shape, filter_shape, out_shape,
//                                         pool ? pool->num_threads() : 1);
//            if (bytes > 0) scratch_index = ctx.RequestScratch(bytes);
//   Eval:    Int8Conv2D(params, in_shape, in, filter, bias, requant, out_shape, out,
//                       bytes > 0 ? ctx.scratch(scratch_index) : nullptr, ctx.thread_pool());
// `params` supplies stride, dilation and padding; its float act_min/act_max are ignored (the
// int8 clamp range is in Int8Requant).
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_CONV_2D_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_CONV_2D_H_

#include <cstdint>

#include "core/kernels/conv_params.h"
#include "core/kernels/optimized/int8_gemm.h"
#include "core/kernels/shape.h"

namespace compressd {
class ThreadPool;
}

namespace compressd::kernels::optimized {

// The filter packed as the GEMM's B operand (B = filter^T). Immutable after packing; shareable
// between threads.
struct PackedInt8ConvFilter {
  int32_t output_channels = 0;
  int32_t filter_h = 0;
  int32_t filter_w = 0;
  int32_t input_channels = 0;
  PackedInt8Matrix matrix;
};

// Packs an OHWI int8 filter ([out_channels, filter_h, filter_w, in_channels], all >= 1) for the
// default int8 GEMM variant, or for `variant` (tests, benchmarks).
PackedInt8ConvFilter PackInt8ConvFilter(const Shape& filter_shape, const int8_t* filter);
PackedInt8ConvFilter PackInt8ConvFilter(const Shape& filter_shape, const int8_t* filter,
                                        const Int8GemmVariant& variant);

// Whether Int8Conv2D handles this convolution: everything the reference kernel does except
// grouped convolution (filter input depth != input channels), which the op glue must leave to
// the reference kernel.
bool Int8Conv2DSupports(const Shape& input_shape, const Shape& filter_shape);

// Scratch bytes Int8Conv2D needs when run with a pool of at most `num_threads` threads (>= 1;
// use 1 for no pool). 0 only for empty problems (every convolution needs im2col scratch, 1x1
// ones for the int16 widening). Deterministic in its arguments.
int64_t Int8ConvScratchBytes(const ConvParams& params, const Shape& input_shape,
                             const Shape& filter_shape, const Shape& output_shape,
                             int num_threads);

// input_shape [batch, in_h, in_w, in_c]; output_shape [batch, out_h, out_w,
// filter.output_channels] with out_h/out_w consistent with params (stride, dilation,
// pad_top/pad_left) as Prepare computed them (ComputePaddedSize); filter.input_channels == in_c
// (Int8Conv2DSupports). bias: out_c int32 or nullptr. requant: per output channel (or per
// tensor), see int8_gemm.h. scratch: Int8ConvScratchBytes(..., n) bytes, 64-byte aligned, where
// n >= the pool's thread count; clobbered. pool: nullable. Results do not depend on the pool's
// thread count. No heap allocation.
void Int8Conv2D(const ConvParams& params, const Shape& input_shape, const int8_t* input,
                const PackedInt8ConvFilter& filter, const int32_t* bias, const Int8Requant& rq,
                const Shape& output_shape, int8_t* output, void* scratch, ThreadPool* pool);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_CONV_2D_H_
