#include <random>
#include <vector>

#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/nn_test_util.h"
#include "core/kernels/testing/op_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;
using testing::RandomFloats;
using testing::RandomInt;

TEST(PreluTest, PerChannelAlphaBroadcastsOverNhw) {
  OpHarness h(PreluKernel());
  h.AddInput(ir::DataType::kFloat32, Shape{1, 2, 1, 2}, std::vector<float>{-1, -2, 3, -4});
  h.AddConstInput(ir::DataType::kFloat32, Shape{1, 1, 2}, std::vector<float>{0.5f, 0.25f});
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{1, 2, 1, 2}));
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{-0.5f, -0.5f, 3, -1}));
}

TEST(PreluTest, RandomBroadcastsMatchNaive) {
  std::mt19937 rng(121);
  for (int iter = 0; iter < 40; ++iter) {
    const int d0 = RandomInt(rng, 1, 3), d1 = RandomInt(rng, 1, 3), d2 = RandomInt(rng, 1, 3);
    const Shape in_shape{d0, d1, d2};
    // alpha keeps or collapses each dimension, and may drop leading ones.
    Shape alpha_shape;
    const int drop = RandomInt(rng, 0, 2);
    const int full[3] = {d0, d1, d2};
    for (int d = drop; d < 3; ++d) alpha_shape.push_back(RandomInt(rng, 0, 1) ? full[d] : 1);
    const auto in = RandomFloats(rng, in_shape.FlatSize(), -2, 2);
    const auto alpha = RandomFloats(rng, alpha_shape.FlatSize());
    OpHarness h(PreluKernel());
    h.AddInput(ir::DataType::kFloat32, in_shape, in);
    h.AddInput(ir::DataType::kFloat32, alpha_shape, alpha);
    h.AddOutput(ir::DataType::kFloat32);
    ASSERT_TRUE(h.Run().ok());
    EXPECT_EQ(h.OutputShape(0), in_shape);
    const Shape a3 = alpha_shape.Extended(3);
    std::vector<float> expected;
    for (int i = 0; i < d0; ++i)
      for (int j = 0; j < d1; ++j)
        for (int k = 0; k < d2; ++k) {
          const float x = in[(i * d1 + j) * d2 + k];
          const int ai = a3.dim(0) == 1 ? 0 : i, aj = a3.dim(1) == 1 ? 0 : j,
                    ak = a3.dim(2) == 1 ? 0 : k;
          const float a = alpha[(ai * a3.dim(1) + aj) * a3.dim(2) + ak];
          expected.push_back(x >= 0 ? x : x * a);
        }
    EXPECT_EQ(h.OutputData<float>(0), expected);
  }
}

TEST(PreluTest, AlphaCanWidenTheOutput) {
  OpHarness h(PreluKernel());
  h.AddInput(ir::DataType::kFloat32, Shape{2, 1}, std::vector<float>{-1, 1});
  h.AddInput(ir::DataType::kFloat32, Shape{3}, std::vector<float>{1, 2, 3});
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{2, 3}));
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{-1, -2, -3, 1, 1, 1}));
}

TEST(PreluTest, RejectsMalformedOperators) {
  OpHarness h(PreluKernel());
  h.AddInput(ir::DataType::kFloat32, Shape{2, 3}, std::vector<float>(6));
  h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
  h.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);

  OpHarness type(PreluKernel());
  type.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
  type.AddInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>(2));
  type.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(type.Run().code(), absl::StatusCode::kInvalidArgument);

  OpHarness one(PreluKernel());
  one.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
  one.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(one.Run().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
