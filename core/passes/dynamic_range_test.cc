#include "core/passes/dynamic_range.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/passes/graph_edit.h"
#include "core/passes/testing/model_builder.h"
#include "core/tflite/model_reader.h"
#include "core/tflite/model_validator.h"
#include "core/tflite/model_writer.h"
#include "gtest/gtest.h"

namespace compressd::passes {
namespace {

using testing::FromBytes;
using testing::ModelBuilder;

std::vector<float> Random(size_t n, uint32_t seed, float scale = 0.1f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = g(rng);
  return v;
}

// Rounds every value to a float16 value (like a folded float16 model's weights): 11 significant
// bits, and values below float16's normal range (2^-14) flushed to zero.
std::vector<float> Float16Exact(std::vector<float> v) {
  for (float& x : v) {
    int e = 0;
    const float m = std::frexp(x, &e);
    x = std::fabs(x) < std::ldexp(1.0f, -14) ? 0.0f
                                             : std::ldexp(std::round(std::ldexp(m, 11)), e - 11);
  }
  return v;
}

struct Net {
  ir::Model model;
  int32_t conv, dw, fc, small_conv, dilated;
  int32_t conv_w, dw_w, fc_w;
};

// x[1,4,4,8] -> CONV_2D (16x3x3x8 = 1152 weights) -> DEPTHWISE (1x3x3x128) -> small CONV_2D
// (512 weights) -> dilated CONV_2D -> RESHAPE -> FULLY_CONNECTED (32x512).
Net MakeNet(bool dw_weights_float16_exact = false) {
  ModelBuilder b;
  Net n;
  const int32_t x = b.Tensor("x", {1, 4, 4, 8});
  n.conv_w = b.Constant("conv/w", {16, 3, 3, 8}, ir::DataType::kFloat32, Random(1152, 1));
  const int32_t conv_b = b.Constant("conv/b", {16}, ir::DataType::kFloat32, Random(16, 2));
  const int32_t h1 = b.Tensor("h1", {1, 4, 4, 16});
  ir::Conv2DOptions same;
  same.stride_w = same.stride_h = 1;
  n.conv = b.Op(ir::BuiltinOp::kConv2d, {x, n.conv_w, conv_b}, {h1}, same);
  // Depthwise with multiplier 8: 16 -> 128 channels, weights 1x3x3x128 = 1152.
  std::vector<float> dw_values = Random(1152, 3);
  if (dw_weights_float16_exact) dw_values = Float16Exact(dw_values);
  n.dw_w = b.Constant("dw/w", {1, 3, 3, 128}, ir::DataType::kFloat32, dw_values);
  const int32_t dw_b = b.Constant("dw/b", {128}, ir::DataType::kFloat32, Random(128, 4));
  const int32_t h2 = b.Tensor("h2", {1, 4, 4, 128});
  ir::DepthwiseConv2DOptions dwo;
  dwo.stride_w = dwo.stride_h = 1;
  dwo.depth_multiplier = 8;
  n.dw = b.Op(ir::BuiltinOp::kDepthwiseConv2d, {h1, n.dw_w, dw_b}, {h2}, dwo);
  // A small convolution: 4x1x1x128 = 512 weights, below the minimum.
  const int32_t small_w =
      b.Constant("small/w", {4, 1, 1, 128}, ir::DataType::kFloat32, Random(512, 5));
  const int32_t h3 = b.Tensor("h3", {1, 4, 4, 4});
  n.small_conv = b.Op(ir::BuiltinOp::kConv2d, {h2, small_w, -1}, {h3}, same);
  // A dilated convolution with enough weights.
  const int32_t dil_w =
      b.Constant("dilated/w", {32, 3, 3, 4}, ir::DataType::kFloat32, Random(1152, 6));
  const int32_t h4 = b.Tensor("h4", {1, 4, 4, 32});
  ir::Conv2DOptions dilated = same;
  dilated.dilation_w_factor = dilated.dilation_h_factor = 2;
  n.dilated = b.Op(ir::BuiltinOp::kConv2d, {h3, dil_w, -1}, {h4}, dilated);
  // RESHAPE to [1, 512] and FULLY_CONNECTED with 32x512 weights.
  const int32_t shape = b.Constant<int32_t>("shape", {2}, ir::DataType::kInt32, {1, 512});
  const int32_t flat = b.Tensor("flat", {1, 512});
  b.Op(ir::BuiltinOp::kReshape, {h4, shape}, {flat}, ir::ReshapeOptions{{1, 512}});
  n.fc_w = b.Constant("fc/w", {32, 512}, ir::DataType::kFloat32, Random(16384, 7));
  const int32_t fc_b = b.Constant("fc/b", {32}, ir::DataType::kFloat32, Random(32, 8));
  const int32_t y = b.Tensor("y", {1, 32});
  n.fc =
      b.Op(ir::BuiltinOp::kFullyConnected, {flat, n.fc_w, fc_b}, {y}, ir::FullyConnectedOptions{});
  b.Inputs({x});
  b.Outputs({y});
  n.model = b.Build();
  return n;
}

// Independent symmetric int8 quantization of `w` (shape dims) along `axis` (-1: per tensor):
// scale = max|w|/127, q = round(w * 127 / max|w|).
void ExpectQuantized(const ir::Model& m, int32_t tensor, const std::vector<float>& w,
                     const std::vector<int32_t>& shape, int axis) {
  const ir::Tensor& t = m.subgraphs[0].tensors[static_cast<size_t>(tensor)];
  ASSERT_EQ(t.type, ir::DataType::kInt8);
  ASSERT_TRUE(t.quantization.has_value());
  const int64_t channels = axis < 0 ? 1 : shape[static_cast<size_t>(axis)];
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(axis < 0 ? shape.size() : axis + 1); d < shape.size(); ++d) {
    inner *= shape[d];
  }
  if (axis < 0) inner = static_cast<int64_t>(w.size());
  std::vector<float> max_abs(static_cast<size_t>(channels), 0.0f);
  for (size_t i = 0; i < w.size(); ++i) {
    const size_t c = static_cast<size_t>((static_cast<int64_t>(i) / inner) % channels);
    max_abs[c] = std::max(max_abs[c], std::fabs(w[i]));
  }
  const auto& q = *t.quantization;
  ASSERT_EQ(q.scale.size(), static_cast<size_t>(channels));
  ASSERT_EQ(q.zero_point, std::vector<int64_t>(static_cast<size_t>(channels), 0));
  EXPECT_EQ(q.quantized_dimension, axis < 0 ? 0 : axis);
  const std::vector<int8_t> got = FromBytes<int8_t>(m.buffers[t.buffer].bytes());
  ASSERT_EQ(got.size(), w.size());
  for (size_t c = 0; c < max_abs.size(); ++c) EXPECT_FLOAT_EQ(q.scale[c], max_abs[c] / 127.0f);
  for (size_t i = 0; i < w.size(); ++i) {
    const size_t c = static_cast<size_t>((static_cast<int64_t>(i) / inner) % channels);
    const float want = std::round(w[i] * (127.0f / max_abs[c]));
    ASSERT_EQ(got[i], static_cast<int8_t>(want)) << "element " << i;
  }
}

const eval::KeptFloatOp* FindKept(const DynamicRangeResult& r, int32_t op) {
  for (const auto& k : r.kept_float) {
    if (k.operator_index == static_cast<uint32_t>(op)) return &k;
  }
  return nullptr;
}

TEST(DynamicRangeTest, HybridWeightsAndVersions) {
  const Net n = MakeNet();
  ASSERT_TRUE(tflite::ValidateModel(n.model).ok());
  auto r = QuantizeDynamicRange(n.model, DynamicRangeOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  const ir::Model& m = r->model;
  const ir::Subgraph& sg = m.subgraphs[0];
  EXPECT_EQ(r->quantized_ops, 3);
  EXPECT_EQ(r->quantized_tensors, 3);

  const auto w_of = [&](int32_t op) { return sg.operators[static_cast<size_t>(op)].inputs[1]; };
  const auto version_of = [&](int32_t op) {
    return m.operator_codes[sg.operators[static_cast<size_t>(op)].opcode_index].version;
  };
  ExpectQuantized(m, w_of(n.conv), Random(1152, 1), {16, 3, 3, 8}, 0);
  ExpectQuantized(m, w_of(n.dw), Random(1152, 3), {1, 3, 3, 128}, 3);
  ExpectQuantized(m, w_of(n.fc), Random(16384, 7), {32, 512}, -1);
  EXPECT_EQ(version_of(n.conv), 5);
  EXPECT_EQ(version_of(n.dw), 6);
  EXPECT_EQ(version_of(n.fc), 9);
  EXPECT_TRUE(
      std::get<ir::FullyConnectedOptions>(sg.operators[static_cast<size_t>(n.fc)].builtin_options)
          .asymmetric_quantize_inputs);
  // Biases stay float32.
  EXPECT_EQ(
      sg.tensors[static_cast<size_t>(sg.operators[static_cast<size_t>(n.conv)].inputs[2])].type,
      ir::DataType::kFloat32);
  // The small and the dilated convolutions stay float, with reasons, at version 1.
  ASSERT_EQ(r->kept_float.size(), 2u);
  const eval::KeptFloatOp* small = FindKept(*r, n.small_conv);
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(small->op_name, "CONV_2D");
  EXPECT_EQ(small->output_tensor, "h3");
  EXPECT_NE(small->reason.find("512 elements, fewer than the minimum of 1024"), std::string::npos)
      << small->reason;
  const eval::KeptFloatOp* dilated = FindKept(*r, n.dilated);
  ASSERT_NE(dilated, nullptr);
  EXPECT_NE(dilated->reason.find("dilated"), std::string::npos);
  EXPECT_EQ(version_of(n.small_conv), 1);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(w_of(n.small_conv))].type, ir::DataType::kFloat32);

