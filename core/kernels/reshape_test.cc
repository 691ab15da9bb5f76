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

// Reshapes Iota data of `in_shape` with a constant int32 shape input.
absl::Status RunWithShapeInput(const Shape& in_shape, const std::vector<int32_t>& new_shape,
                               Shape* out_shape) {
  OpHarness h(ReshapeKernel());
  const std::vector<float> x = Iota<float>(in_shape.FlatSize());
  h.AddInput(ir::DataType::kFloat32, in_shape, x);
  h.AddConstInput(ir::DataType::kInt32, Shape{static_cast<int32_t>(new_shape.size())}, new_shape);
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  if (s.ok()) {
    *out_shape = h.OutputShape(0);
    EXPECT_EQ(h.OutputData<float>(0), x);  // data unchanged
  }
  return s;
}

TEST(ReshapeTest, ShapeFromInputWithInference) {
  Shape out;
  TT_ASSERT_OK(RunWithShapeInput(Shape{2, 3, 4}, {4, -1}, &out));
  EXPECT_EQ(out, (Shape{4, 6}));
  TT_ASSERT_OK(RunWithShapeInput(Shape{2, 3, 4}, {-1}, &out));
  EXPECT_EQ(out, (Shape{24}));
  TT_ASSERT_OK(RunWithShapeInput(Shape{1, 1}, {}, &out));  // to a scalar
  EXPECT_EQ(out, Shape{});
  TT_ASSERT_OK(RunWithShapeInput(Shape{}, {1, 1, 1, 1, 1, 1, 1, 1}, &out));
  EXPECT_EQ(out, (Shape{1, 1, 1, 1, 1, 1, 1, 1}));
  TT_ASSERT_OK(RunWithShapeInput(Shape{0, 3}, {3, -1}, &out));  // TFLite: stretch = 0
  EXPECT_EQ(out, (Shape{3, 0}));
  TT_ASSERT_OK(RunWithShapeInput(Shape{0, 3}, {-1, 0}, &out));  // non-zero 3 / non-zero 1
  EXPECT_EQ(out, (Shape{3, 0}));
}

TEST(ReshapeTest, ShapeFromOptionsAndLegacyScalar) {
  {
    OpHarness h(ReshapeKernel(), ir::ReshapeOptions{{3, 2}});
    h.AddInput(ir::DataType::kInt8, Shape{6}, Iota<int8_t>(6));
    h.AddOutput(ir::DataType::kInt8);
    TT_ASSERT_OK(h.Run());
    EXPECT_EQ(h.OutputShape(0), (Shape{3, 2}));
    EXPECT_EQ(h.OutputData<int8_t>(0), Iota<int8_t>(6));
  }
  {
    OpHarness h(ReshapeKernel(), ir::ReshapeOptions{{0}});
    h.AddInput(ir::DataType::kInt32, Shape{1, 1}, std::vector<int32_t>{42});
    h.AddOutput(ir::DataType::kInt32);
    TT_ASSERT_OK(h.Run());
    EXPECT_EQ(h.OutputShape(0), Shape{});
    EXPECT_EQ(h.OutputData<int32_t>(0), (std::vector<int32_t>{42}));
  }
  {
    // A shape input that is not a 1-D integer tensor falls back to the options (TFLite).
    OpHarness h(ReshapeKernel(), ir::ReshapeOptions{{2, 2}});
    h.AddInput(ir::DataType::kFloat32, Shape{4}, Iota<float>(4));
    h.AddConstInput(ir::DataType::kInt32, Shape{1, 2}, std::vector<int32_t>{4, 1});
    h.AddOutput(ir::DataType::kFloat32);
    TT_ASSERT_OK(h.Run());
    EXPECT_EQ(h.OutputShape(0), (Shape{2, 2}));
  }
}

TEST(ReshapeTest, NonConstantShapeInputIsCheckedAgainstOptions) {
  {
    OpHarness h(ReshapeKernel(), ir::ReshapeOptions{{2, 3}});
    h.AddInput(ir::DataType::kFloat32, Shape{6}, Iota<float>(6));
    h.AddInput(ir::DataType::kInt64, Shape{2}, std::vector<int64_t>{-1, 3});
    h.AddOutput(ir::DataType::kFloat32);
    TT_ASSERT_OK(h.Run());
    EXPECT_EQ(h.OutputShape(0), (Shape{2, 3}));
  }
  {
    OpHarness h(ReshapeKernel(), ir::ReshapeOptions{{2, 3}});
    h.AddInput(ir::DataType::kFloat32, Shape{6}, Iota<float>(6));
    h.AddInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{3, 2});
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);  // Eval-time mismatch
  }
  {
    OpHarness h(ReshapeKernel());
    h.AddInput(ir::DataType::kFloat32, Shape{6}, Iota<float>(6));
    h.AddInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{3, 2});
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);  // no way to know the shape
  }
}

TEST(ReshapeTest, RejectsBadShapes) {
  Shape out;
  EXPECT_EQ(RunWithShapeInput(Shape{2, 3}, {4, 2}, &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunWithShapeInput(Shape{2, 3}, {-1, -1}, &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunWithShapeInput(Shape{2, 3}, {-2, -3}, &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunWithShapeInput(Shape{2, 3}, {4, -1}, &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunWithShapeInput(Shape{1}, {1, 1, 1, 1, 1, 1, 1, 1, 1}, &out).code(),
            absl::StatusCode::kInvalidArgument);  // rank 9 > kMaxRank
  OpHarness h(ReshapeKernel(), ir::ReshapeOptions{{2}});
  h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
  h.AddOutput(ir::DataType::kInt32);
  EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
