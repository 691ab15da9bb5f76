#include <algorithm>
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

TEST(SubTest, RandomBroadcastsMatchNaiveWithRelu) {
  std::mt19937 rng(11);
  for (int i = 0; i < 200; ++i) {
    const BroadcastCase c = RandBroadcastCase(rng, 6);
    SCOPED_TRACE(c.a.ToString() + " - " + c.b.ToString());
    const std::vector<float> a = RandFloats(rng, c.a.FlatSize());
    const std::vector<float> b = RandFloats(rng, c.b.FlatSize());
    const std::vector<float> expected = NaiveBroadcast(c.a, a, c.b, b, c.out, [](float x, float y) {
      return std::min(std::max(x - y, 0.0f), std::numeric_limits<float>::max());
    });
    std::vector<float> out;
    Shape shape;
    TT_ASSERT_OK(RunBinaryOp(SubKernel(), ir::SubOptions{ir::Activation::kRelu},
                             ir::DataType::kFloat32, c.a, a, c.b, b, &out, &shape));
    ASSERT_EQ(shape, c.out);
    ExpectSameFloats(out, expected);
  }
}

TEST(SubTest, OrderOfOperandsWithBroadcast) {
  std::vector<float> out;
  Shape shape;
  TT_ASSERT_OK(RunBinaryOp(SubKernel(), ir::SubOptions{}, ir::DataType::kFloat32, Shape{},
                           std::vector<float>{10.0f}, Shape{3}, std::vector<float>{1, 2, 3}, &out,
                           &shape));
  EXPECT_EQ(shape, (Shape{3}));
  EXPECT_EQ(out, (std::vector<float>{9, 8, 7}));
}

TEST(SubTest, Int32AndRelu1) {
  std::vector<int32_t> out;
  Shape shape;
  TT_ASSERT_OK(RunBinaryOp(SubKernel(), ir::SubOptions{ir::Activation::kReluN1To1},
                           ir::DataType::kInt32, Shape{2, 2}, std::vector<int32_t>{5, -5, 0, 1},
                           Shape{2, 1}, std::vector<int32_t>{0, 1}, &out, &shape));
  EXPECT_EQ(out, (std::vector<int32_t>{1, -1, -1, 0}));
  TT_ASSERT_OK(RunBinaryOp(SubKernel(), ir::SubOptions{}, ir::DataType::kInt32, Shape{1},
                           std::vector<int32_t>{std::numeric_limits<int32_t>::min()}, Shape{1},
                           std::vector<int32_t>{1}, &out, &shape));
  EXPECT_EQ(out[0], std::numeric_limits<int32_t>::max());  // wraps like two's complement
}

TEST(SubTest, RejectsBadInputs) {
  std::vector<float> out;
  Shape shape;
  EXPECT_EQ(RunBinaryOp(SubKernel(), ir::SubOptions{}, ir::DataType::kFloat32, Shape{3},
                        std::vector<float>(3), Shape{2}, std::vector<float>(2), &out, &shape)
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      RunBinaryOp(SubKernel(), ir::SubOptions{ir::Activation::kTanh}, ir::DataType::kFloat32,
                  Shape{3}, std::vector<float>(3), Shape{3}, std::vector<float>(3), &out, &shape)
          .code(),
      absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace compressd::kernels
