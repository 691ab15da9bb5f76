// CONV_2D integer paths (int8, 16x8) against TFLite's arithmetic restated in
// testing/quantized_test_util.h, on an accumulator computed independently here (explicitly padded
// input, int64 sums), plus every Prepare check of the integer paths.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/ir/model.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/nn_test_util.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/quantized_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::AccEntry;
using testing::OpHarness;
using testing::PerChannelQuant;
using testing::PerTensorQuant;
using testing::RandomInt;
using testing::RandomInts;
using testing::RandomScale;
using testing::RequantSpec;

enum class BiasKind { kNone, kInt32, kInt64 };

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
  BiasKind bias = BiasKind::kInt32;
  bool per_channel = true;
  int in_zp = 0;   // int8 only
  int out_zp = 0;  // int8 only
  // Optional fixed data instead of random (extreme-value tests).
  std::optional<int64_t> input_value = std::nullopt;
  std::optional<int64_t> filter_value = std::nullopt;
  std::optional<int64_t> bias_value = std::nullopt;
  float out_scale_factor = 1.0f;  // scales the automatically chosen output scale
  bool check_ideal = true;
};

std::string Describe(const Case& c) {
  std::ostringstream s;
  s << "n=" << c.n << " h=" << c.h << " w=" << c.w << " cin=" << c.cin << " cout=" << c.cout
    << " k=" << c.kh << "x" << c.kw << " groups=" << c.groups << " stride=" << c.options.stride_h
    << "x" << c.options.stride_w << " dil=" << c.options.dilation_h_factor << "x"
    << c.options.dilation_w_factor << " same=" << (c.options.padding == ir::Padding::kSame)
    << " act=" << static_cast<int>(c.options.activation) << " bias=" << static_cast<int>(c.bias)
    << " per_channel=" << c.per_channel << " in_zp=" << c.in_zp << " out_zp=" << c.out_zp;
  return s.str();
}

// Output extent and padding before, by TFLite's rule (computed here independently).
int Extent(ir::Padding padding, int in, int k, int stride, int dil, int* pad_before) {
  const int eff = (k - 1) * dil + 1;
  const int out =
      padding == ir::Padding::kSame ? (in + stride - 1) / stride : (in - eff + stride) / stride;
  *pad_before = std::max((out - 1) * stride + eff - in, 0) / 2;
  return out;
}

// Exact accumulators: the input is padded explicitly with its zero point, so padded taps add
// filter * 0.
template <typename T>
std::vector<AccEntry> NaiveAccumulators(const Case& c, const std::vector<T>& in, int in_zp,
                                        const std::vector<int8_t>& filter,
                                        const std::vector<int64_t>& bias, int* out_h, int* out_w) {
  const auto& o = c.options;
  int pad_t = 0;
  int pad_l = 0;
  *out_h = Extent(o.padding, c.h, c.kh, o.stride_h, o.dilation_h_factor, &pad_t);
  *out_w = Extent(o.padding, c.w, c.kw, o.stride_w, o.dilation_w_factor, &pad_l);
  const int ph = pad_t + c.h + (c.kh - 1) * o.dilation_h_factor + *out_h * o.stride_h;
  const int pw = pad_l + c.w + (c.kw - 1) * o.dilation_w_factor + *out_w * o.stride_w;
  std::vector<int64_t> padded(static_cast<size_t>(c.n) * ph * pw * c.cin, in_zp);
  for (int b = 0; b < c.n; ++b)
    for (int y = 0; y < c.h; ++y)
      for (int x = 0; x < c.w; ++x)
        for (int ch = 0; ch < c.cin; ++ch)
          padded[((static_cast<size_t>(b) * ph + y + pad_t) * pw + x + pad_l) * c.cin + ch] =
              in[((static_cast<size_t>(b) * c.h + y) * c.w + x) * c.cin + ch];
  const int fin = c.cin / c.groups;
  const int per_group = c.cout / c.groups;
  std::vector<AccEntry> out;
  for (int b = 0; b < c.n; ++b)
    for (int oy = 0; oy < *out_h; ++oy)
      for (int ox = 0; ox < *out_w; ++ox)
        for (int oc = 0; oc < c.cout; ++oc) {
          int64_t acc = bias.empty() ? 0 : bias[oc];
          const int g = oc / per_group;
          for (int ky = 0; ky < c.kh; ++ky)
            for (int kx = 0; kx < c.kw; ++kx)
              for (int ic = 0; ic < fin; ++ic) {
                const int y = oy * o.stride_h + ky * o.dilation_h_factor;
                const int x = ox * o.stride_w + kx * o.dilation_w_factor;
                const int64_t v =
                    padded[((static_cast<size_t>(b) * ph + y) * pw + x) * c.cin + g * fin + ic];
                acc +=
                    int64_t{
                        filter[((static_cast<size_t>(oc) * c.kh + ky) * c.kw + kx) * fin + ic]} *
                    (v - in_zp);
              }
          out.push_back({acc, oc});
        }
  return out;
}

