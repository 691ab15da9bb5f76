#include "core/kernels/optimized/int8_quantize.h"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "core/kernels/reference/quantize.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized {
namespace {

void ExpectMatchesReference(float scale, int32_t zero_point, const std::vector<float>& x) {
  std::vector<int8_t> fast(x.size()), portable(x.size());
  QuantizeFloatToInt8(scale, zero_point, x.data(), fast.data(), static_cast<int64_t>(x.size()));
  QuantizeFloatToInt8Portable(scale, zero_point, x.data(), portable.data(),
                              static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    const int8_t want = reference::QuantizeValue<int8_t>(x[i], scale, zero_point);
    ASSERT_EQ(fast[i], want) << "x=" << x[i] << " scale=" << scale << " zp=" << zero_point;
    ASSERT_EQ(portable[i], want) << "x=" << x[i] << " scale=" << scale << " zp=" << zero_point;
  }
}

TEST(QuantizeFloatToInt8Test, RandomValuesScalesAndZeroPoints) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> log_scale(-12.0f, 2.0f);
  std::uniform_int_distribution<int32_t> zp(-128, 127);
  for (int trial = 0; trial < 200; ++trial) {
    const float scale = std::exp2(log_scale(rng));
    std::normal_distribution<float> value(0.0f, scale * 100.0f);
    std::vector<float> x(std::uniform_int_distribution<int>(0, 70)(rng));
    for (float& v : x) v = value(rng);
    ExpectMatchesReference(scale, zp(rng), x);
  }
}

TEST(QuantizeFloatToInt8Test, TiesRoundAwayFromZeroAndSpecialValues) {
  std::vector<float> x;
  for (int k = -300; k <= 300; ++k) x.push_back(0.5f * static_cast<float>(k));  // every tie
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {0.49999997f, -0.49999997f, 0.5f, -0.5f, 1.5f, -2.5f, -0.0f, 1e-40f, -1e-40f,
                  inf, -inf, std::numeric_limits<float>::quiet_NaN(), 3e38f, -3e38f, 8388607.5f,
                  16777216.0f}) {
    x.push_back(v);
  }
  for (int32_t zero_point : {-128, -1, 0, 5, 127}) ExpectMatchesReference(1.0f, zero_point, x);
  ExpectMatchesReference(0.1f, -3, x);
  ExpectMatchesReference(1.0f / 255.0f, -128, x);
}

}  // namespace
}  // namespace compressd::kernels::optimized
