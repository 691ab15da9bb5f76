// FULLY_CONNECTED integer paths (int8, 16x8) against TFLite's arithmetic restated in
// testing/quantized_test_util.h, on an accumulator computed independently here (int64 sums),
// plus every Prepare check of the integer paths.
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

ir::FullyConnectedOptions Options(ir::Activation act = ir::Activation::kNone,
                                  bool keep_num_dims = false) {
  ir::FullyConnectedOptions o;
  o.activation = act;
  o.keep_num_dims = keep_num_dims;
  return o;
}

struct Case {
  Shape input;  // flat size batches * depth
  int units = 1;
  int depth = 1;
  ir::FullyConnectedOptions options;
  BiasKind bias = BiasKind::kInt32;
  bool per_channel = true;
  int in_zp = 0;   // int8 only
  int out_zp = 0;  // int8 only
  std::optional<int64_t> input_value = std::nullopt;
  std::optional<int64_t> weight_value = std::nullopt;
  std::optional<int64_t> bias_value = std::nullopt;
  float out_scale_factor = 1.0f;
  bool check_ideal = true;
};

std::string Describe(const Case& c) {
  std::ostringstream s;
  s << "input=" << c.input.ToString() << " units=" << c.units << " depth=" << c.depth
    << " keep_num_dims=" << c.options.keep_num_dims
    << " act=" << static_cast<int>(c.options.activation) << " bias=" << static_cast<int>(c.bias)
    << " per_channel=" << c.per_channel << " in_zp=" << c.in_zp << " out_zp=" << c.out_zp;
  return s.str();
}

// TFLite's effective scale for FULLY_CONNECTED: the double product for per-channel weights,
// GetQuantizedConvolutionMultipler's float product for per-tensor weights.
double EffectiveScale(float in, float w, float out, bool per_channel) {
  return per_channel ? static_cast<double>(in) * static_cast<double>(w) / static_cast<double>(out)
                     : static_cast<double>(in * w) / static_cast<double>(out);
}

