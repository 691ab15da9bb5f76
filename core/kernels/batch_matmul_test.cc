#include <random>
#include <vector>

#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/nn_test_util.h"
#include "core/kernels/testing/op_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::ExpectAllNear;
using testing::OpHarness;
using testing::RandomFloats;
using testing::RandomInt;

ir::BatchMatMulOptions Options(bool adj_x, bool adj_y) {
  ir::BatchMatMulOptions o;
  o.adj_x = adj_x;
  o.adj_y = adj_y;
  return o;
}

TEST(BatchMatMulTest, HandComputed) {
  // [2x3] x [3x2]
  OpHarness h(BatchMatMulKernel(), Options(false, false));
  h.AddInput(ir::DataType::kFloat32, Shape{2, 3}, std::vector<float>{1, 2, 3, 4, 5, 6});
  h.AddInput(ir::DataType::kFloat32, Shape{3, 2}, std::vector<float>{7, 8, 9, 10, 11, 12});
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{2, 2}));
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{58, 64, 139, 154}));
}

// Explicit numpy-style reference on rank-4 padded shapes.
TEST(BatchMatMulTest, RandomBroadcastAndAdjointsMatchNaive) {
  std::mt19937 rng(51);
  for (int iter = 0; iter < 80; ++iter) {
    const int rows = RandomInt(rng, 1, 4), depth = RandomInt(rng, 1, 4), cols = RandomInt(rng, 1, 4);
    const bool adj_x = RandomInt(rng, 0, 1), adj_y = RandomInt(rng, 0, 1);
    // Batch dims [B0, B1]: each side either has the dim, has 1, or omits it.
    const int b0 = RandomInt(rng, 1, 3), b1 = RandomInt(rng, 1, 3);
    const int lhs_rank = RandomInt(rng, 2, 4), rhs_rank = RandomInt(rng, 2, 4);
    auto batch_dims = [&](int rank) {
      std::vector<int> d;
      if (rank >= 4) d.push_back(RandomInt(rng, 0, 1) ? b0 : 1);
      if (rank >= 3) d.push_back(RandomInt(rng, 0, 1) ? b1 : 1);
      return d;
    };
    const auto lb = batch_dims(lhs_rank), rb = batch_dims(rhs_rank);
    Shape ls, rs;
    for (int d : lb) ls.push_back(d);
    for (int d : rb) rs.push_back(d);
    ls.push_back(adj_x ? depth : rows);
    ls.push_back(adj_x ? rows : depth);
    rs.push_back(adj_y ? cols : depth);
    rs.push_back(adj_y ? depth : cols);
    const auto lhs = RandomFloats(rng, ls.FlatSize());
    const auto rhs = RandomFloats(rng, rs.FlatSize());
    OpHarness h(BatchMatMulKernel(), Options(adj_x, adj_y));
    h.AddInput(ir::DataType::kFloat32, ls, lhs);
    h.AddInput(ir::DataType::kFloat32, rs, rhs);
    h.AddOutput(ir::DataType::kFloat32);
    const absl::Status s = h.Run();
    ASSERT_TRUE(s.ok()) << s << " " << ls.ToString() << " x " << rs.ToString();
    // Expected shape and values.
    const Shape l4 = ls.Extended(4), r4 = rs.Extended(4);
    const int o0 = std::max(l4.dim(0), r4.dim(0)), o1 = std::max(l4.dim(1), r4.dim(1));
    const int out_rank = std::max(ls.rank(), rs.rank());
    Shape expected_shape = Shape{o0, o1, rows, cols};
    Shape trimmed;
    for (int d = 4 - out_rank; d < 4; ++d) trimmed.push_back(expected_shape.dim(d));
    EXPECT_EQ(h.OutputShape(0), trimmed);
    std::vector<double> expected;
    for (int i0 = 0; i0 < o0; ++i0)
      for (int i1 = 0; i1 < o1; ++i1)
        for (int i = 0; i < rows; ++i)
          for (int j = 0; j < cols; ++j) {
            const int l0 = l4.dim(0) == 1 ? 0 : i0, l1 = l4.dim(1) == 1 ? 0 : i1;
            const int r0 = r4.dim(0) == 1 ? 0 : i0, r1 = r4.dim(1) == 1 ? 0 : i1;
            double sum = 0;
            for (int k = 0; k < depth; ++k) {
              const float x = adj_x ? lhs[l4.Offset(l0, l1, k, i)] : lhs[l4.Offset(l0, l1, i, k)];
              const float y = adj_y ? rhs[r4.Offset(r0, r1, j, k)] : rhs[r4.Offset(r0, r1, k, j)];
              sum += static_cast<double>(x) * y;
            }
            expected.push_back(sum);
          }
    ExpectAllNear(h.OutputData<float>(0), expected);
  }
}

TEST(BatchMatMulTest, RejectsMalformedOperators) {
  struct Bad {
    const char* name;
    Shape lhs, rhs;
    ir::BatchMatMulOptions options;
  };
  const std::vector<Bad> cases = {
      {"inner mismatch", Shape{2, 3}, Shape{2, 2}, Options(false, false)},
      {"inner mismatch with adj_x", Shape{2, 3}, Shape{3, 2}, Options(true, false)},
      {"batch not broadcastable", Shape{2, 2, 3}, Shape{3, 3, 2}, Options(false, false)},
      {"rank 1", Shape{3}, Shape{3, 2}, Options(false, false)},
      {"rank 6", Shape{1, 1, 1, 1, 2, 3}, Shape{3, 2}, Options(false, false)},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    OpHarness h(BatchMatMulKernel(), c.options);
    h.AddInput(ir::DataType::kFloat32, c.lhs, std::vector<float>(c.lhs.FlatSize()));
    h.AddInput(ir::DataType::kFloat32, c.rhs, std::vector<float>(c.rhs.FlatSize()));
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace compressd::kernels
