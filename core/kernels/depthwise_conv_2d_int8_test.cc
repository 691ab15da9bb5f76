// DEPTHWISE_CONV_2D integer paths (int8, 16x8) against TFLite's arithmetic restated in
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

ir::DepthwiseConv2DOptions Options(ir::Padding padding, int stride_h, int stride_w, int dil_h = 1,
                                   int dil_w = 1, ir::Activation act = ir::Activation::kNone) {
  ir::DepthwiseConv2DOptions o;
  o.padding = padding;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  o.dilation_h_factor = dil_h;
  o.dilation_w_factor = dil_w;
  o.activation = act;
  o.depth_multiplier = 0;  // ignored: derived from the shapes, as in TFLite
  return o;
}

struct Case {
  int n, h, w, cin, mult, kh, kw;
  ir::DepthwiseConv2DOptions options;
  bool bias = true;  // int32 for int8, int64 for 16x8
  bool per_channel = true;
  int in_zp = 0;   // int8 only
  int out_zp = 0;  // int8 only
  std::optional<int64_t> input_value = std::nullopt;
  std::optional<int64_t> filter_value = std::nullopt;
  std::optional<int64_t> bias_value = std::nullopt;
  float out_scale_factor = 1.0f;
  bool check_ideal = true;
};

std::string Describe(const Case& c) {
  std::ostringstream s;
  s << "n=" << c.n << " h=" << c.h << " w=" << c.w << " cin=" << c.cin << " mult=" << c.mult
    << " k=" << c.kh << "x" << c.kw << " stride=" << c.options.stride_h << "x" << c.options.stride_w
    << " dil=" << c.options.dilation_h_factor << "x" << c.options.dilation_w_factor
    << " same=" << (c.options.padding == ir::Padding::kSame)
    << " act=" << static_cast<int>(c.options.activation) << " bias=" << c.bias
    << " per_channel=" << c.per_channel << " in_zp=" << c.in_zp << " out_zp=" << c.out_zp;
  return s.str();
}

int Extent(ir::Padding padding, int in, int k, int stride, int dil, int* pad_before) {
  const int eff = (k - 1) * dil + 1;
  const int out =
      padding == ir::Padding::kSame ? (in + stride - 1) / stride : (in - eff + stride) / stride;
  *pad_before = std::max((out - 1) * stride + eff - in, 0) / 2;
  return out;
}

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
  const int cout = c.cin * c.mult;
  std::vector<AccEntry> out;
  for (int b = 0; b < c.n; ++b)
    for (int oy = 0; oy < *out_h; ++oy)
      for (int ox = 0; ox < *out_w; ++ox)
        for (int oc = 0; oc < cout; ++oc) {
          const int ic = oc / c.mult;
          int64_t acc = bias.empty() ? 0 : bias[oc];
          for (int ky = 0; ky < c.kh; ++ky)
            for (int kx = 0; kx < c.kw; ++kx) {
              const int y = oy * o.stride_h + ky * o.dilation_h_factor;
              const int x = ox * o.stride_w + kx * o.dilation_w_factor;
              const int64_t v = padded[((static_cast<size_t>(b) * ph + y) * pw + x) * c.cin + ic];
              acc +=
                  int64_t{filter[(static_cast<size_t>(ky) * c.kw + kx) * cout + oc]} * (v - in_zp);
            }
          out.push_back({acc, oc});
        }
  return out;
}

