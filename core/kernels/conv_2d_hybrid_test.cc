// CONV_2D hybrid path (float32 input/output, int8 filter, float32 bias) against TFLite's hybrid
// arithmetic computed independently here: per-image input quantization (testing/
// hybrid_test_util.h), integer accumulators over an explicitly zero-padded input (int64 sums),
// then TFLite's float scaling in its order; outputs must be bit-identical. Also: the result stays
// within the input-quantization error of a float convolution with the dequantized filter, and
// Prepare's checks of the hybrid path.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/ir/model.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/hybrid_test_util.h"
#include "core/kernels/testing/nn_test_util.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/quantized_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;
using testing::RandomInt;

struct Case {
  int n = 1, h = 5, w = 5, cin = 3, cout = 4, kh = 3, kw = 3;
  int stride_h = 1, stride_w = 1;
  ir::Padding padding = ir::Padding::kSame;
  ir::Activation act = ir::Activation::kNone;
  bool per_channel = true;
  bool bias = true;
  int zero_batch = -1;  // this image is all zeros
};

std::string Describe(const Case& c) {
  std::ostringstream s;
  s << "n=" << c.n << " h=" << c.h << " w=" << c.w << " cin=" << c.cin << " cout=" << c.cout
    << " k=" << c.kh << "x" << c.kw << " stride=" << c.stride_h << "x" << c.stride_w
    << " same=" << (c.padding == ir::Padding::kSame) << " act=" << static_cast<int>(c.act)
    << " per_channel=" << c.per_channel << " bias=" << c.bias << " zero_batch=" << c.zero_batch;
  return s.str();
}

int Extent(ir::Padding padding, int in, int k, int stride, int* pad_before) {
  const int out = padding == ir::Padding::kSame ? (in + stride - 1) / stride
                                                : (in - k + stride) / stride;
  *pad_before = std::max((out - 1) * stride + k - in, 0) / 2;
  return out;
}

float Clamp(float v, ir::Activation act) {
  switch (act) {
    case ir::Activation::kRelu:
      return std::max(v, 0.0f);
    case ir::Activation::kRelu6:
      return std::min(std::max(v, 0.0f), 6.0f);
    case ir::Activation::kReluN1To1:
      return std::min(std::max(v, -1.0f), 1.0f);
    default:
      return v;
  }
}

struct Expected {
  std::vector<float> out;    // TFLite's hybrid result
  std::vector<double> ideal;  // float convolution with the dequantized filter (no activation)
  std::vector<double> bound;  // |hybrid - ideal| bound from the input quantization
  int out_h = 0, out_w = 0;
};

Expected Compute(const Case& c, const std::vector<float>& in, const std::vector<int8_t>& filter,
                 const std::vector<float>& scales, const std::vector<float>& bias) {
  Expected e;
  int pad_t = 0, pad_l = 0;
  e.out_h = Extent(c.padding, c.h, c.kh, c.stride_h, &pad_t);
  e.out_w = Extent(c.padding, c.w, c.kw, c.stride_w, &pad_l);
  const size_t image = static_cast<size_t>(c.h) * c.w * c.cin;
  const int ph = pad_t + c.h + c.kh + e.out_h * c.stride_h;
  const int pw = pad_l + c.w + c.kw + e.out_w * c.stride_w;
  for (int b = 0; b < c.n; ++b) {
    const float* x = in.data() + b * image;
    const testing::QuantizedRow r =
        c.per_channel ? testing::AsymmetricRow(x, image) : testing::SymmetricRow(x, image);
    // Explicit padding with the offset (real value 0), float copy for the ideal result.
    std::vector<int64_t> q(static_cast<size_t>(ph) * pw * c.cin, r.offset);
    std::vector<double> real(q.size(), 0.0);
    for (int y = 0; y < c.h; ++y)
      for (int xx = 0; xx < c.w; ++xx)
        for (int ch = 0; ch < c.cin; ++ch) {
          const size_t src = (static_cast<size_t>(y) * c.w + xx) * c.cin + ch;
          const size_t dst = (static_cast<size_t>(y + pad_t) * pw + xx + pad_l) * c.cin + ch;
          q[dst] = r.q[src];
          real[dst] = x[src];
        }
    for (int oy = 0; oy < e.out_h; ++oy)
      for (int ox = 0; ox < e.out_w; ++ox)
        for (int oc = 0; oc < c.cout; ++oc) {
          int64_t acc = 0;
          double ideal = 0.0;
          double abs_w = 0.0;
          const float fs = c.per_channel ? scales[oc] : scales[0];
          for (int ky = 0; ky < c.kh; ++ky)
            for (int kx = 0; kx < c.kw; ++kx)
              for (int ic = 0; ic < c.cin; ++ic) {
                const size_t src =
                    (static_cast<size_t>(oy * c.stride_h + ky) * pw + ox * c.stride_w + kx) *
                        c.cin + ic;
                const int64_t wv =
                    filter[((static_cast<size_t>(oc) * c.kh + ky) * c.kw + kx) * c.cin + ic];
                acc += wv * (q[src] - r.offset);
                ideal += static_cast<double>(wv) * fs * real[src];
                abs_w += std::fabs(static_cast<double>(wv) * fs);
              }
          float v = 0.0f;
          if (c.per_channel) {
            v = static_cast<float>(acc) * (scales[oc] * r.scale);
          } else {
            const float s = r.scale * scales[0];
            v = 0.0f + static_cast<float>(acc) * s;
          }
          if (c.bias) {
            v += bias[oc];
            ideal += bias[oc];
          }
          e.out.push_back(Clamp(v, c.act));
          e.ideal.push_back(ideal);
          // Input rounding error <= one step (asymmetric nudging can add half a step).
          e.bound.push_back(abs_w * r.scale + 1e-5 * (std::fabs(ideal) + 1.0));
        }
  }
  return e;
}