// Runs one case through the kernel with type T (int8_t or int16_t) and checks it.
template <typename T>
void RunCase(const Case& c, std::mt19937& rng) {
  SCOPED_TRACE(Describe(c));
  constexpr bool kInt16 = sizeof(T) == 2;
  const ir::DataType type = kInt16 ? ir::DataType::kInt16 : ir::DataType::kInt8;
  const int64_t lo = std::numeric_limits<T>::min();
  const int64_t hi = std::numeric_limits<T>::max();
  const int fin = c.cin / c.groups;
  const int64_t input_size = int64_t{c.n} * c.h * c.w * c.cin;
  const int64_t filter_size = int64_t{c.cout} * c.kh * c.kw * fin;
  const int in_zp = kInt16 ? 0 : c.in_zp;
  const int out_zp = kInt16 ? 0 : c.out_zp;

  std::vector<T> in = c.input_value ? std::vector<T>(input_size, static_cast<T>(*c.input_value))
                                    : RandomInts<T>(rng, input_size, lo, hi);
  std::vector<int8_t> filter =
      c.filter_value ? std::vector<int8_t>(filter_size, static_cast<int8_t>(*c.filter_value))
                     : RandomInts<int8_t>(rng, filter_size, -127, 127);
  const float in_scale = RandomScale(rng, 0.002f, 0.2f);
  std::vector<float> filter_scales(c.per_channel ? c.cout : 1);
  for (float& s : filter_scales) s = RandomScale(rng, 0.001f, 0.05f);
  // Output scale: about the spread of the accumulators, so that some outputs clamp.
  const double k = static_cast<double>(c.kh) * c.kw * fin;
  const double spread = std::sqrt(k) * (kInt16 ? 18900.0 : 75.0) * 73.0;
  const double target = kInt16 ? 8000.0 : 50.0;
  const float out_scale = static_cast<float>(in_scale * filter_scales[0] * spread / target *
                                             RandomScale(rng, 0.5f, 2.0f) * c.out_scale_factor);

  std::vector<int64_t> bias;
  if (c.bias != BiasKind::kNone) {
    const int64_t bias_range = static_cast<int64_t>(spread);
    bias = c.bias_value ? std::vector<int64_t>(c.cout, *c.bias_value)
                        : RandomInts<int64_t>(rng, c.cout, -bias_range, bias_range);
  }

  OpHarness h(Conv2DKernel(), c.options);
  h.AddInput(type, Shape{c.n, c.h, c.w, c.cin}, in, PerTensorQuant(in_scale, in_zp));
  h.AddConstInput(
      ir::DataType::kInt8, Shape{c.cout, c.kh, c.kw, fin}, filter,
      c.per_channel ? PerChannelQuant(filter_scales, 0) : PerTensorQuant(filter_scales[0], 0));
  std::vector<float> bias_scales;
  for (int oc = 0; oc < c.cout; ++oc) {
    bias_scales.push_back(in_scale * filter_scales[c.per_channel ? oc : 0]);
  }
  if (c.bias == BiasKind::kInt32) {
    std::vector<int32_t> b32(bias.begin(), bias.end());
    h.AddConstInput(ir::DataType::kInt32, Shape{c.cout}, b32, PerChannelQuant(bias_scales, 0));
  } else if (c.bias == BiasKind::kInt64) {
    h.AddConstInput(ir::DataType::kInt64, Shape{c.cout}, bias, PerChannelQuant(bias_scales, 0));
  } else if (RandomInt(rng, 0, 1) == 1) {
    h.AddOptionalInput();  // also exercise an explicit omitted bias (index -1)
  }
  h.AddOutput(type, Shape(), PerTensorQuant(out_scale, out_zp));
  const absl::Status s = h.Run();
  ASSERT_TRUE(s.ok()) << s;

  int out_h = 0;
  int out_w = 0;
  const std::vector<AccEntry> accs = NaiveAccumulators(c, in, in_zp, filter, bias, &out_h, &out_w);
  ASSERT_EQ(h.OutputShape(0), (Shape{c.n, out_h, out_w, c.cout}));
  RequantSpec spec;
  for (int oc = 0; oc < c.cout; ++oc) {
    spec.effective_scale.push_back(static_cast<double>(in_scale) *
                                   static_cast<double>(filter_scales[c.per_channel ? oc : 0]) /
                                   static_cast<double>(out_scale));
  }
  spec.output_zero_point = out_zp;
  spec.range = testing::QuantizedActRange(c.options.activation, out_scale, out_zp, type);
  spec.int64_accumulator = c.bias == BiasKind::kInt64;
  spec.check_ideal = c.check_ideal;
  testing::ExpectRequantized(h.OutputData<T>(0), accs, spec);
}