template <typename T>
void RunCase(const Case& c, std::mt19937& rng) {
  SCOPED_TRACE(Describe(c));
  constexpr bool kInt16 = sizeof(T) == 2;
  const ir::DataType type = kInt16 ? ir::DataType::kInt16 : ir::DataType::kInt8;
  const int cout = c.cin * c.mult;
  const int64_t input_size = int64_t{c.n} * c.h * c.w * c.cin;
  const int64_t filter_size = int64_t{c.kh} * c.kw * cout;
  const int in_zp = kInt16 ? 0 : c.in_zp;
  const int out_zp = kInt16 ? 0 : c.out_zp;

  std::vector<T> in = c.input_value ? std::vector<T>(input_size, static_cast<T>(*c.input_value))
                                    : RandomInts<T>(rng, input_size, std::numeric_limits<T>::min(),
                                                    std::numeric_limits<T>::max());
  std::vector<int8_t> filter =
      c.filter_value ? std::vector<int8_t>(filter_size, static_cast<int8_t>(*c.filter_value))
                     : RandomInts<int8_t>(rng, filter_size, -127, 127);
  const float in_scale = RandomScale(rng, 0.002f, 0.2f);
  std::vector<float> filter_scales(c.per_channel ? cout : 1);
  for (float& s : filter_scales) s = RandomScale(rng, 0.001f, 0.05f);
  const double k = static_cast<double>(c.kh) * c.kw;
  const double spread = std::sqrt(k) * (kInt16 ? 18900.0 : 75.0) * 73.0;
  const double target = kInt16 ? 8000.0 : 50.0;
  const float out_scale = static_cast<float>(in_scale * filter_scales[0] * spread / target *
                                             RandomScale(rng, 0.5f, 2.0f) * c.out_scale_factor);
  std::vector<int64_t> bias;
  if (c.bias) {
    const int64_t range = static_cast<int64_t>(spread);
    bias = c.bias_value ? std::vector<int64_t>(cout, *c.bias_value)
                        : RandomInts<int64_t>(rng, cout, -range, range);
  }

  OpHarness h(DepthwiseConv2DKernel(), c.options);
  h.AddInput(type, Shape{c.n, c.h, c.w, c.cin}, in, PerTensorQuant(in_scale, in_zp));
  h.AddConstInput(
      ir::DataType::kInt8, Shape{1, c.kh, c.kw, cout}, filter,
      c.per_channel ? PerChannelQuant(filter_scales, 3) : PerTensorQuant(filter_scales[0], 0));
  if (c.bias && kInt16) {
    h.AddConstInput(ir::DataType::kInt64, Shape{cout}, bias);
  } else if (c.bias) {
    h.AddConstInput(ir::DataType::kInt32, Shape{cout},
                    std::vector<int32_t>(bias.begin(), bias.end()));
  }
  h.AddOutput(type, Shape(), PerTensorQuant(out_scale, out_zp));
  const absl::Status s = h.Run();
  ASSERT_TRUE(s.ok()) << s;

  int out_h = 0;
  int out_w = 0;
  const auto accs = NaiveAccumulators(c, in, in_zp, filter, bias, &out_h, &out_w);
  ASSERT_EQ(h.OutputShape(0), (Shape{c.n, out_h, out_w, cout}));
  RequantSpec spec;
  for (int oc = 0; oc < cout; ++oc) {
    spec.effective_scale.push_back(static_cast<double>(in_scale) *
                                   static_cast<double>(filter_scales[c.per_channel ? oc : 0]) /
                                   static_cast<double>(out_scale));
  }
  spec.output_zero_point = out_zp;
  spec.range = testing::QuantizedActRange(c.options.activation, out_scale, out_zp, type);
  spec.int64_accumulator = kInt16;  // TFLite's 16x8 depthwise kernel always accumulates in int64
  spec.check_ideal = c.check_ideal;
  testing::ExpectRequantized(h.OutputData<T>(0), accs, spec);
}

