#include "core/passes/full_integer.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/passes/calibration.h"
#include "core/passes/graph_edit.h"
#include "core/passes/testing/model_builder.h"
#include "core/tflite/model_validator.h"
#include "gtest/gtest.h"

namespace compressd::passes {
namespace {

using ir::BuiltinOp;
using ir::DataType;
using testing::FromBytes;
using testing::ModelBuilder;

int32_t FindTensor(const ir::Subgraph& sg, const std::string& name) {
  for (size_t i = 0; i < sg.tensors.size(); ++i) {
    if (sg.tensors[i].name == name) return static_cast<int32_t>(i);
  }
  return -1;
}

BuiltinOp CodeOf(const ir::Model& m, const ir::Operator& op) {
  return m.operator_codes[op.opcode_index].builtin_code;
}

// The operator writing tensor `t`, or nullptr.
const ir::Operator* Producer(const ir::Subgraph& sg, int32_t t) {
  for (const ir::Operator& op : sg.operators) {
    if (std::find(op.outputs.begin(), op.outputs.end(), t) != op.outputs.end()) return &op;
  }
  return nullptr;
}

TensorRanges RangesFor(const ir::Model& m,
                       const std::vector<std::pair<std::string, quant::Range>>& named) {
  TensorRanges r;
  r.samples = 1;
  r.ranges.resize(m.subgraphs[0].tensors.size());
  for (const auto& [name, range] : named) {
    const int32_t t = FindTensor(m.subgraphs[0], name);
    EXPECT_GE(t, 0) << name;
    if (t >= 0) r.ranges[static_cast<size_t>(t)] = range;
  }
  return r;
}

// x[1,4,4,2] -> CONV_2D(w[3,1,1,2], b[3], RELU) -> h -> LOGISTIC (or `activation`) -> y
struct ConvLogistic {
  ir::Model model;
  std::vector<float> w = {0.5f, -1.0f, 0.25f, 0.125f, -2.0f, 1.5f};
  std::vector<float> b = {0.1f, -0.2f, 0.3f};
};

ConvLogistic MakeConvLogistic(BuiltinOp activation = BuiltinOp::kLogistic) {
  ConvLogistic c;
  ModelBuilder mb;
  const int32_t x = mb.Tensor("x", {1, 4, 4, 2});
  const int32_t w = mb.Constant("w", {3, 1, 1, 2}, DataType::kFloat32, c.w);
  const int32_t b = mb.Constant("b", {3}, DataType::kFloat32, c.b);
  const int32_t h = mb.Tensor("h", {1, 4, 4, 3});
  const int32_t y = mb.Tensor("y", {1, 4, 4, 3});
  ir::Conv2DOptions o;
  o.stride_w = o.stride_h = 1;
  o.activation = ir::Activation::kRelu;
  mb.Op(BuiltinOp::kConv2d, {x, w, b}, {h}, o);
  mb.Op(activation, {h}, {y});
  mb.Inputs({x});
  mb.Outputs({y});
  c.model = mb.Build();
  return c;
}

TEST(FullIntegerTest, ConvLogisticInt8FloatIo) {
  const ConvLogistic c = MakeConvLogistic();
  const TensorRanges ranges = RangesFor(c.model, {{"x", {-1.0f, 3.0f}}, {"h", {0.0f, 5.1f}},
                                                  {"y", {0.5f, 1.0f}}});
  auto r = QuantizeFullInteger(c.model, ranges, {});
  ASSERT_TRUE(r.ok()) << r.status();
  const ir::Model& m = r->model;
  ASSERT_TRUE(tflite::ValidateModel(m).ok());
  ASSERT_TRUE(CheckExecutionOrder(m).ok());
  const ir::Subgraph& sg = m.subgraphs[0];
  EXPECT_EQ(r->quantized_ops, 2);
  EXPECT_TRUE(r->kept_float.empty());

  // Input and output keep their names, indices and float type.
  ASSERT_EQ(sg.inputs.size(), 1u);
  ASSERT_EQ(sg.outputs.size(), 1u);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(sg.inputs[0])].name, "x");
  EXPECT_EQ(sg.tensors[static_cast<size_t>(sg.inputs[0])].type, DataType::kFloat32);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(sg.outputs[0])].name, "y");
  EXPECT_EQ(sg.tensors[static_cast<size_t>(sg.outputs[0])].type, DataType::kFloat32);

  // QUANTIZE, CONV_2D, LOGISTIC, DEQUANTIZE.
  ASSERT_EQ(sg.operators.size(), 4u);
  EXPECT_EQ(CodeOf(m, sg.operators[0]), BuiltinOp::kQuantize);
  EXPECT_EQ(CodeOf(m, sg.operators[1]), BuiltinOp::kConv2d);
  EXPECT_EQ(CodeOf(m, sg.operators[2]), BuiltinOp::kLogistic);
  EXPECT_EQ(CodeOf(m, sg.operators[3]), BuiltinOp::kDequantize);
  EXPECT_GE(m.operator_codes[sg.operators[1].opcode_index].version, 3);
  EXPECT_GE(m.operator_codes[sg.operators[2].opcode_index].version, 2);

  // Input: asymmetric int8 for [-1, 3]: scale 4/255, zero point -128 + 1/scale = -64.25 → -64.
  const ir::Tensor& xq = sg.tensors[static_cast<size_t>(sg.operators[0].outputs[0])];
  EXPECT_EQ(xq.type, DataType::kInt8);
  ASSERT_TRUE(xq.quantization);
  EXPECT_FLOAT_EQ(xq.quantization->scale[0], 4.0f / 255.0f);
  EXPECT_EQ(xq.quantization->zero_point[0], -64);
  EXPECT_EQ(sg.operators[1].inputs[0], sg.operators[0].outputs[0]);

  // Weights: per channel along axis 0, scale max|w_c| / 127, values round(w / scale).
  const ir::Tensor& wq = sg.tensors[static_cast<size_t>(sg.operators[1].inputs[1])];
  EXPECT_EQ(wq.type, DataType::kInt8);
  ASSERT_EQ(wq.quantization->scale.size(), 3u);
  EXPECT_EQ(wq.quantization->quantized_dimension, 0);
  const std::vector<int8_t> wv = FromBytes<int8_t>(m.buffers[wq.buffer].bytes());
  ASSERT_EQ(wv.size(), 6u);
  for (size_t ch = 0; ch < 3; ++ch) {
    const float max_abs = std::max(std::fabs(c.w[2 * ch]), std::fabs(c.w[2 * ch + 1]));
    EXPECT_FLOAT_EQ(wq.quantization->scale[ch], max_abs / 127.0f);
    EXPECT_EQ(wq.quantization->zero_point[ch], 0);
    for (size_t k = 0; k < 2; ++k) {
      EXPECT_EQ(wv[2 * ch + k], static_cast<int8_t>(std::lround(c.w[2 * ch + k] * 127.0f /
                                                                max_abs)));
    }
  }
  // Bias: int32 with scale input_scale * weight_scale[c].
  const ir::Tensor& bq = sg.tensors[static_cast<size_t>(sg.operators[1].inputs[2])];
  EXPECT_EQ(bq.type, DataType::kInt32);
  const std::vector<int32_t> bv = FromBytes<int32_t>(m.buffers[bq.buffer].bytes());
  ASSERT_EQ(bv.size(), 3u);
  for (size_t ch = 0; ch < 3; ++ch) {
    const double s = static_cast<double>(xq.quantization->scale[0]) * wq.quantization->scale[ch];
    EXPECT_NEAR(bq.quantization->scale[ch], s, 1e-9);
    EXPECT_EQ(bv[ch], static_cast<int32_t>(std::lround(c.b[ch] / s)));
  }
  // Conv output from its range [0, 5.1]: zero point -128.
  const ir::Tensor& hq = sg.tensors[static_cast<size_t>(sg.operators[1].outputs[0])];
  EXPECT_EQ(hq.type, DataType::kInt8);
  EXPECT_FLOAT_EQ(hq.quantization->scale[0], 5.1f / 255.0f);
  EXPECT_EQ(hq.quantization->zero_point[0], -128);
  // LOGISTIC output fixed at 1/256, -128, whatever its range.
  const ir::Tensor& yq = sg.tensors[static_cast<size_t>(sg.operators[2].outputs[0])];
  EXPECT_EQ(yq.type, DataType::kInt8);
  EXPECT_FLOAT_EQ(yq.quantization->scale[0], 1.0f / 256.0f);
  EXPECT_EQ(yq.quantization->zero_point[0], -128);
  EXPECT_EQ(sg.operators[3].inputs[0], sg.operators[2].outputs[0]);
  EXPECT_EQ(sg.operators[3].outputs[0], sg.outputs[0]);
  // The float weights are gone.
  EXPECT_EQ(FindTensor(sg, "w"), -1);
  EXPECT_EQ(FindTensor(sg, "b"), -1);
}