template <typename T>
void RunCase(const Case& c, std::mt19937& rng) {
  SCOPED_TRACE(Describe(c));
  constexpr bool kInt16 = sizeof(T) == 2;
  const ir::DataType type = kInt16 ? ir::DataType::kInt16 : ir::DataType::kInt8;
  const int64_t batches = c.input.FlatSize() / c.depth;
  const int in_zp = kInt16 ? 0 : c.in_zp;
  const int out_zp = kInt16 ? 0 : c.out_zp;

  std::vector<T> in = c.input_value
                          ? std::vector<T>(c.input.FlatSize(), static_cast<T>(*c.input_value))
                          : RandomInts<T>(rng, c.input.FlatSize(), std::numeric_limits<T>::min(),
                                          std::numeric_limits<T>::max());
  const int64_t weight_count = int64_t{c.units} * c.depth;
  std::vector<int8_t> weights =
      c.weight_value ? std::vector<int8_t>(weight_count, static_cast<int8_t>(*c.weight_value))
                     : RandomInts<int8_t>(rng, weight_count, -127, 127);
  const float in_scale = RandomScale(rng, 0.002f, 0.2f);
  std::vector<float> w_scales(c.per_channel ? c.units : 1);
  for (float& s : w_scales) s = RandomScale(rng, 0.001f, 0.05f);
  const double spread = std::sqrt(static_cast<double>(c.depth)) * (kInt16 ? 18900.0 : 75.0) * 73.0;
  const double target = kInt16 ? 8000.0 : 50.0;
  const float out_scale = static_cast<float>(in_scale * w_scales[0] * spread / target *
                                             RandomScale(rng, 0.5f, 2.0f) * c.out_scale_factor);
  std::vector<int64_t> bias;
  if (c.bias != BiasKind::kNone) {
    const int64_t range = static_cast<int64_t>(spread);
    bias = c.bias_value ? std::vector<int64_t>(c.units, *c.bias_value)
                        : RandomInts<int64_t>(rng, c.units, -range, range);
  }

  OpHarness h(FullyConnectedKernel(), c.options);
  h.AddInput(type, c.input, in, PerTensorQuant(in_scale, in_zp));
  h.AddConstInput(ir::DataType::kInt8, Shape{c.units, c.depth}, weights,
                  c.per_channel ? PerChannelQuant(w_scales, 0) : PerTensorQuant(w_scales[0], 0));
  // The bias carries its conventional scale input_scale * weight_scale (TFLite checks it for
  // per-tensor weights).
  std::vector<float> bias_scales;
  for (float s : w_scales) bias_scales.push_back(in_scale * s);
  const ir::QuantParams bias_q =
      c.per_channel ? PerChannelQuant(bias_scales, 0) : PerTensorQuant(bias_scales[0], 0);
  if (c.bias == BiasKind::kInt32) {
    h.AddConstInput(ir::DataType::kInt32, Shape{c.units},
                    std::vector<int32_t>(bias.begin(), bias.end()), bias_q);
  } else if (c.bias == BiasKind::kInt64) {
    h.AddConstInput(ir::DataType::kInt64, Shape{c.units}, bias, bias_q);
  }
  h.AddOutput(type, Shape(), PerTensorQuant(out_scale, out_zp));
  const absl::Status s = h.Run();
  ASSERT_TRUE(s.ok()) << s;

  Shape expected_shape{static_cast<int32_t>(batches), c.units};
  if (c.options.keep_num_dims) {
    expected_shape = c.input;
    expected_shape.set_dim(c.input.rank() - 1, c.units);
  }
  ASSERT_EQ(h.OutputShape(0), expected_shape);

  std::vector<AccEntry> accs;
  for (int64_t b = 0; b < batches; ++b) {
    for (int u = 0; u < c.units; ++u) {
      int64_t acc = bias.empty() ? 0 : bias[u];
      for (int d = 0; d < c.depth; ++d) {
        acc += int64_t{weights[static_cast<size_t>(u) * c.depth + d]} *
               (int64_t{in[static_cast<size_t>(b * c.depth + d)]} - in_zp);
      }
      accs.push_back({acc, u});
    }
  }
  RequantSpec spec;
  for (int u = 0; u < c.units; ++u) {
    spec.effective_scale.push_back(
        EffectiveScale(in_scale, w_scales[c.per_channel ? u : 0], out_scale, c.per_channel));
  }
  spec.output_zero_point = out_zp;
  spec.range = testing::QuantizedActRange(c.options.activation, out_scale, out_zp, type);
  spec.int64_accumulator = c.bias == BiasKind::kInt64;
  spec.check_ideal = c.check_ideal;
  testing::ExpectRequantized(h.OutputData<T>(0), accs, spec);
}

Case RandomCase(std::mt19937& rng) {
  Case c;
  c.units = RandomInt(rng, 1, 12);
  c.depth = RandomInt(rng, 1, RandomInt(rng, 0, 3) == 0 ? 400 : 40);
  const int batches = RandomInt(rng, 1, 6);
  c.options = Options(static_cast<ir::Activation>(RandomInt(rng, 0, 3)), RandomInt(rng, 0, 1));
  if (c.options.keep_num_dims) {
    // Leading dimensions multiply to batches, the last one is depth.
    const int rank = RandomInt(rng, 1, 4);
    if (rank == 1) {
      c.input = Shape{c.depth};
    } else if (rank == 2) {
      c.input = Shape{batches, c.depth};
    } else if (rank == 3) {
      c.input = batches % 2 == 0 ? Shape{2, batches / 2, c.depth} : Shape{1, batches, c.depth};
    } else {
      c.input = Shape{1, batches, 1, c.depth};
    }
  } else {
    // Any shape of batches * depth elements; the kernel flattens it.
    const int kind = RandomInt(rng, 0, 2);
    if (kind == 0) {
      c.input = Shape{batches, c.depth};
    } else if (kind == 1) {
      c.input = Shape{batches * c.depth};
    } else {
      c.input = Shape{1, batches * c.depth, 1};
    }
  }
  c.bias = RandomInt(rng, 0, 1) == 1 ? BiasKind::kInt32 : BiasKind::kNone;
  c.per_channel = RandomInt(rng, 0, 1) == 1;
  const int zp_kind = RandomInt(rng, 0, 3);
  c.in_zp = zp_kind == 0 ? -128 : zp_kind == 1 ? 127 : RandomInt(rng, -128, 127);
  c.out_zp =
      RandomInt(rng, 0, 3) == 0 ? (RandomInt(rng, 0, 1) ? 127 : -128) : RandomInt(rng, -128, 127);
  return c;
}