Case RandomCase(std::mt19937& rng) {
  Case c;
  for (;;) {
    c.n = RandomInt(rng, 1, 2);
    c.h = RandomInt(rng, 1, 9);
    c.w = RandomInt(rng, 1, 9);
    c.cin = RandomInt(rng, 1, 5);
    c.mult = RandomInt(rng, 1, 3);
    c.kh = RandomInt(rng, 1, 5);
    c.kw = RandomInt(rng, 1, 5);
    const bool same = RandomInt(rng, 0, 1) == 1;
    c.options = Options(same ? ir::Padding::kSame : ir::Padding::kValid, RandomInt(rng, 1, 4),
                        RandomInt(rng, 1, 4), RandomInt(rng, 1, 3), RandomInt(rng, 1, 3),
                        static_cast<ir::Activation>(RandomInt(rng, 0, 3)));
    const int eff_h = (c.kh - 1) * c.options.dilation_h_factor + 1;
    const int eff_w = (c.kw - 1) * c.options.dilation_w_factor + 1;
    if (same || (eff_h <= c.h && eff_w <= c.w)) break;
  }
  c.bias = RandomInt(rng, 0, 1) == 1;
  c.per_channel = RandomInt(rng, 0, 1) == 1;
  const int zp_kind = RandomInt(rng, 0, 3);
  c.in_zp = zp_kind == 0 ? -128 : zp_kind == 1 ? 127 : RandomInt(rng, -128, 127);
  c.out_zp =
      RandomInt(rng, 0, 3) == 0 ? (RandomInt(rng, 0, 1) ? 127 : -128) : RandomInt(rng, -128, 127);
  return c;
}

TEST(DepthwiseConv2DInt8Test, HandComputed) {
  // Two input channels, depth multiplier 2 (output channels 2c, 2c+1 read input channel c).
  // Input real values: channel 0 = 1, channel 1 = -1 (scale 0.5, zero point 0 -> q 2 / -2).
  // Filters (scale 0.25): out0 = 1.0 (q 4), out1 = -0.5 (q -2), out2 = 0.25 (q 1), out3 = 2 (q 8).
  // 1x1 kernel: outputs 1, -0.5, -0.25, -2; output scale 0.25, zero point 10 -> 14, 8, 9, 2.
  OpHarness h(DepthwiseConv2DKernel(), Options(ir::Padding::kValid, 1, 1));
  h.AddInput(ir::DataType::kInt8, Shape{1, 1, 1, 2}, std::vector<int8_t>{2, -2},
             PerTensorQuant(0.5f, 0));
  h.AddConstInput(ir::DataType::kInt8, Shape{1, 1, 1, 4}, std::vector<int8_t>{4, -2, 1, 8},
                  PerTensorQuant(0.25f, 0));
  h.AddOutput(ir::DataType::kInt8, Shape(), PerTensorQuant(0.25f, 10));
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{1, 1, 1, 4}));
  EXPECT_EQ(h.OutputData<int8_t>(0), (std::vector<int8_t>{14, 8, 9, 2}));
}

TEST(DepthwiseConv2DInt8Test, EdgeCasesMatchTfliteArithmetic) {
  std::mt19937 rng(31);
  const auto S = ir::Padding::kSame;
  const auto V = ir::Padding::kValid;
  const std::vector<Case> cases = {
      {1, 1, 1, 1, 1, 1, 1, Options(V, 1, 1)},               // 1x1 everything
      {2, 5, 7, 3, 2, 1, 1, Options(S, 1, 1)},               // 1x1 filter, multiplier 2
      {1, 9, 9, 2, 1, 2, 2, Options(V, 3, 3)},               // stride > kernel
      {1, 9, 8, 2, 3, 2, 3, Options(S, 3, 4), false},        // stride > kernel, SAME
      {1, 10, 11, 3, 1, 3, 3, Options(S, 1, 1, 2, 3)},       // dilation
      {1, 10, 11, 3, 2, 3, 2, Options(V, 2, 1, 2, 2)},       // dilation + VALID
      {1, 6, 6, 1, 4, 4, 4, Options(S, 1, 1)},               // even kernel, multiplier 4
      {1, 7, 5, 4, 1, 5, 3, Options(S, 2, 2), true, false},  // per-tensor
      {1, 3, 3, 2, 2, 3, 3, Options(V, 1, 1, 1, 1, ir::Activation::kRelu)},
      {1, 4, 4, 2, 1, 2, 2, Options(S, 1, 1, 1, 1, ir::Activation::kRelu6)},
      {1, 4, 4, 2, 3, 2, 2, Options(S, 1, 1, 1, 1, ir::Activation::kReluN1To1)},
  };
  for (Case c : cases) {
    c.in_zp = RandomInt(rng, -128, 127);
    c.out_zp = RandomInt(rng, -128, 127);
    RunCase<int8_t>(c, rng);
  }
}

