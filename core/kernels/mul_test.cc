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

TEST(MulTest, RandomBroadcastsMatchNaiveWithRelu6) {
  std::mt19937 rng(21);
  for (int i = 0; i < 200; ++i) {
    const BroadcastCase c = RandBroadcastCase(rng, 6);
    SCOPED_TRACE(c.a.ToString() + " * " + c.b.ToString());
    const std::vector<float> a = RandFloats(rng, c.a.FlatSize());
    const std::vector<float> b = RandFloats(rng, c.b.FlatSize());
    const std::vector<float> expected = NaiveBroadcast(c.a, a, c.b, b, c.out, [](float x, float y) {
      return std::min(std::max(x * y, 0.0f), 6.0f);
    });
    std::vector<float> out;
    Shape shape;
    TT_ASSERT_OK(RunBinaryOp(MulKernel(), ir::MulOptions{ir::Activation::kRelu6},
                             ir::DataType::kFloat32, c.a, a, c.b, b, &out, &shape));
    ASSERT_EQ(shape, c.out);
    ExpectSameFloats(out, expected);
  }
}

TEST(MulTest, Int32ShapeMath) {
  std::vector<int32_t> out;
  Shape shape;
  TT_ASSERT_OK(RunBinaryOp(MulKernel(), ir::MulOptions{}, ir::DataType::kInt32, Shape{3},
                           std::vector<int32_t>{2, -3, 65536}, Shape{}, std::vector<int32_t>{65536},
                           &out, &shape));
  EXPECT_EQ(shape, (Shape{3}));
  EXPECT_EQ(out, (std::vector<int32_t>{131072, -196608, 0}));  // 2^32 wraps to 0
}

TEST(MulTest, RejectsUnsupported) {
  std::vector<int64_t> out;
  Shape shape;
  EXPECT_EQ(RunBinaryOp(MulKernel(), ir::MulOptions{}, ir::DataType::kInt64, Shape{1},
                        std::vector<int64_t>{1}, Shape{1}, std::vector<int64_t>{1}, &out, &shape)
                .code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace compressd::kernels