TEST(FullyConnectedInt8Test, HandComputed) {
  // Input real (1, 2, -1) (scale 0.5, zero point -1 -> q 1, 3, -3); weights per-channel:
  // unit 0 = (1, 1, 1) at scale 0.5 (q 2), unit 1 = (0.25, -0.25, 0.5) at scale 0.25 (q 1, -1, 2);
  // biases 1.0 and -0.5 (q 4 at 0.25, q -4 at 0.125). Outputs 3 and -1.25, output scale 0.25 and
  // zero point 3 -> 15 and -2.
  OpHarness h(FullyConnectedKernel(), Options());
  h.AddInput(ir::DataType::kInt8, Shape{1, 3}, std::vector<int8_t>{1, 3, -3},
             PerTensorQuant(0.5f, -1));
  h.AddConstInput(ir::DataType::kInt8, Shape{2, 3}, std::vector<int8_t>{2, 2, 2, 1, -1, 2},
                  PerChannelQuant({0.5f, 0.25f}, 0));
  h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{4, -4},
                  PerChannelQuant({0.25f, 0.125f}, 0));
  h.AddOutput(ir::DataType::kInt8, Shape(), PerTensorQuant(0.25f, 3));
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{1, 2}));
  EXPECT_EQ(h.OutputData<int8_t>(0), (std::vector<int8_t>{15, -2}));
}

TEST(FullyConnectedInt8Test, RandomShapesMatchTfliteArithmetic) {
  std::mt19937 rng(71);
  for (int iter = 0; iter < 200; ++iter) RunCase<int8_t>(RandomCase(rng), rng);
}

TEST(FullyConnectedInt8Test, ExtremeValues) {
  std::mt19937 rng(73);
  for (int act = 0; act <= 3; ++act) {
    for (const int64_t input_value : {int64_t{-128}, int64_t{127}}) {
      for (const int64_t weight_value : {int64_t{-128}, int64_t{127}}) {
        for (const float factor : {0.05f, 1.0f, 40.0f}) {
          for (const bool per_channel : {true, false}) {
            Case c;
            c.input = Shape{3, 200};
            c.units = 5;
            c.depth = 200;
            c.options = Options(static_cast<ir::Activation>(act));
            c.per_channel = per_channel;
            c.in_zp = input_value == -128 ? 127 : -128;
            c.out_zp = act % 2 == 0 ? -128 : 127;
            c.input_value = input_value;
            c.weight_value = weight_value;
            c.out_scale_factor = factor;
            RunCase<int8_t>(c, rng);
            c.input_value.reset();
            RunCase<int8_t>(c, rng);
          }
        }
      }
    }
  }
}

TEST(FullyConnectedInt8Test, Int32AccumulatorWrapsLikeTflite) {
  std::mt19937 rng(79);
  Case c;
  c.input = Shape{2, 64};
  c.units = 3;
  c.depth = 64;
  c.in_zp = -128;
  c.input_value = 127;
  c.weight_value = 127;
  c.bias_value = std::numeric_limits<int32_t>::max() - 1000;
  c.check_ideal = false;
  RunCase<int8_t>(c, rng);
}

