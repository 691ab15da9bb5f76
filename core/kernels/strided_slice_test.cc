#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
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

struct Spec {
  std::vector<int32_t> begin;
  std::vector<int32_t> end;
  std::vector<int32_t> strides;
  ir::StridedSliceOptions options;
};

absl::Status RunStridedSlice(const Shape& shape, const Spec& spec, std::vector<float>* out,
                             Shape* out_shape) {
  OpHarness h(StridedSliceKernel(), spec.options);
  h.AddInput(ir::DataType::kFloat32, shape, Iota<float>(shape.FlatSize()));
  const Shape n{static_cast<int32_t>(spec.begin.size())};
  h.AddConstInput(ir::DataType::kInt32, n, spec.begin);
  h.AddConstInput(ir::DataType::kInt32, Shape{static_cast<int32_t>(spec.end.size())}, spec.end);
  h.AddConstInput(ir::DataType::kInt32, Shape{static_cast<int32_t>(spec.strides.size())},
                  spec.strides);
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  if (s.ok()) {
    *out = h.OutputData<float>(0);
    *out_shape = h.OutputShape(0);
  }
  return s;
}

// Python's slice(begin, end, step).indices(n) semantics with optional (masked) bounds: the list
// of visited indices.
std::vector<int64_t> PythonRange(int64_t n, int64_t begin, bool begin_none, int64_t end,
                                 bool end_none, int64_t step) {
  int64_t start;
  int64_t stop;
  if (step > 0) {
    start = begin_none ? 0 : (begin < 0 ? std::max<int64_t>(begin + n, 0) : std::min(begin, n));
    stop = end_none ? n : (end < 0 ? std::max<int64_t>(end + n, 0) : std::min(end, n));
  } else {
    start = begin_none ? n - 1
                       : (begin < 0 ? std::max<int64_t>(begin + n, -1) : std::min(begin, n - 1));
    stop = end_none ? -1 : (end < 0 ? std::max<int64_t>(end + n, -1) : std::min(end, n - 1));
  }
  std::vector<int64_t> r;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) r.push_back(i);
  return r;
}

// Naive strided slice for specs without ellipsis / new axes: per-dimension index lists, then the
// cartesian product in row-major order.
std::vector<float> NaiveStridedSlice(const Shape& shape, const Spec& spec, Shape* out_shape) {
  const int rank = shape.rank();
  std::vector<std::vector<int64_t>> picks(rank);
  *out_shape = Shape();
  for (int d = 0; d < rank; ++d) {
    const int64_t n = shape.dim(d);
    if (d >= static_cast<int>(spec.begin.size())) {
      picks[d] = PythonRange(n, 0, true, 0, true, 1);
      out_shape->push_back(static_cast<int32_t>(picks[d].size()));
      continue;
    }
    if (spec.options.shrink_axis_mask & (1 << d)) {
      const int64_t b = spec.begin[d] < 0 ? spec.begin[d] + n : spec.begin[d];
      picks[d] = {b};
      continue;
    }
    picks[d] = PythonRange(n, spec.begin[d], spec.options.begin_mask & (1 << d), spec.end[d],
                           spec.options.end_mask & (1 << d), spec.strides[d]);
    out_shape->push_back(static_cast<int32_t>(picks[d].size()));
  }
  std::vector<float> out;
  std::vector<size_t> pos(rank, 0);
  for (int d = 0; d < rank; ++d) {
    if (picks[d].empty()) return out;
  }
  while (true) {
    std::vector<int64_t> idx(rank);
    for (int d = 0; d < rank; ++d) idx[d] = picks[d][pos[d]];
    out.push_back(static_cast<float>(Ravel(idx, shape)));
    int d = rank - 1;
    for (; d >= 0; --d) {
      if (++pos[d] < picks[d].size()) break;
      pos[d] = 0;
    }
    if (d < 0) break;
  }
  return out;
}

