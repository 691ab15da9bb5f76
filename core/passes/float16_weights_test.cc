#include "core/passes/float16_weights.h"

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

struct ConvModel {
  ir::Model model;
  int32_t x, w, b, h, s, y, z, unused;
};

// x -> CONV_2D(x, w, b) -> h -> ADD(h, s) -> y -> MUL(y, s) -> z, plus a float constant no
// operator reads. w holds values with known float16 encodings.
ConvModel MakeConvModel() {
  ModelBuilder bld;
  ConvModel c;
  c.x = bld.Tensor("x", {1, 2, 2, 3});
  // 1.0 -> 0x3c00, 0.1 -> 0x2e66 (0.0999755859375), -3 -> 0xc200, 70000 -> inf (0x7c00),
  // 2^-25 * 1.5 -> 0x0001, 65504 -> 0x7bff.
  c.w = bld.Constant<float>("conv/w", {2, 1, 1, 3}, ir::DataType::kFloat32,
                            {1.0f, 0.1f, -3.0f, 70000.0f, 4.470348358154297e-08f, 65504.0f});
  c.b = bld.Constant<float>("conv/b", {2}, ir::DataType::kFloat32, {0.5f, -0.25f});
  c.h = bld.Tensor("h", {1, 2, 2, 2});
  c.s = bld.Constant<float>("s", {2}, ir::DataType::kFloat32, {2.0f, 0.5f});
  c.y = bld.Tensor("y", {1, 2, 2, 2});
  c.z = bld.Tensor("z", {1, 2, 2, 2});
  c.unused = bld.Constant<float>("unused", {1}, ir::DataType::kFloat32, {1.0f});
  ir::Conv2DOptions o;
  o.padding = ir::Padding::kValid;
  o.stride_w = o.stride_h = 1;
  bld.Op(ir::BuiltinOp::kConv2d, {c.x, c.w, c.b}, {c.h}, o);
  bld.Op(ir::BuiltinOp::kAdd, {c.h, c.s}, {c.y}, ir::AddOptions{});
  bld.Op(ir::BuiltinOp::kMul, {c.y, c.s}, {c.z}, ir::MulOptions{});
  bld.Inputs({c.x});
  bld.Outputs({c.z});
  c.model = bld.Build();
  return c;
}

int32_t FindTensor(const ir::Subgraph& sg, const std::string& name) {
  for (size_t i = 0; i < sg.tensors.size(); ++i) {
    if (sg.tensors[i].name == name) return static_cast<int32_t>(i);
  }
  return -1;
}

TEST(Float16WeightsTest, ConstantsBecomeFloat16BehindDequantize) {
  const ConvModel c = MakeConvModel();
  ASSERT_TRUE(tflite::ValidateModel(c.model).ok());
  auto r = ConvertWeightsToFloat16(c.model);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->converted, 3);  // w, b, s (read twice, converted once); "unused" stays
  const ir::Model& m = r->model;
  const ir::Subgraph& sg = m.subgraphs[0];
  // DEQUANTIZE(w), DEQUANTIZE(b), CONV, DEQUANTIZE(s), ADD, MUL.
  ASSERT_EQ(sg.operators.size(), 6u);
  const std::vector<ir::BuiltinOp> order = {ir::BuiltinOp::kDequantize, ir::BuiltinOp::kDequantize,
                                            ir::BuiltinOp::kConv2d,     ir::BuiltinOp::kDequantize,
                                            ir::BuiltinOp::kAdd,        ir::BuiltinOp::kMul};
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(OpCode(m, sg.operators[i]), order[i]) << i;
  EXPECT_EQ(m.operator_codes[sg.operators[0].opcode_index].version, 3);

  const ir::Tensor& w = sg.tensors[static_cast<size_t>(c.w)];
  EXPECT_EQ(w.type, ir::DataType::kFloat16);
  EXPECT_EQ(w.name, "conv/w");
  EXPECT_EQ(FromBytes<uint16_t>(m.buffers[w.buffer].bytes()),
            (std::vector<uint16_t>{0x3c00, 0x2e66, 0xc200, 0x7c00, 0x0001, 0x7bff}));
  const int32_t wd = FindTensor(sg, "conv/w_dequantize");
  ASSERT_GE(wd, 0);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(wd)].type, ir::DataType::kFloat32);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(wd)].shape, (std::vector<int32_t>{2, 1, 1, 3}));
  EXPECT_FALSE(IsConstant(m, sg.tensors[static_cast<size_t>(wd)]));
  EXPECT_EQ(sg.operators[0].inputs, (std::vector<int32_t>{c.w}));
  EXPECT_EQ(sg.operators[0].outputs, (std::vector<int32_t>{wd}));
  EXPECT_EQ(sg.operators[2].inputs[1], wd);
  // s is read by ADD and MUL: one DEQUANTIZE before ADD, both rewired to it.
  const int32_t sd = FindTensor(sg, "s_dequantize");
  ASSERT_GE(sd, 0);
  EXPECT_EQ(sg.operators[3].outputs, (std::vector<int32_t>{sd}));
  EXPECT_EQ(sg.operators[4].inputs[1], sd);
  EXPECT_EQ(sg.operators[5].inputs[1], sd);
  // The constant nobody reads stays float32.
  EXPECT_EQ(sg.tensors[static_cast<size_t>(c.unused)].type, ir::DataType::kFloat32);
  // The overflowing weight is reported by name.
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_NE(r->warnings[0].find("'conv/w'"), std::string::npos) << r->warnings[0];
  EXPECT_NE(r->warnings[0].find("1 of 6 values"), std::string::npos) << r->warnings[0];
  EXPECT_NE(r->warnings[0].find("70000"), std::string::npos) << r->warnings[0];

  EXPECT_TRUE(tflite::ValidateModel(m).ok());
  EXPECT_TRUE(CheckExecutionOrder(m).ok());
  auto bytes = tflite::WriteModel(m);
  ASSERT_TRUE(bytes.ok());
  auto reread = tflite::ReadModel(*bytes);
  ASSERT_TRUE(reread.ok()) << reread.status();
  EXPECT_TRUE(*reread == m);
}

