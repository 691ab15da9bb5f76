#include <algorithm>
#include <cmath>
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

ir::Conv2DOptions Options(ir::Padding padding, int stride_h, int stride_w, int dil_h = 1,
                          int dil_w = 1, ir::Activation act = ir::Activation::kNone) {
  ir::Conv2DOptions o;
  o.padding = padding;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  o.dilation_h_factor = dil_h;
  o.dilation_w_factor = dil_w;
  o.activation = act;
  return o;
}

struct Case {
  int n, h, w, cin, cout, kh, kw, groups;
  ir::Conv2DOptions options;
  bool bias;
};

// Independent naive convolution: pads the input explicitly with zeros, then correlates in double.
std::vector<double> NaiveConv(const Case& c, const std::vector<float>& in,
                              const std::vector<float>& filter, const std::vector<float>& bias,
                              int* out_h, int* out_w) {
  const auto& o = c.options;
  auto extent = [&](int in_size, int k, int stride, int dil, int* pad_before) {
    const int eff = (k - 1) * dil + 1;
    const int out = o.padding == ir::Padding::kSame ? (in_size + stride - 1) / stride
                                                    : (in_size - eff + stride) / stride;
    *pad_before = std::max((out - 1) * stride + eff - in_size, 0) / 2;
    return out;
  };
  int pad_t, pad_l;
  *out_h = extent(c.h, c.kh, o.stride_h, o.dilation_h_factor, &pad_t);
  *out_w = extent(c.w, c.kw, o.stride_w, o.dilation_w_factor, &pad_l);
  // Padded input large enough for every window.
  const int ph = pad_t + c.h + (c.kh - 1) * o.dilation_h_factor + *out_h * o.stride_h;
  const int pw = pad_l + c.w + (c.kw - 1) * o.dilation_w_factor + *out_w * o.stride_w;
  std::vector<double> padded(static_cast<size_t>(c.n) * ph * pw * c.cin, 0.0);
  for (int b = 0; b < c.n; ++b)
    for (int y = 0; y < c.h; ++y)
      for (int x = 0; x < c.w; ++x)
        for (int ch = 0; ch < c.cin; ++ch)
          padded[((static_cast<size_t>(b) * ph + y + pad_t) * pw + x + pad_l) * c.cin + ch] =
              in[((static_cast<size_t>(b) * c.h + y) * c.w + x) * c.cin + ch];
  const int fin = c.cin / c.groups;
  const int per_group = c.cout / c.groups;
  const auto range = ActivationRange(o.activation);
  std::vector<double> out;
  for (int b = 0; b < c.n; ++b)
    for (int oy = 0; oy < *out_h; ++oy)
      for (int ox = 0; ox < *out_w; ++ox)
        for (int oc = 0; oc < c.cout; ++oc) {
          double sum = c.bias ? bias[oc] : 0.0;
          const int g = oc / per_group;
          for (int ky = 0; ky < c.kh; ++ky)
            for (int kx = 0; kx < c.kw; ++kx)
              for (int ic = 0; ic < fin; ++ic) {
                const int y = oy * o.stride_h + ky * o.dilation_h_factor;
                const int x = ox * o.stride_w + kx * o.dilation_w_factor;
                sum += padded[((static_cast<size_t>(b) * ph + y) * pw + x) * c.cin + g * fin + ic] *
                       filter[((static_cast<size_t>(oc) * c.kh + ky) * c.kw + kx) * fin + ic];
              }
          out.push_back(std::min<double>(std::max<double>(sum, range.min), range.max));
        }
  return out;
}

void RunCase(const Case& c, std::mt19937& rng) {
  SCOPED_TRACE(::testing::Message() << "n=" << c.n << " h=" << c.h << " w=" << c.w << " cin="
                                    << c.cin << " cout=" << c.cout << " k=" << c.kh << "x" << c.kw
                                    << " groups=" << c.groups << " stride=" << c.options.stride_h
                                    << "x" << c.options.stride_w << " dil="
                                    << c.options.dilation_h_factor << "x"
                                    << c.options.dilation_w_factor << " same="
                                    << (c.options.padding == ir::Padding::kSame));
  const auto in = RandomFloats(rng, static_cast<int64_t>(c.n) * c.h * c.w * c.cin);
  const auto filter = RandomFloats(rng, static_cast<int64_t>(c.cout) * c.kh * c.kw * (c.cin / c.groups));
  const auto bias = RandomFloats(rng, c.cout);
  OpHarness h(Conv2DKernel(), c.options);
  h.AddInput(ir::DataType::kFloat32, Shape{c.n, c.h, c.w, c.cin}, in);
  h.AddConstInput(ir::DataType::kFloat32, Shape{c.cout, c.kh, c.kw, c.cin / c.groups}, filter);
  if (c.bias) {
    h.AddConstInput(ir::DataType::kFloat32, Shape{c.cout}, bias);
  } else {
    h.AddOptionalInput();
  }
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  ASSERT_TRUE(s.ok()) << s;
  int out_h, out_w;
  const auto expected = NaiveConv(c, in, filter, bias, &out_h, &out_w);
  EXPECT_EQ(h.OutputShape(0), (Shape{c.n, out_h, out_w, c.cout}));
  ExpectAllNear(h.OutputData<float>(0), expected, 1e-5, 1e-5);
}

