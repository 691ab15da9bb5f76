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
using testing::RandInts;
using testing::RunBinaryOp;

TEST(MaximumMinimumTest, RandomFloatBroadcasts) {
  std::mt19937 rng(51);
  for (int i = 0; i < 200; ++i) {
    const BroadcastCase c = RandBroadcastCase(rng, 6);
    SCOPED_TRACE(c.a.ToString() + " vs " + c.b.ToString());
    const std::vector<float> a = RandFloats(rng, c.a.FlatSize());
    const std::vector<float> b = RandFloats(rng, c.b.FlatSize());
    std::vector<float> out;
    Shape shape;
    TT_ASSERT_OK(
        RunBinaryOp(MaximumKernel(), {}, ir::DataType::kFloat32, c.a, a, c.b, b, &out, &shape));
    ASSERT_EQ(shape, c.out);
    ExpectSameFloats(
        out, NaiveBroadcast(c.a, a, c.b, b, c.out, [](float x, float y) { return x > y ? x : y; }));
    TT_ASSERT_OK(
        RunBinaryOp(MinimumKernel(), {}, ir::DataType::kFloat32, c.a, a, c.b, b, &out, &shape));
    ExpectSameFloats(
        out, NaiveBroadcast(c.a, a, c.b, b, c.out, [](float x, float y) { return x < y ? x : y; }));
  }
}

TEST(MaximumMinimumTest, IntegerTypes) {
  std::mt19937 rng(52);
  const BroadcastCase c{Shape{3, 1, 2}, Shape{4, 1}, Shape{3, 4, 2}};
  const std::vector<int32_t> a = RandInts<int32_t>(rng, 6, -100, 100);
  const std::vector<int32_t> b = RandInts<int32_t>(rng, 4, -100, 100);
  std::vector<int32_t> out;
  Shape shape;
  TT_ASSERT_OK(
      RunBinaryOp(MaximumKernel(), {}, ir::DataType::kInt32, c.a, a, c.b, b, &out, &shape));
  EXPECT_EQ(out, NaiveBroadcast(c.a, a, c.b, b, c.out,
                                [](int32_t x, int32_t y) { return x > y ? x : y; }));
  const std::vector<int64_t> a64 = {int64_t{1} << 40, -5};
  const std::vector<int64_t> b64 = {3};
  std::vector<int64_t> out64;
  TT_ASSERT_OK(RunBinaryOp(MinimumKernel(), {}, ir::DataType::kInt64, Shape{2}, a64, Shape{1}, b64,
                           &out64, &shape));
  EXPECT_EQ(out64, (std::vector<int64_t>{3, -5}));
}

TEST(MaximumMinimumTest, NanFollowsTfliteComparison) {
  // TFLite: el1 > el2 ? el1 : el2, so a NaN first operand yields the second, and vice versa.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> out;
  Shape shape;
  TT_ASSERT_OK(RunBinaryOp(MaximumKernel(), {}, ir::DataType::kFloat32, Shape{2},
                           std::vector<float>{nan, 1.0f}, Shape{2}, std::vector<float>{2.0f, nan},
                           &out, &shape));
  EXPECT_EQ(out[0], 2.0f);
  EXPECT_TRUE(std::isnan(out[1]));
}

TEST(MaximumMinimumTest, RejectsInt8AndIncompatibleShapes) {
  std::vector<int8_t> out8;
  Shape shape;
  EXPECT_EQ(RunBinaryOp(MaximumKernel(), {}, ir::DataType::kInt8, Shape{1}, std::vector<int8_t>{1},
                        Shape{1}, std::vector<int8_t>{1}, &out8, &shape)
                .code(),
            absl::StatusCode::kUnimplemented);
  std::vector<float> out;
  EXPECT_EQ(RunBinaryOp(MinimumKernel(), {}, ir::DataType::kFloat32, Shape{2, 2},
                        std::vector<float>(4), Shape{3, 1}, std::vector<float>(3), &out, &shape)
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
