#include "core/quant/quant_params.h"

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace compressd::quant {
namespace {

AffineParams Asym(float min, float max, int32_t qmin = -128, int32_t qmax = 127) {
  auto p = ChooseAsymmetricParams(min, max, qmin, qmax);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : AffineParams{};
}

bool Contains(const absl::Status& s, const std::string& part) {
  return std::string(s.message()).find(part) != std::string::npos;
}

TEST(ChooseAsymmetricParamsTest, HandComputed) {
  // [-1, 1] on int8: scale 2/255; zero point from the max equation 127 - 127.5 = -0.5 (smaller
  // error term than the min one) rounds away from zero to -1.
  AffineParams p = Asym(-1.0f, 1.0f);
  EXPECT_FLOAT_EQ(p.scale, 2.0f / 255.0f);
  EXPECT_EQ(p.zero_point, -1);
  // [0, 6] on uint8 and int8.
  p = Asym(0.0f, 6.0f, 0, 255);
  EXPECT_FLOAT_EQ(p.scale, 6.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 0);
  EXPECT_EQ(Asym(0.0f, 6.0f).zero_point, -128);
  EXPECT_EQ(Asym(-6.0f, 0.0f).zero_point, 127);
  // [-3, 1]: 127 - 1 / (4/255) = 63.25 -> 63.
  p = Asym(-3.0f, 1.0f);
  EXPECT_FLOAT_EQ(p.scale, 4.0f / 255.0f);
  EXPECT_EQ(p.zero_point, 63);
}

TEST(ChooseAsymmetricParamsTest, RangeIsWidenedToIncludeZero) {
  AffineParams p = Asym(2.0f, 5.0f);
  EXPECT_EQ(p.min, 0.0f);
  EXPECT_EQ(p.max, 5.0f);
  EXPECT_FLOAT_EQ(p.scale, 5.0f / 255.0f);
  EXPECT_EQ(p.zero_point, -128);
  p = Asym(-5.0f, -2.0f);
  EXPECT_EQ(p.max, 0.0f);
  EXPECT_EQ(p.zero_point, 127);
}

TEST(ChooseAsymmetricParamsTest, ZeroRangeGetsUnitScale) {
  AffineParams p = Asym(0.0f, 0.0f);
  EXPECT_EQ(p.scale, 1.0f);
  EXPECT_EQ(p.zero_point, 0);
  p = Asym(0.0f, 0.0f, 0, 255);
  EXPECT_EQ(p.zero_point, 0);
}

TEST(ChooseAsymmetricParamsTest, RejectsBadRanges) {
  auto r = ChooseAsymmetricParams(NAN, 1.0f, -128, 127);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  r = ChooseAsymmetricParams(0.0f, INFINITY, -128, 127);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  r = ChooseAsymmetricParams(2.0f, 1.0f, -128, 127);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status(), "min > max"));
  r = ChooseAsymmetricParams(0.0f, 1.0f, 5, 5);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  r = ChooseAsymmetricParams(0.0f, 1e-44f, -128, 127);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status(), "too narrow"));
}

TEST(ChooseAsymmetricParamsTest, RandomRangesAreCoveredAndZeroIsExact) {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> u(-100.0f, 100.0f);
  for (int i = 0; i < 20000; ++i) {
    float a = u(rng);
    float b = u(rng);
    if (a > b) std::swap(a, b);
    const AffineParams p = Asym(a, b);
    const double lo = std::min<double>(a, 0.0);
    const double hi = std::max<double>(b, 0.0);
    ASSERT_NEAR(p.scale, (hi - lo) / 255.0, 1e-6 * (hi - lo));
    ASSERT_GE(p.zero_point, -128);
    ASSERT_LE(p.zero_point, 127);
    // The grid [(qmin - zp) s, (qmax - zp) s] covers the range up to half a step of nudging.
    ASSERT_LE((-128.0 - p.zero_point) * p.scale, lo + 0.5 * p.scale + 1e-6);
    ASSERT_GE((127.0 - p.zero_point) * p.scale, hi - 0.5 * p.scale - 1e-6);
    ASSERT_EQ(DequantizeValue(p.zero_point, p.scale, p.zero_point), 0.0f);
  }
}