TEST(Conv2DTest, HandComputedValidAndSame) {
  // Input 3x3 = 1..9, 2x2 filter of ones.
  std::vector<float> in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  for (auto [padding, shape, expected] :
       {std::tuple{ir::Padding::kValid, Shape{1, 2, 2, 1}, std::vector<float>{13, 17, 25, 29}},
        std::tuple{ir::Padding::kSame, Shape{1, 3, 3, 1},
                   std::vector<float>{13, 17, 10, 25, 29, 16, 16, 18, 10}}}) {
    OpHarness h(Conv2DKernel(), Options(padding, 1, 1));
    h.AddInput(ir::DataType::kFloat32, Shape{1, 3, 3, 1}, in);
    h.AddConstInput(ir::DataType::kFloat32, Shape{1, 2, 2, 1}, std::vector<float>{1, 1, 1, 1});
    h.AddConstInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{1});
    h.AddOutput(ir::DataType::kFloat32);
    ASSERT_TRUE(h.Run().ok());
    EXPECT_EQ(h.OutputShape(0), shape);
    EXPECT_EQ(h.OutputData<float>(0), expected);
  }
}

TEST(Conv2DTest, Relu6ClampsAndStrideTwo) {
  // 1x4x4x1 input of 2s, 1x1 filter of 5, stride 2: 10 clamped to 6; bias -20 gives 0 for RELU.
  OpHarness h(Conv2DKernel(), Options(ir::Padding::kValid, 2, 2, 1, 1, ir::Activation::kRelu6));
  h.AddInput(ir::DataType::kFloat32, Shape{1, 4, 4, 1}, std::vector<float>(16, 2.0f));
  h.AddConstInput(ir::DataType::kFloat32, Shape{1, 1, 1, 1}, std::vector<float>{5});
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{1, 2, 2, 1}));
  EXPECT_EQ(h.OutputData<float>(0), std::vector<float>(4, 6.0f));
}

TEST(Conv2DTest, EdgeCasesMatchNaive) {
  std::mt19937 rng(1);
  const auto S = ir::Padding::kSame;
  const auto V = ir::Padding::kValid;
  const std::vector<Case> cases = {
      {1, 1, 1, 1, 1, 1, 1, 1, Options(V, 1, 1), true},                  // 1x1 everything
      {2, 5, 7, 3, 4, 1, 1, 1, Options(S, 1, 1), true},                  // 1x1 filter, batch 2
      {1, 9, 9, 2, 3, 2, 2, 1, Options(V, 3, 3), true},                  // stride > kernel
      {1, 9, 8, 2, 3, 2, 3, 1, Options(S, 3, 4), false},                 // stride > kernel, SAME
      {1, 10, 11, 3, 2, 3, 3, 1, Options(S, 1, 1, 2, 3), true},          // dilation
      {1, 10, 11, 3, 2, 3, 2, 1, Options(V, 2, 1, 2, 2), true},          // dilation + VALID
      {1, 6, 6, 1, 1, 4, 4, 1, Options(S, 1, 1), true},                  // even kernel, odd pad
      {1, 7, 5, 2, 2, 5, 3, 1, Options(S, 2, 2), true},                  // odd padding split
      {1, 5, 5, 4, 6, 3, 3, 2, Options(S, 1, 1), true},                  // grouped conv, 2 groups
      {2, 6, 5, 6, 6, 3, 3, 3, Options(V, 1, 2), false},                 // grouped, 3 groups
      {1, 3, 3, 2, 2, 3, 3, 1, Options(V, 1, 1, 1, 1, ir::Activation::kRelu), true},
      {1, 4, 4, 2, 2, 2, 2, 1, Options(S, 1, 1, 1, 1, ir::Activation::kReluN1To1), true},
  };
  for (const Case& c : cases) RunCase(c, rng);
}

TEST(Conv2DTest, RandomShapesMatchNaive) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 60; ++iter) {
    Case c;
    c.n = RandomInt(rng, 1, 2);
    c.h = RandomInt(rng, 1, 9);
    c.w = RandomInt(rng, 1, 9);
    c.groups = RandomInt(rng, 1, 3);
    c.cin = c.groups * RandomInt(rng, 1, 3);
    c.cout = c.groups * RandomInt(rng, 1, 3);
    c.kh = RandomInt(rng, 1, 4);
    c.kw = RandomInt(rng, 1, 4);
    const bool same = RandomInt(rng, 0, 1) == 1;
    c.options = Options(same ? ir::Padding::kSame : ir::Padding::kValid, RandomInt(rng, 1, 3),
                        RandomInt(rng, 1, 3), RandomInt(rng, 1, 2), RandomInt(rng, 1, 2),
                        static_cast<ir::Activation>(RandomInt(rng, 0, 3)));
    c.bias = RandomInt(rng, 0, 1) == 1;
    const int eff_h = (c.kh - 1) * c.options.dilation_h_factor + 1;
    const int eff_w = (c.kw - 1) * c.options.dilation_w_factor + 1;
    if (!same && (eff_h > c.h || eff_w > c.w)) continue;  // rejected; tested below
    RunCase(c, rng);
  }
}

