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

TEST(PackTest, RandomShapesAndAxes) {
  std::mt19937 rng(141);
  for (int iter = 0; iter < 150; ++iter) {
    const int rank = RandInt(rng, 0, 5);
    const Shape shape = RandShape(rng, rank, 0, 3);
    const int n = RandInt(rng, 1, 4);
    const int axis = RandInt(rng, 0, rank);
    std::vector<std::vector<int32_t>> data;
    for (int i = 0; i < n; ++i) data.push_back(Iota<int32_t>(shape.FlatSize(), 100 * i));
    Shape out_shape;
    for (int d = 0; d < rank + 1; ++d) {
      out_shape.push_back(d < axis ? shape.dim(d) : d == axis ? n : shape.dim(d - 1));
    }
    std::vector<int32_t> want(static_cast<size_t>(out_shape.FlatSize()));
    for (int64_t o = 0; o < out_shape.FlatSize(); ++o) {
      std::vector<int64_t> idx = Unravel(o, out_shape);
      const int k = static_cast<int>(idx[axis]);
      idx.erase(idx.begin() + axis);
      want[o] = data[k][Ravel(idx, shape)];
    }
    const int axis_option = RandInt(rng, 0, 1) ? axis : axis - (rank + 1);
    OpHarness h(PackKernel(), ir::PackOptions{n, axis_option});
    for (int i = 0; i < n; ++i) h.AddInput(ir::DataType::kInt32, shape, data[i]);
    h.AddOutput(ir::DataType::kInt32);
    SCOPED_TRACE(shape.ToString() + " axis " + std::to_string(axis_option));
    TT_ASSERT_OK(h.Run());
    ASSERT_EQ(h.OutputShape(0), out_shape);
    ASSERT_EQ(h.OutputData<int32_t>(0), want);
  }
}

TEST(PackTest, RejectsBadInputs) {
  {
    OpHarness h(PackKernel(), ir::PackOptions{2, 0});
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddInput(ir::DataType::kFloat32, Shape{3}, std::vector<float>(3));
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    OpHarness h(PackKernel(), ir::PackOptions{3, 0});  // values_count mismatch
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    OpHarness h(PackKernel(), ir::PackOptions{1, 2});  // axis out of [-2, 1]
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace compressd::kernels
