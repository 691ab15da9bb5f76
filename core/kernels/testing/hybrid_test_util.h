// Helpers for the hybrid (dynamic-range) kernel tests: TFLite's on-the-fly input quantization
// (tensor_utils::SymmetricQuantizeFloats / AsymmetricQuantizeFloats, portable build) restated
// here independently of core/kernels/reference/hybrid_conv.h, and bitwise float comparison.
#ifndef COMPRESSD_CORE_KERNELS_TESTING_HYBRID_TEST_UTIL_H_
#define COMPRESSD_CORE_KERNELS_TESTING_HYBRID_TEST_UTIL_H_

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace compressd::kernels::testing {

// One quantized row: real ≈ scale * (q - offset).
struct QuantizedRow {
  std::vector<int32_t> q;
  float scale = 1.0f;
  int32_t offset = 0;
};

// Symmetric: scale = max|v| / 127 (float), q = round_half_away(v * (127 / max|v|)), clamped to
// ±127; an all-zero row gives q = 0 and scale 1.
inline QuantizedRow SymmetricRow(const float* v, size_t n) {
  QuantizedRow r;
  r.q.assign(n, 0);
  float lo = 0.0f;
  float hi = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    if (i == 0 || v[i] < lo) lo = v[i];
    if (i == 0 || v[i] > hi) hi = v[i];
  }
  const float range = std::fabs(lo) > std::fabs(hi) ? std::fabs(lo) : std::fabs(hi);
  if (n == 0 || range == 0.0f) return r;
  r.scale = range / 127.0f;
  const float inv = 127.0f / range;
  for (size_t i = 0; i < n; ++i) {
    const long q = std::lround(v[i] * inv);  // half away from zero, like std::round
    r.q[i] = static_cast<int32_t>(q < -127 ? -127 : (q > 127 ? 127 : q));
  }
  return r;
}

// Asymmetric over [min(0, min v), max(0, max v)] in double: scale = range / 255; zero point from
// whichever end has the smaller error term, nudged into [-128, 127]; q = round_half_away(offset +
// v * inv) in float with inv = float(1 / double(float scale)), clamped to [-128, 127].
inline QuantizedRow AsymmetricRow(const float* v, size_t n) {
  QuantizedRow r;
  r.q.assign(n, 0);
  double rmin = 0.0;
  double rmax = 0.0;
  for (size_t i = 0; i < n; ++i) {
    if (v[i] < rmin) rmin = v[i];
    if (v[i] > rmax) rmax = v[i];
  }
  if (rmin == rmax) return r;
  const double scale = (rmax - rmin) / 255.0;
  const double from_min = -128.0 - rmin / scale;
  const double from_max = 127.0 - rmax / scale;
  const double err_min = 128.0 + std::fabs(rmin / scale);
  const double err_max = 127.0 + std::fabs(rmax / scale);
  const double zp = err_min < err_max ? from_min : from_max;
  if (zp <= -128.0) {
    r.offset = -128;
  } else if (zp >= 127.0) {
    r.offset = 127;
  } else {
    r.offset = static_cast<int32_t>(std::lround(zp));
  }
  r.scale = static_cast<float>(scale);
  const float inv = static_cast<float>(1.0 / static_cast<double>(r.scale));
  for (size_t i = 0; i < n; ++i) {
    const float x = static_cast<float>(r.offset) + v[i] * inv;
    const long q = std::lround(x);
    r.q[i] = static_cast<int32_t>(q < -128 ? -128 : (q > 127 ? 127 : q));
  }
  return r;
}

inline uint32_t FloatBits(float f) {
  uint32_t u = 0;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

// Every element bit-identical (the kernels follow one fixed sequence of float operations).
inline void ExpectBitExact(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  int mismatches = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (FloatBits(got[i]) != FloatBits(want[i]) && !(got[i] == 0.0f && want[i] == 0.0f)) {
      if (++mismatches <= 5) {
        ADD_FAILURE() << "element " << i << ": got " << got[i] << ", expected " << want[i];
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

// A random float input with some structure: values in [lo, hi], optionally one all-zero batch.
inline std::vector<float> HybridInput(std::mt19937& rng, int64_t n, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

}  // namespace compressd::kernels::testing

#endif  // COMPRESSD_CORE_KERNELS_TESTING_HYBRID_TEST_UTIL_H_
