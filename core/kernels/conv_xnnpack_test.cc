// IntegerArithmetic::kXnnpack for int8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: exact
// equality on random data with direct loops written here (VALID padding, stride 1) using XNNPACK's
// fp32 requantization (scale = input_scale * filter_scale[c] / output_scale in float, round half
// to even, activation bounds by xnn_qs8_quantize); the cases the delegate declines (no bias,
// per-channel FULLY_CONNECTED weights) and kTfliteBuiltin keep the builtin bytes.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/quant_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;
using testing::Q;
using testing::RandomScale;
using testing::RandomValues;

int64_t RoundEven(double x) {
  const double f = std::floor(x);
  const double d = x - f;
  int64_t r = static_cast<int64_t>(f);
  if (d > 0.5 || (d == 0.5 && (r % 2 != 0))) ++r;
  return r;
}

int32_t Bound(float v, float scale, int32_t zp) {
  return static_cast<int32_t>(
      RoundEven(std::clamp(v / scale + static_cast<float>(zp), -128.0f, 127.0f)));
}

int8_t Requant(int32_t acc, float scale, int32_t zp, ir::Activation act, float out_scale) {
  float lo = -INFINITY, hi = INFINITY;
  if (act == ir::Activation::kRelu || act == ir::Activation::kRelu6) lo = 0.0f;
  if (act == ir::Activation::kRelu6) hi = 6.0f;
  const int64_t q = RoundEven(static_cast<float>(acc) * scale) + zp;
  return static_cast<int8_t>(
      std::clamp<int64_t>(q, Bound(lo, out_scale, zp), Bound(hi, out_scale, zp)));
}

ir::QuantParams PerChannel(const std::vector<float>& scales, int dim) {
  ir::QuantParams q;
  q.scale = scales;
  q.zero_point.assign(scales.size(), 0);
  q.quantized_dimension = dim;
  return q;
}

const ir::Activation kActs[] = {ir::Activation::kNone, ir::Activation::kRelu,
                                ir::Activation::kRelu6};

TEST(Conv2DXnnpackTest, MatchesXnnpackFormula) {
  std::mt19937 rng(21);
  for (int iter = 0; iter < 60; ++iter) {
    const int h = 5, w = 6, ic = 3, oc = 4, k = 3;
    const auto in = RandomValues<int8_t>(rng, 1 * h * w * ic);
    const auto filt = RandomValues<int8_t>(rng, oc * k * k * ic, -127, 127);
    std::vector<int32_t> bias(oc);
    for (auto& b : bias) b = std::uniform_int_distribution<int>(-5000, 5000)(rng);
    const float si = RandomScale(rng, 0.005f, 0.5f), so = RandomScale(rng, 0.01f, 1.0f);
    std::vector<float> fs(oc);
    for (auto& f : fs) f = RandomScale(rng, 0.001f, 0.05f);
    const int32_t zi = std::uniform_int_distribution<int>(-128, 127)(rng);
    const int32_t zo = std::uniform_int_distribution<int>(-128, 127)(rng);
    const ir::Activation act = kActs[iter % 3];
    const bool with_bias = iter % 5 != 4;
    auto run = [&](bool set, IntegerArithmetic a) {
      ir::Conv2DOptions o;
      o.padding = ir::Padding::kValid;
      o.stride_w = o.stride_h = 1;
      o.activation = act;
      OpHarness hs(Conv2DKernel(), o);
      if (set) hs.set_integer_arithmetic(a);
      hs.AddInput(ir::DataType::kInt8, Shape{1, h, w, ic}, in, Q(si, zi));
      hs.AddConstInput(ir::DataType::kInt8, Shape{oc, k, k, ic}, filt, PerChannel(fs, 0));
      if (with_bias) {
        std::vector<float> bs(oc);
        for (int c = 0; c < oc; ++c) bs[c] = si * fs[c];
        hs.AddConstInput(ir::DataType::kInt32, Shape{oc}, bias, PerChannel(bs, 0));
      } else {
        hs.AddOptionalInput();
      }
      hs.AddOutput(ir::DataType::kInt8, Shape(), Q(so, zo));
      EXPECT_TRUE(hs.Run().ok());
      return hs.OutputData<int8_t>(0);
    };
    const auto got = run(true, IntegerArithmetic::kXnnpack);
    const auto builtin = run(false, IntegerArithmetic::kTfliteBuiltin);
    EXPECT_EQ(run(true, IntegerArithmetic::kTfliteBuiltin), builtin);
    if (!with_bias) {  // declined by the delegate
      EXPECT_EQ(got, builtin);
      continue;
    }
    const int oh = h - k + 1, ow = w - k + 1;
    std::vector<int8_t> want(static_cast<size_t>(oh * ow * oc));
    for (int y = 0; y < oh; ++y) {
      for (int x = 0; x < ow; ++x) {
        for (int c = 0; c < oc; ++c) {
          int32_t acc = bias[c];
          for (int fy = 0; fy < k; ++fy) {
            for (int fx = 0; fx < k; ++fx) {
              for (int i = 0; i < ic; ++i) {
                acc += filt[((c * k + fy) * k + fx) * ic + i] *
                       (in[((y + fy) * w + (x + fx)) * ic + i] - zi);
              }
            }
          }
          const float scale = si * fs[c] / so;
          want[static_cast<size_t>((y * ow + x) * oc + c)] = Requant(acc, scale, zo, act, so);
        }
      }
    }
    ASSERT_EQ(got, want) << "iter " << iter;
  }
}