Case RandomCase(std::mt19937& rng) {
  Case c;
  for (;;) {
    c.n = RandomInt(rng, 1, 2);
    c.h = RandomInt(rng, 1, 9);
    c.w = RandomInt(rng, 1, 9);
    c.groups = RandomInt(rng, 1, 3);
    c.cin = c.groups * RandomInt(rng, 1, 4);
    c.cout = c.groups * RandomInt(rng, 1, 3);
    c.kh = RandomInt(rng, 1, 4);
    c.kw = RandomInt(rng, 1, 4);
    const bool same = RandomInt(rng, 0, 1) == 1;
    c.options = Options(same ? ir::Padding::kSame : ir::Padding::kValid, RandomInt(rng, 1, 4),
                        RandomInt(rng, 1, 4), RandomInt(rng, 1, 3), RandomInt(rng, 1, 3),
                        static_cast<ir::Activation>(RandomInt(rng, 0, 3)));
    const int eff_h = (c.kh - 1) * c.options.dilation_h_factor + 1;
    const int eff_w = (c.kw - 1) * c.options.dilation_w_factor + 1;
    if (same || (eff_h <= c.h && eff_w <= c.w)) break;
  }
  c.bias = RandomInt(rng, 0, 1) == 1 ? BiasKind::kInt32 : BiasKind::kNone;
  c.per_channel = RandomInt(rng, 0, 1) == 1;
  // Zero points anywhere, the ends included.
  const int zp_kind = RandomInt(rng, 0, 3);
  c.in_zp = zp_kind == 0 ? -128 : zp_kind == 1 ? 127 : RandomInt(rng, -128, 127);
  c.out_zp =
      RandomInt(rng, 0, 3) == 0 ? (RandomInt(rng, 0, 1) ? 127 : -128) : RandomInt(rng, -128, 127);
  return c;
}

TEST(Conv2DInt8Test, HandComputed) {
  // Real input 1..4 (scale 0.5, zero point 1), filter 0.5 each (q 2, scale 0.25), bias 1.0
  // (q 8 at scale 0.125): 0.5 * 10 + 1 = 6 -> q = 6 / 0.5 - 2 = 10. The second channel's filter is
  // -0.5 each: -5 + 1 = -4 -> q = -10, clamped to -2 (real 0) by RELU.
  OpHarness h(Conv2DKernel(), Options(ir::Padding::kValid, 1, 1, 1, 1, ir::Activation::kRelu));
  h.AddInput(ir::DataType::kInt8, Shape{1, 2, 2, 1}, std::vector<int8_t>{3, 5, 7, 9},
             PerTensorQuant(0.5f, 1));
  h.AddConstInput(ir::DataType::kInt8, Shape{2, 2, 2, 1},
                  std::vector<int8_t>{2, 2, 2, 2, -2, -2, -2, -2}, PerTensorQuant(0.25f, 0));
  h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{8, 8},
                  PerTensorQuant(0.125f, 0));
  h.AddOutput(ir::DataType::kInt8, Shape(), PerTensorQuant(0.5f, -2));
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{1, 1, 1, 2}));
  EXPECT_EQ(h.OutputData<int8_t>(0), (std::vector<int8_t>{10, -2}));
}

