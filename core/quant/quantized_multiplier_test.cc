#include "core/quant/quantized_multiplier.h"

#include <cmath>
#include <limits>
#include <random>

#include "gtest/gtest.h"

namespace compressd::quant {
namespace {

QuantizedMultiplier Q(double m, RoundingMode mode = RoundingMode::kDouble) {
  auto r = QuantizeMultiplier(m, mode);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : QuantizedMultiplier{};
}

TEST(QuantizedMultiplierTest, PowersOfTwo) {
  EXPECT_EQ(Q(0.5), (QuantizedMultiplier{1 << 30, 0}));
  EXPECT_EQ(Q(1.0), (QuantizedMultiplier{1 << 30, 1}));
  EXPECT_EQ(Q(0.25), (QuantizedMultiplier{1 << 30, -1}));
  EXPECT_EQ(Q(8.0), (QuantizedMultiplier{1 << 30, 4}));
  EXPECT_EQ(Q(0.0), (QuantizedMultiplier{0, 0}));
  EXPECT_EQ(Q(-0.5), (QuantizedMultiplier{-(1 << 30), 0}));
}

TEST(QuantizedMultiplierTest, HandComputedFraction) {
  // 0.3 = 0.6 * 2^-1; round(0.6 * 2^31) = round(1288490188.8) = 1288490189.
  EXPECT_EQ(Q(0.3), (QuantizedMultiplier{1288490189, -1}));
  // 0.75 = 0.75 * 2^0 -> 0.75 * 2^31 = 1610612736 exactly.
  EXPECT_EQ(Q(0.75), (QuantizedMultiplier{1610612736, 0}));
}

TEST(QuantizedMultiplierTest, RoundingUpToTwoToThe31Renormalizes) {
  // q = 1 - 2^-40 rounds to 2^31, which becomes 2^30 with the shift bumped.
  EXPECT_EQ(Q(1.0 - std::ldexp(1.0, -40)), (QuantizedMultiplier{1 << 30, 1}));
  EXPECT_EQ(Q(0.5 - std::ldexp(1.0, -41)), (QuantizedMultiplier{1 << 30, 0}));
}

TEST(QuantizedMultiplierTest, TinyMultipliersFlushToZero) {
  EXPECT_EQ(Q(std::ldexp(1.0, -32)), (QuantizedMultiplier{1 << 30, -31}));  // shift -31 kept
  EXPECT_EQ(Q(std::ldexp(1.0, -33)), (QuantizedMultiplier{0, 0}));          // shift -32 flushed
  EXPECT_EQ(Q(1e-300), (QuantizedMultiplier{0, 0}));
}

TEST(QuantizedMultiplierTest, SingleRoundingSaturatesLargeShifts) {
  EXPECT_EQ(Q(std::ldexp(1.0, 40)), (QuantizedMultiplier{1 << 30, 41}));
  EXPECT_EQ(Q(std::ldexp(1.0, 40), RoundingMode::kSingle),
            (QuantizedMultiplier{std::numeric_limits<int32_t>::max(), 30}));
  EXPECT_EQ(Q(0.3, RoundingMode::kSingle), Q(0.3));
}

TEST(QuantizedMultiplierTest, RejectsNonFiniteAndNegativeSingle) {
  EXPECT_EQ(QuantizeMultiplier(std::nan("")).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(QuantizeMultiplier(INFINITY).status().code(), absl::StatusCode::kInvalidArgument);
  auto neg = QuantizeMultiplier(-0.5, RoundingMode::kSingle);
  EXPECT_EQ(neg.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(neg.status().message()).find("-0.5"), std::string::npos);
}

TEST(QuantizedMultiplierTest, RestrictedVariants) {
  auto small = QuantizeMultiplierSmallerThanOneExp(0.3);
  ASSERT_TRUE(small.ok());
  EXPECT_LE(small->shift, 0);
  EXPECT_EQ(QuantizeMultiplierSmallerThanOneExp(1.0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(QuantizeMultiplierSmallerThanOneExp(0.0).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto big = QuantizeMultiplierGreaterThanOne(3.0);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(*big, (QuantizedMultiplier{1610612736, 2}));  // 3 = 0.75 * 2^2
  EXPECT_EQ(QuantizeMultiplierGreaterThanOne(1.0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(QuantizedMultiplierTest, RandomMultipliersAreAccurate) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> log_m(std::log(1e-8), std::log(1e4));
  for (int i = 0; i < 100000; ++i) {
    const double m = std::exp(log_m(rng));
    const QuantizedMultiplier qm = Q(m);
    ASSERT_GE(qm.multiplier, 1 << 30) << m;
    ASSERT_LT(static_cast<int64_t>(qm.multiplier), int64_t{1} << 31) << m;
    // Half an LSB of a 31-bit mantissa in [2^30, 2^31): relative error <= 2^-31.
    ASSERT_LE(std::fabs(DequantizeMultiplier(qm) - m), m * std::ldexp(1.0, -31)) << m;
  }
}

}  // namespace
}  // namespace compressd::quant