TEST(DepthwiseConv2DXnnpackTest, MatchesXnnpackFormula) {
  std::mt19937 rng(22);
  int differing = 0;
  for (int iter = 0; iter < 60; ++iter) {
    const int h = 6, w = 5, c_in = 4, k = 3;
    const auto in = RandomValues<int8_t>(rng, h * w * c_in);
    const auto filt = RandomValues<int8_t>(rng, k * k * c_in, -127, 127);
    std::vector<int32_t> bias(c_in);
    for (auto& b : bias) b = std::uniform_int_distribution<int>(-3000, 3000)(rng);
    const float si = RandomScale(rng, 0.005f, 0.5f), so = RandomScale(rng, 0.01f, 0.3f);
    std::vector<float> fs(c_in);
    for (auto& f : fs) f = RandomScale(rng, 0.001f, 0.05f);
    const int32_t zi = std::uniform_int_distribution<int>(-128, 127)(rng);
    const int32_t zo = std::uniform_int_distribution<int>(-128, 127)(rng);
    const ir::Activation act = kActs[iter % 3];
    auto run = [&](bool xnn) {
      ir::DepthwiseConv2DOptions o;
      o.padding = ir::Padding::kValid;
      o.stride_w = o.stride_h = 1;
      o.depth_multiplier = 1;
      o.activation = act;
      OpHarness hs(DepthwiseConv2DKernel(), o);
      if (xnn) hs.set_integer_arithmetic(IntegerArithmetic::kXnnpack);
      hs.AddInput(ir::DataType::kInt8, Shape{1, h, w, c_in}, in, Q(si, zi));
      hs.AddConstInput(ir::DataType::kInt8, Shape{1, k, k, c_in}, filt, PerChannel(fs, 3));
      std::vector<float> bs(c_in);
      for (int c = 0; c < c_in; ++c) bs[c] = si * fs[c];
      hs.AddConstInput(ir::DataType::kInt32, Shape{c_in}, bias, PerChannel(bs, 0));
      hs.AddOutput(ir::DataType::kInt8, Shape(), Q(so, zo));
      EXPECT_TRUE(hs.Run().ok());
      return hs.OutputData<int8_t>(0);
    };
    const auto got = run(true);
    if (got != run(false)) ++differing;
    const int oh = h - k + 1, ow = w - k + 1;
    std::vector<int8_t> want(static_cast<size_t>(oh * ow * c_in));
    for (int y = 0; y < oh; ++y) {
      for (int x = 0; x < ow; ++x) {
        for (int c = 0; c < c_in; ++c) {
          int32_t acc = bias[c];
          for (int fy = 0; fy < k; ++fy) {
            for (int fx = 0; fx < k; ++fx) {
              acc += filt[(fy * k + fx) * c_in + c] *
                     (in[((y + fy) * w + (x + fx)) * c_in + c] - zi);
            }
          }
          want[static_cast<size_t>((y * ow + x) * c_in + c)] =
              Requant(acc, si * fs[c] / so, zo, act, so);
        }
      }
    }
    ASSERT_EQ(got, want) << "iter " << iter;
  }
  EXPECT_GT(differing, 0);  // the profiles are different arithmetic
}

TEST(FullyConnectedXnnpackTest, PerTensorWeightsMatchXnnpackFormula) {
  std::mt19937 rng(23);
  for (int iter = 0; iter < 60; ++iter) {
    const int batches = 3, depth = 17, units = 5;
    const auto in = RandomValues<int8_t>(rng, batches * depth);
    const auto wts = RandomValues<int8_t>(rng, units * depth, -127, 127);
    std::vector<int32_t> bias(units);
    for (auto& b : bias) b = std::uniform_int_distribution<int>(-3000, 3000)(rng);
    const float si = RandomScale(rng, 0.005f, 0.5f), so = RandomScale(rng, 0.01f, 0.3f);
    const float fs = RandomScale(rng, 0.001f, 0.05f);
    const int32_t zi = std::uniform_int_distribution<int>(-128, 127)(rng);
    const int32_t zo = std::uniform_int_distribution<int>(-128, 127)(rng);
    const ir::Activation act = kActs[iter % 3];
    const bool per_channel = iter % 4 == 3;  // declined by the delegate
    auto run = [&](bool xnn) {
      ir::FullyConnectedOptions o;
      o.activation = act;
      OpHarness hs(FullyConnectedKernel(), o);
      if (xnn) hs.set_integer_arithmetic(IntegerArithmetic::kXnnpack);
      hs.AddInput(ir::DataType::kInt8, Shape{batches, depth}, in, Q(si, zi));
      if (per_channel) {
        hs.AddConstInput(ir::DataType::kInt8, Shape{units, depth}, wts,
                         PerChannel(std::vector<float>(units, fs), 0));
      } else {
        hs.AddConstInput(ir::DataType::kInt8, Shape{units, depth}, wts, Q(fs, 0));
      }
      hs.AddConstInput(ir::DataType::kInt32, Shape{units}, bias, Q(si * fs, 0));
      hs.AddOutput(ir::DataType::kInt8, Shape(), Q(so, zo));
      EXPECT_TRUE(hs.Run().ok());
      return hs.OutputData<int8_t>(0);
    };
    const auto got = run(true);
    if (per_channel) {
      EXPECT_EQ(got, run(false));
      continue;
    }
    std::vector<int8_t> want(static_cast<size_t>(batches * units));
    for (int b = 0; b < batches; ++b) {
      for (int u = 0; u < units; ++u) {
        int32_t acc = bias[u];
        for (int d = 0; d < depth; ++d) acc += wts[u * depth + d] * (in[b * depth + d] - zi);
        want[static_cast<size_t>(b * units + u)] = Requant(acc, si * fs / so, zo, act, so);
      }
    }
    ASSERT_EQ(got, want) << "iter " << iter;
  }
}

}  // namespace
}  // namespace compressd::kernels