TEST(FullyConnectedInt8Test, EmptyDepthGivesBiasOnly) {
  // Weights [units, 0]: every accumulator is the bias alone.
  OpHarness h(FullyConnectedKernel(), Options());
  h.AddInput(ir::DataType::kInt8, Shape{2, 0}, std::vector<int8_t>{}, PerTensorQuant(0.5f, 0));
  h.AddConstInput(ir::DataType::kInt8, Shape{2, 0}, std::vector<int8_t>{},
                  PerChannelQuant({0.5f, 0.5f}, 0));
  h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{40, -40},
                  PerChannelQuant({0.25f, 0.25f}, 0));
  h.AddOutput(ir::DataType::kInt8, Shape(), PerTensorQuant(1.0f, 1));
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{2, 2}));
  EXPECT_EQ(h.OutputData<int8_t>(0), (std::vector<int8_t>{11, -9, 11, -9}));
}

TEST(FullyConnectedInt16Test, RandomShapesMatchTfliteArithmetic) {
  std::mt19937 rng(83);
  for (int iter = 0; iter < 150; ++iter) {
    Case c = RandomCase(rng);
    const int kind = RandomInt(rng, 0, 2);
    c.bias = kind == 0 ? BiasKind::kInt64 : kind == 1 ? BiasKind::kInt32 : BiasKind::kNone;
    RunCase<int16_t>(c, rng);
  }
}

TEST(FullyConnectedInt16Test, ExtremeValues) {
  std::mt19937 rng(89);
  for (int act = 0; act <= 3; ++act) {
    for (const int64_t input_value : {int64_t{-32768}, int64_t{32767}}) {
      for (const BiasKind bias : {BiasKind::kInt64, BiasKind::kInt32, BiasKind::kNone}) {
        for (const float factor : {0.05f, 1.0f, 40.0f}) {
          Case c;
          c.input = Shape{2, 3, 100};
          c.units = 4;
          c.depth = 100;
          c.options = Options(static_cast<ir::Activation>(act), /*keep_num_dims=*/true);
          c.bias = bias;
          c.per_channel = act % 2 == 0;
          c.input_value = input_value;
          c.weight_value = -128;
          c.out_scale_factor = factor;
          RunCase<int16_t>(c, rng);
        }
      }
    }
  }
}

TEST(FullyConnectedInt16Test, PerTensorWeightsMultiplyScalesInFloat) {
  // With per-tensor weights TFLite forms the multiplier from the float product input_scale *
  // weight_scale (GetQuantizedConvolutionMultipler); for these scales that differs from the double
  // product, and some accumulators requantize differently. The bias sets each accumulator exactly
  // (depth 1, input at its zero point), so the test can aim at the ones that differ.
  const float in_scale = 0.1f;
  const float w_scale = 0.3f;
  const float out_scale = 30.0f;  // effective scale about 0.001
  const double float_product = static_cast<double>(in_scale * w_scale) / out_scale;
  const double double_product =
      static_cast<double>(in_scale) * static_cast<double>(w_scale) / out_scale;
  ASSERT_NE(testing::QuantizeMultiplierForTest(float_product).multiplier,
            testing::QuantizeMultiplierForTest(double_product).multiplier);
  RequantSpec float_spec;
  float_spec.effective_scale = {float_product};
  float_spec.range =
      testing::QuantizedActRange(ir::Activation::kNone, out_scale, 0, ir::DataType::kInt16);
  RequantSpec double_spec = float_spec;
  double_spec.effective_scale = {double_product};
  std::vector<int32_t> accs;
  for (int32_t acc = 1; acc < 40000000 && accs.size() < 64; ++acc) {
    for (const int32_t signed_acc : {acc, -acc}) {
      if (testing::ExactRequantized(signed_acc, 0, float_spec) !=
          testing::ExactRequantized(signed_acc, 0, double_spec)) {
        accs.push_back(signed_acc);
      }
    }
  }
  ASSERT_FALSE(accs.empty());
  const int batches = static_cast<int>(accs.size());
  for (int b = 0; b < batches; ++b) {
    OpHarness h(FullyConnectedKernel(), Options());
    h.AddInput(ir::DataType::kInt16, Shape{1, 1}, std::vector<int16_t>{0},
               PerTensorQuant(in_scale, 0));
    h.AddConstInput(ir::DataType::kInt8, Shape{1, 1}, std::vector<int8_t>{1},
                    PerTensorQuant(w_scale, 0));
    h.AddConstInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{accs[b]},
                    PerTensorQuant(in_scale * w_scale, 0));
    h.AddOutput(ir::DataType::kInt16, Shape(), PerTensorQuant(out_scale, 0));
    ASSERT_TRUE(h.Run().ok());
    EXPECT_EQ(h.OutputData<int16_t>(0)[0], testing::ExactRequantized(accs[b], 0, float_spec))
        << "acc " << accs[b];
  }
}