TEST(FullIntegerTest, PerTensorWeights) {
  const ConvLogistic c = MakeConvLogistic();
  const TensorRanges ranges = RangesFor(c.model, {{"x", {-1.0f, 3.0f}}, {"h", {0.0f, 5.1f}},
                                                  {"y", {0.5f, 1.0f}}});
  FullIntegerOptions o;
  o.per_channel = false;
  auto r = QuantizeFullInteger(c.model, ranges, o);
  ASSERT_TRUE(r.ok()) << r.status();
  const ir::Subgraph& sg = r->model.subgraphs[0];
  const ir::Tensor& wq = sg.tensors[static_cast<size_t>(sg.operators[1].inputs[1])];
  ASSERT_EQ(wq.quantization->scale.size(), 1u);
  EXPECT_FLOAT_EQ(wq.quantization->scale[0], 2.0f / 127.0f);
}

TEST(FullIntegerTest, IntegerIo) {
  const ConvLogistic c = MakeConvLogistic();
  const TensorRanges ranges = RangesFor(c.model, {{"x", {-1.0f, 3.0f}}, {"h", {0.0f, 5.1f}},
                                                  {"y", {0.5f, 1.0f}}});
  FullIntegerOptions o;
  o.io_type = IoType::kInt8;
  auto r = QuantizeFullInteger(c.model, ranges, o);
  ASSERT_TRUE(r.ok()) << r.status();
  const ir::Subgraph& sg = r->model.subgraphs[0];
  ASSERT_EQ(sg.operators.size(), 2u);  // no QUANTIZE / DEQUANTIZE
  const ir::Tensor& in = sg.tensors[static_cast<size_t>(sg.inputs[0])];
  const ir::Tensor& out = sg.tensors[static_cast<size_t>(sg.outputs[0])];
  EXPECT_EQ(in.name, "x");
  EXPECT_EQ(in.type, DataType::kInt8);
  EXPECT_EQ(in.quantization->zero_point[0], -64);
  EXPECT_EQ(out.name, "y");
  EXPECT_EQ(out.type, DataType::kInt8);

  o.io_type = IoType::kUInt8;
  r = QuantizeFullInteger(c.model, ranges, o);
  ASSERT_TRUE(r.ok()) << r.status();
  const ir::Model& m = r->model;
  const ir::Subgraph& sg8 = m.subgraphs[0];
  ASSERT_TRUE(tflite::ValidateModel(m).ok());
  const ir::Tensor& in8 = sg8.tensors[static_cast<size_t>(sg8.inputs[0])];
  const ir::Tensor& out8 = sg8.tensors[static_cast<size_t>(sg8.outputs[0])];
  EXPECT_EQ(in8.type, DataType::kUInt8);
  EXPECT_EQ(in8.quantization->zero_point[0], -64 + 128);
  EXPECT_EQ(out8.type, DataType::kUInt8);
  EXPECT_EQ(out8.quantization->zero_point[0], 0);
  ASSERT_EQ(sg8.operators.size(), 4u);
  EXPECT_EQ(CodeOf(m, sg8.operators.front()), BuiltinOp::kQuantize);
  EXPECT_EQ(CodeOf(m, sg8.operators.back()), BuiltinOp::kQuantize);
}

