// Reference float CONV_2D (TFLite reference_ops::Conv semantics, including grouped convolution).
//
// Layouts: input [N, H, W, Cin] NHWC, filter [Cout, KH, KW, Cin / groups] (OHWI), bias [Cout] or
// nullptr, output [N, OH, OW, Cout]. groups = Cin / filter_shape.dim(3); output channel oc reads
// the input channels of group oc / (Cout / groups). Preconditions (the op's Prepare checks them):
// ranks 4; Cin a positive multiple of the filter's input depth; Cout a multiple of groups; strides,
// dilations >= 1; output extents computed with ComputePaddedSize and params.pad_top/pad_left its
// padding. Accumulation order (matters for bit-exactness): for each output element, sum over filter
// rows, then columns, then input channels, starting from 0; then + bias, then clamp.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_CONV_2D_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_CONV_2D_H_

#include "core/kernels/conv_params.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

inline void Conv2D(const ConvParams& params, const Shape& input_shape, const float* input,
                   const Shape& filter_shape, const float* filter, const float* bias,
                   const Shape& output_shape, float* output) {
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

  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      const int in_y0 = oy * params.stride_h - params.pad_top;
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_x0 = ox * params.stride_w - params.pad_left;
        for (int oc = 0; oc < out_c; ++oc) {
          const int group = oc / filters_per_group;
          float total = 0.0f;
          for (int fy = 0; fy < filter_h; ++fy) {
            const int in_y = in_y0 + params.dilation_h * fy;
            if (in_y < 0 || in_y >= in_h) continue;
            for (int fx = 0; fx < filter_w; ++fx) {
              const int in_x = in_x0 + params.dilation_w * fx;
              if (in_x < 0 || in_x >= in_w) continue;
              for (int ic = 0; ic < filter_in_c; ++ic) {
                total += input[input_shape.Offset(b, in_y, in_x, group * filter_in_c + ic)] *
                         filter[filter_shape.Offset(oc, fy, fx, ic)];
              }
            }
          }
          const float bias_value = bias != nullptr ? bias[oc] : 0.0f;
          output[output_shape.Offset(b, oy, ox, oc)] =
              ApplyActivation(total + bias_value, params.act_min, params.act_max);
        }
      }
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_CONV_2D_H_
