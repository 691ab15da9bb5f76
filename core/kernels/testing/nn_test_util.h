// Small helpers for the NN kernel tests: deterministic random data and element-wise comparison.
#ifndef COMPRESSD_CORE_KERNELS_TESTING_NN_TEST_UTIL_H_
#define COMPRESSD_CORE_KERNELS_TESTING_NN_TEST_UTIL_H_

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace compressd::kernels::testing {

inline std::vector<float> RandomFloats(std::mt19937& rng, int64_t n, float lo = -1.0f,
                                       float hi = 1.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

inline int RandomInt(std::mt19937& rng, int lo, int hi) {  // inclusive
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

// |actual - expected| <= abs_tol + rel_tol * |expected| for every element; sizes equal.
inline void ExpectAllNear(const std::vector<float>& actual, const std::vector<double>& expected,
                          double abs_tol = 1e-5, double rel_tol = 1e-5) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    ASSERT_LE(std::fabs(actual[i] - expected[i]), abs_tol + rel_tol * std::fabs(expected[i]))
        << "element " << i << ": got " << actual[i] << ", expected " << expected[i];
  }
}

inline void ExpectAllNear(const std::vector<float>& actual, const std::vector<float>& expected,
                          double abs_tol = 1e-5, double rel_tol = 1e-5) {
  ExpectAllNear(actual, std::vector<double>(expected.begin(), expected.end()), abs_tol, rel_tol);
}

}  // namespace compressd::kernels::testing

#endif  // COMPRESSD_CORE_KERNELS_TESTING_NN_TEST_UTIL_H_
