#include "core/kernels/optimized/xnnpack_int8_elementwise.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "core/kernels/reference/xnnpack_int8.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized {
namespace {

using reference::XnnAddParams;
using reference::XnnMulParams;
using reference::XnnOutputRange;
using reference::XnnRequantizeParams;

// 2^e for e uniform in [lo, hi).
float RandomPowerScale(std::mt19937& rng, float lo, float hi) {
  return std::exp2(std::uniform_real_distribution<float>(lo, hi)(rng));
}

int32_t RandomZeroPoint(std::mt19937& rng, int trial) {
  if (trial % 4 == 0) return -128;  // both ends of the range
  if (trial % 4 == 1) return 127;
  return std::uniform_int_distribution<int32_t>(-128, 127)(rng);
}

// A fused activation's [min, max] (min <= max), or the full range.
XnnOutputRange RandomRange(std::mt19937& rng, int trial) {
  if (trial % 3 == 0) return XnnOutputRange{};
  const int32_t lo = std::uniform_int_distribution<int32_t>(-128, 40)(rng);
  return XnnOutputRange{lo, std::uniform_int_distribution<int32_t>(lo, 127)(rng)};
}

std::vector<int8_t> RandomBytes(std::mt19937& rng, int64_t n) {
  std::uniform_int_distribution<int> byte(-128, 127);
  std::vector<int8_t> v(n);
  for (int8_t& x : v) x = static_cast<int8_t>(byte(rng));
  if (n > 0) v[0] = -128;  // the extremes in every array
  if (n > 1) v[n - 1] = 127;
  return v;
}

// ---- QUANTIZE float32 -> int8 -------------------------------------------------------------------

// `x` must not hold NaN (the reference's conversion of NaN is undefined).
void ExpectQuantizeMatchesReference(float scale, int32_t zero_point, const std::vector<float>& x) {
  const auto n = static_cast<int64_t>(x.size());
  std::vector<int8_t> want(n), fast(n), portable(n);
  reference::XnnQuantizeF32(scale, zero_point, n, x.data(), want.data());
  XnnQuantizeF32ToInt8(scale, zero_point, x.data(), fast.data(), n);
  XnnQuantizeF32ToInt8Portable(scale, zero_point, x.data(), portable.data(), n);
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(int{fast[i]}, int{want[i]}) << "x=" << x[i] << " scale=" << scale
                                          << " zp=" << zero_point << " i=" << i << " n=" << n;
    ASSERT_EQ(int{portable[i]}, int{want[i]}) << "x=" << x[i] << " scale=" << scale
                                              << " zp=" << zero_point;
  }
}

TEST(XnnQuantizeF32ToInt8Test, MatchesTheReferenceOnRandomValuesScalesAndLengths) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 400; ++trial) {
    const float scale = RandomPowerScale(rng, -20.0f, 8.0f);
    std::normal_distribution<float> value(0.0f, scale * 150.0f);
    std::vector<float> x(std::uniform_int_distribution<int>(0, 100)(rng));
    for (float& v : x) v = value(rng);
    ExpectQuantizeMatchesReference(scale, RandomZeroPoint(rng, trial), x);
  }
}

TEST(XnnQuantizeF32ToInt8Test, TiesRoundToEvenAndSpecialValues) {
  std::vector<float> x;
  for (int k = -600; k <= 600; ++k) x.push_back(0.25f * static_cast<float>(k));  // every tie
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {0.49999997f, -0.49999997f, 0.5f, -0.5f, 1.5f, -2.5f, -0.0f, 1e-40f, -1e-40f,
                  inf, -inf, 3e38f, -3e38f, 8388607.5f, 16777216.0f, 127.5f, -128.5f}) {
    x.push_back(v);
  }
  for (int32_t zero_point : {-128, -1, 0, 5, 127}) {
    for (float scale : {1.0f, 0.5f, 0.25f, 2.0f, 0.1f, 1.0f / 255.0f, 0x1.0p-30f, 0x1.0p+10f}) {
      ExpectQuantizeMatchesReference(scale, zero_point, x);
    }
  }
}

