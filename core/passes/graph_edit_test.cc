#include "core/passes/graph_edit.h"

#include <string>
#include <vector>

#include "core/passes/testing/model_builder.h"
#include "core/tflite/model_validator.h"
#include "gtest/gtest.h"

namespace compressd::passes {
namespace {

using testing::ModelBuilder;

// x -> RELU -> a -> ADD(a, c) -> y ; c a float constant.
struct Chain {
  ir::Model model;
  int32_t x, a, c, y, relu, add;
};

Chain MakeChain() {
  ModelBuilder b;
  Chain ch;
  ch.x = b.Tensor("x", {1, 4});
  ch.a = b.Tensor("a", {1, 4});
  ch.c = b.Constant<float>("c", {4}, ir::DataType::kFloat32, {1, 2, 3, 4});
  ch.y = b.Tensor("y", {1, 4});
  ch.relu = b.Op(ir::BuiltinOp::kRelu, {ch.x}, {ch.a});
  ch.add = b.Op(ir::BuiltinOp::kAdd, {ch.a, ch.c}, {ch.y}, ir::AddOptions{});
  b.Inputs({ch.x});
  b.Outputs({ch.y});
  ch.model = b.Build();
  return ch;
}

TEST(GraphEditTest, ProducersAndConsumers) {
  const Chain ch = MakeChain();
  const ir::Subgraph& sg = ch.model.subgraphs[0];
  const std::vector<int32_t> producers = FindProducers(sg);
  EXPECT_EQ(producers[static_cast<size_t>(ch.x)], -1);
  EXPECT_EQ(producers[static_cast<size_t>(ch.a)], ch.relu);
  EXPECT_EQ(producers[static_cast<size_t>(ch.y)], ch.add);
  const auto consumers = FindConsumers(sg);
  EXPECT_EQ(consumers[static_cast<size_t>(ch.a)], (std::vector<TensorUse>{{ch.add, 0}}));
  EXPECT_EQ(consumers[static_cast<size_t>(ch.c)], (std::vector<TensorUse>{{ch.add, 1}}));
  EXPECT_TRUE(consumers[static_cast<size_t>(ch.y)].empty());
  EXPECT_TRUE(IsConstant(ch.model, sg.tensors[static_cast<size_t>(ch.c)]));
  EXPECT_FALSE(IsConstant(ch.model, sg.tensors[static_cast<size_t>(ch.x)]));
  EXPECT_TRUE(IsSubgraphOutput(sg, ch.y));
  EXPECT_EQ(OperatorWhere(ch.model, 0, 1), "subgraph 0 operator 1 (ADD)");
  EXPECT_EQ(TensorWhere(sg, ch.c), "tensor 2 'c'");
}

TEST(GraphEditTest, ReadFloat32Constant) {
  const Chain ch = MakeChain();
  auto v = ReadFloat32Constant(ch.model, ch.model.subgraphs[0], ch.c);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, (std::vector<float>{1, 2, 3, 4}));
  auto bad = ReadFloat32Constant(ch.model, ch.model.subgraphs[0], ch.x);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(bad.status().message()).find("'x'"), std::string::npos);
}