TEST(FullIntegerTest, SixteenByEight) {
  const ConvLogistic c = MakeConvLogistic();
  const TensorRanges ranges = RangesFor(c.model, {{"x", {-1.0f, 3.0f}}, {"h", {0.0f, 5.1f}},
                                                  {"y", {0.5f, 1.0f}}});
  FullIntegerOptions o;
  o.activation_bits = 16;
  auto r = QuantizeFullInteger(c.model, ranges, o);
  ASSERT_TRUE(r.ok()) << r.status();
  const ir::Model& m = r->model;
  const ir::Subgraph& sg = m.subgraphs[0];
  const ir::Tensor& xq = sg.tensors[static_cast<size_t>(sg.operators[0].outputs[0])];
  EXPECT_EQ(xq.type, DataType::kInt16);
  EXPECT_EQ(xq.quantization->zero_point[0], 0);
  EXPECT_FLOAT_EQ(xq.quantization->scale[0], 3.0f / 32767.0f);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(sg.operators[1].inputs[1])].type, DataType::kInt8);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(sg.operators[1].inputs[2])].type, DataType::kInt64);
  // int16 LOGISTIC: output 1/32768 with zero point 0, operator version 3.
  EXPECT_TRUE(r->kept_float.empty());
  ASSERT_EQ(sg.operators.size(), 4u);
  EXPECT_EQ(CodeOf(m, sg.operators[2]), BuiltinOp::kLogistic);
  EXPECT_EQ(m.operator_codes[static_cast<size_t>(sg.operators[2].opcode_index)].version, 3);
  const ir::Tensor& yq = sg.tensors[static_cast<size_t>(sg.operators[2].outputs[0])];
  EXPECT_EQ(yq.type, DataType::kInt16);
  EXPECT_EQ(yq.quantization->scale[0], 1.0f / 32768.0f);
  EXPECT_EQ(yq.quantization->zero_point[0], 0);
  EXPECT_EQ(CodeOf(m, sg.operators[3]), BuiltinOp::kDequantize);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(sg.outputs[0])].type, DataType::kFloat32);

  // compressd has no int16 TANH kernel yet: it stays float behind a DEQUANTIZE.
  const ConvLogistic t = MakeConvLogistic(BuiltinOp::kTanh);
  auto rt = QuantizeFullInteger(t.model, RangesFor(t.model, {{"x", {-1.0f, 3.0f}},
                                                             {"h", {0.0f, 5.1f}},
                                                             {"y", {0.0f, 1.0f}}}),
                                o);
  ASSERT_TRUE(rt.ok()) << rt.status();
  ASSERT_EQ(rt->kept_float.size(), 1u);
  EXPECT_EQ(rt->kept_float[0].op_name, "TANH");
  EXPECT_EQ(rt->kept_float[0].output_tensor, "y");
  EXPECT_EQ(rt->kept_float[0].operator_index, 3u);
  EXPECT_NE(rt->kept_float[0].reason.find("16x8"), std::string::npos);
  const ir::Subgraph& sgt = rt->model.subgraphs[0];
  EXPECT_EQ(CodeOf(rt->model, sgt.operators[2]), BuiltinOp::kDequantize);
  EXPECT_EQ(sgt.tensors[static_cast<size_t>(sgt.outputs[0])].type, DataType::kFloat32);

  o.io_type = IoType::kInt8;
  EXPECT_EQ(QuantizeFullInteger(c.model, ranges, o).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FullIntegerTest, KeptFloatOperatorIsWrapped) {
  const ConvLogistic c = MakeConvLogistic();
  const TensorRanges ranges = RangesFor(c.model, {{"x", {-1.0f, 3.0f}}, {"h", {0.0f, 5.1f}},
                                                  {"y", {0.5f, 1.0f}}});
  FullIntegerOptions o;
  o.keep_float_ops = {0};  // the convolution
  auto r = QuantizeFullInteger(c.model, ranges, o);
  ASSERT_TRUE(r.ok()) << r.status();
  const ir::Model& m = r->model;
  const ir::Subgraph& sg = m.subgraphs[0];
  ASSERT_TRUE(CheckExecutionOrder(m).ok());
  // CONV_2D (float, original weights), QUANTIZE h, LOGISTIC, DEQUANTIZE.
  ASSERT_EQ(sg.operators.size(), 4u);
  EXPECT_EQ(CodeOf(m, sg.operators[0]), BuiltinOp::kConv2d);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(sg.operators[0].inputs[1])].type, DataType::kFloat32);
  EXPECT_EQ(sg.operators[0].inputs[0], sg.inputs[0]);
  EXPECT_EQ(CodeOf(m, sg.operators[1]), BuiltinOp::kQuantize);
  EXPECT_EQ(CodeOf(m, sg.operators[2]), BuiltinOp::kLogistic);
  ASSERT_EQ(r->kept_float.size(), 1u);
  EXPECT_EQ(r->kept_float[0].operator_index, 0u);
  EXPECT_EQ(r->kept_float[0].output_tensor, "h");
  EXPECT_NE(r->kept_float[0].reason.find("requested"), std::string::npos);
}

