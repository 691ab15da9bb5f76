#include <cmath>
#include <random>
#include <vector>

#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/nn_test_util.h"
#include "core/kernels/testing/op_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::ExpectAllNear;
using testing::OpHarness;
using testing::RandomFloats;
using testing::RandomInt;

std::vector<float> Normalize(Shape shape, const std::vector<float>& in) {
  OpHarness h(L2NormalizationKernel());
  h.AddInput(ir::DataType::kFloat32, shape, in);
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(h.OutputShape(0), shape);
  return h.OutputData<float>(0);
}

TEST(L2NormalizationTest, HandComputed) {
  EXPECT_EQ(Normalize(Shape{1, 2}, {3, 4}), (std::vector<float>{0.6f, 0.8f}));
  // Norm below epsilon = 1e-6: divide by 1e-6 instead (TFLite), zeros stay zeros.
  ExpectAllNear(Normalize(Shape{3}, {1e-8f, 0, 0}), std::vector<float>{0.01f, 0, 0}, 1e-7);
  EXPECT_EQ(Normalize(Shape{2}, {0, 0}), (std::vector<float>{0, 0}));
}

TEST(L2NormalizationTest, RandomMatchesNaive) {
  std::mt19937 rng(111);
  for (int iter = 0; iter < 30; ++iter) {
    const int rank = RandomInt(rng, 1, 4);
    Shape shape;
    for (int d = 0; d < rank; ++d) shape.push_back(RandomInt(rng, 1, 5));
    const auto in = RandomFloats(rng, shape.FlatSize(), -5, 5);
    const int depth = shape.dim(rank - 1);
    std::vector<double> expected;
    for (size_t row = 0; row < in.size() / depth; ++row) {
      double sq = 0;
      for (int c = 0; c < depth; ++c) sq += static_cast<double>(in[row * depth + c]) * in[row * depth + c];
      const double norm = std::max(std::sqrt(sq), 1e-6);
      for (int c = 0; c < depth; ++c) expected.push_back(in[row * depth + c] / norm);
    }
    ExpectAllNear(Normalize(shape, in), expected);
  }
}

TEST(L2NormalizationTest, RejectsMalformedOperators) {
  OpHarness rank5(L2NormalizationKernel());
  rank5.AddInput(ir::DataType::kFloat32, Shape{1, 1, 1, 1, 2}, std::vector<float>(2));
  rank5.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(rank5.Run().code(), absl::StatusCode::kInvalidArgument);

  ir::L2NormOptions relu;
  relu.activation = ir::Activation::kRelu;
  OpHarness act(L2NormalizationKernel(), relu);
  act.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
  act.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(act.Run().code(), absl::StatusCode::kInvalidArgument);

  OpHarness uint8(L2NormalizationKernel());
  uint8.AddInput(ir::DataType::kUInt8, Shape{2}, std::vector<uint8_t>(2));
  uint8.AddOutput(ir::DataType::kUInt8);
  EXPECT_EQ(uint8.Run().code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace compressd::kernels
