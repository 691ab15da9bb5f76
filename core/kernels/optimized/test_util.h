// Test helpers for core/kernels/optimized: random data and naive double-precision convolutions
// written independently of the kernels under test (straight from the TFLite reference loops).
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_TEST_UTIL_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_TEST_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/kernels/conv_params.h"
#include "core/kernels/shape.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized::testing {

inline std::vector<float> RandomVector(int64_t size, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(size));
  for (float& x : v) x = dist(rng);
  return v;
}

// An expected value and the scale of its rounding error: |bias| + sum of |products|.
struct Expected {
  std::vector<double> value;
  std::vector<double> magnitude;
};

// CONV_2D: input NHWC, filter OHWI, output NHWC.
inline Expected NaiveConv2D(const ConvParams& p, const Shape& in_s, const std::vector<float>& in,
                            const Shape& f_s, const std::vector<float>& f, const float* bias,
                            const Shape& out_s) {
  Expected e;
  e.value.assign(static_cast<size_t>(out_s.FlatSize()), 0.0);
  e.magnitude.assign(e.value.size(), 0.0);
  for (int b = 0; b < out_s.dim(0); ++b) {
    for (int oy = 0; oy < out_s.dim(1); ++oy) {
      for (int ox = 0; ox < out_s.dim(2); ++ox) {
        for (int oc = 0; oc < out_s.dim(3); ++oc) {
          double sum = bias ? bias[oc] : 0.0;
          double mag = std::fabs(sum);
          for (int ky = 0; ky < f_s.dim(1); ++ky) {
            for (int kx = 0; kx < f_s.dim(2); ++kx) {
              const int iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
              const int ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
              if (iy < 0 || iy >= in_s.dim(1) || ix < 0 || ix >= in_s.dim(2)) continue;
              for (int ic = 0; ic < in_s.dim(3); ++ic) {
                const double prod = static_cast<double>(in[in_s.Offset(b, iy, ix, ic)]) *
                                    f[f_s.Offset(oc, ky, kx, ic)];
                sum += prod;
                mag += std::fabs(prod);
              }
            }
          }
          const int64_t o = out_s.Offset(b, oy, ox, oc);
          e.value[o] = std::min<double>(std::max<double>(sum, p.act_min), p.act_max);
          e.magnitude[o] = mag;
        }
      }
    }
  }
  return e;
}

// DEPTHWISE_CONV_2D: filter [1, H, W, in_c * depth_multiplier].
inline Expected NaiveDepthwiseConv2D(const ConvParams& p, const Shape& in_s,
                                     const std::vector<float>& in, const Shape& f_s,
                                     const std::vector<float>& f, const float* bias,
                                     const Shape& out_s) {
  Expected e;
  e.value.assign(static_cast<size_t>(out_s.FlatSize()), 0.0);
  e.magnitude.assign(e.value.size(), 0.0);
  for (int b = 0; b < out_s.dim(0); ++b) {
    for (int oy = 0; oy < out_s.dim(1); ++oy) {
      for (int ox = 0; ox < out_s.dim(2); ++ox) {
        for (int ic = 0; ic < in_s.dim(3); ++ic) {
          for (int m = 0; m < p.depth_multiplier; ++m) {
            const int oc = ic * p.depth_multiplier + m;
            double sum = bias ? bias[oc] : 0.0;
            double mag = std::fabs(sum);
            for (int ky = 0; ky < f_s.dim(1); ++ky) {
              for (int kx = 0; kx < f_s.dim(2); ++kx) {
                const int iy = oy * p.stride_h - p.pad_top + ky * p.dilation_h;
                const int ix = ox * p.stride_w - p.pad_left + kx * p.dilation_w;
                if (iy < 0 || iy >= in_s.dim(1) || ix < 0 || ix >= in_s.dim(2)) continue;
                const double prod = static_cast<double>(in[in_s.Offset(b, iy, ix, ic)]) *
                                    f[f_s.Offset(0, ky, kx, oc)];
                sum += prod;
                mag += std::fabs(prod);
              }
            }
            const int64_t o = out_s.Offset(b, oy, ox, oc);
            e.value[o] = std::min<double>(std::max<double>(sum, p.act_min), p.act_max);
            e.magnitude[o] = mag;
          }
        }
      }
    }
  }
  return e;
}

// Every element within 1e-5 of its magnitude (+1e-6 absolute); stops after 5 reported failures.
inline void ExpectClose(const Expected& want, const float* got, const std::string& what) {
  int failures = 0;
  for (size_t i = 0; i < want.value.size() && failures < 5; ++i) {
    const double tol = 1e-5 * want.magnitude[i] + 1e-6;
    if (!(std::fabs(got[i] - want.value[i]) <= tol)) {
      ADD_FAILURE() << what << ": element " << i << " = " << got[i] << ", want "
                    << want.value[i] << " (tol " << tol << ")";
      ++failures;
    }
  }
}

}  // namespace compressd::kernels::optimized::testing

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_TEST_UTIL_H_
