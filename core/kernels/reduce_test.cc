#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <vector>

#include "core/kernels/tensor_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/tensor_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::ExpectSameFloats;
using testing::OpHarness;
using testing::RandFloats;
using testing::RandInt;
using testing::RandShape;
using testing::Unravel;

enum class Kind { kMean, kSum, kMax };

const OpKernel& KernelFor(Kind k) {
  switch (k) {
    case Kind::kMean:
      return MeanKernel();
    case Kind::kSum:
      return SumKernel();
    default:
      return ReduceMaxKernel();
  }
}

// Naive reduction: visits the input in row-major order and folds each element into the output
// element given by its non-reduced coordinates (the order TFLite's reference uses).
std::vector<float> NaiveReduce(Kind kind, const Shape& shape, const std::vector<float>& x,
                               const std::set<int>& axes, Shape* out_shape, bool keep_dims) {
  Shape kept;  // non-reduced dims
  *out_shape = Shape();
  for (int d = 0; d < shape.rank(); ++d) {
    if (axes.count(d)) {
      if (keep_dims) out_shape->push_back(1);
    } else {
      kept.push_back(shape.dim(d));
      out_shape->push_back(shape.dim(d));
    }
  }
  const float init = kind == Kind::kMax ? std::numeric_limits<float>::lowest() : 0.0f;
  std::vector<float> out(static_cast<size_t>(kept.FlatSize()), init);
  for (int64_t i = 0; i < shape.FlatSize(); ++i) {
    const std::vector<int64_t> idx = Unravel(i, shape);
    int64_t o = 0;
    for (int d = 0; d < shape.rank(); ++d) {
      if (!axes.count(d)) o = o * shape.dim(d) + idx[d];
    }
    if (kind == Kind::kMax) {
      out[o] = x[i] > out[o] ? x[i] : out[o];
    } else {
      out[o] += x[i];
    }
  }
  if (kind == Kind::kMean) {
    float count = 1.0f;
    for (int d : axes) count *= static_cast<float>(shape.dim(d));
    if (count > 0) {
      for (float& v : out) v /= count;
    }
  }
  return out;
}

absl::Status RunReduce(Kind kind, const Shape& shape, const std::vector<float>& x,
                       const std::vector<int32_t>& axis, bool keep_dims, std::vector<float>* out,
                       Shape* out_shape) {
  OpHarness h(KernelFor(kind), ir::ReducerOptions{keep_dims});
  h.AddInput(ir::DataType::kFloat32, shape, x);
  h.AddConstInput(ir::DataType::kInt32, Shape{static_cast<int32_t>(axis.size())}, axis);
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  if (s.ok()) {
    *out = h.OutputData<float>(0);
    *out_shape = h.OutputShape(0);
  }
  return s;
}

TEST(ReduceTest, RandomAxesMatchNaive) {
  std::mt19937 rng(81);
  for (int iter = 0; iter < 300; ++iter) {
    const int rank = RandInt(rng, 1, 6);
    const Shape shape = RandShape(rng, rank, 1, 5);
    const std::vector<float> x = RandFloats(rng, shape.FlatSize());
    std::vector<int32_t> axis;
    std::set<int> axes;
    const int n = RandInt(rng, 0, rank + 1);  // may repeat axes
    for (int i = 0; i < n; ++i) {
      const int d = RandInt(rng, 0, rank - 1);
      axes.insert(d);
      axis.push_back(RandInt(rng, 0, 1) ? d : d - rank);  // negative form half the time
    }
    const bool keep_dims = RandInt(rng, 0, 1) == 1;
    for (Kind kind : {Kind::kMean, Kind::kSum, Kind::kMax}) {
      SCOPED_TRACE(shape.ToString() + " axes " + std::to_string(axis.size()) + " kind " +
                   std::to_string(static_cast<int>(kind)));
      Shape want_shape;
      const std::vector<float> want = NaiveReduce(kind, shape, x, axes, &want_shape, keep_dims);
      std::vector<float> out;
      Shape out_shape;
      TT_ASSERT_OK(RunReduce(kind, shape, x, axis, keep_dims, &out, &out_shape));
      ASSERT_EQ(out_shape, want_shape);
      ExpectSameFloats(out, want);
    }
  }
}

