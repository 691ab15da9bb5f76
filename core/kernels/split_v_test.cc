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

TEST(SplitVTest, RandomSizesWithInferredEntry) {
  std::mt19937 rng(131);
  for (int iter = 0; iter < 150; ++iter) {
    const int rank = RandInt(rng, 1, 5);
    Shape shape = RandShape(rng, rank, 1, 3);
    const int axis = RandInt(rng, 0, rank - 1);
    const int n = RandInt(rng, 1, 4);
    std::vector<int32_t> sizes;
    int total = 0;
    for (int i = 0; i < n; ++i) {
      sizes.push_back(RandInt(rng, 0, 3));
      total += sizes.back();
    }
    shape.set_dim(axis, total);
    std::vector<int32_t> spec = sizes;
    if (iter % 2 == 0) spec[RandInt(rng, 0, n - 1)] = -1;
    const std::vector<uint8_t> x = Iota<uint8_t>(shape.FlatSize());
    OpHarness h(SplitVKernel(), ir::SplitVOptions{n});
    h.AddInput(ir::DataType::kUInt8, shape, x);
    h.AddConstInput(ir::DataType::kInt32, Shape{n}, spec);
    h.AddConstInput(ir::DataType::kInt64, Shape{1},
                    std::vector<int64_t>{RandInt(rng, 0, 1) ? axis : axis - rank});
    for (int i = 0; i < n; ++i) h.AddOutput(ir::DataType::kUInt8);
    SCOPED_TRACE(shape.ToString());
    TT_ASSERT_OK(h.Run());
    int offset = 0;
    for (int i = 0; i < n; ++i) {
      Shape s = shape;
      s.set_dim(axis, sizes[i]);
      ASSERT_EQ(h.OutputShape(i), s);
      std::vector<uint8_t> want(static_cast<size_t>(s.FlatSize()));
      for (int64_t o = 0; o < s.FlatSize(); ++o) {
        std::vector<int64_t> idx = Unravel(o, s);
        idx[axis] += offset;
        want[o] = x[Ravel(idx, shape)];
      }
      ASSERT_EQ(h.OutputData<uint8_t>(i), want);
      offset += sizes[i];
    }
  }
}

TEST(SplitVTest, RejectsBadSizes) {
  auto run = [](std::vector<int32_t> sizes, int num_splits) {
    OpHarness h(SplitVKernel(), ir::SplitVOptions{num_splits});
    h.AddInput(ir::DataType::kFloat32, Shape{2, 5}, std::vector<float>(10));
    h.AddConstInput(ir::DataType::kInt32, Shape{static_cast<int32_t>(sizes.size())}, sizes);
    h.AddConstInput(ir::DataType::kInt32, Shape{}, std::vector<int32_t>{1});
    for (int i = 0; i < num_splits; ++i) h.AddOutput(ir::DataType::kFloat32);
    return h.Run().code();
  };
  EXPECT_EQ(run({2, 2}, 2), absl::StatusCode::kInvalidArgument);    // sum 4 != 5
  EXPECT_EQ(run({-1, -1}, 2), absl::StatusCode::kInvalidArgument);  // two -1
  EXPECT_EQ(run({-1, 6}, 2), absl::StatusCode::kInvalidArgument);   // too large
  EXPECT_EQ(run({-2, 7}, 2), absl::StatusCode::kInvalidArgument);   // negative
  EXPECT_EQ(run({2, 3}, 3), absl::StatusCode::kInvalidArgument);    // count mismatch
  EXPECT_EQ(run({2, 3}, 2), absl::StatusCode::kOk);
}

}  // namespace
}  // namespace compressd::kernels
