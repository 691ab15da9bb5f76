#include "core/kernels/optimized/int8_binary.h"

#include <cstdint>
#include <random>
#include <vector>

#include "core/kernels/reference/integer_binary.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized {
namespace {

Int8AddParams RandomParams(std::mt19937& rng) {
  std::uniform_int_distribution<int32_t> zp(-128, 127);
  std::uniform_int_distribution<int32_t> mult(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int> in_shift(-20, -1);
  // TFLite's valid range is [-31, 0] (multipliers below one); 2*max/(2^20*out) puts it near -20.
  std::uniform_int_distribution<int> out_shift(-31, -8);
  Int8AddParams p;
  p.input1_offset = -zp(rng);
  p.input2_offset = -zp(rng);
  p.output_offset = zp(rng);
  p.input1_multiplier = mult(rng);
  p.input1_shift = in_shift(rng);
  p.input2_multiplier = mult(rng);
  p.input2_shift = in_shift(rng);
  p.output_multiplier = mult(rng);
  p.output_shift = out_shift(rng);
  p.act_min = std::uniform_int_distribution<int32_t>(-128, -20)(rng);
  p.act_max = std::uniform_int_distribution<int32_t>(20, 127)(rng);
  return p;
}

// The reference: reference::QuantizedAddElement (tested against independent loops itself).
int8_t Expected(const Int8AddParams& p, int8_t a, int8_t b) {
  return static_cast<int8_t>(reference::QuantizedAddElement(p, a, b));
}

TEST(Int8AddTest, MatchesTheReferenceOnRandomParametersAndLengths) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (int trial = 0; trial < 300; ++trial) {
    Int8AddParams p = RandomParams(rng);
    if (trial % 10 == 0) p.output_shift = 2;  // the general requantization (left shift)
    if (trial % 10 == 5) p.input1_multiplier = INT32_MIN;  // and the saturation fix-up
    const int64_t n = std::uniform_int_distribution<int64_t>(0, 67)(rng);
    std::vector<int8_t> a(n), b(n), fast(n), portable(n);
    for (int64_t i = 0; i < n; ++i) {
      a[i] = static_cast<int8_t>(byte(rng));
      b[i] = static_cast<int8_t>(byte(rng));
    }
    Int8AddElementwise(p, a.data(), b.data(), fast.data(), n);
    Int8AddElementwisePortable(p, a.data(), b.data(), portable.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      const int8_t want = Expected(p, a[i], b[i]);
      ASSERT_EQ(fast[i], want) << "trial " << trial << " element " << i;
      ASSERT_EQ(portable[i], want) << "trial " << trial << " element " << i;
    }
  }
}

TEST(Int8AddTest, EveryInputPairWithRealisticParameters) {
  // Scales 0.05 and 0.02 into 0.06 (TFLite Prepare): multipliers from the double ratios.
  Int8AddParams p;
  p.input1_offset = 5;
  p.input2_offset = -128;
  p.output_offset = -3;
  p.input1_multiplier = 1073741824;  // 0.5  = 0.05 / 0.1
  p.input1_shift = 0;
  p.input2_multiplier = 1717986918;  // 0.8 * 2^-2 = 0.02 / 0.1
  p.input2_shift = -2;
  p.output_multiplier = 1789569707;  // 0.1 / (2^20 * 0.06) = 0.8333 * 2^-19
  p.output_shift = -19;
  p.act_min = -128;
  p.act_max = 127;
  std::vector<int8_t> a, b;
  for (int x = -128; x < 128; ++x) {
    for (int y = -128; y < 128; ++y) {
      a.push_back(static_cast<int8_t>(x));
      b.push_back(static_cast<int8_t>(y));
    }
  }
  std::vector<int8_t> out(a.size());
  Int8AddElementwise(p, a.data(), b.data(), out.data(), static_cast<int64_t>(out.size()));
  int saturated = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(out[i], Expected(p, a[i], b[i])) << int{a[i]} << " + " << int{b[i]};
    saturated += out[i] == 127 || out[i] == -128;
  }
  EXPECT_GT(saturated, 0);  // the clamp was exercised
}

