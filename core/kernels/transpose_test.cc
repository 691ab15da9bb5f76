#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "core/kernels/tensor_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/tensor_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::Iota;
using testing::OpHarness;
using testing::RandInt;
using testing::RandShape;
using testing::Ravel;
using testing::Unravel;

template <typename T>
void CheckRandomTranspose(ir::DataType type, std::mt19937& rng, int rank) {
  const Shape shape = RandShape(rng, rank, 1, 4);
  std::vector<int32_t> perm(rank);
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), rng);
  const std::vector<T> x = Iota<T>(shape.FlatSize());
  Shape out_shape;
  for (int i = 0; i < rank; ++i) out_shape.push_back(shape.dim(perm[i]));
  std::vector<T> want(static_cast<size_t>(out_shape.FlatSize()));
  for (int64_t o = 0; o < out_shape.FlatSize(); ++o) {
    const std::vector<int64_t> oi = Unravel(o, out_shape);
    std::vector<int64_t> ii(rank);
    for (int i = 0; i < rank; ++i) ii[perm[i]] = oi[i];
    want[o] = x[Ravel(ii, shape)];
  }
  OpHarness h(TransposeKernel());
  h.AddInput(type, shape, x);
  h.AddConstInput(ir::DataType::kInt32, Shape{rank}, perm);
  h.AddOutput(type);
  SCOPED_TRACE(shape.ToString());
  TT_ASSERT_OK(h.Run());
  ASSERT_EQ(h.OutputShape(0), out_shape);
  ASSERT_EQ(h.OutputData<T>(0), want);
}

TEST(TransposeTest, RandomPermutationsUpTo8D) {
  std::mt19937 rng(171);
  for (int iter = 0; iter < 200; ++iter) {
    const int rank = RandInt(rng, 0, 8);
    switch (iter % 4) {
      case 0:
        CheckRandomTranspose<float>(ir::DataType::kFloat32, rng, rank);
        break;
      case 1:
        CheckRandomTranspose<int8_t>(ir::DataType::kInt8, rng, std::min(rank, 4));
        break;
      case 2:
        CheckRandomTranspose<int16_t>(ir::DataType::kInt16, rng, rank);
        break;
      default:
        CheckRandomTranspose<int64_t>(ir::DataType::kInt64, rng, rank);
        break;
    }
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(TransposeTest, HandExampleWithInt64Perm) {
  OpHarness h(TransposeKernel());
  h.AddInput(ir::DataType::kFloat32, Shape{2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6});
  h.AddConstInput(ir::DataType::kInt64, Shape{2}, std::vector<int64_t>{1, 0});
  h.AddOutput(ir::DataType::kFloat32);
  TT_ASSERT_OK(h.Run());
  EXPECT_EQ(h.OutputShape(0), (Shape{3, 2}));
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST(TransposeTest, RejectsBadPermutations) {
  auto code = [](std::vector<int32_t> perm) {
    OpHarness h(TransposeKernel());
    h.AddInput(ir::DataType::kFloat32, Shape{2, 3, 4}, std::vector<float>(24));
    h.AddConstInput(ir::DataType::kInt32, Shape{static_cast<int32_t>(perm.size())}, perm);
    h.AddOutput(ir::DataType::kFloat32);
    return h.Run().code();
  };
  EXPECT_EQ(code({2, 0, 1}), absl::StatusCode::kOk);
  EXPECT_EQ(code({0, 0, 1}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({0, 1, 3}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({-1, 0, 1}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({0, 1}), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
