// Reference dynamic-range ("hybrid") CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: float32
// input and output, constant int8 symmetric filter (zero point 0) with float scales, float32 bias.
// Follows the arithmetic of TensorFlow Lite's builtin hybrid kernels, which are what runs such
// models (TFLite's XNNPACK delegate declines them: "unsupported mixed types"):
//
// Input quantization, once per batch (CONV_2D, DEPTHWISE_CONV_2D: per image; FULLY_CONNECTED:
// per row of the flattened [batches, depth] input), TFLite's tensor_utils (portable build):
//   symmetric  (SymmetricQuantizeFloats): range = max(|min|, |max|) in float; range == 0 ->
//              every value 0, scale 1. Else scale = range / 127, inv = 127 / range (both float),
//              q = clamp((int32)round_half_away(v * inv), -127, 127), offset 0.
//   asymmetric (AsymmetricQuantizeFloats): rmin = min(0, min), rmax = max(0, max) in double;
//              rmin == rmax (all zero) -> every value 0, scale 1, offset 0. Else
//              scale = (rmax - rmin) / 255 (double); the zero point from rmin (-128 - rmin/scale)
//              or from rmax (127 - rmax/scale), whichever has the smaller error term
//              (128 + |rmin/scale| vs 127 + |rmax/scale|), clamped to [-128, 127] or rounded half
//              away from zero; the float scale is (float)scale, inv = (float)(1.0 / (double)scale)
//              and q = clamp((int32)round_half_away((float)offset + v * inv), -128, 127).
//
// Accumulation: exact int32 sums of filter * (q - offset) over the taps inside the image (taps in
// the padding contribute 0, i.e. the padding is the real value 0; TFLite's im2col pads with the
// offset and subtracts offset * row sum, which is the same integer). Then, in float (each
// operation rounded to float, in this order):
//   CONV_2D per channel   (conv.cc EvalHybridPerChannel -> optimized_ops::HybridConvPerChannel):
//       asymmetric input; out = (float)acc * (filter_scale[c] * scale_b) + bias[c]
//   CONV_2D per tensor    (conv.cc EvalHybrid -> optimized_ops::HybridConv +
//       MatrixBatchVectorMultiplyAccumulate): symmetric input; s_b = scale_b * filter_scale;
//       out = (0 + (float)acc * s_b) + bias[c]
//   DEPTHWISE_CONV_2D     (depthwise_conv.cc EvalHybridPerChannel ->
//       optimized_integer_ops::DepthwiseConvHybridGeneral): asymmetric input;
//       out = ((float)acc * scale_b) * filter_scale[c] + bias[c]
//   FULLY_CONNECTED       (fully_connected.cc EvalHybridDense ->
//       MatrixBatchVectorMultiplyAccumulate):
//       symmetric or asymmetric input (asymmetric_quantize_inputs); per tensor
//       s_b = scale_b * filter_scale, per channel s = scale_b * filter_scale[r];
//       out = bias[r] + (float)acc * s (0 + ... without a bias)
// and finally the fused activation's clamp. Which filter-scale scheme a kernel gets is decided by
// its Prepare (core/kernels/{conv_2d,depthwise_conv_2d,fully_connected}.cc).
//
// Layouts as for the float kernels (conv_params.h): NHWC, CONV_2D filter OHWI (no groups),
// DEPTHWISE_CONV_2D filter [1, KH, KW, C*M] (output channel ic*M + m reads input channel ic),
// FULLY_CONNECTED weights [units, depth]. Preconditions (Prepare checks them): shapes consistent,
// strides/dilations >= 1, filter_scale holds one value per output channel when per channel,
// accumulators fit in int32 (depth * 127 * 255 < 2^31, i.e. fewer than 66000 taps).
//
// Stateless and thread-safe; `quantized` (input flat size) and `rows` (one entry per batch) are
// caller-provided scratch.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_HYBRID_CONV_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_HYBRID_CONV_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/kernels/conv_params.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