TEST(XnnQuantizeF32ToInt8Test, NanGivesTheZeroPoint) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int32_t zero_point : {-128, -3, 0, 127}) {
    for (int64_t n : {1, 7, 8, 9, 33, 70}) {
      std::vector<float> x(n, nan);
      std::vector<int8_t> fast(n), portable(n);
      XnnQuantizeF32ToInt8(0.1f, zero_point, x.data(), fast.data(), n);
      XnnQuantizeF32ToInt8Portable(0.1f, zero_point, x.data(), portable.data(), n);
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(int{fast[i]}, zero_point) << "n=" << n << " i=" << i;
        ASSERT_EQ(int{portable[i]}, zero_point) << "n=" << n << " i=" << i;
      }
    }
  }
}

// ---- QUANTIZE int8 -> int8 ----------------------------------------------------------------------

void ExpectRequantizeMatchesReference(const XnnRequantizeParams& p, const std::vector<int8_t>& x) {
  const auto n = static_cast<int64_t>(x.size());
  std::vector<int8_t> want(n), fast(n), portable(n);
  reference::XnnRequantize(p, n, x.data(), want.data());
  XnnRequantizeInt8(p, x.data(), fast.data(), n);
  XnnRequantizeInt8Portable(p, x.data(), portable.data(), n);
  ASSERT_EQ(fast, want) << "multiplier " << p.multiplier << " bias " << p.bias << " n=" << n;
  ASSERT_EQ(portable, want) << "multiplier " << p.multiplier << " bias " << p.bias;
  std::vector<int8_t> in_place = x;  // output aliasing the input
  XnnRequantizeInt8(p, in_place.data(), in_place.data(), n);
  ASSERT_EQ(in_place, want);
}

TEST(XnnRequantizeInt8Test, MatchesTheReferenceOnRandomScalesZeroPointsAndLengths) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 400; ++trial) {
    float ratio = RandomPowerScale(rng, -8.0f, 7.0f);
    if (trial % 7 == 0) ratio = 0x1.0p-8f;  // the supported limits
    if (trial % 7 == 1) ratio = 0x1.0p+7f;
    ASSERT_TRUE(reference::XnnRequantizeScaleSupported(ratio));
    const XnnRequantizeParams p = reference::XnnMakeRequantizeParams(
        ratio, RandomZeroPoint(rng, trial), RandomZeroPoint(rng, trial / 4));
    ExpectRequantizeMatchesReference(p, RandomBytes(rng, std::uniform_int_distribution<int64_t>(
                                                            0, 100)(rng)));
  }
}

TEST(XnnRequantizeInt8Test, EveryInputValue) {
  std::vector<int8_t> x;
  for (int v = -128; v < 128; ++v) x.push_back(static_cast<int8_t>(v));
  for (float ratio : {0x1.0p-8f, 0.3f, 1.0f, 1.7f, 0x1.0p+7f}) {
    for (int32_t in_zp : {-128, 0, 127}) {
      for (int32_t out_zp : {-128, 9, 127}) {
        ExpectRequantizeMatchesReference(reference::XnnMakeRequantizeParams(ratio, in_zp, out_zp),
                                         x);
      }
    }
  }
}

// ---- ADD and MUL --------------------------------------------------------------------------------

XnnAddParams RandomAddParams(std::mt19937& rng, int trial) {
  float sa = RandomPowerScale(rng, -10.0f, 8.0f);
  float sb = RandomPowerScale(rng, -10.0f, 8.0f);
  if (trial % 5 == 0) sa = 0x1.0p-10f;                       // the supported limits
  if (trial % 5 == 1) sb = std::nextafter(0x1.0p+8f, 0.0f);  // (2^8 excluded)
  if (trial % 5 == 2) sa = sb = 0x1.0p-10f;                  // the largest shift
  if (trial % 5 == 3) {  // powers of two (e.g. equal scales): exact ties at the shift
    std::uniform_int_distribution<int> exponent(-10, 7);
    sa = std::exp2(static_cast<float>(exponent(rng)));
    sb = std::exp2(static_cast<float>(exponent(rng)));
  }
  return reference::XnnMakeAddParams(RandomZeroPoint(rng, trial), RandomZeroPoint(rng, trial / 2),
                                     RandomZeroPoint(rng, trial / 3), sa, sb,
                                     RandomRange(rng, trial));
}

