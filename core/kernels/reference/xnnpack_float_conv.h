// Reference float CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED in XNNPACK's order of operations
// (what TFLite computes with its XNNPACK delegate; the IntegerArithmetic::kXnnpack profile):
// every output starts from its bias (0 without one) and adds the products input * weight one at a
// time, each product and each sum rounded to float (no fused multiply-add), then clamps:
//   CONV_2D:          filter rows, then columns, then input channels (XNNPACK's GEMM / IGEMM
//                     order); a tap in the padding adds 0 * weight, as XNNPACK's zero buffer does.
//   DEPTHWISE_CONV_2D: filter columns, then rows (XNNPACK packs depthwise taps column-major);
//                     padding taps add 0 * weight.
//   FULLY_CONNECTED:  input elements in order.
// Checked bit for bit against the TFLite runtime on the real models' float operators
// (tests/compat). Layouts and preconditions are those of reference/conv_2d.h,
// reference/depthwise_conv_2d.h and reference/fully_connected.h.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_XNNPACK_FLOAT_CONV_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_XNNPACK_FLOAT_CONV_H_

#include <cstdint>

#include "core/kernels/conv_params.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

inline void Conv2DXnnpack(const ConvParams& params, const Shape& input_shape, const float* input,
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
          float acc = bias != nullptr ? bias[oc] : 0.0f;
          for (int fy = 0; fy < filter_h; ++fy) {
            const int in_y = in_y0 + params.dilation_h * fy;
            for (int fx = 0; fx < filter_w; ++fx) {
              const int in_x = in_x0 + params.dilation_w * fx;
              const bool padding = in_y < 0 || in_y >= in_h || in_x < 0 || in_x >= in_w;
              for (int ic = 0; ic < filter_in_c; ++ic) {
                const float x =
                    padding ? 0.0f
                            : input[input_shape.Offset(b, in_y, in_x, group * filter_in_c + ic)];
                const float product = x * filter[filter_shape.Offset(oc, fy, fx, ic)];
                acc = acc + product;
              }
            }
          }
          output[output_shape.Offset(b, oy, ox, oc)] =
              ApplyActivation(acc, params.act_min, params.act_max);
        }
      }
    }
  }
}

inline void DepthwiseConv2DXnnpack(const ConvParams& params, const Shape& input_shape,
                                   const float* input, const Shape& filter_shape,
                                   const float* filter, const float* bias,
                                   const Shape& output_shape, float* output) {
  const int batches = input_shape.dim(0);
  const int in_h = input_shape.dim(1);
  const int in_w = input_shape.dim(2);
  const int in_c = input_shape.dim(3);
  const int filter_h = filter_shape.dim(1);
  const int filter_w = filter_shape.dim(2);
  const int out_h = output_shape.dim(1);
  const int out_w = output_shape.dim(2);
  const int multiplier = params.depth_multiplier;
  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      const int in_y0 = oy * params.stride_h - params.pad_top;
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_x0 = ox * params.stride_w - params.pad_left;
        for (int ic = 0; ic < in_c; ++ic) {
          for (int m = 0; m < multiplier; ++m) {
            const int oc = ic * multiplier + m;
            float acc = bias != nullptr ? bias[oc] : 0.0f;
            for (int fx = 0; fx < filter_w; ++fx) {
              const int in_x = in_x0 + params.dilation_w * fx;
              for (int fy = 0; fy < filter_h; ++fy) {
                const int in_y = in_y0 + params.dilation_h * fy;
                const bool padding = in_y < 0 || in_y >= in_h || in_x < 0 || in_x >= in_w;
                const float x = padding ? 0.0f : input[input_shape.Offset(b, in_y, in_x, ic)];
                const float product = x * filter[filter_shape.Offset(0, fy, fx, oc)];
                acc = acc + product;
              }
            }
            output[output_shape.Offset(b, oy, ox, oc)] =
                ApplyActivation(acc, params.act_min, params.act_max);
          }
        }
      }
    }
  }
}

inline void FullyConnectedXnnpack(const FloatActivationRange& activation,
                                  const float* input, const Shape& weights_shape,
                                  const float* weights, const float* bias,
                                  const Shape& output_shape, float* output) {
  const int64_t units = weights_shape.dim(0);
  const int64_t depth = weights_shape.dim(1);
  const int64_t batches = units == 0 ? 0 : output_shape.FlatSize() / units;
  for (int64_t b = 0; b < batches; ++b) {
    for (int64_t u = 0; u < units; ++u) {
      float acc = bias != nullptr ? bias[u] : 0.0f;
      for (int64_t d = 0; d < depth; ++d) {
        const float product = input[b * depth + d] * weights[u * depth + d];
        acc = acc + product;
      }
      output[b * units + u] = ApplyActivation(acc, activation.min, activation.max);
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_XNNPACK_FLOAT_CONV_H_
