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

TEST(UnpackTest, RandomShapesAndAxes) {
  std::mt19937 rng(151);
  for (int iter = 0; iter < 150; ++iter) {
    const int rank = RandInt(rng, 1, 6);
    const Shape shape = RandShape(rng, rank, 1, 3);
    const int axis = RandInt(rng, 0, rank - 1);
    const int n = shape.dim(axis);
    const std::vector<float> x = Iota<float>(shape.FlatSize());
    const int axis_option = RandInt(rng, 0, 1) ? axis : axis - rank;
    OpHarness h(UnpackKernel(), ir::UnpackOptions{n, axis_option});
    h.AddInput(ir::DataType::kFloat32, shape, x);
    for (int i = 0; i < n; ++i) h.AddOutput(ir::DataType::kFloat32);
    SCOPED_TRACE(shape.ToString() + " axis " + std::to_string(axis_option));
    TT_ASSERT_OK(h.Run());
    Shape out_shape;
    for (int d = 0; d < rank; ++d) {
      if (d != axis) out_shape.push_back(shape.dim(d));
    }
    for (int k = 0; k < n; ++k) {
      ASSERT_EQ(h.OutputShape(k), out_shape);
      std::vector<float> want(static_cast<size_t>(out_shape.FlatSize()));
      for (int64_t o = 0; o < out_shape.FlatSize(); ++o) {
        std::vector<int64_t> idx = Unravel(o, out_shape);
        idx.insert(idx.begin() + axis, k);
        want[o] = x[Ravel(idx, shape)];
      }
      ASSERT_EQ(h.OutputData<float>(k), want);
    }
  }
}

TEST(UnpackTest, RejectsBadOptions) {
  auto run = [](int num, int axis, int outputs) {
    OpHarness h(UnpackKernel(), ir::UnpackOptions{num, axis});
    h.AddInput(ir::DataType::kFloat32, Shape{2, 3}, std::vector<float>(6));
    for (int i = 0; i < outputs; ++i) h.AddOutput(ir::DataType::kFloat32);
    return h.Run().code();
  };
  EXPECT_EQ(run(3, 1, 3), absl::StatusCode::kOk);
  EXPECT_EQ(run(2, 1, 2), absl::StatusCode::kInvalidArgument);  // num != dim
  EXPECT_EQ(run(3, 1, 2), absl::StatusCode::kInvalidArgument);  // outputs != num
  EXPECT_EQ(run(2, 2, 2), absl::StatusCode::kInvalidArgument);  // axis range
  EXPECT_EQ(run(0, 0, 0), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