TEST(FullIntegerTest, UnobservedTensorKeepsItsOperatorFloat) {
  const ConvLogistic c = MakeConvLogistic();
  const TensorRanges ranges = RangesFor(c.model, {{"x", {-1.0f, 3.0f}}, {"y", {0.5f, 1.0f}}});
  auto r = QuantizeFullInteger(c.model, ranges, {});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GE(r->kept_float.size(), 1u);
  EXPECT_NE(r->kept_float[0].reason.find("never observed"), std::string::npos)
      << r->kept_float[0].reason;
}

// a -> RELU -> r (range [0, 2]);  b -> LOGISTIC -> s (fixed 1/256);  CONCAT(r, s, c) -> y
TEST(FullIntegerTest, ConcatenationSharesParameters) {
  ModelBuilder mb;
  const int32_t a = mb.Tensor("a", {1, 2});
  const int32_t b = mb.Tensor("b", {1, 2});
  const int32_t r = mb.Tensor("r", {1, 2});
  const int32_t s = mb.Tensor("s", {1, 2});
  const int32_t k = mb.Constant("k", {1, 2}, DataType::kFloat32, std::vector<float>{-1.0f, 0.5f});
  const int32_t y = mb.Tensor("y", {1, 6});
  mb.Op(BuiltinOp::kRelu, {a}, {r});
  mb.Op(BuiltinOp::kLogistic, {b}, {s});
  ir::ConcatenationOptions co;
  co.axis = 1;
  mb.Op(BuiltinOp::kConcatenation, {r, s, k}, {y}, co);
  mb.Inputs({a, b});
  mb.Outputs({y});
  const ir::Model model = mb.Build();
  const TensorRanges ranges =
      RangesFor(model, {{"a", {-3.0f, 2.0f}}, {"b", {-4.0f, 4.0f}}, {"r", {0.0f, 2.0f}},
                        {"s", {0.0f, 1.0f}}, {"k", {-1.0f, 0.5f}}, {"y", {-1.0f, 2.0f}}});
  auto res = QuantizeFullInteger(model, ranges, {});
  ASSERT_TRUE(res.ok()) << res.status();
  const ir::Model& m = res->model;
  ASSERT_TRUE(tflite::ValidateModel(m).ok()) << tflite::ValidateModel(m);
  ASSERT_TRUE(CheckExecutionOrder(m).ok());
  const ir::Subgraph& sg = m.subgraphs[0];
  const ir::Operator* concat = nullptr;
  for (const ir::Operator& op : sg.operators) {
    if (CodeOf(m, op) == BuiltinOp::kConcatenation) concat = &op;
  }
  ASSERT_NE(concat, nullptr);
  const ir::QuantParams& out_q = *sg.tensors[static_cast<size_t>(concat->outputs[0])].quantization;
  EXPECT_FLOAT_EQ(out_q.scale[0], 3.0f / 255.0f);  // union [-1, 2]
  for (int32_t in : concat->inputs) {
    const ir::Tensor& t = sg.tensors[static_cast<size_t>(in)];
    EXPECT_EQ(t.type, DataType::kInt8);
    EXPECT_EQ(*t.quantization, out_q) << t.name;
  }
  // RELU's output took the shared parameters directly; LOGISTIC's needed a requantization.
  EXPECT_EQ(CodeOf(m, *Producer(sg, concat->inputs[0])), BuiltinOp::kRelu);
  const ir::Operator* req = Producer(sg, concat->inputs[1]);
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(CodeOf(m, *req), BuiltinOp::kQuantize);
  EXPECT_EQ(CodeOf(m, *Producer(sg, req->inputs[0])), BuiltinOp::kLogistic);
  // The constant was quantized with the shared parameters.
  const ir::Tensor& kq = sg.tensors[static_cast<size_t>(concat->inputs[2])];
  const std::vector<int8_t> kv = FromBytes<int8_t>(m.buffers[kq.buffer].bytes());
  ASSERT_EQ(kv.size(), 2u);
  EXPECT_EQ(kv[0], static_cast<int8_t>(std::lround(-1.0f / out_q.scale[0]) + out_q.zero_point[0]));
}

