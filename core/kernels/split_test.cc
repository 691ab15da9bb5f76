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

// Naive: output k holds the input elements whose axis coordinate lies in its range.
std::vector<std::vector<float>> NaiveSplit(const Shape& shape, const std::vector<float>& x,
                                           int axis, const std::vector<int>& sizes) {
  std::vector<std::vector<float>> outs;
  int offset = 0;
  for (int size : sizes) {
    Shape s = shape;
    s.set_dim(axis, size);
    std::vector<float> out(static_cast<size_t>(s.FlatSize()));
    for (int64_t o = 0; o < s.FlatSize(); ++o) {
      std::vector<int64_t> idx = Unravel(o, s);
      idx[axis] += offset;
      out[o] = x[Ravel(idx, shape)];
    }
    outs.push_back(out);
    offset += size;
  }
  return outs;
}

TEST(SplitTest, RandomEvenSplits) {
  std::mt19937 rng(121);
  for (int iter = 0; iter < 150; ++iter) {
    const int rank = RandInt(rng, 1, 6);
    Shape shape = RandShape(rng, rank, 1, 3);
    const int axis = RandInt(rng, 0, rank - 1);
    const int n = RandInt(rng, 1, 3);
    shape.set_dim(axis, n * RandInt(rng, 0, 2));
    const std::vector<float> x = Iota<float>(shape.FlatSize());
    const int32_t axis_value = RandInt(rng, 0, 1) ? axis : axis - rank;
    OpHarness h(SplitKernel(), ir::SplitOptions{n});
    h.AddConstInput(ir::DataType::kInt32, Shape{}, std::vector<int32_t>{axis_value});
    h.AddInput(ir::DataType::kFloat32, shape, x);
    for (int i = 0; i < n; ++i) h.AddOutput(ir::DataType::kFloat32);
    SCOPED_TRACE(shape.ToString() + " axis " + std::to_string(axis_value));
    TT_ASSERT_OK(h.Run());
    const auto want = NaiveSplit(shape, x, axis, std::vector<int>(n, shape.dim(axis) / n));
    for (int i = 0; i < n; ++i) {
      Shape s = shape;
      s.set_dim(axis, shape.dim(axis) / n);
      ASSERT_EQ(h.OutputShape(i), s);
      ASSERT_EQ(h.OutputData<float>(i), want[i]);
    }
  }
}

TEST(SplitTest, RejectsBadSplits) {
  auto run = [](int num_splits, int outputs, std::vector<int32_t> axis, Shape shape,
                bool constant_axis = true) {
    OpHarness h(SplitKernel(), ir::SplitOptions{num_splits});
    if (constant_axis) {
      h.AddConstInput(ir::DataType::kInt32, Shape{static_cast<int32_t>(axis.size())}, axis);
    } else {
      h.AddInput(ir::DataType::kInt32, Shape{static_cast<int32_t>(axis.size())}, axis);
    }
    h.AddInput(ir::DataType::kFloat32, shape, std::vector<float>(shape.FlatSize()));
    for (int i = 0; i < outputs; ++i) h.AddOutput(ir::DataType::kFloat32);
    return h.Run().code();
  };
  EXPECT_EQ(run(3, 3, {0}, Shape{4}), absl::StatusCode::kInvalidArgument);     // uneven
  EXPECT_EQ(run(2, 3, {0}, Shape{4}), absl::StatusCode::kInvalidArgument);     // output count
  EXPECT_EQ(run(0, 0, {0}, Shape{4}), absl::StatusCode::kInvalidArgument);     // num_splits 0
  EXPECT_EQ(run(2, 2, {1}, Shape{4}), absl::StatusCode::kInvalidArgument);     // axis range
  EXPECT_EQ(run(2, 2, {0, 0}, Shape{4}), absl::StatusCode::kInvalidArgument);  // axis count
  EXPECT_EQ(run(2, 2, {0}, Shape{4}, false), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
