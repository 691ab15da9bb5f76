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
using testing::Unravel;

// Naive constant padding by output coordinates.
template <typename T>
std::vector<T> NaivePad(const Shape& shape, const std::vector<T>& x,
                        const std::vector<int32_t>& paddings, T value, Shape* out_shape) {
  *out_shape = Shape();
  for (int d = 0; d < shape.rank(); ++d) {
    out_shape->push_back(shape.dim(d) + paddings[2 * d] + paddings[2 * d + 1]);
  }
  std::vector<T> out(static_cast<size_t>(out_shape->FlatSize()), value);
  for (int64_t i = 0; i < out_shape->FlatSize(); ++i) {
    const std::vector<int64_t> idx = Unravel(i, *out_shape);
    bool inside = true;
    int64_t src = 0;
    for (int d = 0; d < shape.rank(); ++d) {
      const int64_t c = idx[d] - paddings[2 * d];
      inside = inside && c >= 0 && c < shape.dim(d);
      src = src * shape.dim(d) + c;
    }
    if (inside) out[i] = x[src];
  }
  return out;
}

TEST(PadTest, RandomShapesFloat) {
  std::mt19937 rng(91);
  for (int iter = 0; iter < 200; ++iter) {
    const int rank = RandInt(rng, 0, 6);
    const Shape shape = RandShape(rng, rank, 0, 3);
    std::vector<int32_t> paddings;
    for (int i = 0; i < 2 * rank; ++i) paddings.push_back(RandInt(rng, 0, 2));
    const std::vector<float> x = Iota<float>(shape.FlatSize(), 1.0f);
    const bool v2 = iter % 2 == 1;
    OpHarness h(v2 ? PadV2Kernel() : PadKernel());
    h.AddInput(ir::DataType::kFloat32, shape, x);
    h.AddConstInput(ir::DataType::kInt32, Shape{rank, 2}, paddings);
    if (v2) h.AddInput(ir::DataType::kFloat32, Shape{}, std::vector<float>{-0.5f});
    h.AddOutput(ir::DataType::kFloat32);
    SCOPED_TRACE(shape.ToString());
    TT_ASSERT_OK(h.Run());
    Shape want_shape;
    const std::vector<float> want = NaivePad(shape, x, paddings, v2 ? -0.5f : 0.0f, &want_shape);
    ASSERT_EQ(h.OutputShape(0), want_shape);
    ASSERT_EQ(h.OutputData<float>(0), want);
  }
}

TEST(PadTest, QuantizedInt8PadsWithOutputZeroPoint) {
  ir::QuantParams q;
  q.scale = {0.5f};
  q.zero_point = {-3};
  OpHarness h(PadKernel());
  h.AddInput(ir::DataType::kInt8, Shape{2, 2}, std::vector<int8_t>{1, 2, 3, 4}, q);
  h.AddConstInput(ir::DataType::kInt64, Shape{2, 2}, std::vector<int64_t>{1, 0, 0, 1});
  h.AddOutput(ir::DataType::kInt8, Shape(), q);
  TT_ASSERT_OK(h.Run());
  EXPECT_EQ(h.OutputShape(0), (Shape{3, 3}));
  EXPECT_EQ(h.OutputData<int8_t>(0), (std::vector<int8_t>{-3, -3, -3, 1, 2, -3, 3, 4, -3}));
}

TEST(PadTest, OtherElementSizes) {
  {
    OpHarness h(PadV2Kernel());
    h.AddInput(ir::DataType::kInt64, Shape{2}, std::vector<int64_t>{int64_t{1} << 40, -1});
    h.AddConstInput(ir::DataType::kInt32, Shape{1, 2}, std::vector<int32_t>{2, 1});
    h.AddConstInput(ir::DataType::kInt64, Shape{1}, std::vector<int64_t>{9});
    h.AddOutput(ir::DataType::kInt64);
    TT_ASSERT_OK(h.Run());
    EXPECT_EQ(h.OutputData<int64_t>(0), (std::vector<int64_t>{9, 9, int64_t{1} << 40, -1, 9}));
  }
  {
    OpHarness h(PadKernel());
    h.AddInput(ir::DataType::kInt16, Shape{1, 2}, std::vector<int16_t>{-7, 8});
    h.AddConstInput(ir::DataType::kInt32, Shape{2, 2}, std::vector<int32_t>{0, 1, 1, 0});
    h.AddOutput(ir::DataType::kInt16);
    TT_ASSERT_OK(h.Run());
    EXPECT_EQ(h.OutputData<int16_t>(0), (std::vector<int16_t>{0, -7, 8, 0, 0, 0}));
  }
}

TEST(PadTest, PadV2WithOmittedValueUsesZero) {
  OpHarness h(PadV2Kernel());
  h.AddInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{5});
  h.AddConstInput(ir::DataType::kInt32, Shape{1, 2}, std::vector<int32_t>{1, 1});
  h.AddOptionalInput();
  h.AddOutput(ir::DataType::kFloat32);
  TT_ASSERT_OK(h.Run());
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{0, 5, 0}));
}

TEST(PadTest, RejectsBadPaddings) {
  auto run = [](Shape pad_shape, std::vector<int32_t> pads, bool constant) {
    OpHarness h(PadKernel());
    h.AddInput(ir::DataType::kFloat32, Shape{2, 2}, std::vector<float>(4));
    if (constant) {
      h.AddConstInput(ir::DataType::kInt32, pad_shape, pads);
    } else {
      h.AddInput(ir::DataType::kInt32, pad_shape, pads);
    }
    h.AddOutput(ir::DataType::kFloat32);
    return h.Run();
  };
  EXPECT_EQ(run(Shape{2, 2}, {0, -1, 0, 0}, true).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(run(Shape{3, 2}, {0, 0, 0, 0, 0, 0}, true).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(run(Shape{4}, {0, 0, 0, 0}, true).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(run(Shape{2, 2}, {0, 0, 0, 0}, false).code(), absl::StatusCode::kInvalidArgument);
}

TEST(PadTest, RejectsBadConstantValue) {
  {
    OpHarness h(PadV2Kernel());
    h.AddInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{5});
    h.AddConstInput(ir::DataType::kInt32, Shape{1, 2}, std::vector<int32_t>{1, 1});
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>{1, 2});
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    OpHarness h(PadV2Kernel());
    h.AddInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{5});
    h.AddConstInput(ir::DataType::kInt32, Shape{1, 2}, std::vector<int32_t>{1, 1});
    h.AddInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{1});
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    OpHarness h(PadKernel());
    h.AddInput(ir::DataType::kString, Shape{1}, std::vector<uint8_t>{});
    h.AddConstInput(ir::DataType::kInt32, Shape{1, 2}, std::vector<int32_t>{1, 1});
    h.AddOutput(ir::DataType::kString);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kUnimplemented);
  }
}

}  // namespace
}  // namespace compressd::kernels
