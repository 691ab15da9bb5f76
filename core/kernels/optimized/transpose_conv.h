// Optimized float TRANSPOSE_CONV accumulation, bit-identical with
// reference::TransposeConvAccumulate (reference/transpose_conv.h): every output element receives
// the same products in the same order (input pixels in raster order; per pixel, input channels in
// ascending order), each added with a separate multiply and add (this file is compiled without
// FMA contraction, like the reference).
//
// How: per input pixel, the output window it scatters into is kept in a small local buffer (one
// span of filter_w * Cout contiguous floats per filter row, clipped to the output) while the
// input channels are accumulated into it, instead of the reference's per-product index
// arithmetic and bounds checks; unclipped windows of up to 16 floats (e.g. MediaPipe's 2x2
// upsampling to one channel) in fixed-size accumulators the compiler keeps in registers. Windows
// larger than the buffer are updated in place (same order).
//
// Layouts and preconditions are the reference's: input [N, H, W, Cin], filter [Cout, KH, KW, Cin]
// (OHWI, packed once by PackTransposeConvFilter), output [N, OH, OW, Cout] initialized by the
// caller.
//
// Thread safety: PackedTransposeConvFilter is immutable after packing; the functions are pure.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_TRANSPOSE_CONV_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_TRANSPOSE_CONV_H_

#include <cstdint>
#include <vector>

#include "core/kernels/conv_params.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::optimized {

// The filter as [KH][Cin][KW][Cout]: for a filter row and an input channel, the weights of a
// window row are contiguous in output order.
struct PackedTransposeConvFilter {
  int32_t filter_h = 0;
  int32_t filter_w = 0;
  int32_t in_c = 0;
  int32_t out_c = 0;
  std::vector<float> weights;
  // Windows of KH * KW * Cout <= 16 floats: the filter also as [Cin][small_lanes] (window order
  // fy, fx, oc; zero past the window), small_lanes 8 or 16; 0 (and empty) otherwise.
  int32_t small_lanes = 0;
  std::vector<float> small;
};

// filter_shape [Cout, KH, KW, Cin], all >= 1.
PackedTransposeConvFilter PackTransposeConvFilter(const Shape& filter_shape, const float* filter);

// output += the scattered products (see reference::TransposeConvAccumulate). `filter` must have
// been packed from a filter whose shape matches input_shape's Cin and output_shape's Cout.
void TransposeConvAccumulate(const ConvParams& params, const Shape& input_shape,
                             const float* input, const PackedTransposeConvFilter& filter,
                             const Shape& output_shape, float* output);

// TRANSPOSE_CONV and MediaPipe's Convolution2DTransposeBias around the accumulation, as
// reference::TransposeConv / reference::TransposeConvBias compute them (bit-identical): the
// former zeroes the output, accumulates, then adds the bias (nullable) and clamps to
// [act_min, act_max]; the latter starts the output at the bias, accumulates, no activation.
void TransposeConv(const ConvParams& params, const Shape& input_shape, const float* input,
                   const PackedTransposeConvFilter& filter, const float* bias,
                   const Shape& output_shape, float* output);
void TransposeConvBias(const ConvParams& params, const Shape& input_shape, const float* input,
                       const PackedTransposeConvFilter& filter, const float* bias,
                       const Shape& output_shape, float* output);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_TRANSPOSE_CONV_H_