void RunCase(Case c, std::mt19937& rng) {
  // One scale is per tensor whatever the layout says (TFLite's per-channel kernel needs several).
  if (c.cout == 1) c.per_channel = false;
  SCOPED_TRACE(Describe(c));
  const size_t image = static_cast<size_t>(c.h) * c.w * c.cin;
  std::vector<float> in = testing::HybridInput(rng, static_cast<int64_t>(image) * c.n,
                                               -RandomInt(rng, 1, 4) * 0.5f,
                                               RandomInt(rng, 0, 6) * 0.5f);
  if (c.zero_batch >= 0) {
    std::fill(in.begin() + c.zero_batch * image, in.begin() + (c.zero_batch + 1) * image, 0.0f);
  }
  std::vector<int8_t> filter =
      testing::RandomInts<int8_t>(rng, int64_t{c.cout} * c.kh * c.kw * c.cin, -127, 127);
  std::vector<float> scales(c.per_channel ? c.cout : 1);
  for (float& s : scales) s = testing::RandomScale(rng, 0.001f, 0.05f);
  if (c.per_channel && c.cout > 1 && scales[1] == scales[0]) scales[1] *= 1.5f;
  const std::vector<float> bias = testing::RandomFloats(rng, c.cout, -2.0f, 2.0f);

  ir::Conv2DOptions o;
  o.padding = c.padding;
  o.stride_h = c.stride_h;
  o.stride_w = c.stride_w;
  o.activation = c.act;
  OpHarness h(Conv2DKernel(), o);
  h.AddInput(ir::DataType::kFloat32, Shape{c.n, c.h, c.w, c.cin}, in);
  h.AddConstInput(ir::DataType::kInt8, Shape{c.cout, c.kh, c.kw, c.cin}, filter,
                  c.per_channel ? testing::PerChannelQuant(scales, 0)
                                : testing::PerTensorQuant(scales[0], 0));
  if (c.bias) {
    h.AddConstInput(ir::DataType::kFloat32, Shape{c.cout}, bias);
  } else {
    h.AddOptionalInput();
  }
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  ASSERT_TRUE(s.ok()) << s;

  const Expected e = Compute(c, in, filter, scales, bias);
  ASSERT_EQ(h.OutputShape(0), (Shape{c.n, e.out_h, e.out_w, c.cout}));
  const std::vector<float> got = h.OutputData<float>(0);
  testing::ExpectBitExact(got, e.out);
  for (size_t i = 0; i < got.size(); ++i) {
    const double ideal = Clamp(static_cast<float>(e.ideal[i]), c.act);
    ASSERT_LE(std::fabs(got[i] - ideal), e.bound[i]) << "element " << i;
  }
}

