// Helpers for the elementwise / tensor-manipulation kernel tests: deterministic random shapes and
// data, row-major index arithmetic for naive reference computations written in the tests, and
// status assertions.
#ifndef COMPRESSD_CORE_KERNELS_TESTING_TENSOR_TEST_UTIL_H_
#define COMPRESSD_CORE_KERNELS_TESTING_TENSOR_TEST_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "core/ir/builtin_options.h"
#include "core/ir/data_type.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/shape.h"
#include "core/kernels/testing/op_test_util.h"
#include "gtest/gtest.h"

#define TT_ASSERT_OK(expr)                                 \
  do {                                                     \
    const ::absl::Status tt_status_ = (expr);              \
    ASSERT_TRUE(tt_status_.ok()) << tt_status_.ToString(); \
  } while (false)

namespace compressd::kernels {
// gtest prints shapes as [d0,d1,...].
inline void PrintTo(const Shape& shape, std::ostream* os) { *os << shape.ToString(); }
}  // namespace compressd::kernels

namespace compressd::kernels::testing {

inline int RandInt(std::mt19937& rng, int lo, int hi) {  // inclusive
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

inline std::vector<float> RandFloats(std::mt19937& rng, int64_t n, float lo = -4.0f,
                                     float hi = 4.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

template <typename T>
std::vector<T> RandInts(std::mt19937& rng, int64_t n, int64_t lo, int64_t hi) {
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  std::vector<T> v(static_cast<size_t>(n));
  for (T& x : v) x = static_cast<T>(dist(rng));
  return v;
}

// A shape of `rank` dimensions in [min_dim, max_dim].
inline Shape RandShape(std::mt19937& rng, int rank, int min_dim = 1, int max_dim = 4) {
  Shape s;
  for (int i = 0; i < rank; ++i) s.push_back(RandInt(rng, min_dim, max_dim));
  return s;
}

// 0, 1, 2, ... as T, n values (distinct data for data-movement tests).
template <typename T>
std::vector<T> Iota(int64_t n, T start = T(0)) {
  std::vector<T> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<T>(start + static_cast<T>(i));
  return v;
}

// Row-major coordinates of flat position `flat` in `shape` (naive, for reference computations).
inline std::vector<int64_t> Unravel(int64_t flat, const Shape& shape) {
  std::vector<int64_t> idx(shape.rank());
  for (int d = shape.rank() - 1; d >= 0; --d) {
    idx[d] = flat % shape.dim(d);
    flat /= shape.dim(d);
  }
  return idx;
}

inline int64_t Ravel(const std::vector<int64_t>& idx, const Shape& shape) {
  int64_t flat = 0;
  for (int d = 0; d < shape.rank(); ++d) flat = flat * shape.dim(d) + idx[d];
  return flat;
}

// Bitwise equality of floats (so NaN == NaN with the same payload and -0 != +0).
inline bool SameBits(float a, float b) {
  uint32_t x;
  uint32_t y;
  std::memcpy(&x, &a, 4);
  std::memcpy(&y, &b, 4);
  return x == y;
}

inline void ExpectSameFloats(const std::vector<float>& actual, const std::vector<float>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    ASSERT_TRUE(SameBits(actual[i], expected[i]) ||
                (std::isnan(actual[i]) && std::isnan(expected[i])))
        << "element " << i << ": got " << actual[i] << ", expected " << expected[i];
  }
}

inline void ExpectNearFloats(const std::vector<float>& actual, const std::vector<double>& expected,
                             double abs_tol, double rel_tol) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    ASSERT_LE(std::fabs(actual[i] - expected[i]), abs_tol + rel_tol * std::fabs(expected[i]))
        << "element " << i << ": got " << actual[i] << ", expected " << expected[i];
  }
}

// Two shapes that broadcast to `out` (computed independently of the kernels' helper).
struct BroadcastCase {
  Shape a;
  Shape b;
  Shape out;
};

// Random shapes of rank <= max_rank where each input dimension is either the output's or 1, and
// inputs may have fewer dimensions than the output.
inline BroadcastCase RandBroadcastCase(std::mt19937& rng, int max_rank) {
  const int rank = RandInt(rng, 0, max_rank);
  const Shape full = RandShape(rng, rank, 1, 4);
  auto make = [&]() {
    const int r = RandInt(rng, 0, rank);
    Shape s;
    for (int d = rank - r; d < rank; ++d) s.push_back(RandInt(rng, 0, 2) == 0 ? 1 : full.dim(d));
    return s;
  };
  BroadcastCase c{make(), make(), Shape()};
  const int out_rank = std::max(c.a.rank(), c.b.rank());
  const Shape ea = c.a.Extended(out_rank);
  const Shape eb = c.b.Extended(out_rank);
  for (int d = 0; d < out_rank; ++d) c.out.push_back(std::max(ea.dim(d), eb.dim(d)));
  return c;
}

// out[i] = f(a[ia], b[ib]) with NumPy broadcasting, by explicit coordinate mapping.
template <typename T, typename F>
std::vector<T> NaiveBroadcast(const Shape& a_shape, const std::vector<T>& a, const Shape& b_shape,
                              const std::vector<T>& b, const Shape& out_shape, F f) {
  const int rank = out_shape.rank();
  std::vector<T> out(static_cast<size_t>(out_shape.FlatSize()));
  auto source = [&](const Shape& s, const std::vector<int64_t>& idx) {
    int64_t flat = 0;
    for (int d = 0; d < s.rank(); ++d) {
      const int64_t c = s.dim(d) == 1 ? 0 : idx[d + rank - s.rank()];
      flat = flat * s.dim(d) + c;
    }
    return flat;
  };
  for (int64_t i = 0; i < static_cast<int64_t>(out.size()); ++i) {
    const std::vector<int64_t> idx = Unravel(i, out_shape);
    out[i] = f(a[source(a_shape, idx)], b[source(b_shape, idx)]);
  }
  return out;
}

// Runs a two-input, one-output kernel; returns the status and fills the output and its shape.
template <typename T>
absl::Status RunBinaryOp(const OpKernel& kernel, ir::BuiltinOptions options, ir::DataType type,
                         const Shape& a_shape, const std::vector<T>& a, const Shape& b_shape,
                         const std::vector<T>& b, std::vector<T>* out, Shape* out_shape) {
  OpHarness h(kernel, std::move(options));
  h.AddInput(type, a_shape, a);
  h.AddInput(type, b_shape, b);
  h.AddOutput(type);
  const absl::Status s = h.Run();
  if (s.ok()) {
    *out = h.OutputData<T>(0);
    *out_shape = h.OutputShape(0);
  }
  return s;
}

}  // namespace compressd::kernels::testing

#endif  // COMPRESSD_CORE_KERNELS_TESTING_TENSOR_TEST_UTIL_H_
