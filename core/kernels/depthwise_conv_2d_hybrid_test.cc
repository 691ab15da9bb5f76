// DEPTHWISE_CONV_2D hybrid path (float32 input/output, int8 filter with per-channel scales,
// float32 bias) against TFLite's hybrid arithmetic computed independently here: asymmetric
// per-image input quantization (testing/hybrid_test_util.h), integer accumulators over an
// explicitly padded input (the padding holds the offset, i.e. real 0), then
// ((float)acc * input_scale) * filter_scale[c] + bias[c] and the clamp; outputs must be
// bit-identical. Also the input-quantization error bound against a float depthwise convolution,
// and Prepare's checks.
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
  int n = 1, h = 6, w = 6, cin = 3, mult = 1, kh = 3, kw = 3;
  int stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  ir::Padding padding = ir::Padding::kSame;
  ir::Activation act = ir::Activation::kNone;
  bool bias = true;
  int zero_batch = -1;
};

std::string Describe(const Case& c) {
  std::ostringstream s;
  s << "n=" << c.n << " h=" << c.h << " w=" << c.w << " cin=" << c.cin << " mult=" << c.mult
    << " k=" << c.kh << "x" << c.kw << " stride=" << c.stride_h << "x" << c.stride_w
    << " dil=" << c.dil_h << "x" << c.dil_w << " same=" << (c.padding == ir::Padding::kSame)
    << " act=" << static_cast<int>(c.act) << " bias=" << c.bias << " zero_batch=" << c.zero_batch;
  return s.str();
}

int Extent(ir::Padding padding, int in, int k, int stride, int dil, int* pad_before) {
  const int eff = (k - 1) * dil + 1;
  const int out = padding == ir::Padding::kSame ? (in + stride - 1) / stride
                                                : (in - eff + stride) / stride;
  *pad_before = std::max((out - 1) * stride + eff - in, 0) / 2;
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

void RunCase(const Case& c, std::mt19937& rng) {
  SCOPED_TRACE(Describe(c));
  const int cout = c.cin * c.mult;
  const size_t image = static_cast<size_t>(c.h) * c.w * c.cin;
  std::vector<float> in = testing::HybridInput(rng, static_cast<int64_t>(image) * c.n,
                                               -RandomInt(rng, 0, 4) * 0.5f,
                                               RandomInt(rng, 1, 6) * 0.5f);
  if (c.zero_batch >= 0) {
    std::fill(in.begin() + c.zero_batch * image, in.begin() + (c.zero_batch + 1) * image, 0.0f);
  }
  const std::vector<int8_t> filter =
      testing::RandomInts<int8_t>(rng, int64_t{c.kh} * c.kw * cout, -127, 127);
  std::vector<float> scales(static_cast<size_t>(cout));
  for (float& s : scales) s = testing::RandomScale(rng, 0.001f, 0.05f);
  const std::vector<float> bias = testing::RandomFloats(rng, cout, -2.0f, 2.0f);

  ir::DepthwiseConv2DOptions o;
  o.padding = c.padding;
  o.stride_h = c.stride_h;
  o.stride_w = c.stride_w;
  o.dilation_h_factor = c.dil_h;
  o.dilation_w_factor = c.dil_w;
  o.depth_multiplier = c.mult;
  o.activation = c.act;
  OpHarness h(DepthwiseConv2DKernel(), o);
  h.AddInput(ir::DataType::kFloat32, Shape{c.n, c.h, c.w, c.cin}, in);
  h.AddConstInput(ir::DataType::kInt8, Shape{1, c.kh, c.kw, cout}, filter,
                  testing::PerChannelQuant(scales, 3));
  if (c.bias) {
    h.AddConstInput(ir::DataType::kFloat32, Shape{cout}, bias);
  } else {
    h.AddOptionalInput();
  }
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  ASSERT_TRUE(s.ok()) << s;

  int pad_t = 0, pad_l = 0;
  const int out_h = Extent(c.padding, c.h, c.kh, c.stride_h, c.dil_h, &pad_t);
  const int out_w = Extent(c.padding, c.w, c.kw, c.stride_w, c.dil_w, &pad_l);
  ASSERT_EQ(h.OutputShape(0), (Shape{c.n, out_h, out_w, cout}));
  const int ph = pad_t + c.h + c.kh * c.dil_h + out_h * c.stride_h;
  const int pw = pad_l + c.w + c.kw * c.dil_w + out_w * c.stride_w;
  std::vector<float> want;
  std::vector<double> ideal;
  std::vector<double> bound;
  for (int b = 0; b < c.n; ++b) {
    const float* x = in.data() + b * image;
    const testing::QuantizedRow r = testing::AsymmetricRow(x, image);
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
    for (int oy = 0; oy < out_h; ++oy)
      for (int ox = 0; ox < out_w; ++ox)
        for (int oc = 0; oc < cout; ++oc) {
          const int ic = oc / c.mult;
          int64_t acc = 0;
          double id = 0.0;
          double abs_w = 0.0;
          for (int ky = 0; ky < c.kh; ++ky)
            for (int kx = 0; kx < c.kw; ++kx) {
              const size_t src = (static_cast<size_t>(oy * c.stride_h + ky * c.dil_h) * pw +
                                  ox * c.stride_w + kx * c.dil_w) *
                                     c.cin + ic;
              const int64_t wv = filter[(static_cast<size_t>(ky) * c.kw + kx) * cout + oc];
              acc += wv * (q[src] - r.offset);
              id += static_cast<double>(wv) * scales[oc] * real[src];
              abs_w += std::fabs(static_cast<double>(wv) * scales[oc]);
            }
          float v = static_cast<float>(acc) * r.scale;
          v = v * scales[oc];
          if (c.bias) {
            v += bias[oc];
            id += bias[oc];
          }
          want.push_back(Clamp(v, c.act));
          ideal.push_back(id);
          bound.push_back(abs_w * r.scale + 1e-5 * (std::fabs(id) + 1.0));
        }
  }
  const std::vector<float> got = h.OutputData<float>(0);
  testing::ExpectBitExact(got, want);
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_LE(std::fabs(got[i] - Clamp(static_cast<float>(ideal[i]), c.act)), bound[i])
        << "element " << i;
  }
}