TEST(Conv2DInt8Test, EdgeCasesMatchTfliteArithmetic) {
  std::mt19937 rng(11);
  const auto S = ir::Padding::kSame;
  const auto V = ir::Padding::kValid;
  const std::vector<Case> cases = {
      {1, 1, 1, 1, 1, 1, 1, 1, Options(V, 1, 1)},                           // 1x1 everything
      {2, 5, 7, 3, 4, 1, 1, 1, Options(S, 1, 1)},                           // 1x1 filter, batch 2
      {1, 9, 9, 2, 3, 2, 2, 1, Options(V, 3, 3)},                           // stride > kernel
      {1, 9, 8, 2, 3, 2, 3, 1, Options(S, 3, 4), BiasKind::kNone},          // stride > kernel, SAME
      {1, 10, 11, 3, 2, 3, 3, 1, Options(S, 1, 1, 2, 3)},                   // dilation
      {1, 10, 11, 3, 2, 3, 2, 1, Options(V, 2, 1, 2, 2)},                   // dilation + VALID
      {1, 6, 6, 1, 1, 4, 4, 1, Options(S, 1, 1)},                           // even kernel, odd pad
      {1, 7, 5, 2, 2, 5, 3, 1, Options(S, 2, 2), BiasKind::kInt32, false},  // per-tensor
      {1, 5, 5, 4, 6, 3, 3, 2, Options(S, 1, 1)},                           // grouped, 2 groups
      {2, 6, 5, 6, 6, 3, 3, 3, Options(V, 1, 2), BiasKind::kNone},          // grouped, 3 groups
      {1, 3, 3, 2, 2, 3, 3, 1, Options(V, 1, 1, 1, 1, ir::Activation::kRelu)},
      {1, 4, 4, 2, 2, 2, 2, 1, Options(S, 1, 1, 1, 1, ir::Activation::kRelu6)},
      {1, 4, 4, 2, 2, 2, 2, 1, Options(S, 1, 1, 1, 1, ir::Activation::kReluN1To1)},
  };
  for (Case c : cases) {
    c.in_zp = RandomInt(rng, -128, 127);
    c.out_zp = RandomInt(rng, -128, 127);
    RunCase<int8_t>(c, rng);
  }
}

TEST(Conv2DInt8Test, RandomShapesMatchTfliteArithmetic) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 150; ++iter) RunCase<int8_t>(RandomCase(rng), rng);
}

TEST(Conv2DInt8Test, ExtremeValues) {
  std::mt19937 rng(3);
  const auto S = ir::Padding::kSame;
  // Input -128 with zero point 127 (input - zp = -255) and the reverse, filters -128 / 127, wide
  // accumulation; zero points at the ends of the range; every activation; large and small output
  // scales so that both ends of the clamp are hit and in-range values are exercised.
  for (int act = 0; act <= 3; ++act) {
    for (const int64_t input_value : {int64_t{-128}, int64_t{127}}) {
      for (const int64_t filter_value : {int64_t{-128}, int64_t{127}}) {
        for (const float factor : {0.05f, 1.0f, 40.0f}) {
          Case c{1, 5, 5, 16, 4, 3, 3, 1, Options(S, 1, 1, 1, 1, static_cast<ir::Activation>(act))};
          c.in_zp = input_value == -128 ? 127 : -128;
          c.out_zp = act % 2 == 0 ? -128 : 127;
          c.input_value = input_value;
          c.filter_value = filter_value;
          c.out_scale_factor = factor;
          RunCase<int8_t>(c, rng);
          c.input_value.reset();  // random input, extreme everything else
          RunCase<int8_t>(c, rng);
        }
      }
    }
  }
}

