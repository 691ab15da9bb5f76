// XNNPACK-order float CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED: the optimized kernels are
// bit-identical with the reference ones on random shapes (1x1, strides larger than the filter,
// dilation, odd padding, channel tails, depth multipliers, several output tiles); the reference
// ones are close to a double-precision convolution written independently (test_util.h); and a
// hand-computed case shows the order itself: the bias comes first.
#include "core/kernels/optimized/xnnpack_float_conv.h"

#include <cstring>
#include <random>
#include <vector>

#include "core/kernels/optimized/test_util.h"
#include "core/kernels/reference/xnnpack_float_conv.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized {
namespace {

using testing::ExpectClose;
using testing::NaiveConv2D;
using testing::NaiveDepthwiseConv2D;
using testing::RandomVector;

struct ConvCase {
  int batch, in_h, in_w, in_c, out_c, kh, kw, stride_h, stride_w, dilation_h, dilation_w;
  int pad_top, pad_left, multiplier;
};

ConvParams Params(const ConvCase& c, float act_min, float act_max) {
  ConvParams p;
  p.stride_h = c.stride_h;
  p.stride_w = c.stride_w;
  p.dilation_h = c.dilation_h;
  p.dilation_w = c.dilation_w;
  p.pad_top = c.pad_top;
  p.pad_left = c.pad_left;
  p.depth_multiplier = c.multiplier;
  p.act_min = act_min;
  p.act_max = act_max;
  return p;
}

Shape OutputShape(const ConvCase& c, int out_c) {
  const int eff_h = (c.kh - 1) * c.dilation_h + 1;
  const int eff_w = (c.kw - 1) * c.dilation_w + 1;
  const int out_h = (c.in_h + 2 * c.pad_top - eff_h) / c.stride_h + 1;
  const int out_w = (c.in_w + 2 * c.pad_left - eff_w) / c.stride_w + 1;
  return Shape{c.batch, out_h, out_w, out_c};
}

ConvCase RandomCase(std::mt19937& rng, bool depthwise) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  ConvCase c;
  c.batch = pick(1, 2);
  c.kh = pick(1, 5);
  c.kw = pick(1, 5);
  c.dilation_h = pick(1, 2);
  c.dilation_w = pick(1, 2);
  c.stride_h = pick(1, 6);  // up to larger than the filter
  c.stride_w = pick(1, 6);
  c.pad_top = pick(0, c.kh - 1);
  c.pad_left = pick(0, c.kw - 1);
  c.in_h = pick((c.kh - 1) * c.dilation_h + 1, 12);
  c.in_w = pick((c.kw - 1) * c.dilation_w + 1, 12);
  c.in_c = pick(1, 19);
  c.multiplier = depthwise ? pick(1, 3) : 1;
  c.out_c = depthwise ? c.in_c * c.multiplier : pick(1, 21);
  return c;
}

bool SameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(XnnpackFloatConvTest, Conv2DMatchesReferenceBitForBit) {
  std::mt19937 rng(31);
  for (int iter = 0; iter < 150; ++iter) {
    ConvCase c = RandomCase(rng, false);
    if (iter % 5 == 0) {  // pointwise: the direct GEMM path
      c.kh = c.kw = 1;
      c.stride_h = c.stride_w = 1;
      c.pad_top = c.pad_left = 0;
    }
    SCOPED_TRACE(::testing::Message() << "iter " << iter);
    const Shape in_s{c.batch, c.in_h, c.in_w, c.in_c};
    const Shape f_s{c.out_c, c.kh, c.kw, c.in_c};
    const Shape out_s = OutputShape(c, c.out_c);
    const auto in = RandomVector(in_s.FlatSize(), rng);
    const auto f = RandomVector(f_s.FlatSize(), rng);
    const auto bias = RandomVector(c.out_c, rng);
    const float* bias_ptr = iter % 4 == 1 ? nullptr : bias.data();
    const ConvParams p = Params(c, iter % 3 == 0 ? 0.0f : -1e30f, iter % 3 == 0 ? 6.0f : 1e30f);

    std::vector<float> want(static_cast<size_t>(out_s.FlatSize()));
    reference::Conv2DXnnpack(p, in_s, in.data(), f_s, f.data(), bias_ptr, out_s, want.data());
    const XnnPackedWeights packed =
        PackXnnWeights(c.out_c, int64_t{c.kh} * c.kw * c.in_c, f.data());
    std::vector<char> scratch(static_cast<size_t>(XnnConvScratchBytes(p, f_s, out_s)));
    std::vector<float> got(want.size(), -7.0f);
    XnnConv2D(p, in_s, in.data(), f_s, packed, bias_ptr, out_s, got.data(),
              scratch.empty() ? nullptr : scratch.data());
    ASSERT_TRUE(SameBits(want, got));
    if (iter % 3 != 0) {
      ExpectClose(NaiveConv2D(p, in_s, in, f_s, f, bias_ptr, out_s), want.data(),
                  "reference vs double precision");
    }
  }
}