TEST(Int8AddTest, OutputMayAliasAnInput) {
  std::mt19937 rng(11);
  const Int8AddParams p = RandomParams(rng);
  std::vector<int8_t> a(40), b(40);
  for (int i = 0; i < 40; ++i) {
    a[i] = static_cast<int8_t>(i * 7 - 100);
    b[i] = static_cast<int8_t>(90 - i * 5);
  }
  std::vector<int8_t> want(40);
  for (int i = 0; i < 40; ++i) want[i] = Expected(p, a[i], b[i]);
  Int8AddElementwise(p, a.data(), b.data(), a.data(), 40);
  EXPECT_EQ(a, want);
}

// Runs with a reused operand (step 0), as for a [C] operand against [H, W, C], on both sides.
TEST(Int8AddTest, RunsWithAReusedOperandMatchTheReference) {
  std::mt19937 rng(13);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (int trial = 0; trial < 40; ++trial) {
    const Int8AddParams p = RandomParams(rng);
    const int64_t rows = std::uniform_int_distribution<int64_t>(1, 6)(rng);
    const int64_t length = std::uniform_int_distribution<int64_t>(1, 37)(rng);
    std::vector<int8_t> full(rows * length), row(length), out(rows * length);
    for (int8_t& v : full) v = static_cast<int8_t>(byte(rng));
    for (int8_t& v : row) v = static_cast<int8_t>(byte(rng));
    const bool row_first = trial % 2 == 0;
    Int8Runs runs;
    runs.a = row_first ? row.data() : full.data();
    runs.a_step = row_first ? 0 : length;
    runs.b = row_first ? full.data() : row.data();
    runs.b_step = row_first ? length : 0;
    runs.out = out.data();
    runs.rows = rows;
    runs.length = length;
    Int8Add(p, runs);
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t i = 0; i < length; ++i) {
        const int8_t x = row_first ? row[i] : full[r * length + i];
        const int8_t y = row_first ? full[r * length + i] : row[i];
        ASSERT_EQ(out[r * length + i], Expected(p, x, y)) << "trial " << trial << " row " << r;
      }
    }
  }
}

TEST(Int8MulTest, MatchesTheReferenceOnRandomParametersAndLengths) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> byte(-128, 127);
  std::uniform_int_distribution<int32_t> mult(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int> shift(-31, 0);
  for (int trial = 0; trial < 300; ++trial) {
    Int8MulParams p;
    p.input1_offset = -byte(rng);
    p.input2_offset = -byte(rng);
    p.output_offset = byte(rng);
    p.output_multiplier = mult(rng);
    p.output_shift = shift(rng) - (trial % 3 == 0 ? 0 : 6);  // products reach 2^16
    if (p.output_shift < -31) p.output_shift = -31;
    p.act_min = std::uniform_int_distribution<int32_t>(-128, -20)(rng);
    p.act_max = std::uniform_int_distribution<int32_t>(20, 127)(rng);
    const int64_t n = std::uniform_int_distribution<int64_t>(0, 67)(rng);
    std::vector<int8_t> a(n), b(n), fast(n), portable(n);
    for (int64_t i = 0; i < n; ++i) {
      a[i] = static_cast<int8_t>(byte(rng));
      b[i] = static_cast<int8_t>(byte(rng));
    }
    Int8MulElementwise(p, a.data(), b.data(), fast.data(), n);
    Int8MulElementwisePortable(p, a.data(), b.data(), portable.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      const auto want = static_cast<int8_t>(reference::QuantizedMulElement(p, a[i], b[i]));
      ASSERT_EQ(fast[i], want) << "trial " << trial << " element " << i;
      ASSERT_EQ(portable[i], want) << "trial " << trial << " element " << i;
    }
  }
}

}  // namespace
}  // namespace compressd::kernels::optimized