TEST(ChooseSymmetricParamsTest, Int16) {
  auto p = ChooseSymmetricParams(-2.0f, 1.0f, 32767);
  ASSERT_TRUE(p.ok());
  EXPECT_FLOAT_EQ(p->scale, 2.0f / 32767.0f);
  EXPECT_EQ(p->zero_point, 0);
  EXPECT_EQ(ChooseSymmetricParams(0.0f, 0.0f, 32767)->scale, 1.0f);
  EXPECT_EQ(ChooseSymmetricParams(1.0f, 0.0f, 32767).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ChooseSymmetricParams(0.0f, 1.0f, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(QuantizeSymmetricTest, PerChannelAxis0HandComputed) {
  const std::vector<float> w = {1.0f, -0.5f, 0.25f, 0.125f};
  const std::vector<int32_t> shape = {2, 2};
  auto q = QuantizeSymmetricInt8(w, shape, 0);
  ASSERT_TRUE(q.ok()) << q.status();
  ASSERT_EQ(q->scales.size(), 2u);
  EXPECT_FLOAT_EQ(q->scales[0], 1.0f / 127.0f);
  EXPECT_FLOAT_EQ(q->scales[1], 0.25f / 127.0f);
  // -0.5 * 127 = -63.5 -> -64 and 0.125 * 508 = 63.5 -> 64 (ties away from zero).
  EXPECT_EQ(q->values, (std::vector<int8_t>{127, -64, 127, 64}));
  EXPECT_EQ(q->axis, 0);
}

TEST(QuantizeSymmetricTest, DepthwiseAxis3) {
  // shape [1,1,2,3]: channel = index % 3.
  const std::vector<float> w = {0.5f, -2.0f, 0.0f, -0.25f, 1.0f, 0.0f};
  const std::vector<int32_t> shape = {1, 1, 2, 3};
  auto q = QuantizeSymmetricInt8(w, shape, 3);
  ASSERT_TRUE(q.ok()) << q.status();
  ASSERT_EQ(q->scales.size(), 3u);
  EXPECT_FLOAT_EQ(q->scales[0], 0.5f / 127.0f);
  EXPECT_FLOAT_EQ(q->scales[1], 2.0f / 127.0f);
  EXPECT_EQ(q->scales[2], 1.0f);  // all-zero channel
  // -0.25 / (0.5/127) = -63.5 -> -64; 1.0 / (2/127) = 63.5 -> 64.
  EXPECT_EQ(q->values, (std::vector<int8_t>{127, -127, 0, -64, 64, 0}));
}

TEST(QuantizeSymmetricTest, PerTensorAndInt16) {
  // Values are multiplied by float(qmax / max|x|), as TFLite does: 4.5 * float(127 / 9) = 63.5
  // -> 64, where dividing by the scale would give 4.5 / float(9 / 127) = 63.499996 -> 63.
  const std::vector<float> w = {-9.0f, 4.5f, 0.0f, 1.0f};
  const std::vector<int32_t> shape = {4};
  auto q8 = QuantizeSymmetricInt8(w, shape, -1);
  ASSERT_TRUE(q8.ok());
  ASSERT_EQ(q8->scales.size(), 1u);
  EXPECT_FLOAT_EQ(q8->scales[0], 9.0f / 127.0f);
  EXPECT_EQ(q8->values, (std::vector<int8_t>{-127, 64, 0, 14}));  // 127/9 = 14.11
  auto q16 = QuantizeSymmetricInt16(w, shape, -1);
  ASSERT_TRUE(q16.ok());
  EXPECT_FLOAT_EQ(q16->scales[0], 9.0f / 32767.0f);
  EXPECT_EQ(q16->values[0], -32767);
  EXPECT_EQ(q16->values[2], 0);
  EXPECT_EQ(q16->values[3], 3641);  // 32767/9 = 3640.78
}

TEST(QuantizeSymmetricTest, Errors) {
  const std::vector<float> w = {1.0f, 2.0f, NAN};
  const std::vector<int32_t> shape3 = {3};
  const std::vector<int32_t> shape4 = {4};
  auto r = QuantizeSymmetricInt8(w, shape3, -1);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status(), "index 2"));
  const std::vector<float> ok = {1.0f, 2.0f, 3.0f};
  r = QuantizeSymmetricInt8(ok, shape4, -1);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status(), "needs 4 values, got 3"));
  r = QuantizeSymmetricInt8(ok, shape3, 1);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status(), "axis 1"));
}