TEST(ReduceTest, MeanOfSpatialDimsByHand) {
  // [1, 2, 2, 2] NHWC mean over H and W: per channel.
  const std::vector<float> x = {1, 10, 2, 20, 3, 30, 4, 40};
  std::vector<float> out;
  Shape shape;
  TT_ASSERT_OK(RunReduce(Kind::kMean, Shape{1, 2, 2, 2}, x, {1, 2}, true, &out, &shape));
  EXPECT_EQ(shape, (Shape{1, 1, 1, 2}));
  EXPECT_EQ(out, (std::vector<float>{2.5f, 25.0f}));
  TT_ASSERT_OK(RunReduce(Kind::kSum, Shape{1, 2, 2, 2}, x, {-1, 0, -1}, false, &out, &shape));
  EXPECT_EQ(shape, (Shape{2, 2}));
  EXPECT_EQ(out, (std::vector<float>{11, 22, 33, 44}));
  TT_ASSERT_OK(RunReduce(Kind::kMax, Shape{1, 2, 2, 2}, x, {3}, false, &out, &shape));
  EXPECT_EQ(out, (std::vector<float>{10, 20, 30, 40}));
}

TEST(ReduceTest, EmptyAxisListCopiesAndScalarIgnoresAxes) {
  std::vector<float> out;
  Shape shape;
  TT_ASSERT_OK(RunReduce(Kind::kMean, Shape{2, 3}, {1, 2, 3, 4, 5, 6}, {}, false, &out, &shape));
  EXPECT_EQ(shape, (Shape{2, 3}));
  EXPECT_EQ(out, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  TT_ASSERT_OK(RunReduce(Kind::kSum, Shape{}, {7.5f}, {0, 3}, false, &out, &shape));
  EXPECT_EQ(shape, Shape{});
  EXPECT_EQ(out, (std::vector<float>{7.5f}));
}

TEST(ReduceTest, EmptyReductionsGiveInitialValues) {
  std::vector<float> out;
  Shape shape;
  TT_ASSERT_OK(RunReduce(Kind::kSum, Shape{2, 0}, {}, {1}, false, &out, &shape));
  EXPECT_EQ(shape, (Shape{2}));
  EXPECT_EQ(out, (std::vector<float>{0, 0}));
  TT_ASSERT_OK(RunReduce(Kind::kMean, Shape{2, 0}, {}, {1}, false, &out, &shape));
  EXPECT_EQ(out, (std::vector<float>{0, 0}));  // TFLite leaves 0 when nothing was averaged
  TT_ASSERT_OK(RunReduce(Kind::kMax, Shape{2, 0}, {}, {1}, true, &out, &shape));
  EXPECT_EQ(shape, (Shape{2, 1}));
  EXPECT_EQ(out, (std::vector<float>(2, std::numeric_limits<float>::lowest())));
  TT_ASSERT_OK(RunReduce(Kind::kMax, Shape{0, 3}, {}, {1}, false, &out, &shape));
  EXPECT_EQ(shape, (Shape{0}));
  EXPECT_TRUE(out.empty());
}

TEST(ReduceTest, RejectsBadAxes) {
  std::vector<float> out;
  Shape shape;
  const absl::Status s =
      RunReduce(Kind::kSum, Shape{2, 3}, std::vector<float>(6), {2}, false, &out, &shape);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("2"), absl::string_view::npos);
  EXPECT_EQ(
      RunReduce(Kind::kSum, Shape{2, 3}, std::vector<float>(6), {-3}, false, &out, &shape).code(),
      absl::StatusCode::kInvalidArgument);
  {
    OpHarness h(MeanKernel(), ir::ReducerOptions{});
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{0});  // not constant
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    OpHarness h(MeanKernel(), ir::ReducerOptions{});
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddConstInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{0});
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    OpHarness h(ReduceMaxKernel(), ir::ReducerOptions{});
    h.AddInput(ir::DataType::kInt8, Shape{2}, std::vector<int8_t>(2));
    h.AddConstInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{0});
    h.AddOutput(ir::DataType::kInt8);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kUnimplemented);
  }
}

TEST(ReduceTest, Int64AxisInput) {
  OpHarness h(SumKernel(), ir::ReducerOptions{});
  h.AddInput(ir::DataType::kFloat32, Shape{2, 2}, std::vector<float>{1, 2, 3, 4});
  h.AddConstInput(ir::DataType::kInt64, Shape{}, std::vector<int64_t>{0});
  h.AddOutput(ir::DataType::kFloat32);
  TT_ASSERT_OK(h.Run());
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{4, 6}));
}

}  // namespace
}  // namespace compressd::kernels
