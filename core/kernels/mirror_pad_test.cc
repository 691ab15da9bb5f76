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

// Mirrors coordinate p (relative to the input start) back into [0, n).
int64_t Reflect(int64_t p, int64_t n, bool symmetric) {
  if (p < 0) return symmetric ? -1 - p : -p;
  if (p >= n) return symmetric ? (n - 1) - (p - n) : (n - 2) - (p - n);
  return p;
}

std::vector<float> NaiveMirrorPad(const Shape& shape, const std::vector<float>& x,
                                  const std::vector<int32_t>& pads, bool symmetric,
                                  Shape* out_shape) {
  *out_shape = Shape();
  for (int d = 0; d < shape.rank(); ++d) {
    out_shape->push_back(shape.dim(d) + pads[2 * d] + pads[2 * d + 1]);
  }
  std::vector<float> out(static_cast<size_t>(out_shape->FlatSize()));
  for (int64_t i = 0; i < out_shape->FlatSize(); ++i) {
    const std::vector<int64_t> idx = Unravel(i, *out_shape);
    int64_t src = 0;
    for (int d = 0; d < shape.rank(); ++d) {
      src = src * shape.dim(d) + Reflect(idx[d] - pads[2 * d], shape.dim(d), symmetric);
    }
    out[i] = x[src];
  }
  return out;
}

TEST(MirrorPadTest, HandExample) {
  // TF docs: [[1,2,3],[4,5,6]] with paddings [[1,1],[2,2]].
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  for (bool symmetric : {false, true}) {
    OpHarness h(MirrorPadKernel(), ir::MirrorPadOptions{symmetric ? ir::MirrorPadMode::kSymmetric
                                                                  : ir::MirrorPadMode::kReflect});
    h.AddInput(ir::DataType::kFloat32, Shape{2, 3}, x);
    h.AddConstInput(ir::DataType::kInt32, Shape{2, 2}, std::vector<int32_t>{1, 1, 2, 2});
    h.AddOutput(ir::DataType::kFloat32);
    TT_ASSERT_OK(h.Run());
    EXPECT_EQ(h.OutputShape(0), (Shape{4, 7}));
    if (symmetric) {
      EXPECT_EQ(h.OutputData<float>(0),
                (std::vector<float>{2, 1, 1, 2, 3, 3, 2, 2, 1, 1, 2, 3, 3, 2,
                                    5, 4, 4, 5, 6, 6, 5, 5, 4, 4, 5, 6, 6, 5}));
    } else {
      EXPECT_EQ(h.OutputData<float>(0),
                (std::vector<float>{6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1,
                                    6, 5, 4, 5, 6, 5, 4, 3, 2, 1, 2, 3, 2, 1}));
    }
  }
}

TEST(MirrorPadTest, RandomShapesBothModes) {
  std::mt19937 rng(101);
  for (int iter = 0; iter < 200; ++iter) {
    const bool symmetric = iter % 2 == 0;
    const int rank = RandInt(rng, 1, 5);
    const Shape shape = RandShape(rng, rank, 1, 4);
    std::vector<int32_t> pads;
    for (int d = 0; d < rank; ++d) {
      const int limit = symmetric ? shape.dim(d) : shape.dim(d) - 1;
      pads.push_back(RandInt(rng, 0, limit));
      pads.push_back(RandInt(rng, 0, limit));
    }
    const std::vector<float> x = Iota<float>(shape.FlatSize());
    OpHarness h(MirrorPadKernel(), ir::MirrorPadOptions{symmetric ? ir::MirrorPadMode::kSymmetric
                                                                  : ir::MirrorPadMode::kReflect});
    h.AddInput(ir::DataType::kFloat32, shape, x);
    h.AddConstInput(ir::DataType::kInt32, Shape{rank, 2}, pads);
    h.AddOutput(ir::DataType::kFloat32);
    SCOPED_TRACE(shape.ToString());
    TT_ASSERT_OK(h.Run());
    Shape want_shape;
    const std::vector<float> want = NaiveMirrorPad(shape, x, pads, symmetric, &want_shape);
    ASSERT_EQ(h.OutputShape(0), want_shape);
    ASSERT_EQ(h.OutputData<float>(0), want);
  }
}

TEST(MirrorPadTest, Int8Data) {
  OpHarness h(MirrorPadKernel(), ir::MirrorPadOptions{ir::MirrorPadMode::kReflect});
  h.AddInput(ir::DataType::kInt8, Shape{3}, std::vector<int8_t>{-1, 2, -3});
  h.AddConstInput(ir::DataType::kInt64, Shape{1, 2}, std::vector<int64_t>{2, 2});
  h.AddOutput(ir::DataType::kInt8);
  TT_ASSERT_OK(h.Run());
  EXPECT_EQ(h.OutputData<int8_t>(0), (std::vector<int8_t>{-3, 2, -1, 2, -3, 2, -1}));
}

TEST(MirrorPadTest, RejectsPaddingsBeyondTheMirror) {
  for (auto [mode, pad] :
       {std::pair{ir::MirrorPadMode::kReflect, 3}, std::pair{ir::MirrorPadMode::kSymmetric, 4}}) {
    OpHarness h(MirrorPadKernel(), ir::MirrorPadOptions{mode});
    h.AddInput(ir::DataType::kFloat32, Shape{3}, std::vector<float>(3));
    h.AddConstInput(ir::DataType::kInt32, Shape{1, 2}, std::vector<int32_t>{0, pad});
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
  OpHarness h(MirrorPadKernel(), ir::MirrorPadOptions{ir::MirrorPadMode::kReflect});
  h.AddInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>(1));  // REFLECT of size 1
  h.AddConstInput(ir::DataType::kInt32, Shape{1, 2}, std::vector<int32_t>{1, 0});
  h.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
