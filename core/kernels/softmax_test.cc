// Tests of SOFTMAX and LOG_SOFTMAX.
#include <cmath>
#include <limits>
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

ir::SoftmaxOptions Beta(float beta) {
  ir::SoftmaxOptions o;
  o.beta = beta;
  return o;
}

std::vector<double> Naive(const std::vector<float>& x, int depth, double beta, bool log) {
  std::vector<double> out;
  for (size_t row = 0; row < x.size() / depth; ++row) {
    double max = -std::numeric_limits<double>::infinity();
    for (int c = 0; c < depth; ++c) max = std::max<double>(max, x[row * depth + c]);
    double sum = 0;
    for (int c = 0; c < depth; ++c) sum += std::exp((x[row * depth + c] - max) * beta);
    for (int c = 0; c < depth; ++c) {
      const double z = (x[row * depth + c] - max) * beta;
      out.push_back(log ? z - std::log(sum) : std::exp(z) / sum);
    }
  }
  return out;
}

TEST(SoftmaxTest, HandComputed) {
  OpHarness h(SoftmaxKernel(), Beta(1.0f));
  h.AddInput(ir::DataType::kFloat32, Shape{2, 2}, std::vector<float>{0, 0, 0, std::log(3.0f)});
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{2, 2}));
  ExpectAllNear(h.OutputData<float>(0), std::vector<float>{0.5f, 0.5f, 0.25f, 0.75f}, 1e-6);

  OpHarness l(LogSoftmaxKernel());
  l.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>{1, 1});
  l.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(l.Run().ok());
  ExpectAllNear(l.OutputData<float>(0), std::vector<float>{-std::log(2.0f), -std::log(2.0f)}, 1e-6);
}

TEST(SoftmaxTest, RandomRanksAndBetasMatchNaive) {
  std::mt19937 rng(101);
  for (int iter = 0; iter < 40; ++iter) {
    const int rank = RandomInt(rng, 1, 4);
    Shape shape;
    for (int d = 0; d < rank; ++d) shape.push_back(RandomInt(rng, 1, 5));
    const float beta = std::uniform_real_distribution<float>(0.1f, 3.0f)(rng);
    const bool log = RandomInt(rng, 0, 1);
    const auto in = RandomFloats(rng, shape.FlatSize(), -10, 10);
    OpHarness h(log ? LogSoftmaxKernel() : SoftmaxKernel(), Beta(beta));
    h.AddInput(ir::DataType::kFloat32, shape, in);
    h.AddOutput(ir::DataType::kFloat32);
    ASSERT_TRUE(h.Run().ok());
    EXPECT_EQ(h.OutputShape(0), shape);
    ExpectAllNear(h.OutputData<float>(0),
                  Naive(in, shape.dim(rank - 1), log ? 1.0 : beta, log), 1e-5, 1e-4);
  }
}

TEST(SoftmaxTest, LargeInputsDoNotOverflow) {
  OpHarness h(SoftmaxKernel(), Beta(1.0f));
  h.AddInput(ir::DataType::kFloat32, Shape{3}, std::vector<float>{1000, 1000, -1000});
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{0.5f, 0.5f, 0.0f}));
}

TEST(SoftmaxTest, RejectsScalarsAndIntegers) {
  for (const OpKernel* k : {&SoftmaxKernel(), &LogSoftmaxKernel()}) {
    OpHarness scalar(*k, Beta(1));
    scalar.AddInput(ir::DataType::kFloat32, Shape(), std::vector<float>{1});
    scalar.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(scalar.Run().code(), absl::StatusCode::kInvalidArgument);
    OpHarness int8(*k, Beta(1));
    int8.AddInput(ir::DataType::kInt8, Shape{2}, std::vector<int8_t>{1, 2});
    int8.AddOutput(ir::DataType::kInt8);
    EXPECT_EQ(int8.Run().code(), absl::StatusCode::kUnimplemented);
    OpHarness two_outputs(*k, Beta(1));
    two_outputs.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>{1, 2});
    two_outputs.AddOutput(ir::DataType::kFloat32);
    two_outputs.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(two_outputs.Run().code(), absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace compressd::kernels