struct BadCase {
  const char* name;
  Shape input;
  Shape filter;
  Shape bias;  // rank 0 means "no bias"
  ir::Conv2DOptions options;
  absl::StatusCode code;
  ir::DataType input_type = ir::DataType::kFloat32;
  ir::DataType output_type = ir::DataType::kFloat32;
};

TEST(Conv2DTest, RejectsMalformedOperators) {
  const auto V = ir::Padding::kValid;
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  const std::vector<BadCase> cases = {
      {"input rank 3", Shape{3, 3, 1}, Shape{1, 1, 1, 1}, Shape(), Options(V, 1, 1), kInvalid},
      {"filter rank 3", Shape{1, 3, 3, 1}, Shape{1, 1, 1}, Shape(), Options(V, 1, 1), kInvalid},
      {"channels not a multiple", Shape{1, 3, 3, 3}, Shape{1, 1, 1, 2}, Shape(),
       Options(V, 1, 1), kInvalid},
      {"zero input channels", Shape{1, 3, 3, 0}, Shape{1, 1, 1, 2}, Shape(), Options(V, 1, 1),
       kInvalid},
      {"cout not a multiple of groups", Shape{1, 3, 3, 4}, Shape{3, 1, 1, 2}, Shape(),
       Options(V, 1, 1), kInvalid},
      {"zero stride", Shape{1, 3, 3, 1}, Shape{1, 1, 1, 1}, Shape(), Options(V, 0, 1), kInvalid},
      {"negative stride", Shape{1, 3, 3, 1}, Shape{1, 1, 1, 1}, Shape(), Options(V, 1, -2),
       kInvalid},
      {"zero dilation", Shape{1, 3, 3, 1}, Shape{1, 1, 1, 1}, Shape(), Options(V, 1, 1, 0, 1),
       kInvalid},
      {"filter larger than input (VALID)", Shape{1, 3, 3, 1}, Shape{1, 4, 2, 1}, Shape(),
       Options(V, 1, 1), kInvalid},
      {"dilated filter larger than input", Shape{1, 3, 3, 1}, Shape{1, 2, 2, 1}, Shape(),
       Options(V, 1, 1, 3, 1), kInvalid},
      {"dilated extent overflows int32 (SAME)", Shape{1, 3, 3, 1}, Shape{1, 3, 1, 1}, Shape(),
       Options(ir::Padding::kSame, 1, 1, 1 << 30, 1), kInvalid},
      {"zero-size filter", Shape{1, 3, 3, 1}, Shape{1, 0, 1, 1}, Shape(), Options(V, 1, 1),
       kInvalid},
      {"bias size", Shape{1, 3, 3, 1}, Shape{2, 1, 1, 1}, Shape{3}, Options(V, 1, 1), kInvalid},
      {"tanh activation", Shape{1, 3, 3, 1}, Shape{1, 1, 1, 1}, Shape(),
       Options(V, 1, 1, 1, 1, ir::Activation::kTanh), kInvalid},
      {"int8 input", Shape{1, 3, 3, 1}, Shape{1, 1, 1, 1}, Shape(), Options(V, 1, 1),
       absl::StatusCode::kUnimplemented, ir::DataType::kInt8},
      {"output declared int32", Shape{1, 3, 3, 1}, Shape{1, 1, 1, 1}, Shape(), Options(V, 1, 1),
       kInvalid, ir::DataType::kFloat32, ir::DataType::kInt32},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    OpHarness h(Conv2DKernel(), c.options);
    h.AddInput(c.input_type, c.input, std::vector<float>(c.input.FlatSize()));
    h.AddConstInput(c.input_type, c.filter, std::vector<float>(c.filter.FlatSize()));
    if (c.bias.rank() > 0) {
      h.AddConstInput(ir::DataType::kFloat32, c.bias, std::vector<float>(c.bias.FlatSize()));
    }
    h.AddOutput(c.output_type);
    const absl::Status s = h.Run();
    EXPECT_EQ(s.code(), c.code) << s;
  }
}

TEST(Conv2DTest, RejectsWrongInputCountAndShortConstantData) {
  OpHarness one(Conv2DKernel(), Options(ir::Padding::kValid, 1, 1));
  one.AddInput(ir::DataType::kFloat32, Shape{1, 3, 3, 1}, std::vector<float>(9));
  one.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(one.Run().code(), absl::StatusCode::kInvalidArgument);

  OpHarness short_filter(Conv2DKernel(), Options(ir::Padding::kValid, 1, 1));
  short_filter.AddInput(ir::DataType::kFloat32, Shape{1, 3, 3, 1}, std::vector<float>(9));
  short_filter.AddConstInput(ir::DataType::kFloat32, Shape{1, 2, 2, 1}, std::vector<float>(3));
  short_filter.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(short_filter.Run().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