XnnMulParams RandomMulParams(std::mt19937& rng, int trial) {
  float scale = RandomPowerScale(rng, -16.0f, 8.0f);
  if (trial % 5 == 0) scale = 0x1.0p-16f;  // the supported limits
  if (trial % 5 == 1) scale = std::nextafter(0x1.0p+8f, 0.0f);
  const int32_t out_zp = RandomZeroPoint(rng, trial / 3);
  XnnOutputRange range = RandomRange(rng, trial);
  return XnnMulParams{RandomZeroPoint(rng, trial), RandomZeroPoint(rng, trial / 2), out_zp, scale,
                      range};
}

int8_t Expected(const XnnAddParams& p, int8_t a, int8_t b) {
  return static_cast<int8_t>(reference::XnnAddElement(p, a, b));
}
int8_t Expected(const XnnMulParams& p, int8_t a, int8_t b) {
  return static_cast<int8_t>(reference::XnnMulElement(p, a, b));
}

void Run(const XnnAddParams& p, const Int8Runs& runs) { XnnAddInt8(p, runs); }
void Run(const XnnMulParams& p, const Int8Runs& runs) { XnnMulInt8(p, runs); }
void RunPortable(const XnnAddParams& p, const int8_t* a, const int8_t* b, int8_t* out,
                 int64_t n) {
  XnnAddInt8Portable(p, a, b, out, n);
}
void RunPortable(const XnnMulParams& p, const int8_t* a, const int8_t* b, int8_t* out,
                 int64_t n) {
  XnnMulInt8Portable(p, a, b, out, n);
}

// One contiguous run: the dispatched kernel (AVX2 where available), the portable loop and the
// dispatched kernel writing over each input all match the reference element by element.
template <typename Params>
void ExpectElementwiseMatchesReference(const Params& p, const std::vector<int8_t>& a,
                                       const std::vector<int8_t>& b, const char* what) {
  const auto n = static_cast<int64_t>(a.size());
  std::vector<int8_t> want(n), fast(n), portable(n);
  for (int64_t i = 0; i < n; ++i) want[i] = Expected(p, a[i], b[i]);
  Run(p, Int8Runs{a.data(), n, b.data(), n, fast.data(), 1, n});
  RunPortable(p, a.data(), b.data(), portable.data(), n);
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_EQ(int{fast[i]}, int{want[i]})
        << what << ": " << int{a[i]} << ", " << int{b[i]} << " i=" << i << " n=" << n;
    ASSERT_EQ(int{portable[i]}, int{want[i]}) << what << ": " << int{a[i]} << ", " << int{b[i]};
  }
  std::vector<int8_t> over_a = a, over_b = b;
  Run(p, Int8Runs{over_a.data(), n, b.data(), n, over_a.data(), 1, n});
  Run(p, Int8Runs{a.data(), n, over_b.data(), n, over_b.data(), 1, n});
  ASSERT_EQ(over_a, want) << what << " (output over a)";
  ASSERT_EQ(over_b, want) << what << " (output over b)";
}