TEST(Conv2DHybridTest, RandomShapesMatchTfliteArithmetic) {
  std::mt19937 rng(20261123);
  for (int iter = 0; iter < 300; ++iter) {
    Case c;
    c.n = RandomInt(rng, 1, 3);
    c.kh = RandomInt(rng, 1, 4);
    c.kw = RandomInt(rng, 1, 4);
    c.h = RandomInt(rng, 1, 9);
    c.w = RandomInt(rng, 1, 9);
    c.cin = RandomInt(rng, 1, 8);
    c.cout = RandomInt(rng, 1, 8);
    c.stride_h = RandomInt(rng, 1, 3);
    c.stride_w = RandomInt(rng, 1, 3);
    c.padding = RandomInt(rng, 0, 1) ? ir::Padding::kSame : ir::Padding::kValid;
    if (c.padding == ir::Padding::kValid) {
      c.h = std::max(c.h, c.kh);
      c.w = std::max(c.w, c.kw);
    }
    c.act = static_cast<ir::Activation>(RandomInt(rng, 0, 3));  // none, relu, relu_n1_to_1, relu6
    c.per_channel = RandomInt(rng, 0, 1) == 1;
    c.bias = RandomInt(rng, 0, 4) != 0;
    c.zero_batch = RandomInt(rng, 0, 5) == 0 ? RandomInt(rng, 0, c.n - 1) : -1;
    RunCase(c, rng);
    if (HasFatalFailure()) return;
  }
}

TEST(Conv2DHybridTest, FixedCases) {
  std::mt19937 rng(7);
  Case c;
  RunCase(c, rng);  // 5x5x3, 3x3 same, per channel
  c.per_channel = false;
  RunCase(c, rng);
  c.n = 3;
  c.zero_batch = 1;  // an all-zero image: offset 0, scale 1, output = bias
  RunCase(c, rng);
  c.per_channel = true;
  RunCase(c, rng);
  c = Case{};
  c.n = 2, c.h = 8, c.w = 7, c.cin = 16, c.cout = 5, c.kh = 1, c.kw = 1;  // 1x1 (no im2col)
  RunCase(c, rng);
  c.stride_h = 2, c.stride_w = 3, c.kh = 3, c.kw = 2, c.padding = ir::Padding::kValid;
  RunCase(c, rng);
}

// An input of constant sign exercises the zero-point nudging at either end (offset -128 / 127).
TEST(Conv2DHybridTest, OneSidedInputs) {
  std::mt19937 rng(11);
  for (float sign : {1.0f, -1.0f}) {
    Case c;
    c.n = 2;
    const size_t image = static_cast<size_t>(c.h) * c.w * c.cin;
    std::vector<float> in =
        testing::HybridInput(rng, static_cast<int64_t>(image) * c.n, 0.1f, 3.0f);
    for (float& v : in) v *= sign;
    std::vector<int8_t> filter =
        testing::RandomInts<int8_t>(rng, int64_t{c.cout} * c.kh * c.kw * c.cin, -127, 127);
    std::vector<float> scales{0.01f, 0.02f, 0.03f, 0.04f};
    std::vector<float> bias{0.5f, -0.5f, 0.25f, 0.0f};
    ir::Conv2DOptions o;
    o.stride_h = o.stride_w = 1;
    OpHarness h(Conv2DKernel(), o);
    h.AddInput(ir::DataType::kFloat32, Shape{c.n, c.h, c.w, c.cin}, in);
    h.AddConstInput(ir::DataType::kInt8, Shape{c.cout, c.kh, c.kw, c.cin}, filter,
                    testing::PerChannelQuant(scales, 0));
    h.AddConstInput(ir::DataType::kFloat32, Shape{c.cout}, bias);
    h.AddOutput(ir::DataType::kFloat32);
    ASSERT_TRUE(h.Run().ok());
    const testing::QuantizedRow r = testing::AsymmetricRow(in.data(), image);
    EXPECT_EQ(r.offset, sign > 0 ? -128 : 127);
    testing::ExpectBitExact(h.OutputData<float>(0), Compute(c, in, filter, scales, bias).out);
  }
}