TEST(GraphEditTest, RemovingAnOperatorDropsWhatItAloneUsed) {
  ModelBuilder b;
  const int32_t x = b.Tensor("x", {4});
  const int32_t dead_c = b.Constant<float>("dead_c", {4}, ir::DataType::kFloat32, {9, 9, 9, 9});
  const int32_t dead_out = b.Tensor("dead_out", {4});
  const int32_t already_unused = b.Tensor("already_unused", {2});
  const int32_t y = b.Tensor("y", {4});
  b.Op(ir::BuiltinOp::kMul, {x, dead_c}, {dead_out}, ir::MulOptions{});
  b.Op(ir::BuiltinOp::kRelu, {x}, {y});
  const uint32_t spare = b.UnusedBuffer({1, 2, 3});
  b.Inputs({x});
  b.Outputs({y});
  ir::Model m = b.Build();
  ir::SignatureDef sd;
  sd.signature_key = "serving_default";
  sd.inputs.push_back({"x", static_cast<uint32_t>(x)});
  sd.outputs.push_back({"y", static_cast<uint32_t>(y)});
  m.signature_defs.push_back(sd);
  ASSERT_TRUE(tflite::ValidateModel(m).ok());

  const UsageSnapshot before = TakeUsageSnapshot(m);
  RemoveOperators(m.subgraphs[0], {true, false});
  RemoveNewlyUnused(m, before);

  const ir::Subgraph& sg = m.subgraphs[0];
  // dead_c and dead_out went away; already_unused stays (the edit did not make it unused).
  ASSERT_EQ(sg.tensors.size(), 3u);
  EXPECT_EQ(sg.tensors[0].name, "x");
  EXPECT_EQ(sg.tensors[1].name, "already_unused");
  EXPECT_EQ(sg.tensors[2].name, "y");
  EXPECT_EQ(sg.outputs, (std::vector<int32_t>{2}));
  EXPECT_EQ(m.signature_defs[0].outputs[0].tensor_index, 2u);
  EXPECT_EQ(sg.operators[0].outputs, (std::vector<int32_t>{2}));
  // dead_c's buffer is gone, the spare buffer (never used) is kept.
  ASSERT_EQ(m.buffers.size(), 2u);
  EXPECT_EQ(m.buffers[1].size(), 3u);
  (void)spare;
  (void)already_unused;
  // MUL's operator code is gone and RELU's index remapped.
  ASSERT_EQ(m.operator_codes.size(), 1u);
  EXPECT_EQ(m.operator_codes[0].builtin_code, ir::BuiltinOp::kRelu);
  EXPECT_EQ(sg.operators[0].opcode_index, 0u);
  EXPECT_TRUE(tflite::ValidateModel(m).ok());
}

TEST(GraphEditTest, InsertOperatorsKeepsRequestedOrder) {
  Chain ch = MakeChain();
  ir::Subgraph& sg = ch.model.subgraphs[0];
  ir::Operator p, q, r;
  p.outputs = {100};
  q.outputs = {101};
  r.outputs = {102};
  InsertOperators(sg, {{1, p}, {0, q}, {1, r}, {2, p}});
  ASSERT_EQ(sg.operators.size(), 6u);
  EXPECT_EQ(sg.operators[0].outputs, (std::vector<int32_t>{101}));
  EXPECT_EQ(sg.operators[1].outputs, (std::vector<int32_t>{ch.a}));
  EXPECT_EQ(sg.operators[2].outputs, (std::vector<int32_t>{100}));
  EXPECT_EQ(sg.operators[3].outputs, (std::vector<int32_t>{102}));
  EXPECT_EQ(sg.operators[4].outputs, (std::vector<int32_t>{ch.y}));
  EXPECT_EQ(sg.operators[5].outputs, (std::vector<int32_t>{100}));
}

TEST(GraphEditTest, ExecutionOrder) {
  Chain ch = MakeChain();
  EXPECT_TRUE(CheckExecutionOrder(ch.model).ok());
  std::swap(ch.model.subgraphs[0].operators[0], ch.model.subgraphs[0].operators[1]);
  const absl::Status s = CheckExecutionOrder(ch.model);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(s.message()).find("operator 0 (ADD) reads tensor 1 'a'"),
            std::string::npos)
      << s;
  Chain twice = MakeChain();
  twice.model.subgraphs[0].operators[1].outputs = {twice.a};
  EXPECT_NE(std::string(CheckExecutionOrder(twice.model).message()).find("a second time"),
            std::string::npos);
}

TEST(GraphEditTest, UniqueNames) {
  const Chain ch = MakeChain();
  EXPECT_EQ(UniqueTensorName(ch.model.subgraphs[0], "fresh"), "fresh");
  EXPECT_EQ(UniqueTensorName(ch.model.subgraphs[0], "c"), "c_1");
}

}  // namespace
}  // namespace compressd::passes