TEST(FullIntegerTest, CustomOperatorStaysFloat) {
  ModelBuilder mb;
  const int32_t x = mb.Tensor("x", {1, 4});
  const int32_t h = mb.Tensor("h", {1, 4});
  const int32_t y = mb.Tensor("y", {1, 4});
  mb.Op(BuiltinOp::kRelu, {x}, {h});
  ir::OperatorCode custom;
  custom.builtin_code = BuiltinOp::kCustom;
  custom.deprecated_builtin_code = static_cast<int8_t>(BuiltinOp::kCustom);
  custom.custom_code = "MyOp";
  ir::Operator op;
  op.opcode_index = mb.model().GetOrAddOperatorCode(custom);
  op.inputs = {h};
  op.outputs = {y};
  mb.model().subgraphs[0].operators.push_back(op);
  mb.Inputs({x});
  mb.Outputs({y});
  const ir::Model model = mb.Build();
  const TensorRanges ranges =
      RangesFor(model, {{"x", {-1.0f, 1.0f}}, {"h", {0.0f, 1.0f}}, {"y", {0.0f, 1.0f}}});
  auto r = QuantizeFullInteger(model, ranges, {});
  ASSERT_TRUE(r.ok()) << r.status();
  const ir::Model& m = r->model;
  const ir::Subgraph& sg = m.subgraphs[0];
  ASSERT_TRUE(CheckExecutionOrder(m).ok());
  // QUANTIZE x, RELU (int8), DEQUANTIZE h, MyOp (float).
  ASSERT_EQ(sg.operators.size(), 4u);
  EXPECT_EQ(CodeOf(m, sg.operators[2]), BuiltinOp::kDequantize);
  EXPECT_EQ(sg.operators[3].inputs[0], sg.operators[2].outputs[0]);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(sg.outputs[0])].type, DataType::kFloat32);
  ASSERT_EQ(r->kept_float.size(), 1u);
  EXPECT_NE(r->kept_float[0].reason.find("custom operator"), std::string::npos);
  EXPECT_EQ(r->kept_float[0].operator_index, 3u);
}