TEST(QuantizeSymmetricTest, RandomTensorsRoundTripWithinHalfStep) {
  std::mt19937 rng(4);
  std::normal_distribution<float> g(0.0f, 0.1f);
  const std::vector<int32_t> shape = {8, 3, 3, 5};
  std::vector<float> w(8 * 3 * 3 * 5);
  for (int axis : {-1, 0, 3}) {
    for (int rep = 0; rep < 20; ++rep) {
      for (float& v : w) v = g(rng);
      auto q = QuantizeSymmetricInt8(w, shape, axis);
      ASSERT_TRUE(q.ok());
      std::vector<float> max_abs(q->scales.size(), 0.0f);
      for (size_t i = 0; i < w.size(); ++i) {
        // Channel of element i, computed from the layout independently.
        size_t c = 0;
        if (axis == 0) c = i / (3 * 3 * 5);
        if (axis == 3) c = i % 5;
        const float s = q->scales[c];
        ASSERT_LE(std::fabs(q->values[i] * s - w[i]), 0.5f * s * 1.0001f);
        max_abs[c] = std::max(max_abs[c], std::fabs(w[i]));
      }
      for (size_t c = 0; c < max_abs.size(); ++c) {
        ASSERT_FLOAT_EQ(q->scales[c], max_abs[c] / 127.0f);
      }
    }
  }
}

TEST(QuantizeBiasTest, Int32PerChannel) {
  const std::vector<float> bias = {1.0f, -0.5f};
  const std::vector<float> ws = {0.01f, 0.02f};
  auto b = QuantizeBiasInt32(bias, 0.5f, ws);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->scales.size(), 2u);
  EXPECT_FLOAT_EQ(b->scales[0], 0.005f);
  EXPECT_FLOAT_EQ(b->scales[1], 0.01f);
  EXPECT_EQ(b->values, (std::vector<int32_t>{200, -50}));
}

TEST(QuantizeBiasTest, PerTensorAndSaturation) {
  const std::vector<float> bias = {1e10f, -1e10f, 0.75f};
  const std::vector<float> ws = {0.5f};
  auto b = QuantizeBiasInt32(bias, 0.5f, ws);  // scale 0.25
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->scales.size(), 1u);
  EXPECT_EQ(b->values, (std::vector<int32_t>{std::numeric_limits<int32_t>::max(),
                                             -std::numeric_limits<int32_t>::max(), 3}));
  const std::vector<float> huge = {1e30f, -3.0f};
  auto b64 = QuantizeBiasInt64(huge, 1e-3f, ws);
  ASSERT_TRUE(b64.ok());
  EXPECT_EQ(b64->values[0], std::numeric_limits<int64_t>::max());
  EXPECT_EQ(b64->values[1], -6000);
}

TEST(QuantizeBiasTest, Errors) {
  const std::vector<float> bias = {1.0f, 2.0f};
  const std::vector<float> three = {0.1f, 0.1f, 0.1f};
  const std::vector<float> one = {0.1f};
  EXPECT_EQ(QuantizeBiasInt32(bias, 0.0f, one).status().code(), absl::StatusCode::kInvalidArgument);
  auto r = QuantizeBiasInt32(bias, 1.0f, three);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.status(), "3 weight scales for a bias of 2"));
  const std::vector<float> nan_bias = {1.0f, NAN};
  EXPECT_EQ(QuantizeBiasInt32(nan_bias, 1.0f, one).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::vector<float> zero_scale = {0.0f};
  EXPECT_EQ(QuantizeBiasInt32(bias, 1.0f, zero_scale).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(QuantizeValueTest, RoundsAwayFromZeroAndClamps) {
  EXPECT_EQ(QuantizeValue(0.75f, 0.5f, 0, -128, 127), 2);    // 1.5 -> 2
  EXPECT_EQ(QuantizeValue(-0.75f, 0.5f, 0, -128, 127), -2);  // -1.5 -> -2
  EXPECT_EQ(QuantizeValue(0.5f, 0.1f, 3, -128, 127), 8);
  EXPECT_EQ(QuantizeValue(1000.0f, 0.5f, 0, -128, 127), 127);
  EXPECT_EQ(QuantizeValue(-1000.0f, 0.5f, 10, 0, 255), 0);
  EXPECT_EQ(QuantizeValue(NAN, 0.5f, 300, 0, 255), 255);
  EXPECT_EQ(DequantizeValue(-3, 0.5f, 1), -2.0f);
}

}  // namespace
}  // namespace compressd::quant