TEST(DepthwiseConv2DInt8Test, RandomShapesMatchTfliteArithmetic) {
  std::mt19937 rng(37);
  for (int iter = 0; iter < 150; ++iter) RunCase<int8_t>(RandomCase(rng), rng);
}

TEST(DepthwiseConv2DInt8Test, ExtremeValues) {
  std::mt19937 rng(41);
  for (int act = 0; act <= 3; ++act) {
    for (const int64_t input_value : {int64_t{-128}, int64_t{127}}) {
      for (const int64_t filter_value : {int64_t{-128}, int64_t{127}}) {
        for (const float factor : {0.05f, 1.0f, 40.0f}) {
          Case c{
              1, 5, 5, 3,
              2, 3, 3, Options(ir::Padding::kSame, 1, 1, 1, 1, static_cast<ir::Activation>(act))};
          c.in_zp = input_value == -128 ? 127 : -128;
          c.out_zp = act % 2 == 0 ? -128 : 127;
          c.input_value = input_value;
          c.filter_value = filter_value;
          c.out_scale_factor = factor;
          RunCase<int8_t>(c, rng);
          c.input_value.reset();
          RunCase<int8_t>(c, rng);
        }
      }
    }
  }
}

TEST(DepthwiseConv2DInt8Test, Int32AccumulatorWrapsLikeTflite) {
  std::mt19937 rng(43);
  Case c{1, 3, 3, 2, 1, 3, 3, Options(ir::Padding::kValid, 1, 1)};
  c.in_zp = -128;
  c.input_value = 127;
  c.filter_value = 127;
  c.bias_value = std::numeric_limits<int32_t>::max();
  c.check_ideal = false;
  RunCase<int8_t>(c, rng);
}

TEST(DepthwiseConv2DInt8Test, DepthMultiplierOptionIsIgnored) {
  // As for float: the multiplier comes from the shapes (8 / 2 = 4), whatever the option says.
  std::mt19937 rng(47);
  const auto in = RandomInts<int8_t>(rng, 1 * 4 * 4 * 2, -128, 127);
  const auto filter = RandomInts<int8_t>(rng, 3 * 3 * 8, -127, 127);
  std::vector<std::vector<int8_t>> outputs;
  for (const int option : {0, 4, 7}) {
    auto o = Options(ir::Padding::kSame, 1, 1);
    o.depth_multiplier = option;
    OpHarness h(DepthwiseConv2DKernel(), o);
    h.AddInput(ir::DataType::kInt8, Shape{1, 4, 4, 2}, in, PerTensorQuant(0.02f, 1));
    h.AddConstInput(ir::DataType::kInt8, Shape{1, 3, 3, 8}, filter, PerTensorQuant(0.01f, 0));
    h.AddOutput(ir::DataType::kInt8, Shape(), PerTensorQuant(0.05f, -3));
    ASSERT_TRUE(h.Run().ok());
    outputs.push_back(h.OutputData<int8_t>(0));
  }
  EXPECT_EQ(outputs[0], outputs[1]);
  EXPECT_EQ(outputs[0], outputs[2]);
}

TEST(DepthwiseConv2DInt16Test, RandomShapesMatchTfliteArithmetic) {
  std::mt19937 rng(53);
  for (int iter = 0; iter < 120; ++iter) RunCase<int16_t>(RandomCase(rng), rng);
}

