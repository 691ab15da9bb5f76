#include <algorithm>
#include <random>
#include <vector>

#include "core/kernels/conv_params.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/nn_test_util.h"
#include "core/kernels/testing/op_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::ExpectAllNear;
using testing::OpHarness;
using testing::RandomFloats;
using testing::RandomInt;

ir::DepthwiseConv2DOptions Options(ir::Padding padding, int sh, int sw, int dh = 1, int dw = 1,
                                   int multiplier = 0,
                                   ir::Activation act = ir::Activation::kNone) {
  ir::DepthwiseConv2DOptions o;
  o.padding = padding;
  o.stride_h = sh;
  o.stride_w = sw;
  o.dilation_h_factor = dh;
  o.dilation_w_factor = dw;
  o.depth_multiplier = multiplier;
  o.activation = act;
  return o;
}

struct Case {
  int n, h, w, c, m, kh, kw;
  ir::DepthwiseConv2DOptions options;
  bool bias;
};

// Naive depthwise convolution in double; coordinates outside the input contribute zero.
std::vector<double> Naive(const Case& c, const std::vector<float>& in,
                          const std::vector<float>& filter, const std::vector<float>& bias,
                          int* out_h, int* out_w) {
  const auto& o = c.options;
  auto extent = [&](int in_size, int k, int stride, int dil, int* pad) {
    const int eff = (k - 1) * dil + 1;
    const int out = o.padding == ir::Padding::kSame ? (in_size + stride - 1) / stride
                                                    : (in_size - eff + stride) / stride;
    *pad = std::max((out - 1) * stride + eff - in_size, 0) / 2;
    return out;
  };
  int pt, pl;
  *out_h = extent(c.h, c.kh, o.stride_h, o.dilation_h_factor, &pt);
  *out_w = extent(c.w, c.kw, o.stride_w, o.dilation_w_factor, &pl);
  const auto range = ActivationRange(o.activation);
  const int cout = c.c * c.m;
  std::vector<double> out;
  for (int b = 0; b < c.n; ++b)
    for (int oy = 0; oy < *out_h; ++oy)
      for (int ox = 0; ox < *out_w; ++ox)
        for (int oc = 0; oc < cout; ++oc) {
          const int ic = oc / c.m;
          double sum = c.bias ? bias[oc] : 0.0;
          for (int ky = 0; ky < c.kh; ++ky)
            for (int kx = 0; kx < c.kw; ++kx) {
              const int y = oy * o.stride_h - pt + ky * o.dilation_h_factor;
              const int x = ox * o.stride_w - pl + kx * o.dilation_w_factor;
              if (y < 0 || y >= c.h || x < 0 || x >= c.w) continue;
              sum += static_cast<double>(in[((b * c.h + y) * c.w + x) * c.c + ic]) *
                     filter[(ky * c.kw + kx) * cout + oc];
            }
          out.push_back(std::min<double>(std::max<double>(sum, range.min), range.max));
        }
  return out;
}

void RunCase(const Case& c, std::mt19937& rng) {
  SCOPED_TRACE(::testing::Message() << c.n << "x" << c.h << "x" << c.w << "x" << c.c << " m="
                                    << c.m << " k=" << c.kh << "x" << c.kw << " s="
                                    << c.options.stride_h << "x" << c.options.stride_w << " d="
                                    << c.options.dilation_h_factor << "x"
                                    << c.options.dilation_w_factor);
  const int cout = c.c * c.m;
  const auto in = RandomFloats(rng, static_cast<int64_t>(c.n) * c.h * c.w * c.c);
  const auto filter = RandomFloats(rng, static_cast<int64_t>(c.kh) * c.kw * cout);
  const auto bias = RandomFloats(rng, cout);
  OpHarness h(DepthwiseConv2DKernel(), c.options);
  h.AddInput(ir::DataType::kFloat32, Shape{c.n, c.h, c.w, c.c}, in);
  h.AddConstInput(ir::DataType::kFloat32, Shape{1, c.kh, c.kw, cout}, filter);
  if (c.bias) h.AddConstInput(ir::DataType::kFloat32, Shape{cout}, bias);
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  ASSERT_TRUE(s.ok()) << s;
  int oh, ow;
  const auto expected = Naive(c, in, filter, bias, &oh, &ow);
  EXPECT_EQ(h.OutputShape(0), (Shape{c.n, oh, ow, cout}));
  ExpectAllNear(h.OutputData<float>(0), expected);
}

TEST(DepthwiseConv2DTest, HandComputedMultiplierTwo) {
  // 1x2x2x1 input {1,2,3,4}; filter 1x2x2x2 computes channel 0 = sum, channel 1 = x00 - x11.
  OpHarness h(DepthwiseConv2DKernel(), Options(ir::Padding::kValid, 1, 1, 1, 1, 2));
  h.AddInput(ir::DataType::kFloat32, Shape{1, 2, 2, 1}, std::vector<float>{1, 2, 3, 4});
  h.AddConstInput(ir::DataType::kFloat32, Shape{1, 2, 2, 2},
                  std::vector<float>{1, 1, 1, 0, 1, 0, 1, -1});
  h.AddConstInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>{0.5f, 0});
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{1, 1, 1, 2}));
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{10.5f, -3.0f}));
}