TEST(StridedSliceTest, RandomSpecsMatchPythonSlicing) {
  std::mt19937 rng(191);
  for (int iter = 0; iter < 500; ++iter) {
    const int rank = RandInt(rng, 1, 6);
    const Shape shape = RandShape(rng, rank, 1, 5);
    const int n = RandInt(rng, 1, rank);
    Spec spec;
    for (int d = 0; d < n; ++d) {
      const int dim = shape.dim(d);
      spec.begin.push_back(RandInt(rng, -dim - 2, dim + 2));
      spec.end.push_back(RandInt(rng, -dim - 2, dim + 2));
      int stride = RandInt(rng, -3, 3);
      if (stride == 0) stride = 1;
      spec.strides.push_back(stride);
      if (RandInt(rng, 0, 3) == 0) spec.options.begin_mask |= 1 << d;
      if (RandInt(rng, 0, 3) == 0) spec.options.end_mask |= 1 << d;
      if (RandInt(rng, 0, 5) == 0) {  // shrink: a valid index, forward stride
        spec.options.shrink_axis_mask |= 1 << d;
        spec.begin[d] = RandInt(rng, -dim, dim - 1);
        spec.strides[d] = 1;
        spec.options.begin_mask &= ~(1 << d);
      }
    }
    Shape want_shape;
    const std::vector<float> want = NaiveStridedSlice(shape, spec, &want_shape);
    std::vector<float> out;
    Shape out_shape;
    SCOPED_TRACE(shape.ToString() + " iter " + std::to_string(iter));
    TT_ASSERT_OK(RunStridedSlice(shape, spec, &out, &out_shape));
    ASSERT_EQ(out_shape, want_shape);
    ASSERT_EQ(out, want);
  }
}

TEST(StridedSliceTest, ReverseAndEmptyRanges) {
  std::vector<float> out;
  Shape shape;
  // x[::-1]
  TT_ASSERT_OK(
      RunStridedSlice(Shape{5}, {{0}, {0}, {-1}, {.begin_mask = 1, .end_mask = 1}}, &out, &shape));
  EXPECT_EQ(out, (std::vector<float>{4, 3, 2, 1, 0}));
  // x[-1:-6:-2]
  TT_ASSERT_OK(RunStridedSlice(Shape{5}, {{-1}, {-6}, {-2}, {}}, &out, &shape));
  EXPECT_EQ(out, (std::vector<float>{4, 2, 0}));
  // x[3:1] is empty, as is x[10:]
  TT_ASSERT_OK(RunStridedSlice(Shape{5}, {{3}, {1}, {1}, {}}, &out, &shape));
  EXPECT_EQ(shape, (Shape{0}));
  TT_ASSERT_OK(RunStridedSlice(Shape{5}, {{10}, {0}, {1}, {.end_mask = 1}}, &out, &shape));
  EXPECT_EQ(shape, (Shape{0}));
  // x[-10:2] clamps the begin.
  TT_ASSERT_OK(RunStridedSlice(Shape{5}, {{-10}, {2}, {1}, {}}, &out, &shape));
  EXPECT_EQ(out, (std::vector<float>{0, 1}));
  // Extreme values do not overflow.
  const int32_t kMax = std::numeric_limits<int32_t>::max();
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  TT_ASSERT_OK(RunStridedSlice(Shape{3}, {{kMin}, {kMax}, {kMax}, {}}, &out, &shape));
  EXPECT_EQ(out, (std::vector<float>{0}));
  TT_ASSERT_OK(RunStridedSlice(Shape{3}, {{kMax}, {kMin}, {kMin}, {}}, &out, &shape));
  EXPECT_EQ(out, (std::vector<float>{2}));
}

TEST(StridedSliceTest, ShrinkAxes) {
  std::vector<float> out;
  Shape shape;
  // x[-1] on [4, 2] -> row 3.
  TT_ASSERT_OK(
      RunStridedSlice(Shape{4, 2}, {{-1}, {0}, {1}, {.shrink_axis_mask = 1}}, &out, &shape));
  EXPECT_EQ(shape, (Shape{2}));
  EXPECT_EQ(out, (std::vector<float>{6, 7}));
  // x[1, 0] -> scalar.
  TT_ASSERT_OK(RunStridedSlice(Shape{4, 2}, {{1, 0}, {2, 1}, {1, 1}, {.shrink_axis_mask = 3}}, &out,
                               &shape));
  EXPECT_EQ(shape, Shape{});
  EXPECT_EQ(out, (std::vector<float>{2}));
}