TEST(FullyConnectedInt16Test, QuantizedBiasTypeOptionSelectsAccumulatorWithoutBias) {
  std::mt19937 rng(97);
  const auto in = RandomInts<int16_t>(rng, 256, -32768, 32767);
  const std::vector<int8_t> weights = {-127};
  const float in_scale = 0.0123f;
  const float w_scale = 0.00789f;
  const float out_scale = 0.0135f;  // outputs up to about 30000
  std::vector<std::vector<int16_t>> outputs;
  for (const ir::DataType option : {ir::DataType::kFloat32, ir::DataType::kInt64}) {
    ir::FullyConnectedOptions o = Options();
    o.quantized_bias_type = option;
    OpHarness h(FullyConnectedKernel(), o);
    h.AddInput(ir::DataType::kInt16, Shape{256, 1}, in, PerTensorQuant(in_scale, 0));
    h.AddConstInput(ir::DataType::kInt8, Shape{1, 1}, weights, PerTensorQuant(w_scale, 0));
    h.AddOutput(ir::DataType::kInt16, Shape(), PerTensorQuant(out_scale, 0));
    ASSERT_TRUE(h.Run().ok());
    RequantSpec spec;
    spec.effective_scale = {EffectiveScale(in_scale, w_scale, out_scale, false)};
    spec.range =
        testing::QuantizedActRange(ir::Activation::kNone, out_scale, 0, ir::DataType::kInt16);
    spec.int64_accumulator = option == ir::DataType::kInt64;
    std::vector<AccEntry> accs;
    for (int16_t v : in) accs.push_back({int64_t{v} * weights[0], 0});
    outputs.push_back(h.OutputData<int16_t>(0));
    testing::ExpectRequantized(outputs.back(), accs, spec);
  }
  EXPECT_NE(outputs[0], outputs[1]);
}

// ---- Prepare checks -------------------------------------------------------------------------

struct Config {
  ir::DataType type = ir::DataType::kInt8;
  Shape input{2, 4};
  Shape weights{3, 4};
  std::optional<ir::QuantParams> input_q = PerTensorQuant(0.05f, 3);
  ir::DataType weights_type = ir::DataType::kInt8;
  std::optional<ir::QuantParams> weights_q = PerChannelQuant({0.01f, 0.02f, 0.03f}, 0);
  bool bias = true;
  ir::DataType bias_type = ir::DataType::kInt32;
  std::optional<ir::QuantParams> bias_q;
  ir::DataType output_type = ir::DataType::kInt8;
  std::optional<ir::QuantParams> output_q = PerTensorQuant(0.1f, -5);
  ir::FullyConnectedOptions options = Options();

  static Config Int16() {
    Config s;
    s.type = s.output_type = ir::DataType::kInt16;
    s.input_q = PerTensorQuant(0.05f, 0);
    s.output_q = PerTensorQuant(0.1f, 0);
    s.bias_type = ir::DataType::kInt64;
    return s;
  }

  absl::Status Run() const {
    OpHarness h(FullyConnectedKernel(), options);
    h.AddInput(type, input, testing::ZeroBytes(type, input.FlatSize()), input_q);
    h.AddConstInput(weights_type, weights, testing::ZeroBytes(weights_type, weights.FlatSize()),
                    weights_q);
    if (bias) {
      h.AddConstInput(bias_type, Shape{weights.dim(0)},
                      testing::ZeroBytes(bias_type, weights.dim(0)), bias_q);
    }
    h.AddOutput(output_type, Shape(), output_q);
    return h.Run();
  }
};