TEST(Float16WeightsTest, LosslessOnlyAndKeptOperators) {
  const ConvModel c = MakeConvModel();
  Float16Options lossless;
  lossless.lossless_only = true;
  auto r = ConvertWeightsToFloat16(c.model, lossless);
  ASSERT_TRUE(r.ok());
  const ir::Subgraph& sg = r->model.subgraphs[0];
  // w holds 0.1 (not a float16 value): stays float32; b and s are exact: converted.
  EXPECT_EQ(sg.tensors[static_cast<size_t>(c.w)].type, ir::DataType::kFloat32);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(c.b)].type, ir::DataType::kFloat16);
  EXPECT_EQ(sg.tensors[static_cast<size_t>(c.s)].type, ir::DataType::kFloat16);
  EXPECT_EQ(r->converted, 2);

  Float16Options keep;
  keep.keep_float_ops = {0};  // the CONV_2D
  auto k = ConvertWeightsToFloat16(c.model, keep);
  ASSERT_TRUE(k.ok());
  const ir::Subgraph& ksg = k->model.subgraphs[0];
  EXPECT_EQ(ksg.tensors[static_cast<size_t>(c.w)].type, ir::DataType::kFloat32);
  EXPECT_EQ(ksg.tensors[static_cast<size_t>(c.b)].type, ir::DataType::kFloat32);
  EXPECT_EQ(ksg.tensors[static_cast<size_t>(c.s)].type, ir::DataType::kFloat16);
  EXPECT_TRUE(tflite::ValidateModel(k->model).ok());
}

TEST(Float16WeightsTest, ConstantSubgraphOutputIsRedirected) {
  ModelBuilder b;
  const int32_t x = b.Tensor("x", {2});
  const int32_t c = b.Constant<float>("c", {2}, ir::DataType::kFloat32, {1.0f, 2.0f});
  const int32_t y = b.Tensor("y", {2});
  b.Op(ir::BuiltinOp::kAdd, {x, c}, {y}, ir::AddOptions{});
  b.Inputs({x});
  b.Outputs({y, c});
  auto r = ConvertWeightsToFloat16(b.Build());
  ASSERT_TRUE(r.ok());
  const ir::Subgraph& sg = r->model.subgraphs[0];
  const int32_t cd = FindTensor(sg, "c_dequantize");
  ASSERT_GE(cd, 0);
  EXPECT_EQ(sg.outputs, (std::vector<int32_t>{y, cd}));  // outputs stay float32
  EXPECT_TRUE(CheckExecutionOrder(r->model).ok());
}

TEST(Float16WeightsTest, BadBufferSizeNamesTheTensor) {
  ConvModel c = MakeConvModel();
  c.model.subgraphs[0].tensors[static_cast<size_t>(c.b)].buffer = c.model.AddBuffer({1, 2, 3});
  auto r = ConvertWeightsToFloat16(c.model);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(r.status().message()).find("'conv/b'"), std::string::npos);
}

}  // namespace
}  // namespace compressd::passes
