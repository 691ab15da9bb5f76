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

absl::Status RunSqueeze(const Shape& shape, std::vector<int32_t> dims, Shape* out) {
  OpHarness h(SqueezeKernel(), ir::SqueezeOptions{std::move(dims)});
  const std::vector<int16_t> x = Iota<int16_t>(shape.FlatSize());
  h.AddInput(ir::DataType::kInt16, shape, x);
  h.AddOutput(ir::DataType::kInt16);
  const absl::Status s = h.Run();
  if (s.ok()) {
    *out = h.OutputShape(0);
    EXPECT_EQ(h.OutputData<int16_t>(0), x);
  }
  return s;
}

TEST(SqueezeTest, ListedAndAllDims) {
  Shape out;
  TT_ASSERT_OK(RunSqueeze(Shape{1, 3, 1, 2, 1}, {}, &out));
  EXPECT_EQ(out, (Shape{3, 2}));
  TT_ASSERT_OK(RunSqueeze(Shape{1, 3, 1, 2, 1}, {0, -1}, &out));
  EXPECT_EQ(out, (Shape{3, 1, 2}));
  TT_ASSERT_OK(RunSqueeze(Shape{1, 3, 1, 2, 1}, {2, -3}, &out));  // duplicates allowed
  EXPECT_EQ(out, (Shape{1, 3, 2, 1}));
  TT_ASSERT_OK(RunSqueeze(Shape{1, 1}, {}, &out));
  EXPECT_EQ(out, Shape{});
  TT_ASSERT_OK(RunSqueeze(Shape{0, 1}, {}, &out));
  EXPECT_EQ(out, (Shape{0}));
}

TEST(SqueezeTest, RejectsNonUnitOrOutOfRangeDims) {
  Shape out;
  EXPECT_EQ(RunSqueeze(Shape{1, 3}, {1}, &out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunSqueeze(Shape{1, 3}, {2}, &out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunSqueeze(Shape{1, 3}, {-3}, &out).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