TEST(Conv2DInt8Test, Int32AccumulatorWrapsLikeTflite) {
  // bias = INT32_MAX plus positive products overflows the int32 accumulator; TFLite's int32
  // arithmetic wraps around (two's complement), and so does the kernel.
  std::mt19937 rng(5);
  Case c{1, 3, 3, 4, 2, 3, 3, 1, Options(ir::Padding::kValid, 1, 1)};
  c.in_zp = -128;
  c.input_value = 127;
  c.filter_value = 127;
  c.bias_value = std::numeric_limits<int32_t>::max();
  c.check_ideal = false;
  RunCase<int8_t>(c, rng);
}

TEST(Conv2DInt8Test, PerTensorFilterEqualsBroadcastPerChannel) {
  // One filter scale is broadcast to every output channel: the same model with the scale
  // repeated per channel gives identical outputs.
  std::mt19937 rng(9);
  const auto in = RandomInts<int8_t>(rng, 1 * 6 * 6 * 3, -128, 127);
  const auto filter = RandomInts<int8_t>(rng, 5 * 3 * 3 * 3, -127, 127);
  const auto bias = RandomInts<int32_t>(rng, 5, -2000, 2000);
  std::vector<std::vector<int8_t>> outputs;
  for (const bool per_channel : {false, true}) {
    OpHarness h(Conv2DKernel(), Options(ir::Padding::kSame, 2, 1));
    h.AddInput(ir::DataType::kInt8, Shape{1, 6, 6, 3}, in, PerTensorQuant(0.03f, -7));
    h.AddConstInput(ir::DataType::kInt8, Shape{5, 3, 3, 3}, filter,
                    per_channel ? PerChannelQuant(std::vector<float>(5, 0.011f), 0)
                                : PerTensorQuant(0.011f, 0));
    h.AddConstInput(ir::DataType::kInt32, Shape{5}, bias);
    h.AddOutput(ir::DataType::kInt8, Shape(), PerTensorQuant(0.07f, 4));
    ASSERT_TRUE(h.Run().ok());
    outputs.push_back(h.OutputData<int8_t>(0));
  }
  EXPECT_EQ(outputs[0], outputs[1]);
}

TEST(Conv2DInt16Test, RandomShapesMatchTfliteArithmetic) {
  std::mt19937 rng(21);
  for (int iter = 0; iter < 120; ++iter) {
    Case c = RandomCase(rng);
    const int kind = RandomInt(rng, 0, 2);
    c.bias = kind == 0 ? BiasKind::kInt64 : kind == 1 ? BiasKind::kInt32 : BiasKind::kNone;
    RunCase<int16_t>(c, rng);
  }
}

TEST(Conv2DInt16Test, ExtremeValues) {
  std::mt19937 rng(23);
  for (int act = 0; act <= 3; ++act) {
    for (const int64_t input_value : {int64_t{-32768}, int64_t{32767}}) {
      for (const BiasKind bias : {BiasKind::kInt64, BiasKind::kInt32, BiasKind::kNone}) {
        for (const float factor : {0.05f, 1.0f, 40.0f}) {
          Case c{2, 4, 5,
                 8, 3, 3,
                 2, 1, Options(ir::Padding::kSame, 2, 1, 1, 2, static_cast<ir::Activation>(act))};
          c.bias = bias;
          c.input_value = input_value;
          c.filter_value = -128;
          c.out_scale_factor = factor;
          RunCase<int16_t>(c, rng);
        }
      }
    }
  }
}

TEST(Conv2DInt16Test, Int64AccumulatorSaturatesAtTflitePrecondition) {
  // TFLite's 64-bit requantization is specified for |acc| < 2^47; a larger bias saturates the
  // accumulator there instead of overflowing.
  std::mt19937 rng(25);
  Case c{1, 2, 2, 1, 2, 1, 1, 1, Options(ir::Padding::kValid, 1, 1)};
  c.bias = BiasKind::kInt64;
  c.bias_value = int64_t{1} << 60;
  c.check_ideal = false;
  RunCase<int16_t>(c, rng);
}

