// reference/xnnpack_float.h against independent math (their bit-exactness with TFLite's XNNPACK
// delegate is checked in the real runtime by tests/compat/xnnpack_float_oracle_test.cc):
// the sigmoid within 8 float ulps of the double-precision one, symmetric and saturating;
// global average pooling within float rounding of the double mean, with its 7-pixel grouping
// shown on a hand case; bilinear resizing close to TFLite's builtin formula.
#include "core/kernels/reference/xnnpack_float.h"

#include <cmath>
#include <random>
#include <vector>

#include "core/kernels/reference/resize_bilinear.h"
#include "gtest/gtest.h"

namespace compressd::kernels::reference {
namespace {

TEST(XnnpackFloatTest, SigmoidCloseToDoublePrecision) {
  for (int k = -90000; k <= 90000; ++k) {
    const float x = static_cast<float>(k) * 1e-3f;
    const double ideal = 1.0 / (1.0 + std::exp(-static_cast<double>(x)));
    const float got = XnnSigmoid(x);
    // x <= 0: a few ulps of the (small) result, relative; x > 0: 1 - f, so one ulp of 1 plus a
    // few ulps of f = 1 - result.
    const double ulp = std::ldexp(1.0, -24);
    const double tol = x <= 0 ? 8 * ulp * ideal + 1e-37 : 2 * ulp + 8 * ulp * (1.0 - ideal);
    ASSERT_NEAR(got, ideal, tol) << "x = " << x;
  }
  EXPECT_EQ(XnnSigmoid(0.0f), 0.5f);
  EXPECT_EQ(XnnSigmoid(-200.0f), 0.0f);  // below the denormal cutoff
  EXPECT_EQ(XnnSigmoid(200.0f), 1.0f);
  EXPECT_TRUE(std::isnan(XnnSigmoid(std::nanf(""))));
}

TEST(XnnpackFloatTest, GlobalAveragePoolGroupsBySeven) {
  // 8 pixels: first pass ((p0 + p1) + p6) + ((p2 + p3) + (p4 + p5)), second
  // ((p7 + 0) + (0 + 0)) + ((0 + 0) + (0 + acc)). With p0 = 1e8, p1 = 1, p6 = -1e8 and zeros
  // elsewhere, (1e8 + 1) + -1e8 = 0 in float: XNNPACK's mean is p7 / 8.
  std::vector<float> px = {1e8f, 1.0f, 0, 0, 0, 0, -1e8f, 8.0f};
  float out = -1;
  GlobalAveragePoolXnnpack(1, 8, 1, px.data(), -1e30f, 1e30f, &out);
  EXPECT_EQ(out, 1.0f);

  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(-2.0f, 2.0f);
  for (int pixels : {1, 6, 7, 8, 14, 15, 100, 1024}) {
    const int channels = 3;
    std::vector<float> in(static_cast<size_t>(pixels * channels));
    for (float& v : in) v = d(rng);
    std::vector<float> got(channels);
    GlobalAveragePoolXnnpack(1, pixels, channels, in.data(), -1e30f, 1e30f, got.data());
    for (int c = 0; c < channels; ++c) {
      double sum = 0, magnitude = 0;
      for (int p = 0; p < pixels; ++p) {
        sum += in[static_cast<size_t>(p * channels + c)];
        magnitude += std::fabs(in[static_cast<size_t>(p * channels + c)]);
      }
      EXPECT_NEAR(got[static_cast<size_t>(c)], sum / pixels,
                  1e-6 * (magnitude / pixels) + 1e-7)
          << pixels << " pixels";
    }
  }
  // The fused activation clamps after scaling.
  std::vector<float> big = {10, 10, 10};
  GlobalAveragePoolXnnpack(1, 3, 1, big.data(), 0.0f, 6.0f, &out);
  EXPECT_EQ(out, 6.0f);
}

TEST(XnnpackFloatTest, ResizeBilinearCloseToBuiltinFormula) {
  std::mt19937 rng(4);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  const Shape in_s{1, 7, 9, 2};
  std::vector<float> in(static_cast<size_t>(in_s.FlatSize()));
  for (float& v : in) v = d(rng);
  for (const bool align : {false, true}) {
    for (const bool half : {false, true}) {
      if (align && half) continue;
      const Shape out_s{1, 13, 5, 2};
      std::vector<float> want(static_cast<size_t>(out_s.FlatSize()));
      std::vector<float> got(want.size());
      ResizeBilinear(align, half, in_s, in.data(), out_s, want.data());
      ResizeBilinearXnnpack(align, half, in_s, in.data(), out_s, got.data());
      for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_NEAR(got[i], want[i], 1e-5) << "align " << align << " half " << half << " i " << i;
      }
    }
  }
}

}  // namespace
}  // namespace compressd::kernels::reference
