// Reference float TRANSPOSE_CONV (TFLite reference_ops::TransposeConv) and MediaPipe's
// Convolution2DTransposeBias (mediapipe/util/tflite/operations/transpose_conv_bias.cc).
//
// Layouts: input [N, H, W, Cin], filter [Cout, KH, KW, Cin] (OHWI), bias [Cout] or nullptr, output
// [N, OH, OW, Cout]. Each input pixel (y, x) scatters input * filter into the output window whose
// top-left corner is (y * stride_h - pad_top, x * stride_w - pad_left); contributions outside the
// output are dropped, so any output extent is safe.
// Preconditions (Prepare checks them): ranks 4; batch, Cin and Cout agree between the shapes;
// strides >= 1. Dilation and depth_multiplier of ConvParams are ignored.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_TRANSPOSE_CONV_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_TRANSPOSE_CONV_H_

#include <cstdint>

#include "core/kernels/conv_params.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

// Adds the scattered products into `output` (which the caller initialized), in TFLite's loop order:
// batch, input row, input column, input channel, filter row, filter column, output channel.
inline void TransposeConvAccumulate(const ConvParams& params, const Shape& input_shape,
                                    const float* input, const Shape& filter_shape,
                                    const float* filter, const Shape& output_shape, float* output) {
  const int batches = input_shape.dim(0);
  const int in_h = input_shape.dim(1);
  const int in_w = input_shape.dim(2);
  const int in_c = input_shape.dim(3);
  const int filter_h = filter_shape.dim(1);
  const int filter_w = filter_shape.dim(2);
  const int out_h = output_shape.dim(1);
  const int out_w = output_shape.dim(2);
  const int out_c = output_shape.dim(3);
  for (int b = 0; b < batches; ++b) {
    for (int iy = 0; iy < in_h; ++iy) {
      for (int ix = 0; ix < in_w; ++ix) {
        for (int ic = 0; ic < in_c; ++ic) {
          const int out_y0 = iy * params.stride_h - params.pad_top;
          const int out_x0 = ix * params.stride_w - params.pad_left;
          const float value = input[input_shape.Offset(b, iy, ix, ic)];
          for (int fy = 0; fy < filter_h; ++fy) {
            const int oy = out_y0 + fy;
            if (oy < 0 || oy >= out_h) continue;
            for (int fx = 0; fx < filter_w; ++fx) {
              const int ox = out_x0 + fx;
              if (ox < 0 || ox >= out_w) continue;
              for (int oc = 0; oc < out_c; ++oc) {
                output[output_shape.Offset(b, oy, ox, oc)] +=
                    value * filter[filter_shape.Offset(oc, fy, fx, ic)];
              }
            }
          }
        }
      }
    }
  }
}

// TRANSPOSE_CONV: zero, accumulate, then + bias and clamp to [act_min, act_max].
inline void TransposeConv(const ConvParams& params, const Shape& input_shape, const float* input,
                          const Shape& filter_shape, const float* filter, const float* bias,
                          const Shape& output_shape, float* output) {
  const int64_t size = output_shape.FlatSize();
  for (int64_t i = 0; i < size; ++i) output[i] = 0.0f;
  TransposeConvAccumulate(params, input_shape, input, filter_shape, filter, output_shape, output);
  const int out_c = output_shape.dim(3);
  for (int64_t i = 0; i < size; ++i) {
    const float bias_value = bias != nullptr ? bias[i % out_c] : 0.0f;
    output[i] = ApplyActivation(output[i] + bias_value, params.act_min, params.act_max);
  }
}

// Convolution2DTransposeBias: the output starts at the bias (as MediaPipe's kernel does, which
// rounds differently from adding the bias last), then accumulates; no activation.
inline void TransposeConvBias(const ConvParams& params, const Shape& input_shape,
                              const float* input, const Shape& filter_shape, const float* filter,
                              const float* bias, const Shape& output_shape, float* output) {
  const int64_t size = output_shape.FlatSize();
  const int out_c = output_shape.dim(3);
  for (int64_t i = 0; i < size; ++i) output[i] = bias[i % out_c];
  TransposeConvAccumulate(params, input_shape, input, filter_shape, filter, output_shape, output);
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_TRANSPOSE_CONV_H_