TEST(Conv2DInt16Test, QuantizedBiasTypeOptionSelectsAccumulatorWithoutBias) {
  // Without a bias, quantized_bias_type = int64 selects TFLite's 64-bit path (15-bit multiplier),
  // otherwise the int32 one; the two round differently for some large outputs.
  std::mt19937 rng(27);
  const std::vector<int16_t> in = RandomInts<int16_t>(rng, 256, -32768, 32767);
  const std::vector<int8_t> filter = {-127};
  const float in_scale = 0.0123f;
  const float filter_scale = 0.00789f;
  const float out_scale = 0.0135f;  // outputs up to about 30000
  std::vector<std::vector<int16_t>> outputs;
  for (const ir::DataType option : {ir::DataType::kFloat32, ir::DataType::kInt64}) {
    ir::Conv2DOptions o = Options(ir::Padding::kValid, 1, 1);
    o.quantized_bias_type = option;
    OpHarness h(Conv2DKernel(), o);
    h.AddInput(ir::DataType::kInt16, Shape{1, 16, 16, 1}, in, PerTensorQuant(in_scale, 0));
    h.AddConstInput(ir::DataType::kInt8, Shape{1, 1, 1, 1}, filter,
                    PerTensorQuant(filter_scale, 0));
    h.AddOutput(ir::DataType::kInt16, Shape(), PerTensorQuant(out_scale, 0));
    ASSERT_TRUE(h.Run().ok());
    RequantSpec spec;
    spec.effective_scale = {static_cast<double>(in_scale) * static_cast<double>(filter_scale) /
                            static_cast<double>(out_scale)};
    spec.range =
        testing::QuantizedActRange(ir::Activation::kNone, out_scale, 0, ir::DataType::kInt16);
    spec.int64_accumulator = option == ir::DataType::kInt64;
    std::vector<AccEntry> accs;
    for (int16_t v : in) accs.push_back({int64_t{v} * filter[0], 0});
    outputs.push_back(h.OutputData<int16_t>(0));
    testing::ExpectRequantized(outputs.back(), accs, spec);
  }
  EXPECT_NE(outputs[0], outputs[1]);
}

// ---- Prepare checks -------------------------------------------------------------------------

struct Config {
  ir::DataType type = ir::DataType::kInt8;
  Shape input{1, 4, 4, 2};
  Shape filter{3, 2, 2, 2};
  std::optional<ir::QuantParams> input_q = PerTensorQuant(0.05f, 3);
  ir::DataType filter_type = ir::DataType::kInt8;
  std::optional<ir::QuantParams> filter_q = PerChannelQuant({0.01f, 0.02f, 0.03f}, 0);
  bool bias = true;
  ir::DataType bias_type = ir::DataType::kInt32;
  std::optional<ir::QuantParams> bias_q;
  ir::DataType output_type = ir::DataType::kInt8;
  std::optional<ir::QuantParams> output_q = PerTensorQuant(0.1f, -5);
  ir::Conv2DOptions options = Options(ir::Padding::kSame, 1, 1);

  static Config Int16() {
    Config s;
    s.type = s.output_type = ir::DataType::kInt16;
    s.input_q = PerTensorQuant(0.05f, 0);
    s.output_q = PerTensorQuant(0.1f, 0);
    s.bias_type = ir::DataType::kInt64;
    return s;
  }

  absl::Status Run() const {
    OpHarness h(Conv2DKernel(), options);
    h.AddInput(type, input, testing::ZeroBytes(type, input.FlatSize()), input_q);
    h.AddConstInput(filter_type, filter, testing::ZeroBytes(filter_type, filter.FlatSize()),
                    filter_q);
    if (bias) {
      h.AddConstInput(bias_type, Shape{filter.dim(0)}, testing::ZeroBytes(bias_type, filter.dim(0)),
                      bias_q);
    }
    h.AddOutput(output_type, Shape(), output_q);
    return h.Run();
  }
};

struct BadCase {
  const char* name;
  Config setup;
  absl::StatusCode code;
  const char* message_part;  // the message must name the offending tensor / value
};

