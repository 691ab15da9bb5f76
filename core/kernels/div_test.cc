#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "core/kernels/tensor_kernels.h"
#include "core/kernels/testing/tensor_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::BroadcastCase;
using testing::ExpectSameFloats;
using testing::NaiveBroadcast;
using testing::RandBroadcastCase;
using testing::RandFloats;
using testing::RunBinaryOp;

TEST(DivTest, RandomBroadcastsMatchNaive) {
  std::mt19937 rng(31);
  for (int i = 0; i < 200; ++i) {
    const BroadcastCase c = RandBroadcastCase(rng, 6);
    SCOPED_TRACE(c.a.ToString() + " / " + c.b.ToString());
    const std::vector<float> a = RandFloats(rng, c.a.FlatSize());
    const std::vector<float> b = RandFloats(rng, c.b.FlatSize(), 0.5f, 3.0f);
    const std::vector<float> expected =
        NaiveBroadcast(c.a, a, c.b, b, c.out, [](float x, float y) { return x / y; });
    std::vector<float> out;
    Shape shape;
    TT_ASSERT_OK(RunBinaryOp(DivKernel(), ir::DivOptions{}, ir::DataType::kFloat32, c.a, a, c.b, b,
                             &out, &shape));
    ASSERT_EQ(shape, c.out);
    ExpectSameFloats(out, expected);
  }
}

TEST(DivTest, DivisionByZeroFollowsIeeeThenClamps) {
  std::vector<float> out;
  Shape shape;
  TT_ASSERT_OK(RunBinaryOp(DivKernel(), ir::DivOptions{}, ir::DataType::kFloat32, Shape{3},
                           std::vector<float>{1.0f, -1.0f, 0.0f}, Shape{1},
                           std::vector<float>{0.0f}, &out, &shape));
  EXPECT_EQ(out[0], std::numeric_limits<float>::max());     // +inf clamped to FLT_MAX
  EXPECT_EQ(out[1], std::numeric_limits<float>::lowest());  // -inf clamped
  EXPECT_TRUE(std::isnan(out[2]));
  TT_ASSERT_OK(RunBinaryOp(DivKernel(), ir::DivOptions{ir::Activation::kReluN1To1},
                           ir::DataType::kFloat32, Shape{3}, std::vector<float>{3.0f, -3.0f, 1.0f},
                           Shape{1}, std::vector<float>{2.0f}, &out, &shape));
  EXPECT_EQ(out, (std::vector<float>{1.0f, -1.0f, 0.5f}));
}

TEST(DivTest, Int32IsUnimplemented) {
  std::vector<int32_t> out;
  Shape shape;
  EXPECT_EQ(RunBinaryOp(DivKernel(), ir::DivOptions{}, ir::DataType::kInt32, Shape{1},
                        std::vector<int32_t>{1}, Shape{1}, std::vector<int32_t>{1}, &out, &shape)
                .code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace compressd::kernels
