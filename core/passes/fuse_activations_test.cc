#include "core/passes/fuse_activations.h"

#include <cstring>
#include <variant>
#include <vector>

#include "core/interp/interpreter.h"
#include "core/passes/graph_edit.h"
#include "core/passes/testing/model_builder.h"
#include "core/tflite/model_validator.h"
#include "gtest/gtest.h"

namespace compressd::passes {
namespace {

using testing::ModelBuilder;

// x -> ADD(x, c) -> s -> RELU -> r -> MUL(r, c) -> m -> RELU6 -> y1
//                   s also feeds SUB(s, c) -> t -> RELU_N1_TO_1 -> y2   (s has two readers)
// The first RELU cannot fuse (ADD's output s is read twice); RELU6 fuses into MUL;
// RELU_N1_TO_1 fuses into SUB.
struct Graph {
  ir::Model model;
  int32_t x, c, s, r, m, y1, t, y2;
  int32_t add, relu, mul, relu6, sub, relu_n1;
};

Graph MakeGraph() {
  ModelBuilder b;
  Graph g;
  g.x = b.Tensor("x", {1, 4});
  g.c = b.Constant<float>("c", {4}, ir::DataType::kFloat32, {0.5f, -1.5f, 2.0f, -0.25f});
  g.s = b.Tensor("s", {1, 4});
  g.r = b.Tensor("r", {1, 4});
  g.m = b.Tensor("m", {1, 4});
  g.y1 = b.Tensor("y1", {1, 4});
  g.t = b.Tensor("t", {1, 4});
  g.y2 = b.Tensor("y2", {1, 4});
  g.add = b.Op(ir::BuiltinOp::kAdd, {g.x, g.c}, {g.s}, ir::AddOptions{});
  g.relu = b.Op(ir::BuiltinOp::kRelu, {g.s}, {g.r});
  g.mul = b.Op(ir::BuiltinOp::kMul, {g.r, g.c}, {g.m}, ir::MulOptions{});
  g.relu6 = b.Op(ir::BuiltinOp::kRelu6, {g.m}, {g.y1});
  g.sub = b.Op(ir::BuiltinOp::kSub, {g.s, g.c}, {g.t});  // options omitted, as files may
  g.relu_n1 = b.Op(ir::BuiltinOp::kReluN1To1, {g.t}, {g.y2});
  b.Inputs({g.x});
  b.Outputs({g.y1, g.y2});
  g.model = b.Build();
  return g;
}

std::vector<std::vector<float>> RunModel(const ir::Model& model, const std::vector<float>& x) {
  auto in = interp::Interpreter::Create(model);
  EXPECT_TRUE(in.ok()) << in.status();
  if (!in.ok()) return {};
  std::vector<uint8_t> bytes(x.size() * sizeof(float));
  std::memcpy(bytes.data(), x.data(), bytes.size());
  EXPECT_TRUE((*in)->SetInput(0, bytes).ok());
  EXPECT_TRUE((*in)->Invoke().ok());
  std::vector<std::vector<float>> out;
  for (int i = 0; i < (*in)->num_outputs(); ++i) {
    const auto b = (*in)->output_bytes(i);
    std::vector<float> v(b.size() / sizeof(float));
    std::memcpy(v.data(), b.data(), b.size());
    out.push_back(std::move(v));
  }
  return out;
}

TEST(FuseActivationsTest, FusesSingleReaderPairsAndKeepsResults) {
  const Graph g = MakeGraph();
  const FuseActivationsResult r = FuseActivations(g.model, {});
  ASSERT_TRUE(tflite::ValidateModel(r.model).ok());
  ASSERT_TRUE(CheckExecutionOrder(r.model).ok());
  EXPECT_EQ(r.fused, 2);
  const ir::Subgraph& sg = r.model.subgraphs[0];
  ASSERT_EQ(sg.operators.size(), 4u);  // ADD, RELU, MUL+RELU6, SUB+RELU_N1_TO_1
  EXPECT_EQ(OpCode(r.model, sg.operators[1]), ir::BuiltinOp::kRelu);
  const auto* mul = std::get_if<ir::MulOptions>(&sg.operators[2].builtin_options);
  ASSERT_NE(mul, nullptr);
  EXPECT_EQ(mul->activation, ir::Activation::kRelu6);
  const auto* sub = std::get_if<ir::SubOptions>(&sg.operators[3].builtin_options);
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->activation, ir::Activation::kReluN1To1);
  // Outputs keep their tensors' names; the intermediates m and t are gone.
  EXPECT_EQ(sg.tensors[static_cast<size_t>(sg.outputs[0])].name, "y1");
  EXPECT_EQ(sg.tensors[static_cast<size_t>(sg.outputs[1])].name, "y2");
  for (const ir::Tensor& t : sg.tensors) {
    EXPECT_NE(t.name, "m");
    EXPECT_NE(t.name, "t");
  }
  // Removed activations map to the producer they joined.
  EXPECT_EQ(r.operator_map, (std::vector<int32_t>{0, 1, 2, 2, 3, 3}));
  const std::vector<float> x = {-3.0f, 0.75f, 1.25f, -0.5f};
  EXPECT_EQ(RunModel(r.model, x), RunModel(g.model, x));
}

TEST(FuseActivationsTest, KeptOperatorsAndFusedProducersStay) {
  Graph g = MakeGraph();
  // Keeping RELU6 in float leaves MUL -> RELU6 apart; SUB already carrying an activation cannot
  // take another.
  g.model.subgraphs[0].operators[static_cast<size_t>(g.sub)].builtin_options =
      ir::SubOptions{ir::Activation::kRelu};
  const FuseActivationsResult r = FuseActivations(g.model, {g.relu6});
  EXPECT_EQ(r.fused, 0);
  EXPECT_EQ(r.model, g.model);
  EXPECT_EQ(r.operator_map, (std::vector<int32_t>{0, 1, 2, 3, 4, 5}));
}

TEST(FuseActivationsTest, SubgraphOutputIntermediateIsNotFused) {
  Graph g = MakeGraph();
  g.model.subgraphs[0].outputs.push_back(g.m);  // m is read by the user too
  const FuseActivationsResult r = FuseActivations(g.model, {});
  EXPECT_EQ(r.fused, 1);  // only SUB + RELU_N1_TO_1
  EXPECT_EQ(r.model.subgraphs[0].operators.size(), 5u);
}

}  // namespace
}  // namespace compressd::passes