TEST(DepthwiseConv2DInt16Test, ExtremeValues) {
  std::mt19937 rng(59);
  for (int act = 0; act <= 3; ++act) {
    for (const int64_t input_value : {int64_t{-32768}, int64_t{32767}}) {
      for (const bool bias : {true, false}) {
        for (const float factor : {0.05f, 1.0f, 40.0f}) {
          Case c{
              2, 4, 5, 3,
              2, 3, 2, Options(ir::Padding::kSame, 2, 1, 1, 2, static_cast<ir::Activation>(act))};
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

TEST(DepthwiseConv2DInt16Test, Int64AccumulatorSaturatesAtTflitePrecondition) {
  std::mt19937 rng(61);
  Case c{1, 2, 2, 1, 2, 1, 1, Options(ir::Padding::kValid, 1, 1)};
  c.bias_value = -(int64_t{1} << 60);
  c.check_ideal = false;
  RunCase<int16_t>(c, rng);
}

// ---- Prepare checks -------------------------------------------------------------------------

struct Config {
  ir::DataType type = ir::DataType::kInt8;
  Shape input{1, 4, 4, 2};
  Shape filter{1, 2, 2, 4};
  std::optional<ir::QuantParams> input_q = PerTensorQuant(0.05f, 3);
  ir::DataType filter_type = ir::DataType::kInt8;
  std::optional<ir::QuantParams> filter_q = PerChannelQuant({0.01f, 0.02f, 0.03f, 0.04f}, 3);
  bool bias = true;
  ir::DataType bias_type = ir::DataType::kInt32;
  std::optional<ir::QuantParams> bias_q;
  ir::DataType output_type = ir::DataType::kInt8;
  std::optional<ir::QuantParams> output_q = PerTensorQuant(0.1f, -5);
  ir::DepthwiseConv2DOptions options = Options(ir::Padding::kSame, 1, 1);

  static Config Int16() {
    Config s;
    s.type = s.output_type = ir::DataType::kInt16;
    s.input_q = PerTensorQuant(0.05f, 0);
    s.output_q = PerTensorQuant(0.1f, 0);
    s.bias_type = ir::DataType::kInt64;
    return s;
  }

  absl::Status Run() const {
    OpHarness h(DepthwiseConv2DKernel(), options);
    h.AddInput(type, input, testing::ZeroBytes(type, input.FlatSize()), input_q);
    h.AddConstInput(filter_type, filter, testing::ZeroBytes(filter_type, filter.FlatSize()),
                    filter_q);
    if (bias) {
      h.AddConstInput(bias_type, Shape{filter.dim(3)}, testing::ZeroBytes(bias_type, filter.dim(3)),
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
  const char* message_part;
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

TEST(DepthwiseConv2DInt8Test, ValidSetupsAreAccepted) {
  EXPECT_TRUE(Config().Run().ok());
  EXPECT_TRUE(Config::Int16().Run().ok());
  EXPECT_TRUE(With([](Config& s) { s.bias = false; }).Run().ok());
  EXPECT_TRUE(With([](Config& s) { s.bias = false; }, Config::Int16()).Run().ok());
  EXPECT_TRUE(With([](Config& s) { s.filter_q = PerTensorQuant(0.02f, 0); }).Run().ok());
  EXPECT_TRUE(With([](Config& s) { s.filter_q->zero_point.clear(); }).Run().ok());
}

TEST(DepthwiseConv2DInt8Test, RejectsMalformedQuantization) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  const auto kUnimplemented = absl::StatusCode::kUnimplemented;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  ExpectRejected({
      {"input without quantization", With([](Config& s) { s.input_q.reset(); }), kUnimplemented,
       "input (int8) has no quantization"},
      {"filter without quantization", With([](Config& s) { s.filter_q.reset(); }), kInvalid,
       "filter (int8) has no quantization"},
      {"output without quantization", With([](Config& s) { s.output_q.reset(); }), kInvalid,
       "output (int8) has no quantization"},
      {"input two scales", With([](Config& s) {
         s.input_q = PerChannelQuant({1, 1}, 3);
       }),
       kInvalid, "input must be quantized per-tensor"},
      {"output scale negative", With([](Config& s) { s.output_q->scale = {-1.0f}; }), kInvalid,
       "output scale -1"},
      {"input scale NaN", With([&](Config& s) { s.input_q->scale = {nan}; }), kInvalid,
       "input scale nan"},
      {"input zero point -200", With([](Config& s) { s.input_q->zero_point = {-200}; }), kInvalid,
       "input zero point -200"},
      {"output zero point 300", With([](Config& s) { s.output_q->zero_point = {300}; }), kInvalid,
       "output zero point 300"},
      {"filter zero point", With([](Config& s) {
         s.filter_q->zero_point = {0, 0, 5, 0};
       }),
       kInvalid, "filter zero_point[2] = 5"},
      {"filter scale count", With([](Config& s) {
         s.filter_q = PerChannelQuant({1, 1}, 3);
       }),
       kInvalid, "has 2 scales"},
      // TFLite's depthwise filter is [1, H, W, C*M]: per-channel scales run along dimension 3.
      {"filter quantized_dimension 0", With([](Config& s) { s.filter_q->quantized_dimension = 0; }),
       kInvalid, "has 4 scales along quantized_dimension 0"},
      {"filter scale negative", With([](Config& s) { s.filter_q->scale[1] = -0.02f; }), kInvalid,
       "filter scale[1] = -0.02"},
      {"float filter (hybrid)", With([](Config& s) {
         s.filter_type = ir::DataType::kFloat32;
         s.filter_q.reset();
       }),
       kUnimplemented, "filter type float32 with int8 input (hybrid)"},
      {"int64 bias for int8", With([](Config& s) { s.bias_type = ir::DataType::kInt64; }), kInvalid,
       "bias must be int32 for int8 input, got int64"},
      {"bias zero point", With([](Config& s) {
         s.bias_q = PerChannelQuant({1, 1, 1, 1}, 0);
         s.bias_q->zero_point[3] = 9;
       }),
       kInvalid, "bias zero_point[3] = 9"},
      {"output type", With([](Config& s) { s.output_type = ir::DataType::kUInt8; }), kInvalid,
       "output 0 is declared uint8, expected int8"},
      {"sign-bit activation",
       With([](Config& s) { s.options.activation = ir::Activation::kSignBit; }), kInvalid,
       "fused activation"},
      {"effective scale too large", With([](Config& s) {
         s.input_q = PerTensorQuant(3e37f, 0);
         s.output_q = PerTensorQuant(1e-37f, 0);
       }),
       kInvalid, "is too large"},
  });
}

TEST(DepthwiseConv2DInt16Test, RejectsMalformedQuantization) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  ExpectRejected({
      {"input zero point", With([](Config& s) { s.input_q->zero_point = {2}; }, Config::Int16()),
       kInvalid, "input zero point 2 must be 0"},
      {"output zero point", With([](Config& s) { s.output_q->zero_point = {1}; }, Config::Int16()),
       kInvalid, "output zero point 1 must be 0"},
      // TFLite's 16x8 depthwise kernel takes an int64 bias only.
      {"int32 bias", With([](Config& s) { s.bias_type = ir::DataType::kInt32; }, Config::Int16()),
       kInvalid, "bias must be int64 for int16 input, got int32"},
      {"64-bit requantization shift above 7",
       With(
           [](Config& s) {
             s.input_q = PerTensorQuant(100.0f, 0);
             s.filter_q = PerTensorQuant(10.0f, 0);
             s.output_q = PerTensorQuant(1.0f, 0);
           },
           Config::Int16()),
       kInvalid, "shift 10 > 7"},
  });
}

}  // namespace
}  // namespace compressd::kernels
