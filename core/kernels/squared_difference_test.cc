#include <cstdint>
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

TEST(SquaredDifferenceTest, RandomBroadcastsMatchNaive) {
  std::mt19937 rng(41);
  for (int i = 0; i < 200; ++i) {
    const BroadcastCase c = RandBroadcastCase(rng, 6);
    SCOPED_TRACE(c.a.ToString() + " vs " + c.b.ToString());
    const std::vector<float> a = RandFloats(rng, c.a.FlatSize());
    const std::vector<float> b = RandFloats(rng, c.b.FlatSize());
    const std::vector<float> expected = NaiveBroadcast(c.a, a, c.b, b, c.out, [](float x, float y) {
      const float d = x - y;
      return d * d;
    });
    std::vector<float> out;
    Shape shape;
    TT_ASSERT_OK(RunBinaryOp(SquaredDifferenceKernel(), {}, ir::DataType::kFloat32, c.a, a, c.b, b,
                             &out, &shape));
    ASSERT_EQ(shape, c.out);
    ExpectSameFloats(out, expected);
  }
}

TEST(SquaredDifferenceTest, HandValues) {
  std::vector<float> out;
  Shape shape;
  TT_ASSERT_OK(RunBinaryOp(SquaredDifferenceKernel(), {}, ir::DataType::kFloat32, Shape{2, 1},
                           std::vector<float>{1.0f, -2.0f}, Shape{3},
                           std::vector<float>{0.0f, 1.0f, 3.0f}, &out, &shape));
  EXPECT_EQ(shape, (Shape{2, 3}));
  EXPECT_EQ(out, (std::vector<float>{1, 0, 4, 4, 9, 25}));
}

TEST(SquaredDifferenceTest, RejectsInt32) {
  std::vector<int32_t> out;
  Shape shape;
  EXPECT_EQ(RunBinaryOp(SquaredDifferenceKernel(), {}, ir::DataType::kInt32, Shape{1},
                        std::vector<int32_t>{1}, Shape{1}, std::vector<int32_t>{1}, &out, &shape)
                .code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace compressd::kernels