// Per-tensor weights with a bias of the matching scale 0.05 * 0.02.
Config PerTensor(Config s = Config()) {
  s.weights_q = PerTensorQuant(0.02f, 0);
  s.bias_q = PerTensorQuant(0.05f * 0.02f, 0);
  return s;
}

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

TEST(FullyConnectedInt8Test, ValidSetupsAreAccepted) {
  EXPECT_TRUE(Config().Run().ok());
  EXPECT_TRUE(Config::Int16().Run().ok());
  EXPECT_TRUE(PerTensor().Run().ok());
  EXPECT_TRUE(PerTensor(Config::Int16()).Run().ok());
  EXPECT_TRUE(With([](Config& s) { s.bias = false; }).Run().ok());
  EXPECT_TRUE(With([](Config& s) { s.bias = false; }, PerTensor()).Run().ok());
  // Per-channel weights: the bias scale is not checked (TFLite neither), nor required.
  EXPECT_TRUE(With([](Config& s) { s.bias_q = PerTensorQuant(7.0f, 0); }).Run().ok());
  // Per-tensor weights: a bias scale off by up to 2% of the output scale is accepted.
  EXPECT_TRUE(
      With([](Config& s) { s.bias_q->scale = {0.001f + 0.0019f}; }, PerTensor()).Run().ok());
  EXPECT_TRUE(
      With([](Config& s) { s.bias_type = ir::DataType::kInt32; }, Config::Int16()).Run().ok());
  EXPECT_TRUE(With(
                  [](Config& s) {
                    s.bias = false;
                    s.options.quantized_bias_type = ir::DataType::kInt32;
                  },
                  Config::Int16())
                  .Run()
                  .ok());
  // keep_num_dims and flattening work as for float.
  EXPECT_TRUE(With([](Config& s) {
                s.input = Shape{2, 2, 4};
                s.options.keep_num_dims = true;
              })
                  .Run()
                  .ok());
}