  EXPECT_TRUE(tflite::ValidateModel(m).ok());
  EXPECT_TRUE(CheckExecutionOrder(m).ok());
  auto bytes = tflite::WriteModel(m);
  ASSERT_TRUE(bytes.ok());
  auto reread = tflite::ReadModel(*bytes);
  ASSERT_TRUE(reread.ok()) << reread.status();
  EXPECT_TRUE(*reread == m);
}

TEST(DynamicRangeTest, PerTensorOption) {
  const Net n = MakeNet();
  DynamicRangeOptions o;
  o.per_channel = false;
  auto r = QuantizeDynamicRange(n.model, o);
  ASSERT_TRUE(r.ok());
  const ir::Subgraph& sg = r->model.subgraphs[0];
  const auto& conv_w =
      sg.tensors[static_cast<size_t>(sg.operators[static_cast<size_t>(n.conv)].inputs[1])];
  ExpectQuantized(r->model, sg.operators[static_cast<size_t>(n.conv)].inputs[1], Random(1152, 1),
                  {16, 3, 3, 8}, -1);
  EXPECT_EQ(conv_w.quantization->scale.size(), 1u);
  EXPECT_EQ(r->model.operator_codes[sg.operators[static_cast<size_t>(n.conv)].opcode_index].version,
            2);
  // Depthwise: TFLite's hybrid kernel needs one scale per channel, so the single per-tensor scale
  // is repeated 128 times.
  const auto& dw_w =
      sg.tensors[static_cast<size_t>(sg.operators[static_cast<size_t>(n.dw)].inputs[1])];
  ASSERT_EQ(dw_w.quantization->scale.size(), 128u);
  const std::vector<float> dw_values = Random(1152, 3);
  float max_abs = 0.0f;
  for (float v : dw_values) max_abs = std::max(max_abs, std::fabs(v));
  for (float s : dw_w.quantization->scale) EXPECT_FLOAT_EQ(s, max_abs / 127.0f);
  EXPECT_EQ(dw_w.quantization->quantized_dimension, 3);
  EXPECT_TRUE(tflite::ValidateModel(r->model).ok());
}

