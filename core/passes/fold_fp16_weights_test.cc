#include "core/passes/fold_fp16_weights.h"

#include <cmath>
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

// x -> ADD(x, DEQUANTIZE(w16)) -> y, w16 = {1, -2, 0.333251953125, 2^-24} as float16 bits.
ir::Model Fp16Model(uint32_t* spare_buffer = nullptr) {
  ModelBuilder b;
  const int32_t x = b.Tensor("x", {1, 4});
  const int32_t w16 =
      b.Constant<uint16_t>("w", {4}, ir::DataType::kFloat16, {0x3c00, 0xc000, 0x3555, 0x0001});
  const int32_t w32 = b.Tensor("w_dequantize", {4});
  const int32_t y = b.Tensor("y", {1, 4});
  b.Op(ir::BuiltinOp::kDequantize, {w16}, {w32}, std::monostate{}, 3);
  b.Op(ir::BuiltinOp::kAdd, {x, w32}, {y}, ir::AddOptions{});
  const uint32_t spare = b.UnusedBuffer({7, 7});
  if (spare_buffer) *spare_buffer = spare;
  b.Inputs({x});
  b.Outputs({y});
  return b.Build();
}

TEST(FoldFp16WeightsTest, DequantizeBecomesAFloat32Constant) {
  const ir::Model in = Fp16Model();
  ASSERT_TRUE(tflite::ValidateModel(in).ok());
  auto r = FoldFp16Weights(in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->folded, 1);
  const ir::Model& m = r->model;
  const ir::Subgraph& sg = m.subgraphs[0];
  ASSERT_EQ(sg.operators.size(), 1u);
  EXPECT_EQ(OpCode(m, sg.operators[0]), ir::BuiltinOp::kAdd);
  ASSERT_EQ(m.operator_codes.size(), 1u);  // DEQUANTIZE's code is gone
  // x, the folded weight, y: the float16 tensor is gone.
  ASSERT_EQ(sg.tensors.size(), 3u);
  const int32_t w = sg.operators[0].inputs[1];
  const ir::Tensor& t = sg.tensors[static_cast<size_t>(w)];
  EXPECT_EQ(t.name, "w");  // the weight's own name
  EXPECT_EQ(t.type, ir::DataType::kFloat32);
  EXPECT_EQ(t.shape, (std::vector<int32_t>{4}));
  EXPECT_EQ(FromBytes<float>(m.buffers[t.buffer].bytes()),
            (std::vector<float>{1.0f, -2.0f, 0.333251953125f, std::ldexp(1.0f, -24)}));
  EXPECT_EQ(r->operator_map, (std::vector<std::vector<int32_t>>{{-1, 0}}));
  EXPECT_TRUE(tflite::ValidateModel(m).ok());
  EXPECT_TRUE(CheckExecutionOrder(m).ok());
  auto bytes = tflite::WriteModel(m);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto reread = tflite::ReadModel(*bytes);
  ASSERT_TRUE(reread.ok()) << reread.status();
  EXPECT_TRUE(*reread == m);
}

TEST(FoldFp16WeightsTest, LeavesEverythingElseAlone) {
  uint32_t spare = 0;
  const ir::Model in = Fp16Model(&spare);
  auto r = FoldFp16Weights(in);
  ASSERT_TRUE(r.ok());
  // The buffer nobody used before is still there, with its bytes.
  bool found = false;
  for (const ir::Buffer& b : r->model.buffers) {
    found = found || (b.size() == 2 && b.bytes()[0] == 7);
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(r->model.subgraphs[0].inputs, in.subgraphs[0].inputs);
  EXPECT_EQ(r->model.subgraphs[0].tensors[0], in.subgraphs[0].tensors[0]);
  // Nothing to fold: the model comes back unchanged.
  auto again = FoldFp16Weights(r->model);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->folded, 0);
  EXPECT_TRUE(again->model == r->model);
}

TEST(FoldFp16WeightsTest, SkipsRunTimeInputsAndSubgraphOutputs) {
  ModelBuilder b;
  const int32_t q = b.Tensor("q", {4}, ir::DataType::kInt8);  // a run-time int8 tensor
  const int32_t f = b.Tensor("f", {4});
  const int32_t w16 = b.Constant<uint16_t>("w", {4}, ir::DataType::kFloat16, {0, 0, 0, 0x3c00});
  const int32_t w32 = b.Tensor("w_out", {4});
  b.Op(ir::BuiltinOp::kDequantize, {q}, {f}, std::monostate{}, 2);
  b.Op(ir::BuiltinOp::kDequantize, {w16}, {w32}, std::monostate{}, 3);
  b.Inputs({q});
  b.Outputs({f, w32});  // the folded-candidate is a subgraph output: left alone
  ir::Model in = b.Build();
  ir::QuantParams qp;
  qp.scale = {0.5f};
  qp.zero_point = {0};
  in.subgraphs[0].tensors[static_cast<size_t>(q)].quantization = qp;
  auto r = FoldFp16Weights(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->folded, 0);
  EXPECT_TRUE(r->model == in);
}

TEST(FoldFp16WeightsTest, BadBufferSizeNamesTheTensor) {
  ir::Model in = Fp16Model();
  // Give the float16 constant 6 bytes for 4 elements.
  ir::Subgraph& sg = in.subgraphs[0];
  sg.tensors[1].buffer = in.AddBuffer({1, 2, 3, 4, 5, 6});
  auto r = FoldFp16Weights(in);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string msg(r.status().message());
  EXPECT_NE(msg.find("operator 0 (DEQUANTIZE)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("tensor 1 'w'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("6 bytes"), std::string::npos) << msg;
}

}  // namespace
}  // namespace compressd::passes
