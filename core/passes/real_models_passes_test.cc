// The passes on the five real MediaPipe models (structure only; TFLite itself runs the results in
// tests/compat/quantize_fp16_dynamic_test.cc). Suite names end in DataTest: ctest runs them with
// the fetched test data.
#include <string>

#include "core/passes/fold_fp16_weights.h"
#include "core/passes/graph_edit.h"
#include "core/passes/quantize.h"
#include "core/tflite/model_reader.h"
#include "core/tflite/model_validator.h"
#include "core/tflite/model_writer.h"
#include "core/tflite/testing/test_data.h"
#include "gtest/gtest.h"

namespace compressd::passes {
namespace {

class RealModelsPassesDataTest : public ::testing::TestWithParam<std::string> {
 protected:
  ir::Model Load() {
    auto path = tflite::testing::TestModelPath(GetParam());
    EXPECT_TRUE(path.ok()) << path.status();
    auto m = tflite::ReadModelFile(path.ok() ? *path : std::string("/nonexistent"));
    EXPECT_TRUE(m.ok()) << m.status();
    return m.ok() ? *m : ir::Model{};
  }
};

int CountOps(const ir::Model& m, ir::BuiltinOp code) {
  int n = 0;
  for (const auto& op : m.subgraphs[0].operators) n += OpCode(m, op) == code ? 1 : 0;
  return n;
}

TEST_P(RealModelsPassesDataTest, FoldRemovesEveryFloat16Dequantize) {
  const ir::Model in = Load();
  ASSERT_FALSE(in.subgraphs.empty());
  const int dequantize_before = CountOps(in, ir::BuiltinOp::kDequantize);
  ASSERT_GT(dequantize_before, 0);
  auto r = FoldFp16Weights(in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->folded, dequantize_before);
  EXPECT_EQ(CountOps(r->model, ir::BuiltinOp::kDequantize), 0);
  EXPECT_EQ(r->model.subgraphs[0].operators.size(),
            in.subgraphs[0].operators.size() - static_cast<size_t>(dequantize_before));
  for (const auto& t : r->model.subgraphs[0].tensors) EXPECT_NE(t.type, ir::DataType::kFloat16);
  EXPECT_TRUE(tflite::ValidateModel(r->model).ok());
  EXPECT_TRUE(CheckExecutionOrder(r->model).ok());
}

TEST_P(RealModelsPassesDataTest, BothModesGiveValidModelsThatRoundTrip) {
  const ir::Model in = Load();
  ASSERT_FALSE(in.subgraphs.empty());
  for (QuantMode mode : {QuantMode::kFloat16, QuantMode::kDynamic}) {
    QuantizeOptions o;
    o.mode = mode;
    auto r = Quantize(in, o, nullptr);
    ASSERT_TRUE(r.ok()) << QuantModeName(mode) << ": " << r.status();
    EXPECT_TRUE(tflite::ValidateModel(r->model).ok());
    EXPECT_TRUE(CheckExecutionOrder(r->model).ok());
    auto bytes = tflite::WriteModel(r->model);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    auto reread = tflite::ReadModel(*bytes);
    ASSERT_TRUE(reread.ok()) << reread.status();
    EXPECT_TRUE(*reread == r->model);
    if (mode == QuantMode::kFloat16) {
      // The MediaPipe structure comes back: as many DEQUANTIZE ops and tensors as the original.
      EXPECT_EQ(CountOps(r->model, ir::BuiltinOp::kDequantize),
                CountOps(in, ir::BuiltinOp::kDequantize));
      EXPECT_EQ(r->model.subgraphs[0].tensors.size(), in.subgraphs[0].tensors.size());
      EXPECT_TRUE(r->kept_float.empty());
    } else {
      int int8_weights = 0;
      for (const auto& t : r->model.subgraphs[0].tensors) {
        int8_weights += t.type == ir::DataType::kInt8 ? 1 : 0;
      }
      EXPECT_GT(int8_weights, 0);
      for (const auto& k : r->kept_float) {
        EXPECT_FALSE(k.reason.empty());
        EXPECT_LT(k.operator_index, r->model.subgraphs[0].operators.size());
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(RealModels, RealModelsPassesDataTest,
                         ::testing::ValuesIn(tflite::testing::RealModelNames()),
                         [](const auto& info) {
                           std::string n = info.param;
                           return n.substr(0, n.find('.'));
                         });

}  // namespace
}  // namespace compressd::passes