TEST(DepthwiseConv2DHybridTest, RandomShapesMatchTfliteArithmetic) {
  std::mt19937 rng(1123);
  for (int iter = 0; iter < 300; ++iter) {
    Case c;
    c.n = RandomInt(rng, 1, 3);
    c.kh = RandomInt(rng, 1, 4);
    c.kw = RandomInt(rng, 1, 4);
    c.dil_h = RandomInt(rng, 1, 2);
    c.dil_w = RandomInt(rng, 1, 2);
    c.h = RandomInt(rng, 1, 10);
    c.w = RandomInt(rng, 1, 10);
    c.cin = RandomInt(rng, 1, 6);
    c.mult = RandomInt(rng, 1, 3);
    c.stride_h = RandomInt(rng, 1, 3);
    c.stride_w = RandomInt(rng, 1, 3);
    c.padding = RandomInt(rng, 0, 1) ? ir::Padding::kSame : ir::Padding::kValid;
    if (c.padding == ir::Padding::kValid) {
      c.h = std::max(c.h, (c.kh - 1) * c.dil_h + 1);
      c.w = std::max(c.w, (c.kw - 1) * c.dil_w + 1);
    }
    c.act = static_cast<ir::Activation>(RandomInt(rng, 0, 3));
    c.bias = RandomInt(rng, 0, 4) != 0;
    c.zero_batch = RandomInt(rng, 0, 5) == 0 ? RandomInt(rng, 0, c.n - 1) : -1;
    RunCase(c, rng);
    if (HasFatalFailure()) return;
  }
}

TEST(DepthwiseConv2DHybridTest, FixedCases) {
  std::mt19937 rng(5);
  Case c;
  RunCase(c, rng);
  c.mult = 2;
  c.n = 2;
  c.zero_batch = 0;
  RunCase(c, rng);
  c = Case{};
  c.cin = 32, c.h = 9, c.w = 9, c.stride_h = 2, c.stride_w = 2, c.kh = 5, c.kw = 5;
  RunCase(c, rng);
  c.dil_h = 2, c.dil_w = 3, c.stride_h = 1, c.stride_w = 1, c.kh = 3, c.kw = 3;
  RunCase(c, rng);
}

absl::Status PrepareWith(ir::QuantParams filter_q, int cin = 4, int cout = 4,
                         ir::DataType output_type = ir::DataType::kFloat32) {
  ir::DepthwiseConv2DOptions o;
  o.stride_h = o.stride_w = 1;
  o.depth_multiplier = cout / cin;
  OpHarness h(DepthwiseConv2DKernel(), o);
  h.AddInput(ir::DataType::kFloat32, Shape{1, 5, 5, cin},
             std::vector<float>(static_cast<size_t>(25 * cin), 0.5f));
  h.AddConstInput(ir::DataType::kInt8, Shape{1, 3, 3, cout},
                  std::vector<int8_t>(static_cast<size_t>(9 * cout), 1), std::move(filter_q));
  h.AddConstInput(ir::DataType::kFloat32, Shape{cout},
                  std::vector<float>(static_cast<size_t>(cout), 0.0f));
  h.AddOutput(output_type);
  return h.Run();
}

TEST(DepthwiseConv2DHybridTest, PrepareRejectsUnsupportedVariants) {
  ASSERT_TRUE(PrepareWith(testing::PerChannelQuant({0.1f, 0.2f, 0.3f, 0.4f}, 3)).ok());
  // Equal per-channel scales are fine (TFLite's depthwise hybrid kernel is per channel only).
  ASSERT_TRUE(PrepareWith(testing::PerChannelQuant({0.1f, 0.1f, 0.1f, 0.1f}, 3)).ok());
  // One channel: a single scale is one per channel.
  ASSERT_TRUE(PrepareWith(testing::PerTensorQuant(0.1f, 0), 1, 1).ok());
  // A per-tensor scale for several channels: TFLite's kernel needs one per channel.
  absl::Status s = PrepareWith(testing::PerTensorQuant(0.1f, 0));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("one per output channel"), std::string::npos) << s;
  s = PrepareWith(testing::PerChannelQuant({0.1f, 0.2f, 0.3f, 0.4f}, 0));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  s = PrepareWith(ir::QuantParams{});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  s = PrepareWith(testing::MakeQuant({0.1f, 0.2f, 0.3f, 0.4f}, {0, 0, 1, 0}, 3));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  s = PrepareWith(testing::PerChannelQuant({0.1f, 0.2f, 0.3f, 0.4f}, 3), 4, 4,
                  ir::DataType::kInt8);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
}

}  // namespace
}  // namespace compressd::kernels
