// Helpers for the quantized kernel tests (core/kernels/*_int8_test.cc): quantization parameters,
// random quantized data, an independent TFLite-style multiplier computation, and naive N-d index
// arithmetic for broadcasting. Written independently of the kernels' own helpers so that tests
// compare against a second implementation.
#ifndef COMPRESSD_CORE_KERNELS_TESTING_QUANT_TEST_UTIL_H_
#define COMPRESSD_CORE_KERNELS_TESTING_QUANT_TEST_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "core/ir/model.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::testing {

inline ir::QuantParams Q(float scale, int64_t zero_point) {
  ir::QuantParams q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

// A scale drawn log-uniformly from [lo, hi].
inline float RandomScale(std::mt19937& rng, float lo, float hi) {
  std::uniform_real_distribution<double> d(std::log(lo), std::log(hi));
  return static_cast<float>(std::exp(d(rng)));
}

template <typename T>
std::vector<T> RandomValues(std::mt19937& rng, int64_t n, int lo = std::numeric_limits<T>::min(),
                            int hi = std::numeric_limits<T>::max()) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<T> v(static_cast<size_t>(n));
  for (T& x : v) x = static_cast<T>(d(rng));
  return v;
}

// A zero point for type T: usually random, sometimes an extreme of the range.
template <typename T>
int32_t RandomZeroPoint(std::mt19937& rng) {
  const int pick = std::uniform_int_distribution<int>(0, 5)(rng);
  if (pick == 0) return std::numeric_limits<T>::min();
  if (pick == 1) return std::numeric_limits<T>::max();
  return std::uniform_int_distribution<int>(std::numeric_limits<T>::min(),
                                            std::numeric_limits<T>::max())(rng);
}

// TFLite's QuantizeMultiplier, computed by normalizing with exact doubling/halving instead of
// frexp: m = q * 2^e with q in [0.5, 1), q_fixed = round-half-away(q * 2^31).
struct TestMultiplier {
  int32_t multiplier = 0;
  int shift = 0;
};
inline TestMultiplier TestQuantizeMultiplier(double m) {
  if (m == 0.0) return {};
  double q = std::fabs(m);
  int e = 0;
  while (q >= 1.0) {
    q /= 2;
    ++e;
  }
  while (q < 0.5) {
    q *= 2;
    --e;
  }
  int64_t fixed = std::llround(q * 2147483648.0);
  if (fixed == (int64_t{1} << 31)) {
    fixed /= 2;
    ++e;
  }
  if (e < -31) return {};
  if (m < 0) fixed = -fixed;
  return {static_cast<int32_t>(fixed), e};
}

// Row-major strides of `s` extended to `rank` dimensions, 0 where the (extended) dimension is 1
// and broadcast against a larger one.
inline std::vector<int64_t> BroadcastStrides(const Shape& s, const Shape& out) {
  const Shape e = s.Extended(out.rank());
  std::vector<int64_t> strides(out.rank());
  int64_t stride = 1;
  for (int d = out.rank() - 1; d >= 0; --d) {
    strides[d] = e.dim(d) == 1 ? 0 : stride;
    stride *= e.dim(d);
  }
  return strides;
}

// Flat index into an input with `strides` for output flat index `i` of shape `out`.
inline int64_t BroadcastIndex(int64_t i, const Shape& out, const std::vector<int64_t>& strides) {
  int64_t index = 0;
  for (int d = out.rank() - 1; d >= 0; --d) {
    index += (i % out.dim(d)) * strides[d];
    i /= out.dim(d);
  }
  return index;
}

// A random shape of rank in [1, 4] with dims in [1, max_dim], and a second shape that broadcasts
// with it (some dims set to 1, possibly lower rank).
inline void RandomBroadcastShapes(std::mt19937& rng, Shape* a, Shape* b, int max_dim = 5) {
  const int rank = std::uniform_int_distribution<int>(1, 4)(rng);
  Shape full;
  for (int d = 0; d < rank; ++d) full.push_back(std::uniform_int_distribution<int>(1, max_dim)(rng));
  Shape x = full;
  Shape y;
  const int y_rank = std::uniform_int_distribution<int>(1, rank)(rng);
  for (int d = rank - y_rank; d < rank; ++d) y.push_back(full.dim(d));
  for (int d = 0; d < x.rank(); ++d) {
    if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) x.set_dim(d, 1);
  }
  for (int d = 0; d < y.rank(); ++d) {
    if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) y.set_dim(d, 1);
  }
  if (std::uniform_int_distribution<int>(0, 1)(rng)) std::swap(x, y);
  *a = x;
  *b = y;
}

inline Shape BroadcastOf(const Shape& a, const Shape& b) {
  const int rank = std::max(a.rank(), b.rank());
  const Shape ea = a.Extended(rank), eb = b.Extended(rank);
  Shape out;
  for (int d = 0; d < rank; ++d) out.push_back(std::max(ea.dim(d), eb.dim(d)));
  return out;
}

// Quantize a real value the ideal way: round half away from zero, then clamp to [lo, hi].
inline int32_t IdealQuantize(double v, double scale, int32_t zp, int32_t lo, int32_t hi) {
  const double q = std::round(v / scale) + zp;
  return static_cast<int32_t>(std::min<double>(std::max<double>(q, lo), hi));
}

}  // namespace compressd::kernels::testing

#endif  // COMPRESSD_CORE_KERNELS_TESTING_QUANT_TEST_UTIL_H_