TEST(FullyConnectedInt8Test, RejectsMalformedQuantization) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  const auto kUnimplemented = absl::StatusCode::kUnimplemented;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  ExpectRejected({
      {"input without quantization", With([](Config& s) { s.input_q.reset(); }), kUnimplemented,
       "input (int8) has no quantization"},
      {"weights without quantization", With([](Config& s) { s.weights_q.reset(); }), kInvalid,
       "weights (int8) has no quantization"},
      {"output without quantization", With([](Config& s) { s.output_q.reset(); }), kInvalid,
       "output (int8) has no quantization"},
      {"output two scales", With([](Config& s) {
         s.output_q = PerChannelQuant({1, 1}, 1);
       }),
       kInvalid, "output must be quantized per-tensor"},
      {"input scale 0", With([](Config& s) { s.input_q->scale = {0.0f}; }), kInvalid,
       "input scale 0"},
      {"output scale NaN", With([&](Config& s) { s.output_q->scale = {nan}; }), kInvalid,
       "output scale nan"},
      {"input zero point 128", With([](Config& s) { s.input_q->zero_point = {128}; }), kInvalid,
       "input zero point 128"},
      {"weights zero point", With([](Config& s) { s.weights_q = PerTensorQuant(0.02f, -4); }),
       kInvalid, "weights zero_point[0] = -4"},
      {"weights scale count", With([](Config& s) {
         s.weights_q = PerChannelQuant({1, 1}, 0);
       }),
       kInvalid, "weights [3,4] has 2 scales"},
      {"weights quantized_dimension 1", With([](Config& s) {
         s.weights = Shape{3, 3};
         s.input = Shape{2, 3};
         s.weights_q->quantized_dimension = 1;
       }),
       kInvalid, "along quantized_dimension 1"},
      {"weights scale infinite",
       With([](Config& s) { s.weights_q->scale[1] = std::numeric_limits<float>::infinity(); }),
       kInvalid, "weights scale[1] = inf"},
      {"float weights (hybrid)", With([](Config& s) {
         s.weights_type = ir::DataType::kFloat32;
         s.weights_q.reset();
       }),
       kUnimplemented, "weights type float32 with int8 input (hybrid)"},
      {"uint8 weights", With([](Config& s) { s.weights_type = ir::DataType::kUInt8; }),
       kUnimplemented, "weights type uint8 with int8 input"},
      {"int16 bias for int8", With([](Config& s) { s.bias_type = ir::DataType::kInt16; }), kInvalid,
       "bias must be int32 for int8 input, got int16"},
      {"bias zero point", With([](Config& s) { s.bias_q = PerTensorQuant(0.001f, -1); }), kInvalid,
       "bias zero_point[0] = -1"},
      // TFLite (GetQuantizedConvolutionMultipler) rejects a per-tensor bias scale off by more
      // than 2% of the output scale, a missing one included (it reads as 0).
      {"per-tensor bias scale mismatch",
       With([](Config& s) { s.bias_q->scale = {0.001f + 0.0021f}; }, PerTensor()), kInvalid,
       "bias scale 0.0031 does not match"},
      {"per-tensor bias without scale",
       With(
           [](Config& s) {
             s.bias_q.reset();
             s.output_q = PerTensorQuant(0.01f, -5);
           },
           PerTensor()),
       kInvalid, "bias scale 0 does not match"},
      {"output int16 for int8 input", With([](Config& s) { s.output_type = ir::DataType::kInt16; }),
       kInvalid, "output 0 is declared int16, expected int8"},
      {"tanh activation", With([](Config& s) { s.options.activation = ir::Activation::kTanh; }),
       kInvalid, "fused activation"},
      {"activation bound overflows int32", With([](Config& s) {
         s.options.activation = ir::Activation::kReluN1To1;
         s.output_q = PerTensorQuant(1e-20f, 0);
       }),
       kInvalid, "fused activation bound -1"},
      {"effective scale too large", With([](Config& s) {
         s.input_q = PerTensorQuant(1e38f, 0);
         s.output_q = PerTensorQuant(1e-30f, 0);
       }),
       kInvalid, "is too large"},
      {"effective scale overflows float (per-tensor)",
       With(
           [](Config& s) {
             s.input_q = PerTensorQuant(1e38f, 0);
             s.weights_q = PerTensorQuant(1e38f, 0);
             s.bias = false;
           },
           PerTensor()),
       kInvalid, "is not a finite number"},
      {"shape mismatch still checked", With([](Config& s) {
         s.input = Shape{2, 5};
       }),
       kInvalid, "does not flatten"},
  });
}

TEST(FullyConnectedInt16Test, RejectsMalformedQuantization) {
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  ExpectRejected({
      {"input zero point", With([](Config& s) { s.input_q->zero_point = {1}; }, Config::Int16()),
       kInvalid, "input zero point 1 must be 0"},
      {"output zero point", With([](Config& s) { s.output_q->zero_point = {-1}; }, Config::Int16()),
       kInvalid, "output zero point -1 must be 0"},
      {"int8 bias", With([](Config& s) { s.bias_type = ir::DataType::kInt8; }, Config::Int16()),
       kInvalid, "bias must be int64 or int32 for int16 input, got int8"},
      {"quantized_bias_type float16",
       With([](Config& s) { s.options.quantized_bias_type = ir::DataType::kFloat16; },
            Config::Int16()),
       kInvalid, "quantized_bias_type float16"},
      {"quantized_bias_type disagrees with the bias",
       With([](Config& s) { s.options.quantized_bias_type = ir::DataType::kInt32; },
            Config::Int16()),
       kInvalid, "bias is int64 but quantized_bias_type says int32"},
      {"64-bit requantization shift above 7",
       With(
           [](Config& s) {
             s.input_q = PerTensorQuant(30.0f, 0);
             s.weights_q = PerChannelQuant({1.0f, 10.0f, 1.0f}, 0);
             s.output_q = PerTensorQuant(1.0f, 0);
           },
           Config::Int16()),
       kInvalid, "output channel 1: effective scale"},
  });
}

}  // namespace
}  // namespace compressd::kernels