TEST(XnnpackFloatConvTest, DepthwiseMatchesReferenceBitForBit) {
  std::mt19937 rng(32);
  for (int iter = 0; iter < 150; ++iter) {
    const ConvCase c = RandomCase(rng, true);
    SCOPED_TRACE(::testing::Message() << "iter " << iter);
    const Shape in_s{c.batch, c.in_h, c.in_w, c.in_c};
    const Shape f_s{1, c.kh, c.kw, c.out_c};
    const Shape out_s = OutputShape(c, c.out_c);
    const auto in = RandomVector(in_s.FlatSize(), rng);
    const auto f = RandomVector(f_s.FlatSize(), rng);
    const auto bias = RandomVector(c.out_c, rng);
    const float* bias_ptr = iter % 4 == 1 ? nullptr : bias.data();
    const ConvParams p = Params(c, -1e30f, 1e30f);
    std::vector<float> want(static_cast<size_t>(out_s.FlatSize()));
    reference::DepthwiseConv2DXnnpack(p, in_s, in.data(), f_s, f.data(), bias_ptr, out_s,
                                      want.data());
    std::vector<float> got(want.size(), -7.0f);
    XnnDepthwiseConv2D(p, in_s, in.data(), f_s, f.data(), bias_ptr, out_s, got.data());
    ASSERT_TRUE(SameBits(want, got));
    ExpectClose(NaiveDepthwiseConv2D(p, in_s, in, f_s, f, bias_ptr, out_s), want.data(),
                "reference vs double precision");
  }
}

TEST(XnnpackFloatConvTest, FullyConnectedMatchesReferenceBitForBit) {
  std::mt19937 rng(33);
  for (int iter = 0; iter < 60; ++iter) {
    const int rows = std::uniform_int_distribution<int>(1, 11)(rng);
    const int depth = std::uniform_int_distribution<int>(1, 40)(rng);
    const int units = std::uniform_int_distribution<int>(1, 30)(rng);
    const auto in = RandomVector(int64_t{rows} * depth, rng);
    const auto w = RandomVector(int64_t{units} * depth, rng);
    const auto bias = RandomVector(units, rng);
    const FloatActivationRange act{-1e30f, 1e30f};
    std::vector<float> want(static_cast<size_t>(rows * units));
    reference::FullyConnectedXnnpack(act, in.data(), Shape{units, depth}, w.data(), bias.data(),
                                     Shape{rows, units}, want.data());
    std::vector<float> got(want.size(), -7.0f);
    XnnGemm(rows, in.data(), depth, PackXnnWeights(units, depth, w.data()), bias.data(), act,
            got.data(), units);
    ASSERT_TRUE(SameBits(want, got)) << "iter " << iter;
  }
}

TEST(XnnpackFloatConvTest, BiasComesFirst) {
  // bias 1, products 1e8 and -1e8: ((1 + 1e8) - 1e8) = 0 in float, where summing the products
  // first and adding the bias last (TFLite's builtin reference) gives 1.
  const std::vector<float> in = {1e8f, -1e8f};
  const std::vector<float> w = {1.0f, 1.0f};
  const float bias = 1.0f;
  const FloatActivationRange act{-1e30f, 1e30f};
  float out = -7.0f;
  XnnGemm(1, in.data(), 2, PackXnnWeights(1, 2, w.data()), &bias, act, &out, 1);
  EXPECT_EQ(out, 0.0f);
  reference::FullyConnectedXnnpack(act, in.data(), Shape{1, 2}, w.data(), &bias, Shape{1, 1},
                                   &out);
  EXPECT_EQ(out, 0.0f);
  // A 2x2 depthwise filter of ones over a 2x2 image [[1e8, 1], [-1e8, 0]], no bias: column-major
  // taps give ((1e8 + -1e8) + 1) + 0 = 1; row-major ones would give ((1e8 + 1) + -1e8) + 0 = 0.
  ConvParams p;
  p.act_min = -1e30f;
  p.act_max = 1e30f;
  const std::vector<float> image = {1e8f, 1.0f, -1e8f, 0.0f};
  const std::vector<float> ones = {1.0f, 1.0f, 1.0f, 1.0f};
  reference::DepthwiseConv2DXnnpack(p, Shape{1, 2, 2, 1}, image.data(), Shape{1, 2, 2, 1},
                                    ones.data(), nullptr, Shape{1, 1, 1, 1}, &out);
  EXPECT_EQ(out, 1.0f);
  out = -7.0f;
  XnnDepthwiseConv2D(p, Shape{1, 2, 2, 1}, image.data(), Shape{1, 2, 2, 1}, ones.data(), nullptr,
                     Shape{1, 1, 1, 1}, &out);
  EXPECT_EQ(out, 1.0f);
}

}  // namespace
}  // namespace compressd::kernels::optimized
