#include "core/quant/fixed_point.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "core/quant/quantized_multiplier.h"
#include "gtest/gtest.h"

namespace compressd::quant {
namespace {

using i128 = __int128;
constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax32 = std::numeric_limits<int32_t>::max();

// Round-half-away-from-zero of num / 2^bits in 128-bit arithmetic (independent of the code under
// test).
i128 RoundAwayDivPow2(i128 num, int bits) {
  const i128 d = i128{1} << bits;
  const i128 mag = num < 0 ? -num : num;
  const i128 q = (mag + d / 2) / d;
  return num < 0 ? -q : q;
}

// gemmlowp's high-mul rounds to nearest with ties toward +infinity (like ARM's VQRDMULH):
// floor((2ab + 2^31) / 2^32).
int32_t RefHighMul(int32_t a, int32_t b) {
  if (a == kMin32 && b == kMin32) return kMax32;
  const i128 num = i128{2} * a * b + (i128{1} << 31);
  const i128 d = i128{1} << 32;
  i128 q = num / d;
  if (num % d != 0 && num < 0) --q;  // floor
  return static_cast<int32_t>(q);
}

int32_t RefDivPot(int32_t x, int e) { return static_cast<int32_t>(RoundAwayDivPow2(x, e)); }

TEST(FixedPointTest, HighMulHandValues) {
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kMin32, kMin32), kMax32);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(3, 1 << 30), 2);    // 1.5 -> 2
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-3, 1 << 30), -1);  // -1.5 -> -1 (ties up)
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1, 1 << 30), 1);    // 0.5 -> 1
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-1, 1 << 30), 0);   // -0.5 -> 0
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-5, 1 << 30), -2);  // -2.5 -> -2
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-7, 1 << 30), -3);  // -3.5 -> -3
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kMax32, kMax32), kMax32 - 1);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(0, kMin32), 0);
}

TEST(FixedPointTest, HighMulMatchesExactArithmetic) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> any(kMin32, kMax32);
  const int32_t edges[] = {kMin32, kMin32 + 1, -1, 0, 1, kMax32 - 1, kMax32, 1 << 30, -(1 << 30)};
  for (int32_t a : edges) {
    for (int32_t b : edges) ASSERT_EQ(SaturatingRoundingDoublingHighMul(a, b), RefHighMul(a, b));
  }
  for (int i = 0; i < 200000; ++i) {
    const int32_t a = any(rng);
    const int32_t b = any(rng);
    ASSERT_EQ(SaturatingRoundingDoublingHighMul(a, b), RefHighMul(a, b)) << a << " * " << b;
  }
}

TEST(FixedPointTest, RoundingDivideByPotHandValues) {
  EXPECT_EQ(RoundingDivideByPOT(5, 1), 3);    // 2.5 -> 3
  EXPECT_EQ(RoundingDivideByPOT(-5, 1), -3);  // -2.5 -> -3
  EXPECT_EQ(RoundingDivideByPOT(6, 2), 2);    // 1.5 -> 2
  EXPECT_EQ(RoundingDivideByPOT(-6, 2), -2);
  EXPECT_EQ(RoundingDivideByPOT(-7, 2), -2);  // -1.75 -> -2
  EXPECT_EQ(RoundingDivideByPOT(-5, 2), -1);  // -1.25 -> -1
  EXPECT_EQ(RoundingDivideByPOT(kMin32, 31), -1);
  EXPECT_EQ(RoundingDivideByPOT(kMax32, 31), 1);
  EXPECT_EQ(RoundingDivideByPOT(12345, 0), 12345);
}

TEST(FixedPointTest, RoundingDivideByPotMatchesExactArithmetic) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int32_t> any(kMin32, kMax32);
  for (int i = 0; i < 200000; ++i) {
    const int32_t x = any(rng);
    const int e = i % 32;
    ASSERT_EQ(RoundingDivideByPOT(x, e), RefDivPot(x, e)) << x << " >> " << e;
  }
}

