#include "core/quant/fp16.h"

#include <immintrin.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace compressd::quant {
namespace {

float Bits(uint32_t b) { return std::bit_cast<float>(b); }

TEST(Fp16Test, HandComputedConversions) {
  EXPECT_EQ(FloatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(FloatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(FloatToHalf(0.0f), 0x0000);
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7bff);   // largest finite half
  EXPECT_EQ(FloatToHalf(65519.99f), 0x7bff);  // below the midpoint to 2^16
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);   // the midpoint ties to even: infinity
  EXPECT_EQ(FloatToHalf(-1e9f), 0xfc00);
  EXPECT_EQ(FloatToHalf(INFINITY), 0x7c00);
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -14)), 0x0400);  // smallest normal
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -25)), 0x0000);  // tie between 0 and 2^-24 -> even (0)
  EXPECT_EQ(FloatToHalf(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(FloatToHalf(std::ldexp(3.0f, -25)), 0x0002);         // 1.5 units: tie -> even (2)
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie -> even
  EXPECT_EQ(FloatToHalf(1.0f + 3.0f * std::ldexp(1.0f, -11)), 0x3c02);  // tie -> even (up)
  EXPECT_EQ(FloatToHalf(1.0f + std::ldexp(1.0f, -10)), 0x3c01);
  EXPECT_EQ(FloatToHalf(2047.5f), 0x6800);  // 2047.5 rounds to 2048 (a carry into the exponent)
  const uint16_t nan = FloatToHalf(std::nanf(""));
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
}

TEST(Fp16Test, HalfToFloatMatchesDefinitionForEveryValue) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const int sign = (h & 0x8000) ? -1 : 1;
    const int e = (h >> 10) & 0x1f;
    const int m = h & 0x3ff;
    const float got = HalfToFloat(static_cast<uint16_t>(h));
    if (e == 0x1f) {
      if (m == 0) {
        ASSERT_TRUE(std::isinf(got) && (got < 0) == (sign < 0)) << h;
      } else {
        ASSERT_TRUE(std::isnan(got)) << h;
      }
      continue;
    }
    const double want = sign * (e == 0 ? std::ldexp(m, -24) : std::ldexp(1024 + m, e - 25));
    ASSERT_EQ(static_cast<double>(got), want) << h;
    ASSERT_EQ(std::signbit(got), sign < 0) << h;
    // Every half survives the round trip.
    ASSERT_EQ(FloatToHalf(got), h) << h;
  }
}

__attribute__((target("f16c"))) uint16_t HardwareFloatToHalf(float f) {
  return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}

TEST(Fp16Test, MatchesF16cOnSampledFloatBitPatterns) {
  if (!__builtin_cpu_supports("f16c")) GTEST_SKIP() << "no F16C on this CPU";
  uint64_t checked = 0;
  // Every 61st bit pattern over the whole float space, every 7th around half's subnormal range
  // and every pattern near its overflow threshold.
  auto check = [&](uint32_t b) {
    const float f = Bits(b);
    const uint16_t want = HardwareFloatToHalf(f);
    const uint16_t got = FloatToHalf(f);
    ++checked;
    return got == want;
  };
  for (uint64_t b = 0; b <= 0xffffffffu; b += 61) {
    ASSERT_TRUE(check(static_cast<uint32_t>(b))) << std::hex << b;
  }
  for (uint32_t b = 0x33000000u - 4096; b < 0x38900000u; b += 7) {  // 2^-25 .. past 2^-14
    ASSERT_TRUE(check(b)) << std::hex << b;
    ASSERT_TRUE(check(b | 0x80000000u)) << std::hex << b;
  }
  for (uint32_t b = 0x477f0000u; b < 0x47810000u; ++b) {  // around 65504 .. 65536
    ASSERT_TRUE(check(b)) << std::hex << b;
  }
  EXPECT_GT(checked, 70000000u);
}

TEST(Fp16Test, SpanConversions) {
  const std::vector<float> in = {1.0f, -0.5f, 65504.0f};
  std::vector<uint16_t> half(3);
  FloatToHalf(in, half);
  EXPECT_EQ(half, (std::vector<uint16_t>{0x3c00, 0xb800, 0x7bff}));
  std::vector<float> back(3);
  HalfToFloat(half, back);
  EXPECT_EQ(back, in);
}

}  // namespace
}  // namespace compressd::quant