// Channels with equal max |w| give equal per-channel scales; TFLite's hybrid CONV_2D would then
// run its per-tensor kernel with the tensor's legacy scale (0 for several scales) and return the
// bias only. The pass writes one per-tensor scale instead (version 2), with the same int8 values.
TEST(DynamicRangeTest, EqualPerChannelScalesBecomeOnePerTensorScale) {
  Net n = MakeNet();
  ir::Tensor& w = n.model.subgraphs[0].tensors[static_cast<size_t>(n.conv_w)];
  std::vector<float> values = Random(1152, 1);
  for (size_t c = 0; c < 16; ++c) values[c * 72] = 1.0f;  // every channel's max |w| is 1
  w.buffer = n.model.AddBuffer(testing::RawBytes(values));
  auto r = QuantizeDynamicRange(n.model, DynamicRangeOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  const ir::Subgraph& sg = r->model.subgraphs[0];
  const int32_t qw = sg.operators[static_cast<size_t>(n.conv)].inputs[1];
  ExpectQuantized(r->model, qw, values, {16, 3, 3, 8}, -1);
  EXPECT_EQ(r->model.operator_codes[sg.operators[static_cast<size_t>(n.conv)].opcode_index].version,
            2);
  EXPECT_TRUE(tflite::ValidateModel(r->model).ok());
}

TEST(DynamicRangeTest, Float16ExactDepthwiseWeightsStayWhenInt8IsNotSmaller) {
  const Net n = MakeNet(/*dw_weights_float16_exact=*/true);
  auto r = QuantizeDynamicRange(n.model, DynamicRangeOptions{});
  ASSERT_TRUE(r.ok());
  const eval::KeptFloatOp* dw = FindKept(*r, n.dw);
  ASSERT_NE(dw, nullptr);
  // 1152 int8 values + 12 bytes x 128 channels = 2688 >= 2 x 1152 = 2304 float16 bytes.
  EXPECT_NE(dw->reason.find("2688 bytes"), std::string::npos) << dw->reason;
  EXPECT_NE(dw->reason.find("float16 storage (2304 bytes)"), std::string::npos) << dw->reason;
  const ir::Subgraph& sg = r->model.subgraphs[0];
  EXPECT_EQ(sg.tensors[static_cast<size_t>(sg.operators[static_cast<size_t>(n.dw)].inputs[1])].type,
            ir::DataType::kFloat32);
  DynamicRangeOptions always;
  always.require_smaller = false;
  auto a = QuantizeDynamicRange(n.model, always);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(FindKept(*a, n.dw), nullptr);
}

TEST(DynamicRangeTest, SharedWeightsGetASeparateInt8Copy) {
  ModelBuilder b;
  const int32_t x = b.Tensor("x", {1, 64});
  const int32_t w = b.Constant("w", {32, 64}, ir::DataType::kFloat32, Random(2048, 9));
  const int32_t y = b.Tensor("y", {1, 32});
  const int32_t z = b.Tensor("z", {32, 64});
  b.Op(ir::BuiltinOp::kFullyConnected, {x, w, -1}, {y}, ir::FullyConnectedOptions{});
  b.Op(ir::BuiltinOp::kMul, {w, w}, {z}, ir::MulOptions{});
  b.Inputs({x});
  b.Outputs({y, z});
  auto r = QuantizeDynamicRange(b.Build(), DynamicRangeOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  const ir::Subgraph& sg = r->model.subgraphs[0];
  const int32_t qw = sg.operators[0].inputs[1];
  EXPECT_NE(qw, w);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(qw)].name, "w_int8");
  EXPECT_EQ(sg.tensors[static_cast<size_t>(qw)].type, ir::DataType::kInt8);
  EXPECT_EQ(sg.operators[1].inputs, (std::vector<int32_t>{w, w}));
  EXPECT_EQ(sg.tensors[static_cast<size_t>(w)].type, ir::DataType::kFloat32);
  EXPECT_TRUE(tflite::ValidateModel(r->model).ok());
}

TEST(DynamicRangeTest, KeepFloatAndNonFiniteWeights) {
  const Net n = MakeNet();
  DynamicRangeOptions o;
  o.keep_float_ops = {n.fc};
  auto r = QuantizeDynamicRange(n.model, o);
  ASSERT_TRUE(r.ok());
  const eval::KeptFloatOp* fc = FindKept(*r, n.fc);
  ASSERT_NE(fc, nullptr);
  EXPECT_NE(fc->reason.find("as requested"), std::string::npos);

  Net bad = MakeNet();
  ir::Subgraph& sg = bad.model.subgraphs[0];
  std::vector<float> w = Random(1152, 1);
  w[10] = NAN;
  sg.tensors[static_cast<size_t>(bad.conv_w)].buffer = bad.model.AddBuffer(testing::RawBytes(w));
  auto e = QuantizeDynamicRange(bad.model, DynamicRangeOptions{});
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(e.status().message()).find("'conv/w'"), std::string::npos) << e.status();
  EXPECT_NE(std::string(e.status().message()).find("index 10"), std::string::npos) << e.status();
}

}  // namespace
}  // namespace compressd::passes