// Per-channel scales that are all equal: TFLite runs its per-tensor kernel, which multiplies by the
// tensor's legacy scale, 0 for a tensor with several scales: the output is the bias.
TEST(Conv2DHybridTest, EqualPerChannelScalesGiveTflitesLegacyZeroScale) {
  std::mt19937 rng(3);
  const std::vector<float> in = testing::HybridInput(rng, 4 * 4 * 2, -1.0f, 1.0f);
  const std::vector<int8_t> filter = testing::RandomInts<int8_t>(rng, 3 * 1 * 1 * 2, -127, 127);
  ir::Conv2DOptions o;
  o.stride_h = o.stride_w = 1;
  o.activation = ir::Activation::kRelu;
  OpHarness h(Conv2DKernel(), o);
  h.AddInput(ir::DataType::kFloat32, Shape{1, 4, 4, 2}, in);
  h.AddConstInput(ir::DataType::kInt8, Shape{3, 1, 1, 2}, filter,
                  testing::PerChannelQuant({0.02f, 0.02f, 0.02f}, 0));
  h.AddConstInput(ir::DataType::kFloat32, Shape{3}, std::vector<float>{0.5f, -1.0f, 2.0f});
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  const std::vector<float> out = h.OutputData<float>(0);
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i], (std::vector<float>{0.5f, 0.0f, 2.0f})[i % 3]) << i;
  }
}

absl::Status PrepareWith(ir::Conv2DOptions o, Shape filter_shape, ir::QuantParams filter_q,
                         Shape input_shape = Shape{1, 5, 5, 4},
                         ir::DataType bias_type = ir::DataType::kFloat32,
                         ir::DataType output_type = ir::DataType::kFloat32) {
  OpHarness h(Conv2DKernel(), o);
  h.AddInput(ir::DataType::kFloat32, input_shape,
             std::vector<float>(static_cast<size_t>(input_shape.FlatSize()), 0.5f));
  h.AddConstInput(ir::DataType::kInt8, filter_shape,
                  std::vector<int8_t>(static_cast<size_t>(filter_shape.FlatSize()), 1),
                  std::move(filter_q));
  const int cout = filter_shape.dim(0);
  if (bias_type == ir::DataType::kFloat32) {
    h.AddConstInput(bias_type, Shape{cout}, std::vector<float>(static_cast<size_t>(cout), 0.0f));
  } else {
    h.AddConstInput(bias_type, Shape{cout}, std::vector<int32_t>(static_cast<size_t>(cout), 0));
  }
  h.AddOutput(output_type);
  return h.Run();
}

TEST(Conv2DHybridTest, PrepareRejectsUnsupportedVariants) {
  ir::Conv2DOptions o;
  o.stride_h = o.stride_w = 1;
  const Shape fshape{2, 3, 3, 4};
  const auto per_channel = testing::PerChannelQuant({0.1f, 0.2f}, 0);
  ASSERT_TRUE(PrepareWith(o, fshape, per_channel).ok());

  // No scales.
  absl::Status s = PrepareWith(o, fshape, ir::QuantParams{});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("no quantization scales"), std::string::npos) << s;
  // Non-zero filter zero point.
  s = PrepareWith(o, fshape, testing::MakeQuant({0.1f, 0.2f}, {0, 3}, 0));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("zero_point"), std::string::npos) << s;
  // Scales along the wrong dimension / wrong count.
  s = PrepareWith(o, fshape, testing::PerChannelQuant({0.1f, 0.2f, 0.3f, 0.4f}, 3));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  s = PrepareWith(o, fshape, testing::PerChannelQuant({0.1f, 0.2f, 0.3f}, 0));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  // Dilation (TFLite's hybrid kernel ignores it).
  ir::Conv2DOptions dilated = o;
  dilated.dilation_h_factor = 2;
  s = PrepareWith(dilated, fshape, per_channel);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented) << s;
  EXPECT_NE(s.message().find("dilation"), std::string::npos) << s;
  // Grouped convolution.
  s = PrepareWith(o, Shape{2, 3, 3, 2}, per_channel);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented) << s;
  EXPECT_NE(s.message().find("groups"), std::string::npos) << s;
  // Bias and output types.
  s = PrepareWith(o, fshape, per_channel, Shape{1, 5, 5, 4}, ir::DataType::kInt32);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  s = PrepareWith(o, fshape, per_channel, Shape{1, 5, 5, 4}, ir::DataType::kFloat32,
                  ir::DataType::kInt8);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
}

}  // namespace
}  // namespace compressd::kernels
