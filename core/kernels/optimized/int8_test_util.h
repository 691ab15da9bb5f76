// Test helpers for the int8 kernels of core/kernels/optimized: random quantization parameters and
// the TFLite integer arithmetic written out naively (reference_integer_ops::ConvPerChannel /
// DepthwiseConvPerChannel / FullyConnected), independently of the kernels under test. The only
// shared piece is quant::MultiplyByQuantizedMultiplier, the definition being reproduced.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_TEST_UTIL_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_TEST_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/kernels/conv_params.h"
#include "core/kernels/shape.h"
#include "core/quant/fixed_point.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized::testing {

inline std::vector<int8_t> RandomInt8(int64_t size, std::mt19937& rng, int lo = -128,
                                      int hi = 127) {
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<int8_t> v(static_cast<size_t>(size));
  for (int8_t& x : v) x = static_cast<int8_t>(dist(rng));
  return v;
}

// Per-channel quantization parameters of one test case.
struct QuantParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int32_t act_min = -128;
  int32_t act_max = 127;
  std::vector<int32_t> multiplier;
  std::vector<int32_t> shift;
  std::vector<int32_t> bias;
  // Non-empty: XNNPACK's fp32 requantization with these scales replaces multiplier/shift.
  std::vector<float> fp32_scale;
  std::string ToString() const {
    return std::string(fp32_scale.empty() ? "" : "fp32 ") +
           "in_zp=" + std::to_string(input_zero_point) +
           " out_zp=" + std::to_string(output_zero_point) + " act=[" + std::to_string(act_min) +
           "," + std::to_string(act_max) + "]";
  }
};

// Random parameters for `channels` output channels. `realistic`: multipliers in [2^30, 2^31)
// with shifts in [-12, 1] and biases of a few thousand (what converters produce); otherwise
// anything the arithmetic allows (multipliers over the whole int32 range including INT32_MIN and
// 0, shifts in [-31, 31], biases over the whole int32 range), which exercises the wrap-around
// and saturation corners. Zero points are often at their extremes.
inline QuantParams RandomQuantParams(int64_t channels, bool realistic, std::mt19937& rng) {
  QuantParams q;
  auto pick_zp = [&rng]() {
    switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
      case 0:
        return -128;
      case 1:
        return 127;
      default:
        return std::uniform_int_distribution<int>(-128, 127)(rng);
    }
  };
  q.input_zero_point = pick_zp();
  q.output_zero_point = pick_zp();
  switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
    case 0:  // ReLU-like
      q.act_min = q.output_zero_point;
      break;
    case 1: {  // ReLU6-like: a sub-range
      q.act_min = std::uniform_int_distribution<int>(-128, 0)(rng);
      q.act_max = std::uniform_int_distribution<int>(q.act_min, 127)(rng);
      break;
    }
    default:
      break;
  }
  std::uniform_int_distribution<int32_t> any(std::numeric_limits<int32_t>::min(),
                                             std::numeric_limits<int32_t>::max());
  for (int64_t c = 0; c < channels; ++c) {
    if (realistic) {
      q.multiplier.push_back(std::uniform_int_distribution<int32_t>(
          int32_t{1} << 30, std::numeric_limits<int32_t>::max())(rng));
      q.shift.push_back(std::uniform_int_distribution<int32_t>(-12, 1)(rng));
      q.bias.push_back(std::uniform_int_distribution<int32_t>(-5000, 5000)(rng));
    } else {
      const int kind = std::uniform_int_distribution<int>(0, 9)(rng);
      q.multiplier.push_back(kind == 0   ? std::numeric_limits<int32_t>::min()
                             : kind == 1 ? 0
                             : kind == 2 ? std::numeric_limits<int32_t>::max()
                                         : any(rng));
      q.shift.push_back(std::uniform_int_distribution<int32_t>(-31, 31)(rng));
      const int bias_kind = std::uniform_int_distribution<int>(0, 3)(rng);
      q.bias.push_back(bias_kind == 0   ? std::numeric_limits<int32_t>::min()
                       : bias_kind == 1 ? std::numeric_limits<int32_t>::max()
                                        : any(rng));
    }
  }
  return q;
}