// How one batch (row) of the float input was quantized: real value = scale * (q - offset).
struct HybridRowQuant {
  float scale = 1.0f;
  int32_t offset = 0;
};

enum class HybridInputScheme { kSymmetric, kAsymmetric };

// (int32)round_half_away(x) clamped to [lo, hi], without undefined conversions: values beyond
// int32 clamp, NaN gives lo (what x86's conversion, INT32_MIN, then the clamp give).
inline int8_t RoundClampToInt8(float x, int32_t lo, int32_t hi) {
  const float r = std::round(x);
  if (!(r > static_cast<float>(lo))) return static_cast<int8_t>(lo);
  if (r >= static_cast<float>(hi)) return static_cast<int8_t>(hi);
  return static_cast<int8_t>(static_cast<int32_t>(r));
}

// TFLite's SymmetricQuantizeFloats on values[0, n).
inline HybridRowQuant HybridQuantizeSymmetric(const float* values, int64_t n, int8_t* quantized) {
  HybridRowQuant r;
  if (n <= 0) return r;
  const auto [min_it, max_it] = std::minmax_element(values, values + n);
  const float range = std::max(std::fabs(*min_it), std::fabs(*max_it));
  if (range == 0.0f) {
    std::memset(quantized, 0, static_cast<size_t>(n));
    return r;
  }
  constexpr int32_t kMax = 127;
  r.scale = range / static_cast<float>(kMax);
  const float inv = static_cast<float>(kMax) / range;
  for (int64_t i = 0; i < n; ++i) quantized[i] = RoundClampToInt8(values[i] * inv, -kMax, kMax);
  return r;
}

// TFLite's AsymmetricQuantizeFloats on values[0, n).
inline HybridRowQuant HybridQuantizeAsymmetric(const float* values, int64_t n,
                                               int8_t* quantized) {
  HybridRowQuant r;
  if (n <= 0) return r;
  constexpr int32_t kMin = -128;
  constexpr int32_t kMax = 127;
  constexpr double kMinD = kMin;
  constexpr double kMaxD = kMax;
  const auto [min_it, max_it] = std::minmax_element(values, values + n);
  const double rmin = std::fmin(0.0, static_cast<double>(*min_it));
  const double rmax = std::fmax(0.0, static_cast<double>(*max_it));
  if (rmin == rmax) {
    std::memset(quantized, 0, static_cast<size_t>(n));
    return r;
  }
  const double scale = (rmax - rmin) / (kMaxD - kMinD);
  const double zp_from_min = kMinD - rmin / scale;
  const double zp_from_max = kMaxD - rmax / scale;
  const double zp_from_min_error = std::fabs(kMinD) + std::fabs(rmin / scale);
  const double zp_from_max_error = std::fabs(kMaxD) + std::fabs(rmax / scale);
  const double zp = zp_from_min_error < zp_from_max_error ? zp_from_min : zp_from_max;
  int32_t offset = 0;
  if (!(zp > kMinD)) {  // (NaN from non-finite inputs included)
    offset = kMin;
  } else if (zp >= kMaxD) {
    offset = kMax;
  } else {
    offset = static_cast<int32_t>(std::round(zp));
  }
  r.scale = static_cast<float>(scale);
  r.offset = offset;
  const float inv = static_cast<float>(1.0 / static_cast<double>(r.scale));
  const float offset_f = static_cast<float>(offset);
  for (int64_t i = 0; i < n; ++i) {
    quantized[i] = RoundClampToInt8(offset_f + values[i] * inv, kMin, kMax);
  }
  return r;
}

