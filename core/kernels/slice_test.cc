#include <cstdint>
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

template <typename I>
absl::Status RunSlice(const Shape& shape, ir::DataType index_type, const std::vector<I>& begin,
                      const std::vector<I>& size, std::vector<float>* out, Shape* out_shape) {
  OpHarness h(SliceKernel());
  h.AddInput(ir::DataType::kFloat32, shape, Iota<float>(shape.FlatSize()));
  h.AddConstInput(index_type, Shape{static_cast<int32_t>(begin.size())}, begin);
  h.AddConstInput(index_type, Shape{static_cast<int32_t>(size.size())}, size);
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  if (s.ok()) {
    *out = h.OutputData<float>(0);
    *out_shape = h.OutputShape(0);
  }
  return s;
}

TEST(SliceTest, RandomSlicesMatchNaive) {
  std::mt19937 rng(161);
  for (int iter = 0; iter < 200; ++iter) {
    const int rank = RandInt(rng, 0, 6);
    const Shape shape = RandShape(rng, rank, 1, 4);
    std::vector<int32_t> begin;
    std::vector<int32_t> size;
    Shape want_shape;
    for (int d = 0; d < rank; ++d) {
      const int b = RandInt(rng, 0, shape.dim(d));
      const int s = RandInt(rng, 0, shape.dim(d) - b);
      begin.push_back(b);
      const bool to_end = RandInt(rng, 0, 3) == 0;
      size.push_back(to_end ? -1 : s);
      want_shape.push_back(to_end ? shape.dim(d) - b : s);
    }
    std::vector<float> want(static_cast<size_t>(want_shape.FlatSize()));
    for (int64_t o = 0; o < want_shape.FlatSize(); ++o) {
      std::vector<int64_t> idx = Unravel(o, want_shape);
      for (int d = 0; d < rank; ++d) idx[d] += begin[d];
      want[o] = static_cast<float>(Ravel(idx, shape));
    }
    std::vector<float> out;
    Shape out_shape;
    SCOPED_TRACE(shape.ToString());
    if (iter % 2) {
      TT_ASSERT_OK(RunSlice(shape, ir::DataType::kInt32, begin, size, &out, &out_shape));
    } else {
      TT_ASSERT_OK(RunSlice(shape, ir::DataType::kInt64,
                            std::vector<int64_t>(begin.begin(), begin.end()),
                            std::vector<int64_t>(size.begin(), size.end()), &out, &out_shape));
    }
    ASSERT_EQ(out_shape, want_shape);
    ASSERT_EQ(out, want);
  }
}

TEST(SliceTest, RejectsOutOfRange) {
  std::vector<float> out;
  Shape shape;
  auto code = [&](std::vector<int32_t> begin, std::vector<int32_t> size) {
    return RunSlice(Shape{3, 4}, ir::DataType::kInt32, begin, size, &out, &shape).code();
  };
  EXPECT_EQ(code({1, 1}, {2, 3}), absl::StatusCode::kOk);
  EXPECT_EQ(code({2, 0}, {2, 1}), absl::StatusCode::kInvalidArgument);   // 2 + 2 > 3
  EXPECT_EQ(code({-1, 0}, {1, 1}), absl::StatusCode::kInvalidArgument);  // negative begin
  EXPECT_EQ(code({4, 0}, {-1, 1}), absl::StatusCode::kInvalidArgument);  // begin > dim
  EXPECT_EQ(code({0, 0}, {-2, 1}), absl::StatusCode::kInvalidArgument);  // size < -1
  EXPECT_EQ(code({0}, {1}), absl::StatusCode::kInvalidArgument);         // wrong length
  OpHarness h(SliceKernel());
  h.AddInput(ir::DataType::kFloat32, Shape{3}, std::vector<float>(3));
  h.AddInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{0});  // not constant
  h.AddConstInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{1});
  h.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
