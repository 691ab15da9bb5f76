// Tests of core/kernels/reference/fp16.h.
#include "core/kernels/reference/fp16.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>

#include "gtest/gtest.h"

namespace compressd::kernels::reference {
namespace {

uint32_t Bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof(b));
  return b;
}

float FromBits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof(f));
  return f;
}

TEST(Fp16Test, HalfToFloatIsExactForEveryEncoding) {
  for (uint32_t h = 0; h < 0x10000u; ++h) {
    const int exponent = (h >> 10) & 0x1f;
    const int mantissa = h & 0x3ff;
    const double sign = (h & 0x8000u) ? -1.0 : 1.0;
    const float got = HalfToFloat(static_cast<uint16_t>(h));
    if (exponent == 31) {
      if (mantissa == 0) {
        EXPECT_EQ(got, static_cast<float>(sign * INFINITY)) << h;
      } else {
        EXPECT_TRUE(std::isnan(got)) << h;
        EXPECT_EQ(Bits(got) & 0x7fffffu, static_cast<uint32_t>(mantissa) << 13) << h;
      }
      continue;
    }
    const double value = exponent == 0 ? std::ldexp(mantissa, -24)
                                       : std::ldexp(1024 + mantissa, exponent - 25);
    EXPECT_EQ(got, static_cast<float>(sign * value)) << h;
    EXPECT_EQ(std::signbit(got), (h & 0x8000u) != 0) << h;
  }
}

TEST(Fp16Test, FloatToHalfRoundTripsEveryHalf) {
  for (uint32_t h = 0; h < 0x10000u; ++h) {
    const uint16_t back = FloatToHalf(HalfToFloat(static_cast<uint16_t>(h)));
    if (((h >> 10) & 0x1f) == 31 && (h & 0x3ff) != 0) {
      EXPECT_EQ(back & 0x7c00u, 0x7c00u) << h;        // still NaN
      EXPECT_EQ(back & 0x3ffu, (h & 0x3ffu) | 0x200u) << h;  // payload kept, made quiet
    } else {
      EXPECT_EQ(back, h) << h;
    }
  }
}

TEST(Fp16Test, FloatToHalfRoundsToNearestEven) {
  // Between consecutive positive finite halves a < b: the midpoint is exact in float (12
  // significant bits); it goes to the even one, anything above/below to the nearer.
  for (uint16_t h = 0; h < 0x7bff; ++h) {
    const float a = HalfToFloat(h), b = HalfToFloat(static_cast<uint16_t>(h + 1));
    const float mid = static_cast<float>((static_cast<double>(a) + b) / 2);
    ASSERT_EQ(static_cast<double>(mid), (static_cast<double>(a) + b) / 2);
    EXPECT_EQ(FloatToHalf(mid), (h & 1) ? h + 1 : h) << h;
    EXPECT_EQ(FloatToHalf(std::nextafter(mid, 1e9f)), h + 1) << h;
    EXPECT_EQ(FloatToHalf(std::nextafter(mid, -1e9f)), h) << h;
    EXPECT_EQ(FloatToHalf(-mid), ((h & 1) ? h + 1 : h) | 0x8000) << h;
  }
}

TEST(Fp16Test, FloatToHalfOverflowUnderflowAndSpecials) {
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(std::nextafter(65520.0f, 0.0f)), 0x7bff);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);  // tie with 65536 -> even -> infinity
  EXPECT_EQ(FloatToHalf(1e10f), 0x7c00);
  EXPECT_EQ(FloatToHalf(-1e10f), 0xfc00);
  EXPECT_EQ(FloatToHalf(INFINITY), 0x7c00);
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -25)), 0x0000);  // tie with 2^-24 -> even (0)
  EXPECT_EQ(FloatToHalf(std::nextafter(std::ldexp(1.0f, -25), 1.0f)), 0x0001);
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -30)), 0x0000);
  EXPECT_EQ(FloatToHalf(-std::ldexp(1.0f, -30)), 0x8000);
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(FloatToHalf(1e-45f), 0x0000);  // float subnormal
  const uint16_t nan = FloatToHalf(FromBits(0x7f800001u));  // signalling NaN, low payload
  EXPECT_EQ(nan, 0x7e00);
  EXPECT_EQ(FloatToHalf(FromBits(0xffc00000u)), 0xfe00);
}

#if defined(__FLT16_MAX__)
TEST(Fp16Test, FloatToHalfMatchesTheCompilersFloat16OnRandomBits) {
  std::mt19937 rng(131);
  for (int i = 0; i < 2000000; ++i) {
    const float f = FromBits(static_cast<uint32_t>(rng()));
    if (std::isnan(f)) continue;
    const _Float16 ref = static_cast<_Float16>(f);
    uint16_t ref_bits;
    std::memcpy(&ref_bits, &ref, sizeof(ref_bits));
    ASSERT_EQ(FloatToHalf(f), ref_bits) << std::hex << Bits(f);
  }
}
#endif

}  // namespace
}  // namespace compressd::kernels::reference
