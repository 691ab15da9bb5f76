#include <cstdint>
#include <vector>

#include "core/kernels/tensor_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/tensor_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::Iota;
using testing::OpHarness;

template <typename A>
absl::Status RunExpand(const Shape& shape, ir::DataType axis_type, std::vector<A> axis, Shape* out,
                       bool constant = true) {
  OpHarness h(ExpandDimsKernel());
  const std::vector<float> x = Iota<float>(shape.FlatSize());
  h.AddInput(ir::DataType::kFloat32, shape, x);
  if (constant) {
    h.AddConstInput(axis_type, Shape{static_cast<int32_t>(axis.size())}, axis);
  } else {
    h.AddInput(axis_type, Shape{static_cast<int32_t>(axis.size())}, axis);
  }
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  if (s.ok()) {
    *out = h.OutputShape(0);
    EXPECT_EQ(h.OutputData<float>(0), x);
  }
  return s;
}

TEST(ExpandDimsTest, PositiveAndNegativeAxes) {
  Shape out;
  TT_ASSERT_OK(RunExpand<int32_t>(Shape{2, 3}, ir::DataType::kInt32, {0}, &out));
  EXPECT_EQ(out, (Shape{1, 2, 3}));
  TT_ASSERT_OK(RunExpand<int32_t>(Shape{2, 3}, ir::DataType::kInt32, {2}, &out));
  EXPECT_EQ(out, (Shape{2, 3, 1}));
  TT_ASSERT_OK(RunExpand<int32_t>(Shape{2, 3}, ir::DataType::kInt32, {-1}, &out));
  EXPECT_EQ(out, (Shape{2, 3, 1}));
  TT_ASSERT_OK(RunExpand<int64_t>(Shape{2, 3}, ir::DataType::kInt64, {-3}, &out));
  EXPECT_EQ(out, (Shape{1, 2, 3}));
  TT_ASSERT_OK(RunExpand<int32_t>(Shape{}, ir::DataType::kInt32, {0}, &out));
  EXPECT_EQ(out, (Shape{1}));
}

TEST(ExpandDimsTest, RejectsBadAxis) {
  Shape out;
  EXPECT_EQ(RunExpand<int32_t>(Shape{2, 3}, ir::DataType::kInt32, {3}, &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunExpand<int32_t>(Shape{2, 3}, ir::DataType::kInt32, {-4}, &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunExpand<int32_t>(Shape{2, 3}, ir::DataType::kInt32, {0, 1}, &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunExpand<int32_t>(Shape{2, 3}, ir::DataType::kInt32, {0}, &out, false).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      RunExpand<int32_t>(Shape{1, 1, 1, 1, 1, 1, 1, 1}, ir::DataType::kInt32, {0}, &out).code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