// Switches `q` to XNNPACK's fp32 requantization: one scale per multiplier entry, log-uniform
// over [2^-16, 2^2] (what input_scale * filter_scale / output_scale gives), some exact powers of
// two and some that make most outputs clamp, so that rounding ties and both bounds are reached.
inline void UseFp32Requant(QuantParams& q, std::mt19937& rng) {
  q.fp32_scale.clear();
  for (size_t c = 0; c < q.multiplier.size(); ++c) {
    const int kind = std::uniform_int_distribution<int>(0, 9)(rng);
    const float e = std::uniform_real_distribution<float>(-16.0f, 2.0f)(rng);
    q.fp32_scale.push_back(kind == 0   ? 0.5f   // ties at every odd accumulator
                           : kind == 1 ? 64.0f  // mostly clamped
                                       : std::exp2(e));
  }
}

// TFLite's output stage on an int32 accumulator (the offset added with wrap-around, as the
// compiled int32 `acc += output_offset` behaves); with fp32 scales, XNNPACK's
// (xnn_qs8_requantize_fp32: scale in float, clamp to the bounds less the zero point, round to
// nearest even, add the zero point).
inline int8_t NaiveOutputStage(int32_t acc, const QuantParams& q, int64_t channel) {
  if (!q.fp32_scale.empty()) {
    float f = static_cast<float>(acc) * q.fp32_scale[static_cast<size_t>(channel)];
    f = std::max(f, static_cast<float>(q.act_min - q.output_zero_point));
    f = std::min(f, static_cast<float>(q.act_max - q.output_zero_point));
    return static_cast<int8_t>(static_cast<int32_t>(std::lrint(f)) + q.output_zero_point);
  }
  int32_t v = quant::MultiplyByQuantizedMultiplier(acc, q.multiplier[channel],
                                                   static_cast<int>(q.shift[channel]));
  v = static_cast<int32_t>(static_cast<uint32_t>(v) + static_cast<uint32_t>(q.output_zero_point));
  v = std::max(v, q.act_min);
  v = std::min(v, q.act_max);
  return static_cast<int8_t>(v);
}