TEST(StridedSliceTest, EllipsisAndNewAxis) {
  std::vector<float> out;
  Shape shape;
  // x[..., 1:3] on [2, 3, 4].
  TT_ASSERT_OK(RunStridedSlice(Shape{2, 3, 4}, {{0, 1}, {0, 3}, {1, 1}, {.ellipsis_mask = 1}}, &out,
                               &shape));
  EXPECT_EQ(shape, (Shape{2, 3, 2}));
  std::vector<float> want;
  for (int i = 0; i < 6; ++i) {
    want.push_back(i * 4 + 1);
    want.push_back(i * 4 + 2);
  }
  EXPECT_EQ(out, want);
  // x[1, ...] on [2, 3, 4].
  TT_ASSERT_OK(RunStridedSlice(
      Shape{2, 3, 4}, {{1, 0}, {2, 0}, {1, 1}, {.ellipsis_mask = 2, .shrink_axis_mask = 1}}, &out,
      &shape));
  EXPECT_EQ(shape, (Shape{3, 4}));
  EXPECT_EQ(out, Iota<float>(12, 12.0f));
  // x[np.newaxis, 0:2] on [3, 2].
  TT_ASSERT_OK(
      RunStridedSlice(Shape{3, 2}, {{0, 0}, {0, 2}, {1, 1}, {.new_axis_mask = 1}}, &out, &shape));
  EXPECT_EQ(shape, (Shape{1, 2, 2}));
  EXPECT_EQ(out, (std::vector<float>{0, 1, 2, 3}));
  // x[:, np.newaxis, 1] on [2, 3].
  TT_ASSERT_OK(
      RunStridedSlice(Shape{2, 3},
                      {{0, 0, 1},
                       {0, 0, 2},
                       {1, 1, 1},
                       {.begin_mask = 1, .end_mask = 1, .new_axis_mask = 2, .shrink_axis_mask = 4}},
                      &out, &shape));
  EXPECT_EQ(shape, (Shape{2, 1}));
  EXPECT_EQ(out, (std::vector<float>{1, 4}));
  // x[..., np.newaxis] on [2, 3].
  TT_ASSERT_OK(RunStridedSlice(Shape{2, 3},
                               {{0, 0}, {0, 0}, {1, 1}, {.ellipsis_mask = 1, .new_axis_mask = 2}},
                               &out, &shape));
  EXPECT_EQ(shape, (Shape{2, 3, 1}));
  EXPECT_EQ(out, Iota<float>(6));
}

TEST(StridedSliceTest, OffsetMeansEndIsASize) {
  std::vector<float> out;
  Shape shape;
  TT_ASSERT_OK(
      RunStridedSlice(Shape{5, 2}, {{1, 0}, {3, 2}, {1, 1}, {.offset = true}}, &out, &shape));
  EXPECT_EQ(shape, (Shape{3, 2}));
  EXPECT_EQ(out, (std::vector<float>{2, 3, 4, 5, 6, 7}));
  TT_ASSERT_OK(RunStridedSlice(Shape{6}, {{1}, {4}, {2}, {.offset = true}}, &out, &shape));
  EXPECT_EQ(out, (std::vector<float>{1, 3}));
  // begin + size past the end would leave TFLite's output partly unwritten: rejected.
  EXPECT_EQ(RunStridedSlice(Shape{5}, {{3}, {4}, {1}, {.offset = true}}, &out, &shape).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(StridedSliceTest, RejectsInvalidSpecs) {
  std::vector<float> out;
  Shape shape;
  auto code = [&](const Shape& s, const Spec& spec) {
    return RunStridedSlice(s, spec, &out, &shape).code();
  };
  EXPECT_EQ(code(Shape{4}, {{0}, {4}, {0}, {}}), absl::StatusCode::kInvalidArgument);  // stride 0
  EXPECT_EQ(code(Shape{4}, {{0, 0}, {1, 1}, {1, 1}, {}}),
            absl::StatusCode::kInvalidArgument);  // more entries than dimensions
  EXPECT_EQ(code(Shape{2, 2}, {{0, 0}, {1, 1}, {1, 1}, {.ellipsis_mask = 3}}),
            absl::StatusCode::kInvalidArgument);  // two ellipses
  EXPECT_EQ(code(Shape{4}, {{4}, {5}, {1}, {.shrink_axis_mask = 1}}),
            absl::StatusCode::kInvalidArgument);  // shrink index past the end
  EXPECT_EQ(code(Shape{4}, {{1}, {0}, {-1}, {.shrink_axis_mask = 1}}),
            absl::StatusCode::kInvalidArgument);  // shrink with a negative stride
  EXPECT_EQ(code(Shape{0, 2}, {{0}, {1}, {1}, {.begin_mask = 1, .shrink_axis_mask = 1}}),
            absl::StatusCode::kInvalidArgument);  // shrink of an empty dimension
  {
    OpHarness h(StridedSliceKernel(), ir::StridedSliceOptions{});
    h.AddInput(ir::DataType::kFloat32, Shape{4}, std::vector<float>(4));
    h.AddConstInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{0});
    h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{1, 1});
    h.AddConstInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{1});
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);  // length mismatch
  }
  {
    OpHarness h(StridedSliceKernel(), ir::StridedSliceOptions{});
    h.AddInput(ir::DataType::kFloat32, Shape{4}, std::vector<float>(4));
    h.AddInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{0});  // not constant
    h.AddConstInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{1});
    h.AddConstInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{1});
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
}