TEST(DepthwiseConv2DTest, EdgeCasesMatchNaive) {
  std::mt19937 rng(3);
  const auto S = ir::Padding::kSame;
  const auto V = ir::Padding::kValid;
  const std::vector<Case> cases = {
      {1, 1, 1, 1, 1, 1, 1, Options(V, 1, 1), true},
      {2, 6, 5, 3, 1, 1, 1, Options(S, 1, 1), true},
      {1, 9, 9, 2, 3, 2, 2, Options(V, 3, 3), true},  // stride > kernel, multiplier 3
      {1, 10, 9, 2, 2, 3, 3, Options(S, 1, 1, 2, 3), false},  // dilation
      {1, 6, 7, 1, 4, 4, 4, Options(S, 2, 1), true},  // even kernel, odd padding
      {2, 5, 5, 3, 2, 3, 3, Options(S, 2, 2, 1, 1, 0, ir::Activation::kRelu6), true},
  };
  for (const Case& c : cases) RunCase(c, rng);
}

TEST(DepthwiseConv2DTest, RandomShapesMatchNaive) {
  std::mt19937 rng(11);
  for (int iter = 0; iter < 60; ++iter) {
    Case c;
    c.n = RandomInt(rng, 1, 2);
    c.h = RandomInt(rng, 1, 9);
    c.w = RandomInt(rng, 1, 9);
    c.c = RandomInt(rng, 1, 4);
    c.m = RandomInt(rng, 1, 3);
    c.kh = RandomInt(rng, 1, 4);
    c.kw = RandomInt(rng, 1, 4);
    const bool same = RandomInt(rng, 0, 1) == 1;
    c.options = Options(same ? ir::Padding::kSame : ir::Padding::kValid, RandomInt(rng, 1, 3),
                        RandomInt(rng, 1, 3), RandomInt(rng, 1, 2), RandomInt(rng, 1, 2),
                        RandomInt(rng, 0, 1) ? c.m : 0,
                        static_cast<ir::Activation>(RandomInt(rng, 0, 3)));
    c.bias = RandomInt(rng, 0, 1) == 1;
    if (!same && ((c.kh - 1) * c.options.dilation_h_factor + 1 > c.h ||
                  (c.kw - 1) * c.options.dilation_w_factor + 1 > c.w)) {
      continue;
    }
    RunCase(c, rng);
  }
}

TEST(DepthwiseConv2DTest, MultiplierComesFromShapesNotTheOption) {
  // The option says 5 but the shapes say 2: TFLite (and this kernel) use 2.
  std::mt19937 rng(5);
  RunCase({1, 4, 4, 3, 2, 3, 3, Options(ir::Padding::kSame, 1, 1, 1, 1, 5), true}, rng);
}

TEST(DepthwiseConv2DTest, RejectsMalformedOperators) {
  struct Bad {
    const char* name;
    Shape input, filter, bias;
    ir::DepthwiseConv2DOptions options;
    absl::StatusCode code;
    ir::DataType type = ir::DataType::kFloat32;
  };
  const auto V = ir::Padding::kValid;
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  const std::vector<Bad> cases = {
      {"input rank 2", Shape{3, 3}, Shape{1, 1, 1, 1}, Shape(), Options(V, 1, 1), kInvalid},
      {"filter dim 0 not 1", Shape{1, 3, 3, 1}, Shape{2, 1, 1, 1}, Shape(), Options(V, 1, 1),
       kInvalid},
      {"filter depth not a multiple", Shape{1, 3, 3, 2}, Shape{1, 1, 1, 3}, Shape(),
       Options(V, 1, 1), kInvalid},
      {"zero stride", Shape{1, 3, 3, 1}, Shape{1, 1, 1, 1}, Shape(), Options(V, 1, 0), kInvalid},
      {"zero dilation", Shape{1, 3, 3, 1}, Shape{1, 1, 1, 1}, Shape(), Options(V, 1, 1, 1, 0),
       kInvalid},
      {"VALID filter too big", Shape{1, 3, 3, 1}, Shape{1, 3, 4, 1}, Shape(), Options(V, 1, 1),
       kInvalid},
      {"bias size", Shape{1, 3, 3, 1}, Shape{1, 1, 1, 2}, Shape{1}, Options(V, 1, 1), kInvalid},
      {"sign-bit activation", Shape{1, 3, 3, 1}, Shape{1, 1, 1, 1}, Shape(),
       Options(V, 1, 1, 1, 1, 0, ir::Activation::kSignBit), kInvalid},
      {"uint8", Shape{1, 3, 3, 1}, Shape{1, 1, 1, 1}, Shape(), Options(V, 1, 1),
       absl::StatusCode::kUnimplemented, ir::DataType::kUInt8},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    OpHarness h(DepthwiseConv2DKernel(), c.options);
    h.AddInput(c.type, c.input, std::vector<float>(c.input.FlatSize()));
    h.AddConstInput(c.type, c.filter, std::vector<float>(c.filter.FlatSize()));
    if (c.bias.rank() > 0) {
      h.AddConstInput(ir::DataType::kFloat32, c.bias, std::vector<float>(c.bias.FlatSize()));
    }
    h.AddOutput(c.type);
    EXPECT_EQ(h.Run().code(), c.code);
  }
}

}  // namespace
}  // namespace compressd::kernels