void ExpectRejected(const std::vector<BadCase>& cases) {
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    const absl::Status s = c.setup.Run();
    EXPECT_EQ(s.code(), c.code) << s;
    EXPECT_NE(std::string(s.message()).find(c.message_part), std::string::npos) << s;
  }
}

template <typename F>
Config With(F f, Config s = Config()) {
  f(s);
  return s;
}

TEST(Conv2DInt8Test, ValidSetupsAreAccepted) {
  EXPECT_TRUE(Config().Run().ok());
  EXPECT_TRUE(Config::Int16().Run().ok());
  EXPECT_TRUE(With([](Config& s) { s.bias = false; }).Run().ok());
  EXPECT_TRUE(With([](Config& s) { s.filter_q = PerTensorQuant(0.02f, 0); }).Run().ok());
  // Zero points may be omitted (0), and a per-channel filter may carry one zero point.
  EXPECT_TRUE(With([](Config& s) { s.filter_q->zero_point.clear(); }).Run().ok());
  EXPECT_TRUE(With([](Config& s) { s.filter_q->zero_point = {0}; }).Run().ok());
  EXPECT_TRUE(With([](Config& s) { s.input_q->zero_point.clear(); }).Run().ok());
  // The bias scale is not checked (TFLite does not for CONV_2D).
  EXPECT_TRUE(With([](Config& s) { s.bias_q = PerTensorQuant(123.0f, 0); }).Run().ok());
  EXPECT_TRUE(
      With([](Config& s) { s.bias_type = ir::DataType::kInt32; }, Config::Int16()).Run().ok());
}

TEST(Conv2DInt8Test, RejectsMalformedQuantization) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  const auto kUnimplemented = absl::StatusCode::kUnimplemented;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  ExpectRejected({
      {"input without quantization", With([](Config& s) { s.input_q.reset(); }), kUnimplemented,
       "input (int8) has no quantization"},
      {"filter without quantization", With([](Config& s) { s.filter_q.reset(); }), kInvalid,
       "filter (int8) has no quantization"},
      {"output without quantization", With([](Config& s) { s.output_q.reset(); }), kInvalid,
       "output (int8) has no quantization"},
      {"input per-channel", With([](Config& s) {
         s.input_q = PerChannelQuant({1, 1}, 3);
       }),
       kInvalid, "input must be quantized per-tensor"},
      {"input scale 0", With([](Config& s) { s.input_q->scale = {0.0f}; }), kInvalid,
       "input scale 0"},
      {"input scale negative", With([](Config& s) { s.input_q->scale = {-0.5f}; }), kInvalid,
       "input scale -0.5"},
      {"input scale NaN", With([&](Config& s) { s.input_q->scale = {nan}; }), kInvalid,
       "input scale nan"},
      {"output scale inf", With([&](Config& s) { s.output_q->scale = {inf}; }), kInvalid,
       "output scale inf"},
      {"input zero point 128", With([](Config& s) { s.input_q->zero_point = {128}; }), kInvalid,
       "input zero point 128"},
      {"output zero point -129", With([](Config& s) { s.output_q->zero_point = {-129}; }), kInvalid,
       "output zero point -129"},
      {"filter zero point", With([](Config& s) { s.filter_q = PerTensorQuant(0.02f, 3); }),
       kInvalid, "filter zero_point[0] = 3"},
      {"filter per-channel zero point", With([](Config& s) {
         s.filter_q->zero_point = {0, -1, 0};
       }),
       kInvalid, "filter zero_point[1] = -1"},
      {"filter zero point count", With([](Config& s) {
         s.filter_q->zero_point = {0, 0};
       }),
       kInvalid, "filter has 3 scales but 2 zero points"},
      {"filter scale count", With([](Config& s) {
         s.filter_q = PerChannelQuant({1, 1}, 0);
       }),
       kInvalid, "filter [3,2,2,2] has 2 scales"},
      {"filter quantized_dimension", With([](Config& s) { s.filter_q->quantized_dimension = 3; }),
       kInvalid, "along quantized_dimension 3"},
      {"filter scale 0", With([](Config& s) { s.filter_q->scale[2] = 0.0f; }), kInvalid,
       "filter scale[2] = 0"},
      {"filter scale NaN", With([&](Config& s) { s.filter_q->scale[0] = nan; }), kInvalid,
       "filter scale[0] = nan"},
      {"float filter (hybrid)", With([](Config& s) {
         s.filter_type = ir::DataType::kFloat32;
         s.filter_q.reset();
       }),
       kUnimplemented, "filter type float32 with int8 input (hybrid)"},
      {"int16 filter", With([](Config& s) { s.filter_type = ir::DataType::kInt16; }),
       kUnimplemented, "filter type int16 with int8 input"},
      {"int64 bias for int8", With([](Config& s) { s.bias_type = ir::DataType::kInt64; }), kInvalid,
       "bias must be int32 for int8 input, got int64"},
      {"float bias for int8", With([](Config& s) { s.bias_type = ir::DataType::kFloat32; }),
       kInvalid, "bias must be int32 for int8 input, got float32"},
      {"bias zero point", With([](Config& s) { s.bias_q = PerTensorQuant(0.001f, 2); }), kInvalid,
       "bias zero_point[0] = 2"},
      {"output int16 for int8 input", With([](Config& s) { s.output_type = ir::DataType::kInt16; }),
       kInvalid, "output 0 is declared int16, expected int8"},
      {"tanh activation", With([](Config& s) { s.options.activation = ir::Activation::kTanh; }),
       kInvalid, "fused activation"},
      {"activation bound overflows int32", With([](Config& s) {
         s.options.activation = ir::Activation::kRelu6;
         s.output_q = PerTensorQuant(1e-30f, 0);
       }),
       kInvalid, "fused activation bound 6"},
      {"effective scale too large", With([](Config& s) {
         s.input_q = PerTensorQuant(1e30f, 0);
         s.filter_q = PerTensorQuant(1e30f, 0);
         s.output_q = PerTensorQuant(1e-30f, 0);
       }),
       kInvalid, "is too large (shift"},
  });
}

