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
using testing::RandInts;
using testing::RandShape;
using testing::Ravel;
using testing::Unravel;

TEST(GatherTest, RandomAxesAndBatchDims) {
  std::mt19937 rng(181);
  for (int iter = 0; iter < 200; ++iter) {
    const int rank = RandInt(rng, 1, 4);
    const Shape params_shape = RandShape(rng, rank, 1, 4);
    const int axis = RandInt(rng, 0, rank - 1);
    const int batch_dims = RandInt(rng, 0, axis);
    Shape indices_shape;
    for (int d = 0; d < batch_dims; ++d) indices_shape.push_back(params_shape.dim(d));
    const int extra = RandInt(rng, 0, 2);
    for (int d = 0; d < extra; ++d) indices_shape.push_back(RandInt(rng, 0, 3));
    const std::vector<int32_t> indices =
        RandInts<int32_t>(rng, indices_shape.FlatSize(), 0, params_shape.dim(axis) - 1);
    const std::vector<float> params = Iota<float>(params_shape.FlatSize());
    Shape out_shape;
    for (int d = 0; d < axis; ++d) out_shape.push_back(params_shape.dim(d));
    for (int d = batch_dims; d < indices_shape.rank(); ++d)
      out_shape.push_back(indices_shape.dim(d));
    for (int d = axis + 1; d < rank; ++d) out_shape.push_back(params_shape.dim(d));
    // Naive: out[p_pre, i_post, p_post] = params[p_pre, indices[batch, i_post], p_post].
    std::vector<float> want(static_cast<size_t>(out_shape.FlatSize()));
    const int n_idx = indices_shape.rank() - batch_dims;
    for (int64_t o = 0; o < out_shape.FlatSize(); ++o) {
      const std::vector<int64_t> oi = Unravel(o, out_shape);
      std::vector<int64_t> ii(oi.begin(), oi.begin() + batch_dims);  // batch coordinates
      ii.insert(ii.end(), oi.begin() + axis, oi.begin() + axis + n_idx);
      std::vector<int64_t> pi(oi.begin(), oi.begin() + axis);
      pi.push_back(indices[Ravel(ii, indices_shape)]);
      pi.insert(pi.end(), oi.begin() + axis + n_idx, oi.end());
      want[o] = params[Ravel(pi, params_shape)];
    }
    const int axis_option = RandInt(rng, 0, 1) ? axis : axis - rank;
    const int batch_option = (batch_dims < indices_shape.rank() && RandInt(rng, 0, 1))
                                 ? batch_dims - indices_shape.rank()
                                 : batch_dims;
    OpHarness h(GatherKernel(), ir::GatherOptions{axis_option, batch_option});
    h.AddInput(ir::DataType::kFloat32, params_shape, params);
    if (iter % 2) {
      h.AddInput(ir::DataType::kInt32, indices_shape, indices);
    } else {
      h.AddInput(ir::DataType::kInt64, indices_shape,
                 std::vector<int64_t>(indices.begin(), indices.end()));
    }
    h.AddOutput(ir::DataType::kFloat32);
    SCOPED_TRACE(params_shape.ToString() + " indices " + indices_shape.ToString() + " axis " +
                 std::to_string(axis) + " batch_dims " + std::to_string(batch_dims));
    TT_ASSERT_OK(h.Run());
    ASSERT_EQ(h.OutputShape(0), out_shape);
    ASSERT_EQ(h.OutputData<float>(0), want);
  }
}

TEST(GatherTest, HandExampleInt8Rows) {
  OpHarness h(GatherKernel(), ir::GatherOptions{0, 0});
  h.AddInput(ir::DataType::kInt8, Shape{3, 2}, std::vector<int8_t>{1, 2, 3, 4, 5, 6});
  h.AddInput(ir::DataType::kInt32, Shape{2, 2}, std::vector<int32_t>{2, 0, 1, 1});
  h.AddOutput(ir::DataType::kInt8);
  TT_ASSERT_OK(h.Run());
  EXPECT_EQ(h.OutputShape(0), (Shape{2, 2, 2}));
  EXPECT_EQ(h.OutputData<int8_t>(0), (std::vector<int8_t>{5, 6, 1, 2, 3, 4, 3, 4}));
}

TEST(GatherTest, OutOfRangeIndicesFailAtEval) {
  for (int32_t bad : {3, -1}) {
    OpHarness h(GatherKernel(), ir::GatherOptions{0, 0});
    h.AddInput(ir::DataType::kFloat32, Shape{3}, std::vector<float>{1, 2, 3});
    h.AddInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{0, bad});
    h.AddOutput(ir::DataType::kFloat32);
    const absl::Status s = h.Run();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(s.message().find(std::to_string(bad)), absl::string_view::npos) << s;
  }
}

TEST(GatherTest, RejectsBadOptions) {
  auto code = [](int axis, int batch_dims, Shape indices_shape, ir::DataType index_type) {
    OpHarness h(GatherKernel(), ir::GatherOptions{axis, batch_dims});
    h.AddInput(ir::DataType::kFloat32, Shape{2, 3}, std::vector<float>(6));
    h.AddInput(index_type, indices_shape, std::vector<int32_t>(indices_shape.FlatSize()));
    h.AddOutput(ir::DataType::kFloat32);
    return h.Run().code();
  };
  EXPECT_EQ(code(1, 1, Shape{2, 1}, ir::DataType::kInt32), absl::StatusCode::kOk);
  EXPECT_EQ(code(2, 0, Shape{1}, ir::DataType::kInt32), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(0, 1, Shape{2}, ir::DataType::kInt32), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(1, 1, Shape{3, 1}, ir::DataType::kInt32), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(1, 2, Shape{2}, ir::DataType::kInt32), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(0, 0, Shape{1}, ir::DataType::kFloat32), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