// int32 accumulation with wrap-around (what TFLite's compiled int32 sums do on overflow).
inline int32_t WrapAdd(int32_t a, int64_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

// reference_integer_ops::ConvPerChannel: input NHWC, filter OHWI (in_c == filter depth, no
// groups), output NHWC.
inline std::vector<int8_t> NaiveInt8Conv2D(const ConvParams& p, const Shape& in_s,
                                           const std::vector<int8_t>& in, const Shape& f_s,
                                           const std::vector<int8_t>& f, bool use_bias,
                                           const QuantParams& q, const Shape& out_s) {
  std::vector<int8_t> out(static_cast<size_t>(out_s.FlatSize()));
  const int32_t input_offset = -q.input_zero_point;
  for (int b = 0; b < out_s.dim(0); ++b) {
    for (int oy = 0; oy < out_s.dim(1); ++oy) {
      for (int ox = 0; ox < out_s.dim(2); ++ox) {
        for (int oc = 0; oc < out_s.dim(3); ++oc) {
          int32_t acc = 0;
          for (int ky = 0; ky < f_s.dim(1); ++ky) {
            for (int kx = 0; kx < f_s.dim(2); ++kx) {
              const int iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
              const int ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
              if (iy < 0 || iy >= in_s.dim(1) || ix < 0 || ix >= in_s.dim(2)) continue;
              for (int ic = 0; ic < in_s.dim(3); ++ic) {
                const int32_t x = in[in_s.Offset(b, iy, ix, ic)];
                const int32_t w = f[f_s.Offset(oc, ky, kx, ic)];
                acc = WrapAdd(acc, (x + input_offset) * w);
              }
            }
          }
          if (use_bias) acc = WrapAdd(acc, q.bias[oc]);
          out[out_s.Offset(b, oy, ox, oc)] = NaiveOutputStage(acc, q, oc);
        }
      }
    }
  }
  return out;
}

// reference_integer_ops::DepthwiseConvPerChannel: filter [1, H, W, in_c * depth_multiplier].
inline std::vector<int8_t> NaiveInt8DepthwiseConv2D(const ConvParams& p, const Shape& in_s,
                                                    const std::vector<int8_t>& in,
                                                    const Shape& f_s, const std::vector<int8_t>& f,
                                                    bool use_bias, const QuantParams& q,
                                                    const Shape& out_s) {
  std::vector<int8_t> out(static_cast<size_t>(out_s.FlatSize()));
  const int32_t input_offset = -q.input_zero_point;
  for (int b = 0; b < out_s.dim(0); ++b) {
    for (int oy = 0; oy < out_s.dim(1); ++oy) {
      for (int ox = 0; ox < out_s.dim(2); ++ox) {
        for (int ic = 0; ic < in_s.dim(3); ++ic) {
          for (int m = 0; m < p.depth_multiplier; ++m) {
            const int oc = ic * p.depth_multiplier + m;
            int32_t acc = 0;
            for (int ky = 0; ky < f_s.dim(1); ++ky) {
              for (int kx = 0; kx < f_s.dim(2); ++kx) {
                const int iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
                const int ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
                if (iy < 0 || iy >= in_s.dim(1) || ix < 0 || ix >= in_s.dim(2)) continue;
                const int32_t x = in[in_s.Offset(b, iy, ix, ic)];
                const int32_t w = f[f_s.Offset(0, ky, kx, oc)];
                acc = WrapAdd(acc, (x + input_offset) * w);
              }
            }
            if (use_bias) acc = WrapAdd(acc, q.bias[oc]);
            out[out_s.Offset(b, oy, ox, oc)] = NaiveOutputStage(acc, q, oc);
          }
        }
      }
    }
  }
  return out;
}

// Spatial geometry of one convolution test case along one axis: filter extent, stride,
// dilation, padding before and the resulting output extent.
struct AxisCase {
  int32_t in, filter, stride, dilation, pad_before, out;
};

// padding: 0 = SAME, 1 = VALID (TFLite's rule), 2 = explicit random padding before/after in
// [0, effective filter) (odd and asymmetric amounts, as converters from other frameworks emit).
inline AxisCase MakeAxis(int32_t in, int32_t filter, int32_t stride, int32_t dilation,
                         int padding, std::mt19937& rng) {
  AxisCase a{in, filter, stride, dilation, 0, 0};
  if (padding < 2) {
    const PaddedSize ps = ComputePaddedSize(padding == 0 ? ir::Padding::kSame : ir::Padding::kValid,
                                            in, filter, stride, dilation);
    a.pad_before = ps.pad_before;
    a.out = ps.output;
    return a;
  }
  const int32_t eff = (filter - 1) * dilation + 1;
  a.pad_before = std::uniform_int_distribution<int32_t>(0, eff - 1)(rng);
  const int32_t pad_after = std::uniform_int_distribution<int32_t>(0, eff - 1)(rng);
  const int32_t span = in + a.pad_before + pad_after - eff;
  a.out = span < 0 ? 0 : span / stride + 1;
  return a;
}

inline std::string AxisString(const AxisCase& a) {
  return "in=" + std::to_string(a.in) + " f=" + std::to_string(a.filter) +
         " s=" + std::to_string(a.stride) + " d=" + std::to_string(a.dilation) +
         " pad=" + std::to_string(a.pad_before) + " out=" + std::to_string(a.out);
}

inline ConvParams MakeParams(const AxisCase& h, const AxisCase& w, int32_t depth_multiplier = 1) {
  ConvParams p;
  p.stride_h = h.stride;
  p.stride_w = w.stride;
  p.dilation_h = h.dilation;
  p.dilation_w = w.dilation;
  p.pad_top = h.pad_before;
  p.pad_left = w.pad_before;
  p.depth_multiplier = depth_multiplier;
  return p;
}

// Bit-exact comparison; reports the first 5 mismatches with their flat index.
inline void ExpectSameInt8(const std::vector<int8_t>& want, const int8_t* got,
                           const std::string& what) {
  int failures = 0;
  for (size_t i = 0; i < want.size() && failures < 5; ++i) {
    if (want[i] != got[i]) {
      ADD_FAILURE() << what << ": element " << i << " = " << int{got[i]} << ", want "
                    << int{want[i]};
      ++failures;
    }
  }
}

}  // namespace compressd::kernels::optimized::testing

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_TEST_UTIL_H_
