// Reference integer (quantized) CONV_2D and DEPTHWISE_CONV_2D, bit-exact with TensorFlow Lite's
// reference_integer_ops::ConvPerChannel / DepthwiseConvPerChannel (int8 and 16x8 variants).
//
// Per output element (output channel c):
//   acc   = bias[c] + Σ filter * (input + input_offset)     over the window's in-image taps
//           (taps falling in the padding contribute nothing, i.e. the padding holds the input's
//           zero point), accumulated in AccT with two's-complement wrap-around
//   out   = MultiplyByQuantizedMultiplier(acc, multiplier[c], shift[c]) + output_offset
//           (int32 addition with wrap-around, as TFLite's int32 arithmetic compiles)
//   out   = clamp(out, act_min, act_max), stored as OutT
// MultiplyByQuantizedMultiplier is the overload of core/quant/fixed_point.h for AccT: the
// double-rounding int32 one for int32 accumulators (int8, and 16x8 with an int32 or no bias),
// TFLite's 64-bit one for int64 accumulators (16x8 with an int64 bias). Before the 64-bit one the
// accumulator is saturated to [-2^47, 2^47), the input range TFLite's function is specified for
// (TFLite itself only DCHECKs it; real models never leave it). Since the accumulation wraps, the
// result does not depend on summation order.
//
// Types: InT int8_t (with AccT = BiasT = int32_t) or int16_t (AccT = BiasT = int32_t or int64_t);
// output has InT's type; filter int8_t. For 16x8 the offsets are 0 (TFLite's int16 kernels have
// no offsets: zero points are 0).
//
// Layouts and preconditions are those of the float reference kernels (reference/conv_2d.h,
// reference/depthwise_conv_2d.h), which the ops' Prepare checks, plus: multiplier/shift hold one
// pair per output channel with shift in [-31, 31] for int32 accumulators and [-31, 7] for int64;
// act_min <= act_max within OutT; input_offset + any input value fits in int32 without overflow
// of the product (|input_offset| <= 2^15 suffices). bias may be nullptr.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_INTEGER_CONV_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_INTEGER_CONV_H_

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "core/kernels/conv_params.h"
#include "core/kernels/reference/xnnpack_int8.h"
#include "core/kernels/shape.h"
#include "core/quant/fixed_point.h"

namespace compressd::kernels::reference {

// Per-output-channel requantization of an integer convolution-like op (precomputed in Prepare).
struct IntegerRequantParams {
  const int32_t* multiplier = nullptr;  // [output channels], TFLite's Q0.31 multipliers
  const int32_t* shift = nullptr;       // [output channels], positive = left shift
  int32_t input_offset = 0;             // -input zero point
  int32_t output_offset = 0;            // output zero point
  int32_t act_min = 0;                  // fused activation clamp, already quantized
  int32_t act_max = 0;
  // IntegerArithmetic::kXnnpack (int8 with int32 accumulators only): when set, one float scale
  // per output channel and XNNPACK's fp32 requantization replaces MultiplyByQuantizedMultiplier:
  // out = clamp(lrintf((float)acc * fp32_scale[c]), act_min - zp, act_max - zp) + zp
  // (reference/xnnpack_int8.h XnnRequantizeFp32); multiplier/shift are then unused.
  const float* fp32_scale = nullptr;
};

namespace integer_internal {

// Wrap-around accumulator: sums in the unsigned type of AccT's width (defined overflow).
template <typename AccT>
using UnsignedAcc = std::make_unsigned_t<AccT>;

// TFLite's requantization for each accumulator width.
inline int32_t Requantize(int32_t acc, int32_t multiplier, int shift) {
  return quant::MultiplyByQuantizedMultiplier(acc, multiplier, shift);
}
inline int32_t Requantize(int64_t acc, int32_t multiplier, int shift) {
  constexpr int64_t kLimit = int64_t{1} << 47;
  return quant::MultiplyByQuantizedMultiplier(std::clamp<int64_t>(acc, -kLimit, kLimit - 1),
                                              multiplier, shift);
}

// Requantizes, adds the output offset (int32 wrap-around), clamps and narrows.
template <typename OutT, typename AccT>
inline OutT Finish(AccT acc, int c, const IntegerRequantParams& rq) {
  if constexpr (std::is_same_v<AccT, int32_t>) {
    if (rq.fp32_scale != nullptr) {
      return static_cast<OutT>(XnnRequantizeFp32(acc, rq.fp32_scale[c], rq.output_offset,
                                                 XnnOutputRange{rq.act_min, rq.act_max}));
    }
  }
  const int32_t scaled = Requantize(acc, rq.multiplier[c], rq.shift[c]);
  const int32_t shifted =
      static_cast<int32_t>(static_cast<uint32_t>(scaled) + static_cast<uint32_t>(rq.output_offset));
  return static_cast<OutT>(std::min(std::max(shifted, rq.act_min), rq.act_max));
}

}  // namespace integer_internal

// CONV_2D (grouped when the input depth is a multiple of the filter's input depth).
template <typename InT, typename AccT>
void IntegerConv2D(const ConvParams& params, const IntegerRequantParams& rq,
                   const Shape& input_shape, const InT* input, const Shape& filter_shape,
                   const int8_t* filter, const AccT* bias, const Shape& output_shape, InT* output) {
  using UAcc = integer_internal::UnsignedAcc<AccT>;
  const int batches = input_shape.dim(0);
  const int in_h = input_shape.dim(1);
  const int in_w = input_shape.dim(2);
  const int in_c = input_shape.dim(3);
  const int filter_h = filter_shape.dim(1);
  const int filter_w = filter_shape.dim(2);
  const int filter_in_c = filter_shape.dim(3);
  const int out_h = output_shape.dim(1);
  const int out_w = output_shape.dim(2);
  const int out_c = output_shape.dim(3);
  const int groups = in_c / filter_in_c;
  const int filters_per_group = out_c / groups;
  const int32_t input_offset = rq.input_offset;
  const int64_t filter_oc_stride = static_cast<int64_t>(filter_h) * filter_w * filter_in_c;

  InT* out = output;
  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      const int in_y0 = oy * params.stride_h - params.pad_top;
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_x0 = ox * params.stride_w - params.pad_left;
        for (int oc = 0; oc < out_c; ++oc, ++out) {
          const int group_c0 = (oc / filters_per_group) * filter_in_c;
          const int8_t* filter_oc = filter + oc * filter_oc_stride;
          UAcc acc = bias != nullptr ? static_cast<UAcc>(bias[oc]) : UAcc{0};
          for (int fy = 0; fy < filter_h; ++fy) {
            const int in_y = in_y0 + params.dilation_h * fy;
            if (in_y < 0 || in_y >= in_h) continue;
            for (int fx = 0; fx < filter_w; ++fx) {
              const int in_x = in_x0 + params.dilation_w * fx;
              if (in_x < 0 || in_x >= in_w) continue;
              const InT* in_px = input + input_shape.Offset(b, in_y, in_x, group_c0);
              const int8_t* f_px =
                  filter_oc + (static_cast<int64_t>(fy) * filter_w + fx) * filter_in_c;
              for (int ic = 0; ic < filter_in_c; ++ic) {
                const int32_t product = static_cast<int32_t>(f_px[ic]) *
                                        (static_cast<int32_t>(in_px[ic]) + input_offset);
                acc += static_cast<UAcc>(product);
              }
            }
          }
          *out = integer_internal::Finish<InT>(static_cast<AccT>(acc), oc, rq);
        }
      }
    }
  }
}