TEST(Conv2DInt16Test, RejectsMalformedQuantization) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  ExpectRejected({
      {"input zero point", With([](Config& s) { s.input_q->zero_point = {1}; }, Config::Int16()),
       kInvalid, "input zero point 1 must be 0"},
      {"output zero point", With([](Config& s) { s.output_q->zero_point = {-3}; }, Config::Int16()),
       kInvalid, "output zero point -3 must be 0"},
      {"int8 bias", With([](Config& s) { s.bias_type = ir::DataType::kInt8; }, Config::Int16()),
       kInvalid, "bias must be int64 or int32 for int16 input, got int8"},
      {"quantized_bias_type int8",
       With([](Config& s) { s.options.quantized_bias_type = ir::DataType::kInt8; },
            Config::Int16()),
       kInvalid, "quantized_bias_type int8"},
      {"quantized_bias_type disagrees with the bias",
       With([](Config& s) { s.options.quantized_bias_type = ir::DataType::kInt32; },
            Config::Int16()),
       kInvalid, "bias is int64 but quantized_bias_type says int32"},
      {"int8 output", With([](Config& s) { s.output_type = ir::DataType::kInt8; }, Config::Int16()),
       kInvalid, "output 0 is declared int8, expected int16"},
      {"64-bit requantization shift above 7",
       With(
           [](Config& s) {
             s.input_q = PerTensorQuant(4.0f, 0);
             s.filter_q = PerTensorQuant(50.0f, 0);
             s.output_q = PerTensorQuant(1.0f, 0);
           },
           Config::Int16()),
       kInvalid, "shift 8 > 7"},
  });
  // The same scales are fine with an int32 bias (int32 requantization takes shifts up to 31).
  Config ok = Config::Int16();
  ok.bias_type = ir::DataType::kInt32;
  ok.input_q = PerTensorQuant(4.0f, 0);
  ok.filter_q = PerTensorQuant(50.0f, 0);
  ok.output_q = PerTensorQuant(1.0f, 0);
  EXPECT_TRUE(ok.Run().ok());
}

}  // namespace
}  // namespace compressd::kernels
