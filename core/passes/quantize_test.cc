#include "core/passes/quantize.h"

#include <random>
#include <string>
#include <vector>

#include "core/passes/graph_edit.h"
#include "core/passes/testing/model_builder.h"
#include "core/quant/fp16.h"
#include "core/tflite/model_validator.h"
#include "gtest/gtest.h"

namespace compressd::passes {
namespace {

using testing::FromBytes;
using testing::ModelBuilder;

std::vector<uint16_t> RandomHalves(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, 0.1f);
  std::vector<uint16_t> h(n);
  for (uint16_t& x : h) x = quant::FloatToHalf(g(rng));
  return h;
}

// How MediaPipe ships a model: float16 weights behind DEQUANTIZE (version 3).
//   x -> CONV_2D(x, DQ(big_w), DQ(big_b)) -> h -> CONV_2D(h, DQ(small_w), DQ(small_b)) -> y
ir::Model MediaPipeStyle() {
  ModelBuilder b;
  const int32_t x = b.Tensor("x", {1, 4, 4, 16});
  const int32_t big_w16 =
      b.Constant("big/w", {32, 3, 3, 16}, ir::DataType::kFloat16, RandomHalves(4608, 1));
  const int32_t big_b16 = b.Constant("big/b", {32}, ir::DataType::kFloat16, RandomHalves(32, 2));
  const int32_t small_w16 =
      b.Constant("small/w", {4, 1, 1, 32}, ir::DataType::kFloat16, RandomHalves(128, 3));
  const int32_t small_b16 = b.Constant("small/b", {4}, ir::DataType::kFloat16, RandomHalves(4, 4));
  const int32_t big_w = b.Tensor("big/w_dequantize", {32, 3, 3, 16});
  const int32_t big_b = b.Tensor("big/b_dequantize", {32});
  const int32_t small_w = b.Tensor("small/w_dequantize", {4, 1, 1, 32});
  const int32_t small_b = b.Tensor("small/b_dequantize", {4});
  const int32_t h = b.Tensor("h", {1, 4, 4, 32});
  const int32_t y = b.Tensor("y", {1, 4, 4, 4});
  ir::Conv2DOptions o;
  o.stride_w = o.stride_h = 1;
  b.Op(ir::BuiltinOp::kDequantize, {big_w16}, {big_w}, std::monostate{}, 3);
  b.Op(ir::BuiltinOp::kDequantize, {big_b16}, {big_b}, std::monostate{}, 3);
  b.Op(ir::BuiltinOp::kConv2d, {x, big_w, big_b}, {h}, o);
  b.Op(ir::BuiltinOp::kDequantize, {small_w16}, {small_w}, std::monostate{}, 3);
  b.Op(ir::BuiltinOp::kDequantize, {small_b16}, {small_b}, std::monostate{}, 3);
  b.Op(ir::BuiltinOp::kConv2d, {h, small_w, small_b}, {y}, o);
  b.Inputs({x});
  b.Outputs({y});
  return b.Build();
}

TEST(QuantizeTest, Float16RebuildsAMediaPipeModel) {
  const ir::Model in = MediaPipeStyle();
  ASSERT_TRUE(tflite::ValidateModel(in).ok());
  QuantizeOptions o;
  o.mode = QuantMode::kFloat16;
  auto r = Quantize(in, o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->warnings.empty());
  EXPECT_TRUE(r->kept_float.empty());
  const ir::Subgraph& a = in.subgraphs[0];
  const ir::Subgraph& b = r->model.subgraphs[0];
  // Same operators in the same order, same tensor names, types and constant bytes.
  ASSERT_EQ(b.operators.size(), a.operators.size());
  for (size_t i = 0; i < a.operators.size(); ++i) {
    EXPECT_EQ(OpCode(r->model, b.operators[i]), OpCode(in, a.operators[i])) << i;
    ASSERT_EQ(b.operators[i].inputs.size(), a.operators[i].inputs.size());
    for (size_t s = 0; s < a.operators[i].inputs.size(); ++s) {
      const ir::Tensor& ta = a.tensors[static_cast<size_t>(a.operators[i].inputs[s])];
      const ir::Tensor& tb = b.tensors[static_cast<size_t>(b.operators[i].inputs[s])];
      EXPECT_EQ(tb.name, ta.name);
      EXPECT_EQ(tb.type, ta.type);
      EXPECT_TRUE(r->model.buffers[tb.buffer] == in.buffers[ta.buffer]) << ta.name;
    }
  }
  EXPECT_EQ(b.tensors.size(), a.tensors.size());
}

TEST(QuantizeTest, DynamicOnAFloat16Model) {
  const ir::Model in = MediaPipeStyle();
  QuantizeOptions o;
  o.mode = QuantMode::kDynamic;
  auto r = Quantize(in, o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  const ir::Model& m = r->model;
  const ir::Subgraph& sg = m.subgraphs[0];
  // big/w (4608 values) -> int8; big/b, small/w, small/b stay float16 behind DEQUANTIZE.
  // Order: DQ(big/b), CONV(big), DQ(small/w), DQ(small/b), CONV(small).
  ASSERT_EQ(sg.operators.size(), 5u);
  EXPECT_EQ(OpCode(m, sg.operators[1]), ir::BuiltinOp::kConv2d);
  EXPECT_EQ(OpCode(m, sg.operators[4]), ir::BuiltinOp::kConv2d);
  const ir::Tensor& big_w = sg.tensors[static_cast<size_t>(sg.operators[1].inputs[1])];
  EXPECT_EQ(big_w.name, "big/w");
  EXPECT_EQ(big_w.type, ir::DataType::kInt8);
  EXPECT_EQ(big_w.quantization->scale.size(), 32u);
  EXPECT_EQ(m.operator_codes[sg.operators[1].opcode_index].version, 5);
  EXPECT_EQ(m.operator_codes[sg.operators[4].opcode_index].version, 1);
  const ir::Tensor& big_b = sg.tensors[static_cast<size_t>(sg.operators[0].inputs[0])];
  EXPECT_EQ(big_b.name, "big/b");
  EXPECT_EQ(big_b.type, ir::DataType::kFloat16);
  // The float16 bytes are the original ones.
  EXPECT_TRUE(m.buffers[big_b.buffer] == in.buffers[in.subgraphs[0].tensors[2].buffer]);
  ASSERT_EQ(r->kept_float.size(), 1u);
  EXPECT_EQ(r->kept_float[0].operator_index, 4u);  // index in the returned model
  EXPECT_EQ(r->kept_float[0].output_tensor, "y");
  EXPECT_NE(r->kept_float[0].reason.find("128 elements"), std::string::npos);
  EXPECT_TRUE(tflite::ValidateModel(m).ok());
  EXPECT_TRUE(CheckExecutionOrder(m).ok());
}

TEST(QuantizeTest, KeepFloatByNameAndIndex) {
  const ir::Model in = MediaPipeStyle();
  QuantizeOptions o;
  o.mode = QuantMode::kDynamic;
  o.keep_float.push_back(LayerRef{"h", -1});
  auto r = Quantize(in, o, nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->kept_float.size(), 2u);
  for (const auto& k : r->kept_float) {
    EXPECT_EQ(k.op_name, "CONV_2D");
  }
  // Operator 2 of the input (the big CONV_2D, after two DEQUANTIZE ops) by index.
  QuantizeOptions by_index = o;
  by_index.keep_float = {LayerRef{"", 2}};
  auto ri = Quantize(in, by_index, nullptr);
  ASSERT_TRUE(ri.ok()) << ri.status();
  bool big_kept = false;
  for (const auto& k : ri->kept_float) big_kept = big_kept || k.output_tensor == "h";
  EXPECT_TRUE(big_kept);
}

TEST(QuantizeTest, Errors) {
  const ir::Model in = MediaPipeStyle();
  QuantizeOptions o;
  o.mode = QuantMode::kInt8;
  auto r = Quantize(in, o, nullptr);  // calibrated modes need calibration data
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(r.status().message()).find("calibration"), std::string::npos);
  const CalibrationSet empty;
  EXPECT_EQ(Quantize(in, o, &empty).status().code(), absl::StatusCode::kInvalidArgument);
  o.mode = QuantMode::kInt16x8;
  EXPECT_EQ(Quantize(in, o, nullptr).status().code(), absl::StatusCode::kInvalidArgument);

  o.mode = QuantMode::kDynamic;
  o.io_type = IoType::kInt8;
  r = Quantize(in, o, nullptr);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(r.status().message()).find("io type int8"), std::string::npos);

  o.io_type = IoType::kFloat32;
  o.keep_float = {LayerRef{"no_such_tensor", -1}};
  r = Quantize(in, o, nullptr);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(r.status().message()).find("keep_float[0]"), std::string::npos);
  EXPECT_NE(std::string(r.status().message()).find("no_such_tensor"), std::string::npos);
  o.keep_float = {LayerRef{"", 99}};
  r = Quantize(in, o, nullptr);
  EXPECT_NE(std::string(r.status().message()).find("operator index 99 is out of range"),
            std::string::npos)
      << r.status();
  o.keep_float = {LayerRef{"", 0}};  // a float16 DEQUANTIZE: folded away
  r = Quantize(in, o, nullptr);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(r.status().message()).find("folded"), std::string::npos);

  o.keep_float.clear();
  ir::Model broken = in;
  broken.subgraphs[0].operators[2].inputs[0] = 999;
  EXPECT_EQ(Quantize(broken, o, nullptr).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::passes