// DEPTHWISE_CONV_2D: output channel ic * M + m (M = params.depth_multiplier) filters input
// channel ic.
template <typename InT, typename AccT>
void IntegerDepthwiseConv2D(const ConvParams& params, const IntegerRequantParams& rq,
                            const Shape& input_shape, const InT* input, const Shape& filter_shape,
                            const int8_t* filter, const AccT* bias, const Shape& output_shape,
                            InT* output) {
  using UAcc = integer_internal::UnsignedAcc<AccT>;
  const int batches = input_shape.dim(0);
  const int in_h = input_shape.dim(1);
  const int in_w = input_shape.dim(2);
  const int in_c = input_shape.dim(3);
  const int filter_h = filter_shape.dim(1);
  const int filter_w = filter_shape.dim(2);
  const int out_h = output_shape.dim(1);
  const int out_w = output_shape.dim(2);
  const int out_c = output_shape.dim(3);
  const int multiplier = params.depth_multiplier;
  const int32_t input_offset = rq.input_offset;

  InT* out = output;
  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      const int in_y0 = oy * params.stride_h - params.pad_top;
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_x0 = ox * params.stride_w - params.pad_left;
        for (int ic = 0; ic < in_c; ++ic) {
          for (int m = 0; m < multiplier; ++m, ++out) {
            const int oc = ic * multiplier + m;
            UAcc acc = bias != nullptr ? static_cast<UAcc>(bias[oc]) : UAcc{0};
            for (int fy = 0; fy < filter_h; ++fy) {
              const int in_y = in_y0 + params.dilation_h * fy;
              if (in_y < 0 || in_y >= in_h) continue;
              const int8_t* f_row = filter + static_cast<int64_t>(fy) * filter_w * out_c + oc;
              for (int fx = 0; fx < filter_w; ++fx) {
                const int in_x = in_x0 + params.dilation_w * fx;
                if (in_x < 0 || in_x >= in_w) continue;
                const int32_t product =
                    static_cast<int32_t>(f_row[static_cast<int64_t>(fx) * out_c]) *
                    (static_cast<int32_t>(input[input_shape.Offset(b, in_y, in_x, ic)]) +
                     input_offset);
                acc += static_cast<UAcc>(product);
              }
            }
            *out = integer_internal::Finish<InT>(static_cast<AccT>(acc), oc, rq);
          }
        }
      }
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_INTEGER_CONV_H_