TEST(FixedPointTest, DoubleAndSingleRoundingDifferOnTies) {
  // 5 * 0.25 = 1.25. Double rounding: high-mul gives round(2.5) = 3, then round(3 / 2) = 2.
  // Single rounding: floor((5 * 2^30 + 2^31) / 2^32) = 1.
  auto qm = QuantizeMultiplier(0.25);
  ASSERT_TRUE(qm.ok());
  ASSERT_EQ(qm->multiplier, 1 << 30);
  ASSERT_EQ(qm->shift, -1);
  EXPECT_EQ(MultiplyByQuantizedMultiplier(5, qm->multiplier, qm->shift), 2);
  EXPECT_EQ(MultiplyByQuantizedMultiplierSingleRounding(5, qm->multiplier, qm->shift), 1);
  // -7 * 0.25 = -1.75: high-mul -3.5 -> -3 (ties up), then -1.5 -> -2 (ties away from zero);
  // single rounding floor(-1.75 + 0.5) = -2.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-7, qm->multiplier, qm->shift), -2);
  EXPECT_EQ(MultiplyByQuantizedMultiplierSingleRounding(-7, qm->multiplier, qm->shift), -2);
  // -5 * 0.25 = -1.25: high-mul -2.5 -> -2, then -1 exactly; single: floor(-0.75) = -1.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-5, qm->multiplier, qm->shift), -1);
  EXPECT_EQ(MultiplyByQuantizedMultiplierSingleRounding(-5, qm->multiplier, qm->shift), -1);
  // 13 * 0.25 = 3.25: high-mul 6.5 -> 7, then 3.5 -> 4; single: floor(3.75) = 3.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(13, qm->multiplier, qm->shift), 4);
  EXPECT_EQ(MultiplyByQuantizedMultiplierSingleRounding(13, qm->multiplier, qm->shift), 3);
  // A left shift: 3 * 4 = 12 exactly.
  auto four = QuantizeMultiplier(4.0);
  ASSERT_TRUE(four.ok());
  EXPECT_EQ(MultiplyByQuantizedMultiplier(3, four->multiplier, four->shift), 12);
  EXPECT_EQ(MultiplyByQuantizedMultiplierSingleRounding(3, four->multiplier, four->shift), 12);
}

// The double-rounding definition evaluated in 128-bit arithmetic.
int32_t RefDoubleRounding(int32_t x, int32_t qm, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  return RefDivPot(RefHighMul(shifted, qm), right);
}

TEST(FixedPointTest, MultiplyByQuantizedMultiplierIsCloseToRealProduct) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> log_m(std::log(1e-6), std::log(60.0));
  std::uniform_int_distribution<int32_t> any(-(1 << 24), 1 << 24);
  for (int i = 0; i < 100000; ++i) {
    const double m = std::exp(log_m(rng));
    auto qm = QuantizeMultiplier(m);
    ASSERT_TRUE(qm.ok());
    const int32_t x = any(rng);
    const double exact = static_cast<double>(x) * m;
    const int32_t got = MultiplyByQuantizedMultiplier(x, qm->multiplier, qm->shift);
    ASSERT_EQ(got, RefDoubleRounding(x, qm->multiplier, qm->shift));
    // Two roundings: within 1 of the correctly rounded product (plus the multiplier's own
    // relative error of 2^-31, far below 1 for these magnitudes).
    ASSERT_LE(std::fabs(got - std::round(exact)), 1.0) << x << " * " << m;
    const int32_t single =
        MultiplyByQuantizedMultiplierSingleRounding(x, qm->multiplier, qm->shift);
    ASSERT_EQ(single,
              static_cast<int32_t>((i128{x} * qm->multiplier + (i128{1} << (30 - qm->shift))) >>
                                   (31 - qm->shift)));
    ASSERT_LE(std::fabs(single - exact), 0.5 + 1e-6 * std::fabs(exact) + 1e-9);
  }
}

TEST(FixedPointTest, SixtyFourBitVariant) {
  auto half = QuantizeMultiplier(0.5);
  ASSERT_TRUE(half.ok());
  // Reduced multiplier (2^30 + 2^15) >> 16 = 2^14, total shift 15: (x * 2^14 + 2^14) >> 15.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(int64_t{1000001}, half->multiplier, half->shift), 500001);
  EXPECT_EQ(MultiplyByQuantizedMultiplier(int64_t{-3}, half->multiplier, half->shift), -1);
  // Saturation of the reduced multiplier.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(int64_t{1} << 20, 0x7FFFFFFF, 0), (1 << 20) - 32);
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> log_m(std::log(1e-6), std::log(0.9));
  std::uniform_int_distribution<int64_t> any(-(int64_t{1} << 40), int64_t{1} << 40);
  for (int i = 0; i < 100000; ++i) {
    const double m = std::exp(log_m(rng));
    auto qm = QuantizeMultiplier(m);
    ASSERT_TRUE(qm.ok());
    const int64_t x = any(rng);
    const double exact = static_cast<double>(x) * m;
    if (std::fabs(exact) > 2e9) continue;
    const int32_t got = MultiplyByQuantizedMultiplier(x, qm->multiplier, qm->shift);
    const i128 reduced =
        qm->multiplier < 0x7FFF0000 ? (i128{qm->multiplier} + (1 << 15)) >> 16 : 0x7FFF;
    const int total = 15 - qm->shift;
    ASSERT_EQ(got, static_cast<int32_t>((i128{x} * reduced + (i128{1} << (total - 1))) >> total));
    // The multiplier keeps 15 bits: relative error up to 2^-15.
    ASSERT_LE(std::fabs(got - exact), 1.0 + std::fabs(exact) * std::ldexp(1.0, -14));
  }
}

}  // namespace
}  // namespace compressd::quant