// Random masks of every kind (ellipsis and new axes included) and arbitrary indices: whenever
// Prepare accepts the spec, Eval fills every output element with some input element (inputs are
// 0..N-1, outputs start as NaN), and the element count matches the output shape.
TEST(StridedSliceTest, RandomMasksStayInsideTheInput) {
  std::mt19937 rng(192);
  int accepted = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const int rank = RandInt(rng, 0, 5);
    const Shape shape = RandShape(rng, rank, 0, 4);
    const int n = RandInt(rng, 0, rank + 2);
    Spec spec;
    for (int d = 0; d < n; ++d) {
      spec.begin.push_back(RandInt(rng, -6, 6));
      spec.end.push_back(RandInt(rng, -6, 6));
      spec.strides.push_back(RandInt(rng, -3, 3));
    }
    const int bits = (1 << (n + 1)) - 1;
    spec.options.begin_mask = RandInt(rng, 0, bits);
    spec.options.end_mask = RandInt(rng, 0, bits);
    spec.options.ellipsis_mask = RandInt(rng, 0, 3) == 0 ? (1 << RandInt(rng, 0, n)) : 0;
    spec.options.new_axis_mask = RandInt(rng, 0, 2) == 0 ? RandInt(rng, 0, bits) : 0;
    spec.options.shrink_axis_mask = RandInt(rng, 0, 2) == 0 ? RandInt(rng, 0, bits) : 0;
    spec.options.offset = RandInt(rng, 0, 5) == 0;
    std::vector<float> out;
    Shape out_shape;
    const absl::Status s = RunStridedSlice(shape, spec, &out, &out_shape);
    if (!s.ok()) {
      ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
      continue;
    }
    ++accepted;
    ASSERT_EQ(static_cast<int64_t>(out.size()), out_shape.FlatSize());
    for (float v : out) {
      ASSERT_TRUE(v >= 0 && v < static_cast<float>(shape.FlatSize()) && v == std::floor(v))
          << v << " in slice of " << shape.ToString();
    }
  }
  EXPECT_GT(accepted, 500);
}

TEST(StridedSliceTest, OtherElementTypes) {
  OpHarness h(StridedSliceKernel(), ir::StridedSliceOptions{});
  h.AddInput(ir::DataType::kInt8, Shape{2, 3}, std::vector<int8_t>{1, 2, 3, 4, 5, 6});
  h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{1, 2});
  h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{-3, -4});
  h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{-1, -2});
  h.AddOutput(ir::DataType::kInt8);
  TT_ASSERT_OK(h.Run());
  EXPECT_EQ(h.OutputShape(0), (Shape{2, 2}));
  EXPECT_EQ(h.OutputData<int8_t>(0), (std::vector<int8_t>{6, 4, 3, 1}));
}

}  // namespace
}  // namespace compressd::kernels