// x[1,2] -> FULLY_CONNECTED(w = [0.3, -1.0], b = [0.5]) -> y[1,1], per-tensor weight scale 1/127:
// 0.3 rounds to 38/127, an error of 38/127 - 0.3 on a channel whose calibration mean is 2, so the
// expected output shifts by 2 * (38/127 - 0.3) and bias correction subtracts that from the bias.
TEST(FullIntegerTest, BiasCorrectionRemovesTheMeanShift) {
  ModelBuilder mb;
  const int32_t x = mb.Tensor("x", {1, 2});
  const int32_t w = mb.Constant("w", {1, 2}, DataType::kFloat32, std::vector<float>{0.3f, -1.0f});
  const int32_t b = mb.Constant("b", {1}, DataType::kFloat32, std::vector<float>{0.5f});
  const int32_t y = mb.Tensor("y", {1, 1});
  mb.Op(BuiltinOp::kFullyConnected, {x, w, b}, {y}, ir::FullyConnectedOptions{});
  mb.Inputs({x});
  mb.Outputs({y});
  const ir::Model model = mb.Build();
  TensorRanges ranges = RangesFor(model, {{"x", {-1.0f, 6.0f}}, {"y", {-6.0f, 6.0f}}});
  ranges.channel_means.resize(model.subgraphs[0].tensors.size());
  ranges.channel_means[static_cast<size_t>(x)] = {2.0, 5.0};
  for (const bool correct : {false, true}) {
    FullIntegerOptions o;
    o.bias_correction = correct;
    auto r = QuantizeFullInteger(model, ranges, o);
    ASSERT_TRUE(r.ok()) << r.status();
    const ir::Subgraph& sg = r->model.subgraphs[0];
    const ir::Operator* fc = nullptr;
    for (const ir::Operator& op : sg.operators) {
      if (CodeOf(r->model, op) == BuiltinOp::kFullyConnected) fc = &op;
    }
    ASSERT_NE(fc, nullptr);
    const ir::Tensor& bq = sg.tensors[static_cast<size_t>(fc->inputs[2])];
    const std::vector<int32_t> bv = FromBytes<int32_t>(r->model.buffers[bq.buffer].bytes());
    ASSERT_EQ(bv.size(), 1u);
    const double bias_scale = bq.quantization->scale[0];
    const double expected_bias =
        correct ? 0.5 - 2.0 * (38.0 / 127.0 - static_cast<double>(0.3f)) : 0.5;
    EXPECT_EQ(bv[0], static_cast<int32_t>(std::lround(expected_bias / bias_scale)))
        << "bias_correction " << correct;
  }
}