// Quantizes `batches` consecutive rows of `row_size` values each.
inline void HybridQuantizeRows(HybridInputScheme scheme, const float* input, int64_t batches,
                               int64_t row_size, int8_t* quantized, HybridRowQuant* rows) {
  for (int64_t b = 0; b < batches; ++b) {
    const float* in = input + b * row_size;
    int8_t* q = quantized + b * row_size;
    rows[b] = scheme == HybridInputScheme::kAsymmetric ? HybridQuantizeAsymmetric(in, row_size, q)
                                                       : HybridQuantizeSymmetric(in, row_size, q);
  }
}

// The filter's scales as a hybrid kernel uses them.
struct HybridFilterScales {
  // Per output channel (size = output channels), or nullptr for one scale for the whole filter.
  const float* per_channel = nullptr;
  float per_tensor = 0.0f;  // used when per_channel is nullptr
};

// CONV_2D: per-channel scales -> TFLite's EvalHybridPerChannel (asymmetric input), per-tensor ->
// EvalHybrid (symmetric input). No groups: filter depth == input depth.
inline void HybridConv2D(const ConvParams& params, const HybridFilterScales& filter_scales,
                         const Shape& input_shape, const float* input, const Shape& filter_shape,
                         const int8_t* filter, const float* bias, const Shape& output_shape,
                         float* output, int8_t* quantized, HybridRowQuant* rows) {
  const int batches = input_shape.dim(0);
  const int in_h = input_shape.dim(1);
  const int in_w = input_shape.dim(2);
  const int in_c = input_shape.dim(3);
  const int filter_h = filter_shape.dim(1);
  const int filter_w = filter_shape.dim(2);
  const int out_h = output_shape.dim(1);
  const int out_w = output_shape.dim(2);
  const int out_c = output_shape.dim(3);
  const bool per_channel = filter_scales.per_channel != nullptr;
  const int64_t image_size = static_cast<int64_t>(in_h) * in_w * in_c;
  HybridQuantizeRows(per_channel ? HybridInputScheme::kAsymmetric : HybridInputScheme::kSymmetric,
                     input, batches, image_size, quantized, rows);
  const int64_t filter_oc_stride = static_cast<int64_t>(filter_h) * filter_w * in_c;

  float* out = output;
  for (int b = 0; b < batches; ++b) {
    const int32_t offset = rows[b].offset;
    const float batch_scale = rows[b].scale;
    // Per tensor: TFLite folds the filter scale into the batch's scale first.
    const float tensor_scale = batch_scale * filter_scales.per_tensor;
    for (int oy = 0; oy < out_h; ++oy) {
      const int in_y0 = oy * params.stride_h - params.pad_top;
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_x0 = ox * params.stride_w - params.pad_left;
        for (int oc = 0; oc < out_c; ++oc, ++out) {
          const int8_t* filter_oc = filter + oc * filter_oc_stride;
          int32_t acc = 0;
          for (int fy = 0; fy < filter_h; ++fy) {
            const int in_y = in_y0 + params.dilation_h * fy;
            if (in_y < 0 || in_y >= in_h) continue;
            for (int fx = 0; fx < filter_w; ++fx) {
              const int in_x = in_x0 + params.dilation_w * fx;
              if (in_x < 0 || in_x >= in_w) continue;
              const int8_t* in_px = quantized + input_shape.Offset(b, in_y, in_x, 0);
              const int8_t* f_px = filter_oc + (static_cast<int64_t>(fy) * filter_w + fx) * in_c;
              for (int ic = 0; ic < in_c; ++ic) {
                acc += static_cast<int32_t>(f_px[ic]) * (static_cast<int32_t>(in_px[ic]) - offset);
              }
            }
          }
          float value = 0.0f;
          if (per_channel) {
            value = static_cast<float>(acc) * (filter_scales.per_channel[oc] * batch_scale);
          } else {
            value = 0.0f + static_cast<float>(acc) * tensor_scale;
          }
          if (bias != nullptr) value += bias[oc];
          *out = ApplyActivation(value, params.act_min, params.act_max);
        }
      }
    }
  }
}

