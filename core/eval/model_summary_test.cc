#include "core/eval/model_summary.h"

#include <cstdint>
#include <vector>

#include "core/tflite/testing/test_models.h"
#include "gtest/gtest.h"

namespace compressd::eval {
namespace {

using tflite::testing::MakeTensor;
using tflite::testing::PerChannelQuant;
using tflite::testing::PerTensorQuant;

// Three int8 tensors: two share one per-channel scale vector, one has another; an activation has
// a per-tensor scale equal to the first channel scale (a different vector: length 1).
ir::Model QuantizedTensors() {
  ir::Model m = tflite::testing::EmptyModel();
  const uint32_t weights = m.AddBuffer(std::vector<uint8_t>(12, 1));  // 3 channels x 4
  const uint32_t bias = m.AddBuffer(std::vector<uint8_t>(12, 2));     // 3 int32
  ir::Subgraph sg;
  sg.tensors.push_back(MakeTensor("w1", {3, 4}, ir::DataType::kInt8, weights));
  sg.tensors.back().quantization = PerChannelQuant({0.5f, 0.25f, 0.125f}, {0, 0, 0}, 0);
  sg.tensors.push_back(MakeTensor("w2", {3, 4}, ir::DataType::kInt8, weights));
  sg.tensors.back().quantization = PerChannelQuant({0.5f, 0.25f, 0.125f}, {0, 0, 0}, 0);
  sg.tensors.push_back(MakeTensor("b", {3}, ir::DataType::kInt32, bias));
  sg.tensors.back().quantization = PerChannelQuant({0.1f, 0.2f, 0.3f}, {0, 0, 0}, 0);
  sg.tensors.push_back(MakeTensor("x", {1, 4}, ir::DataType::kInt8));
  sg.tensors.back().quantization = PerTensorQuant(0.5f, -3);
  sg.tensors.push_back(MakeTensor("f", {1, 4}, ir::DataType::kFloat32));
  m.subgraphs.push_back(std::move(sg));
  return m;
}

TEST(ModelSummaryTest, CountsDistinctScaleVectorsAndConstantBytesOnce) {
  const ModelSummary s = Summarize(QuantizedTensors(), 1000);
  EXPECT_TRUE(s.has_quantization);
  // {0.5, 0.25, 0.125} once, {0.1, 0.2, 0.3}, {0.5}: 3 + 3 + 1.
  EXPECT_EQ(s.distinct_scale_values, 7);
  // The shared weight buffer counts once: 12 int8 bytes + 12 int32 bytes.
  EXPECT_EQ(s.constant_bytes, 24);
  EXPECT_EQ(s.constants_by_dtype.at("int8").bytes, 12);
  EXPECT_EQ(s.constants_by_dtype.at("int32").parameters, 3);
  JsonWriter w(0);
  WriteSummaryJson(s, w);
  EXPECT_NE(w.output().find("\"distinct_scale_values\":7"), std::string::npos) << w.output();
  EXPECT_NE(FormatSummary(s).find("7 distinct scale values"), std::string::npos);
}

TEST(ModelSummaryTest, FloatModelHasNoScales) {
  const ModelSummary s = Summarize(tflite::testing::TinyConvModel());
  EXPECT_FALSE(s.has_quantization);
  EXPECT_EQ(s.distinct_scale_values, 0);
  EXPECT_EQ(s.constant_bytes, 18 * 4);
}

}  // namespace
}  // namespace compressd::eval