TEST(FullIntegerTest, RejectsBadArguments) {
  const ConvLogistic c = MakeConvLogistic();
  TensorRanges ranges;
  ranges.ranges.resize(2);
  EXPECT_EQ(QuantizeFullInteger(c.model, ranges, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  ranges = RangesFor(c.model, {{"x", {-1.0f, 3.0f}}});
  FullIntegerOptions o;
  o.keep_float_ops = {7};
  EXPECT_EQ(QuantizeFullInteger(c.model, ranges, o).status().code(),
            absl::StatusCode::kInvalidArgument);
  o = {};
  o.activation_bits = 4;
  EXPECT_EQ(QuantizeFullInteger(c.model, ranges, o).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Calibration: x -> ADD(x, k) -> y, with k = [1, -2]; ranges are the min/max seen.
TEST(CalibrationTest, RecordsMinMaxOfEveryFloatTensor) {
  ModelBuilder mb;
  const int32_t x = mb.Tensor("x", {1, 2});
  const int32_t k = mb.Constant("k", {1, 2}, DataType::kFloat32, std::vector<float>{1.0f, -2.0f});
  const int32_t y = mb.Tensor("y", {1, 2});
  mb.Op(BuiltinOp::kAdd, {x, k}, {y}, ir::AddOptions{});
  mb.Inputs({x});
  mb.Outputs({y});
  const ir::Model model = mb.Build();
  CalibrationSet set;
  for (const std::vector<float>& s :
       std::vector<std::vector<float>>{{0.5f, 3.0f}, {-1.5f, 0.25f}}) {
    set.samples.push_back({testing::RawBytes(s)});
  }
  QuantizeOptions o;
  o.observer = ObserverKind::kMinMax;
  auto r = CalibrateRanges(model, set, o, 8);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->samples, 2u);
  ASSERT_TRUE(r->ranges[static_cast<size_t>(x)]);
  EXPECT_FLOAT_EQ(r->ranges[static_cast<size_t>(x)]->min, -1.5f);
  EXPECT_FLOAT_EQ(r->ranges[static_cast<size_t>(x)]->max, 3.0f);
  ASSERT_TRUE(r->ranges[static_cast<size_t>(y)]);
  EXPECT_FLOAT_EQ(r->ranges[static_cast<size_t>(y)]->min, -1.75f);  // 0.25 - 2
  EXPECT_FLOAT_EQ(r->ranges[static_cast<size_t>(y)]->max, 1.5f);    // 0.5 + 1
  ASSERT_TRUE(r->ranges[static_cast<size_t>(k)]);
  EXPECT_FLOAT_EQ(r->ranges[static_cast<size_t>(k)]->min, -2.0f);
  // Channel means (last dimension) over both samples: x = (0.5 - 1.5) / 2, (3 + 0.25) / 2.
  ASSERT_EQ(r->channel_means[static_cast<size_t>(x)].size(), 2u);
  EXPECT_DOUBLE_EQ(r->channel_means[static_cast<size_t>(x)][0], -0.5);
  EXPECT_DOUBLE_EQ(r->channel_means[static_cast<size_t>(x)][1], 1.625);
}

TEST(CalibrationTest, RejectsBadSamples) {
  const ConvLogistic c = MakeConvLogistic();
  QuantizeOptions o;
  CalibrationSet empty;
  EXPECT_EQ(CalibrateRanges(c.model, empty, o, 8).status().code(),
            absl::StatusCode::kInvalidArgument);
  CalibrationSet wrong_size;
  wrong_size.samples.push_back({std::vector<uint8_t>(12)});
  const absl::Status s = CalibrateRanges(c.model, wrong_size, o, 8).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(s.message()).find("sample 0"), std::string::npos) << s;
  CalibrationSet wrong_count;
  wrong_count.samples.push_back({});
  EXPECT_EQ(CalibrateRanges(c.model, wrong_count, o, 8).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::passes