// Runs with a reused row operand (step 0) on either side, as for [C] against [H, W, C].
template <typename Params>
void ExpectRowBroadcastMatchesReference(const Params& p, std::mt19937& rng, int trial) {
  const int64_t rows = std::uniform_int_distribution<int64_t>(1, 6)(rng);
  const int64_t length = std::uniform_int_distribution<int64_t>(1, 75)(rng);
  const std::vector<int8_t> full = RandomBytes(rng, rows * length);
  const std::vector<int8_t> row = RandomBytes(rng, length);
  const bool row_first = trial % 2 == 0;
  std::vector<int8_t> out(rows * length);
  Run(p, Int8Runs{row_first ? row.data() : full.data(), row_first ? 0 : length,
                  row_first ? full.data() : row.data(), row_first ? length : 0, out.data(), rows,
                  length});
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < length; ++i) {
      const int8_t x = row_first ? row[i] : full[r * length + i];
      const int8_t y = row_first ? full[r * length + i] : row[i];
      ASSERT_EQ(int{out[r * length + i]}, int{Expected(p, x, y)})
          << "trial " << trial << " row " << r << " element " << i;
    }
  }
}

// Every (a, b) pair, so every accumulator and both clamps.
void AllPairs(std::vector<int8_t>& a, std::vector<int8_t>& b) {
  for (int x = -128; x < 128; ++x) {
    for (int y = -128; y < 128; ++y) {
      a.push_back(static_cast<int8_t>(x));
      b.push_back(static_cast<int8_t>(y));
    }
  }
}

TEST(XnnAddInt8Test, MatchesTheReferenceOnRandomParametersAndLengths) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 400; ++trial) {
    const XnnAddParams p = RandomAddParams(rng, trial);
    const int64_t n = std::uniform_int_distribution<int64_t>(0, 100)(rng);
    ExpectElementwiseMatchesReference(p, RandomBytes(rng, n), RandomBytes(rng, n), "add");
  }
}

TEST(XnnAddInt8Test, EveryInputPair) {
  std::mt19937 rng(9);
  std::vector<int8_t> a, b;
  AllPairs(a, b);
  for (int trial = 0; trial < 15; ++trial) {
    ExpectElementwiseMatchesReference(RandomAddParams(rng, trial), a, b, "add");
  }
  // Equal scales everywhere (the common case) and other powers of two: ties at the shift.
  for (float sb : {1.0f, 0.5f, 0x1.0p-10f, 0x1.0p+7f}) {
    for (int32_t zp : {-128, 0, 127}) {
      ExpectElementwiseMatchesReference(
          reference::XnnMakeAddParams(zp, -zp - 1, zp, 1.0f, sb, XnnOutputRange{}), a, b, "add");
    }
  }
  // Realistic: scales 0.05 and 0.02 into 0.06, RELU6-like range.
  ExpectElementwiseMatchesReference(
      reference::XnnMakeAddParams(5, -128, -3, 0.05f / 0.06f, 0.02f / 0.06f,
                                  reference::XnnActivationRange(0.0f, 6.0f, 0.06f, -3)),
      a, b, "add");
}

TEST(XnnAddInt8Test, RowBroadcastMatchesTheReference) {
  std::mt19937 rng(13);
  for (int trial = 0; trial < 60; ++trial) {
    ExpectRowBroadcastMatchesReference(RandomAddParams(rng, trial), rng, trial);
  }
}

TEST(XnnMulInt8Test, MatchesTheReferenceOnRandomParametersAndLengths) {
  std::mt19937 rng(17);
  for (int trial = 0; trial < 400; ++trial) {
    const XnnMulParams p = RandomMulParams(rng, trial);
    const int64_t n = std::uniform_int_distribution<int64_t>(0, 100)(rng);
    ExpectElementwiseMatchesReference(p, RandomBytes(rng, n), RandomBytes(rng, n), "mul");
  }
}

TEST(XnnMulInt8Test, EveryInputPair) {
  std::mt19937 rng(19);
  std::vector<int8_t> a, b;
  AllPairs(a, b);
  for (int trial = 0; trial < 12; ++trial) {
    ExpectElementwiseMatchesReference(RandomMulParams(rng, trial), a, b, "mul");
  }
}

TEST(XnnMulInt8Test, RowBroadcastMatchesTheReference) {
  std::mt19937 rng(23);
  for (int trial = 0; trial < 60; ++trial) {
    ExpectRowBroadcastMatchesReference(RandomMulParams(rng, trial), rng, trial);
  }
}

}  // namespace
}  // namespace compressd::kernels::optimized
