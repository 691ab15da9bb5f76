// FULLY_CONNECTED hybrid path (float32 input/output, int8 weights, float32 bias) against TFLite's
// EvalHybridDense arithmetic computed independently here: per-row symmetric or asymmetric
// (asymmetric_quantize_inputs) input quantization (testing/hybrid_test_util.h), exact integer dot
// products minus weight-row-sum * offset, then bias + (float)acc * scale with
// scale = row_scale * weight_scale (per tensor, folded first) or row_scale * weight_scale[u]
// (per channel); outputs must be bit-identical. Also the input-quantization error bound against a
// float product with the dequantized weights, all-zero rows, keep_num_dims, and Prepare's checks.
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
#include "core/kernels/reference/hybrid_conv.h"
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
  int batches = 2, depth = 16, units = 5;
  bool asymmetric = true;
  bool per_channel = false;
  bool bias = true;
  bool keep_num_dims = false;  // input [2, batches / 2, depth] when batches is even
  ir::Activation act = ir::Activation::kNone;
  int zero_row = -1;
};

std::string Describe(const Case& c) {
  std::ostringstream s;
  s << "batches=" << c.batches << " depth=" << c.depth << " units=" << c.units
    << " asymmetric=" << c.asymmetric << " per_channel=" << c.per_channel << " bias=" << c.bias
    << " keep_num_dims=" << c.keep_num_dims << " act=" << static_cast<int>(c.act)
    << " zero_row=" << c.zero_row;
  return s.str();
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

void RunCase(Case c, std::mt19937& rng) {
  if (c.units == 1) c.per_channel = false;  // one scale is per tensor
  if (c.batches % 2 != 0) c.keep_num_dims = false;
  SCOPED_TRACE(Describe(c));
  std::vector<float> in = testing::HybridInput(rng, int64_t{c.batches} * c.depth,
                                               -RandomInt(rng, 0, 4) * 0.5f,
                                               RandomInt(rng, 0, 6) * 0.5f);
  if (c.zero_row >= 0) {
    std::fill(in.begin() + c.zero_row * c.depth, in.begin() + (c.zero_row + 1) * c.depth, 0.0f);
  }
  const std::vector<int8_t> weights =
      testing::RandomInts<int8_t>(rng, int64_t{c.units} * c.depth, -127, 127);
  std::vector<float> scales(c.per_channel ? c.units : 1);
  for (float& s : scales) s = testing::RandomScale(rng, 0.001f, 0.05f);
  const std::vector<float> bias = testing::RandomFloats(rng, c.units, -2.0f, 2.0f);

  ir::FullyConnectedOptions o;
  o.asymmetric_quantize_inputs = c.asymmetric;
  o.keep_num_dims = c.keep_num_dims;
  o.activation = c.act;
  OpHarness h(FullyConnectedKernel(), o);
  const Shape in_shape =
      c.keep_num_dims ? Shape{2, c.batches / 2, c.depth} : Shape{c.batches, c.depth};
  h.AddInput(ir::DataType::kFloat32, in_shape, in);
  h.AddConstInput(ir::DataType::kInt8, Shape{c.units, c.depth}, weights,
                  c.per_channel ? testing::PerChannelQuant(scales, 0)
                                : testing::PerTensorQuant(scales[0], 0));
  if (c.bias) {
    h.AddConstInput(ir::DataType::kFloat32, Shape{c.units}, bias);
  } else if (RandomInt(rng, 0, 1) == 1) {
    h.AddOptionalInput();
  }
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(h.OutputShape(0), c.keep_num_dims ? (Shape{2, c.batches / 2, c.units})
                                              : (Shape{c.batches, c.units}));

  std::vector<float> want;
  std::vector<double> ideal;
  std::vector<double> bound;
  for (int b = 0; b < c.batches; ++b) {
    const float* x = in.data() + static_cast<size_t>(b) * c.depth;
    const testing::QuantizedRow r = c.asymmetric ? testing::AsymmetricRow(x, c.depth)
                                                 : testing::SymmetricRow(x, c.depth);
    if (b == c.zero_row) {
      EXPECT_EQ(r.offset, 0);
      EXPECT_EQ(r.scale, 1.0f);
    }
    for (int u = 0; u < c.units; ++u) {
      int64_t acc = 0;
      double id = 0.0;
      double abs_w = 0.0;
      const float ws = c.per_channel ? scales[u] : scales[0];
      for (int i = 0; i < c.depth; ++i) {
        const int64_t wv = weights[static_cast<size_t>(u) * c.depth + i];
        acc += wv * (r.q[i] - r.offset);
        id += static_cast<double>(wv) * ws * x[i];
        abs_w += std::fabs(static_cast<double>(wv) * ws);
      }
      const float scale = c.per_channel ? r.scale * scales[u] : r.scale * scales[0];
      const float start = c.bias ? bias[u] : 0.0f;
      want.push_back(Clamp(start + static_cast<float>(acc) * scale, c.act));
      if (c.bias) id += bias[u];
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

TEST(FullyConnectedHybridTest, RandomShapesMatchTfliteArithmetic) {
  std::mt19937 rng(42);
  for (int iter = 0; iter < 400; ++iter) {
    Case c;
    c.batches = RandomInt(rng, 1, 6);
    c.depth = RandomInt(rng, 1, 64);
    c.units = RandomInt(rng, 1, 12);
    c.asymmetric = RandomInt(rng, 0, 1) == 1;
    c.per_channel = RandomInt(rng, 0, 1) == 1;
    c.bias = RandomInt(rng, 0, 4) != 0;
    c.keep_num_dims = RandomInt(rng, 0, 3) == 0;
    c.act = static_cast<ir::Activation>(RandomInt(rng, 0, 3));
    c.zero_row = RandomInt(rng, 0, 3) == 0 ? RandomInt(rng, 0, c.batches - 1) : -1;
    RunCase(c, rng);
    if (HasFatalFailure()) return;
  }
}

TEST(FullyConnectedHybridTest, FixedCases) {
  std::mt19937 rng(9);
  for (bool asymmetric : {false, true}) {
    for (bool per_channel : {false, true}) {
      Case c;
      c.asymmetric = asymmetric;
      c.per_channel = per_channel;
      c.batches = 4;
      c.depth = 1152;  // a real-model depth
      c.units = 9;
      c.zero_row = 2;
      RunCase(c, rng);
    }
  }
}

// The quantizers' rounding on hand-computed values.
TEST(FullyConnectedHybridTest, QuantizerRoundsLikeTflite) {
  // Symmetric: range 1 -> inv 127: 0.5 * 127 = 63.5 -> 64 (half away from zero).
  const std::vector<float> x{0.5f, -1.0f, 0.25f, -0.5f};
  const testing::QuantizedRow s = testing::SymmetricRow(x.data(), x.size());
  EXPECT_EQ(s.q, (std::vector<int32_t>{64, -127, 32, -64}));
  // Asymmetric on [0, 1]: scale 1/255, zero point -128, 1 -> 127.
  const std::vector<float> y{0.0f, 1.0f, 0.2f};
  const testing::QuantizedRow a = testing::AsymmetricRow(y.data(), y.size());
  EXPECT_EQ(a.offset, -128);
  EXPECT_EQ(a.q, (std::vector<int32_t>{-128, 127, -77}));
  // Mixed signs: [-1, 3] -> scale 4/255, zero point from min: -128 + 63.75 = -64.25 -> -64.
  const std::vector<float> z{-1.0f, 3.0f, 0.0f};
  const testing::QuantizedRow m = testing::AsymmetricRow(z.data(), z.size());
  EXPECT_EQ(m.offset, -64);
  EXPECT_EQ(m.q, (std::vector<int32_t>{-128, 127, -64}));

  // The kernels' quantizers agree with these restatements on random and edge rows.
  std::mt19937 rng(1);
  for (int iter = 0; iter < 2000; ++iter) {
    const int n = RandomInt(rng, 1, 40);
    std::vector<float> v = testing::HybridInput(rng, n, -RandomInt(rng, 0, 8) * 0.25f,
                                                RandomInt(rng, 0, 8) * 0.25f);
    if (iter % 7 == 0) v[0] = 0.0f;
    if (iter % 11 == 0) std::fill(v.begin(), v.end(), 0.0f);
    std::vector<int8_t> q(static_cast<size_t>(n));
    for (bool asymmetric : {false, true}) {
      const testing::QuantizedRow want = asymmetric ? testing::AsymmetricRow(v.data(), v.size())
                                                    : testing::SymmetricRow(v.data(), v.size());
      const reference::HybridRowQuant got =
          asymmetric ? reference::HybridQuantizeAsymmetric(v.data(), n, q.data())
                     : reference::HybridQuantizeSymmetric(v.data(), n, q.data());
      ASSERT_EQ(got.offset, want.offset) << iter;
      ASSERT_EQ(testing::FloatBits(got.scale), testing::FloatBits(want.scale)) << iter;
      ASSERT_EQ(std::vector<int32_t>(q.begin(), q.end()), want.q) << iter;
    }
  }
}

absl::Status PrepareWith(ir::QuantParams weight_q,
                         ir::DataType output_type = ir::DataType::kFloat32,
                         ir::DataType bias_type = ir::DataType::kFloat32) {
  ir::FullyConnectedOptions o;
  OpHarness h(FullyConnectedKernel(), o);
  h.AddInput(ir::DataType::kFloat32, Shape{2, 8}, std::vector<float>(16, 0.5f));
  h.AddConstInput(ir::DataType::kInt8, Shape{3, 8}, std::vector<int8_t>(24, 1),
                  std::move(weight_q));
  if (bias_type == ir::DataType::kFloat32) {
    h.AddConstInput(bias_type, Shape{3}, std::vector<float>(3, 0.0f));
  } else {
    h.AddConstInput(bias_type, Shape{3}, std::vector<int32_t>(3, 0));
  }
  h.AddOutput(output_type);
  return h.Run();
}

TEST(FullyConnectedHybridTest, PrepareRejectsUnsupportedVariants) {
  ASSERT_TRUE(PrepareWith(testing::PerTensorQuant(0.1f, 0)).ok());
  ASSERT_TRUE(PrepareWith(testing::PerChannelQuant({0.1f, 0.2f, 0.3f}, 0)).ok());
  absl::Status s = PrepareWith(ir::QuantParams{});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  s = PrepareWith(testing::PerTensorQuant(0.1f, 5));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  s = PrepareWith(testing::PerChannelQuant({0.1f, 0.2f}, 0));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  s = PrepareWith(testing::PerChannelQuant(std::vector<float>(8, 0.1f), 1));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  s = PrepareWith(testing::PerTensorQuant(0.1f, 0), ir::DataType::kInt8);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  s = PrepareWith(testing::PerTensorQuant(0.1f, 0), ir::DataType::kFloat32, ir::DataType::kInt32);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
}

}  // namespace
}  // namespace compressd::kernels