// DEPTHWISE_CONV_2D: TFLite's EvalHybridPerChannel (asymmetric input, per-channel scales only).
inline void HybridDepthwiseConv2D(const ConvParams& params, const float* filter_scales,
                                  const Shape& input_shape, const float* input,
                                  const Shape& filter_shape, const int8_t* filter,
                                  const float* bias, const Shape& output_shape, float* output,
                                  int8_t* quantized, HybridRowQuant* rows) {
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
  HybridQuantizeRows(HybridInputScheme::kAsymmetric, input, batches,
                     static_cast<int64_t>(in_h) * in_w * in_c, quantized, rows);

  float* out = output;
  for (int b = 0; b < batches; ++b) {
    const int32_t offset = rows[b].offset;
    const float batch_scale = rows[b].scale;
    for (int oy = 0; oy < out_h; ++oy) {
      const int in_y0 = oy * params.stride_h - params.pad_top;
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_x0 = ox * params.stride_w - params.pad_left;
        for (int ic = 0; ic < in_c; ++ic) {
          for (int m = 0; m < multiplier; ++m, ++out) {
            const int oc = ic * multiplier + m;
            int32_t acc = 0;
            for (int fy = 0; fy < filter_h; ++fy) {
              const int in_y = in_y0 + params.dilation_h * fy;
              if (in_y < 0 || in_y >= in_h) continue;
              const int8_t* f_row = filter + static_cast<int64_t>(fy) * filter_w * out_c + oc;
              for (int fx = 0; fx < filter_w; ++fx) {
                const int in_x = in_x0 + params.dilation_w * fx;
                if (in_x < 0 || in_x >= in_w) continue;
                acc += static_cast<int32_t>(f_row[static_cast<int64_t>(fx) * out_c]) *
                       (static_cast<int32_t>(quantized[input_shape.Offset(b, in_y, in_x, ic)]) -
                        offset);
              }
            }
            float value = static_cast<float>(acc) * batch_scale * filter_scales[oc];
            if (bias != nullptr) value += bias[oc];
            *out = ApplyActivation(value, params.act_min, params.act_max);
          }
        }
      }
    }
  }
}

// FULLY_CONNECTED on the input flattened to [batches, depth] (weights [units, depth]); output
// [batches, units]. TFLite's EvalHybridDense.
inline void HybridFullyConnected(HybridInputScheme scheme, const HybridFilterScales& filter_scales,
                                 FloatActivationRange act, int64_t batches, int32_t depth,
                                 int32_t units, const float* input, const int8_t* weights,
                                 const float* bias, float* output, int8_t* quantized,
                                 HybridRowQuant* rows) {
  HybridQuantizeRows(scheme, input, batches, depth, quantized, rows);
  const bool per_channel = filter_scales.per_channel != nullptr;
  float* out = output;
  for (int64_t b = 0; b < batches; ++b) {
    const int8_t* q = quantized + b * depth;
    const int32_t offset = rows[b].offset;
    // Per tensor: TFLite folds the filter scale into the row's scale first.
    const float row_scale = per_channel ? rows[b].scale : rows[b].scale * filter_scales.per_tensor;
    for (int32_t u = 0; u < units; ++u, ++out) {
      const int8_t* w = weights + static_cast<int64_t>(u) * depth;
      int32_t dot = 0;
      int32_t weight_sum = 0;
      for (int32_t i = 0; i < depth; ++i) {
        dot += static_cast<int32_t>(w[i]) * static_cast<int32_t>(q[i]);
        weight_sum += w[i];
      }
      const int32_t acc = dot - weight_sum * offset;
      const float scale = per_channel ? row_scale * filter_scales.per_channel[u] : row_scale;
      const float start = bias != nullptr ? bias[u] : 0.0f;
      *out = ApplyActivation(start + static_cast<float>(acc) * scale, act.min, act.max);
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_HYBRID_CONV_H_
