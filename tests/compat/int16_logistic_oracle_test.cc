// int16 LOGISTIC (16x8) against the real TensorFlow Lite runtime: a one-operator model
// int16 -> LOGISTIC -> int16 (output scale 1/32768) runs every one of the 65,536 int16 inputs in
// TFLite and in compressd's interpreter, for several input scales:
//   * k / 12288 for k = 1, 2, 4, 5, 7 (3 would be 2^-12, the case TFLite sends to another kernel):
//     the input multiplier then maps x to (nearly) k * x in the kernel's 1/12288 units, so
//     together these reach every interval of the interpolation table (kInt16SigmoidTable) at
//     many positions. scripts/derive_int16_sigmoid_table.py
//     reconstructs the table from these outputs (COMPRESSD_DUMP_DIR keeps them);
//   * scales the quantizer produces for activation ranges from 0.5 to 100.
// Outputs must be bit-identical.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/base/file_io.h"
#include "core/interp/interpreter.h"
#include "core/passes/testing/model_builder.h"
#include "core/tflite/model_writer.h"
#include "gtest/gtest.h"
#include "tests/support/test_data.h"
#include "tests/support/tflite_oracle.h"

namespace compressd {
namespace {

using passes::testing::ModelBuilder;
using passes::testing::RawBytes;

// int16 [1, 65536] (scale `input_scale`, zero point 0) -> LOGISTIC -> int16 (1/32768, 0).
ir::Model Int16LogisticModel(float input_scale) {
  ModelBuilder b;
  const int32_t x = b.Tensor("x", {1, 65536}, ir::DataType::kInt16);
  const int32_t y = b.Tensor("y", {1, 65536}, ir::DataType::kInt16);
  ir::Model& m = b.model();
  ir::QuantParams qx;
  qx.scale = {input_scale};
  qx.zero_point = {0};
  ir::QuantParams qy;
  qy.scale = {1.0f / 32768.0f};
  qy.zero_point = {0};
  m.subgraphs[0].tensors[static_cast<size_t>(x)].quantization = qx;
  m.subgraphs[0].tensors[static_cast<size_t>(y)].quantization = qy;
  b.Op(ir::BuiltinOp::kLogistic, {x}, {y}, std::monostate{}, /*version=*/3);
  b.Inputs({x});
  b.Outputs({y});
  return b.Build();
}

std::vector<int16_t> EveryInt16() {
  std::vector<int16_t> v(65536);
  for (int i = 0; i < 65536; ++i) v[static_cast<size_t>(i)] = static_cast<int16_t>(i - 32768);
  return v;
}

std::vector<int16_t> AsInt16(const std::vector<uint8_t>& bytes) {
  std::vector<int16_t> v(bytes.size() / 2);
  if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * 2);
  return v;
}

class Int16LogisticOracleTest : public ::testing::TestWithParam<float> {};

TEST_P(Int16LogisticOracleTest, EveryInputMatchesTflite) {
  const float scale = GetParam();
  const ir::Model model = Int16LogisticModel(scale);
  const std::string dir = testing::MakeTempDir("int16_logistic");
  const std::string model_path = dir + "/model.tflite";
  const std::string input_path = dir + "/input.bin";
  auto bytes = tflite::WriteModel(model);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  ASSERT_TRUE(WriteFileAtomic(model_path, *bytes).ok());
  const std::vector<uint8_t> input = RawBytes(EveryInt16());
  ASSERT_TRUE(WriteFileAtomic(input_path, input).ok());

  auto want = testing::RunTfliteOracle(model_path, {input_path});
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_TRUE(want->loaded) << want->error;
  ASSERT_EQ(want->outputs.size(), 1u);

  auto interp = interp::Interpreter::Create(model);
  ASSERT_TRUE(interp.ok()) << interp.status();
  ASSERT_TRUE((*interp)->SetInput(0, input).ok());
  ASSERT_TRUE((*interp)->Invoke().ok());
  const auto got_span = (*interp)->output_bytes(0);
  const std::vector<int16_t> got = AsInt16({got_span.begin(), got_span.end()});
  const std::vector<int16_t> expected = AsInt16(want->outputs[0]);
  ASSERT_EQ(got.size(), expected.size());

  if (const char* dump = std::getenv("COMPRESSD_DUMP_DIR"); dump != nullptr) {
    char name[64];
    std::snprintf(name, sizeof(name), "/int16_logistic_%.9g.bin", static_cast<double>(scale));
    ASSERT_TRUE(WriteFileAtomic(std::string(dump) + name, want->outputs[0]).ok());
  }
  int differing = 0;
  int first = -1;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != expected[i]) {
      ++differing;
      if (first < 0) first = static_cast<int>(i);
    }
  }
  EXPECT_EQ(differing, 0) << "first at input " << first - 32768 << ": TFLite "
                          << (first >= 0 ? expected[static_cast<size_t>(first)] : 0)
                          << ", compressd " << (first >= 0 ? got[static_cast<size_t>(first)] : 0);
  // The outputs cover the sigmoid of the input range: sigmoid(-32768 * scale) at the lowest
  // input, within 3 steps (the kernel's interpolation and input rounding).
  const double lowest = 32768.0 / (1.0 + std::exp(32768.0 * scale));
  EXPECT_NEAR(expected.front(), lowest, 3.0);
}

// k / 12288 (see above), then the symmetric int16 scale max|x| / 32767 of activation ranges.
std::vector<float> Scales() {
  std::vector<float> s;
  for (int k : {1, 2, 4, 5, 7}) s.push_back(static_cast<float>(k) / 12288.0f);
  for (float range : {0.5f, 2.9f, 7.3f, 12.0f, 31.4f, 100.0f}) s.push_back(range / 32767.0f);
  return s;
}

INSTANTIATE_TEST_SUITE_P(Scales, Int16LogisticOracleTest, ::testing::ValuesIn(Scales()));

}  // namespace
}  // namespace compressd
