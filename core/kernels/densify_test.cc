#include "core/kernels/reference/densify.h"

#include <cstdint>
#include <random>
#include <vector>

#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/nn_test_util.h"
#include "core/kernels/testing/op_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;
using testing::RandomInt;
using Format = ir::DimensionMetadata::Format;

ir::DimensionMetadata Dense(int32_t size) {
  ir::DimensionMetadata m;
  m.format = Format::kDense;
  m.dense_size = size;
  return m;
}

ir::DimensionMetadata Csr(std::vector<int32_t> segments, std::vector<int32_t> indices) {
  ir::DimensionMetadata m;
  m.format = Format::kSparseCsr;
  m.array_segments.width = ir::SparseIndexVector::Width::kInt32;
  m.array_segments.values = std::move(segments);
  m.array_indices.width = ir::SparseIndexVector::Width::kInt32;
  m.array_indices.values = std::move(indices);
  return m;
}

ir::Sparsity MakeSparsity(std::vector<int32_t> order, std::vector<int32_t> block_map,
                          std::vector<ir::DimensionMetadata> levels) {
  ir::Sparsity s;
  s.traversal_order = std::move(order);
  s.block_map = std::move(block_map);
  s.dim_metadata = std::move(levels);
  return s;
}

template <typename T>
absl::Status Densify(ir::DataType type, Shape shape, const std::vector<T>& values,
                     const ir::Sparsity& sparsity, std::vector<T>* out) {
  OpHarness h(DensifyKernel());
  h.AddSparseConstInput(type, shape, values, sparsity);
  h.AddOutput(type);
  absl::Status s = h.Run();
  if (s.ok()) {
    EXPECT_EQ(h.OutputShape(0), shape);
    *out = h.OutputData<T>(0);
  }
  return s;
}

TEST(DensifyTest, CsrMatrix) {
  // [[1 0 2 0], [0 0 0 0], [0 3 0 4]]
  const auto s = MakeSparsity({0, 1}, {}, {Dense(3), Csr({0, 2, 2, 4}, {0, 2, 1, 3})});
  std::vector<float> out;
  ASSERT_TRUE(Densify<float>(ir::DataType::kFloat32, Shape{3, 4}, {1, 2, 3, 4}, s, &out).ok());
  EXPECT_EQ(out, (std::vector<float>{1, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 4}));
}

TEST(DensifyTest, ColumnMajorTraversal) {
  // Stored by columns: column 0 has row 1, column 2 has rows 0 and 1 of a 2x3 int8 matrix.
  const auto s = MakeSparsity({1, 0}, {}, {Dense(3), Csr({0, 1, 1, 3}, {1, 0, 1})});
  std::vector<int8_t> out;
  ASSERT_TRUE(Densify<int8_t>(ir::DataType::kInt8, Shape{2, 3}, {5, -6, 7}, s, &out).ok());
  EXPECT_EQ(out, (std::vector<int8_t>{0, 0, -6, 5, 0, 7}));
}

TEST(DensifyTest, BlockSparse2x2) {
  // 4x4 with 2x2 blocks: block row 0 keeps block column 1, block row 1 keeps block column 0.
  const auto s = MakeSparsity({0, 1, 2, 3}, {0, 1},
                              {Dense(2), Csr({0, 1, 2}, {1, 0}), Dense(2), Dense(2)});
  std::vector<float> out;
  ASSERT_TRUE(
      Densify<float>(ir::DataType::kFloat32, Shape{4, 4}, {1, 2, 3, 4, 5, 6, 7, 8}, s, &out).ok());
  EXPECT_EQ(out, (std::vector<float>{0, 0, 1, 2, 0, 0, 3, 4, 5, 6, 0, 0, 7, 8, 0, 0}));
}

TEST(DensifyTest, Block1x4OnTheColumns) {
  // 2x8 with 1x4 blocks along dimension 1 (the layout TFLite's converter writes for FC weights).
  const auto s = MakeSparsity({0, 1, 2}, {1}, {Dense(2), Csr({0, 1, 3}, {1, 0, 1}), Dense(4)});
  std::vector<float> out;
  ASSERT_TRUE(Densify<float>(ir::DataType::kFloat32, Shape{2, 8},
                             {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, s, &out)
                  .ok());
  EXPECT_EQ(out, (std::vector<float>{0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
}

TEST(DensifyTest, RandomCsrRoundTrips) {
  std::mt19937 rng(141);
  for (int iter = 0; iter < 30; ++iter) {
    // Rank 3 [a, b, c]: dims 0 and 1 dense, dim 2 CSR; float16 values as raw bits.
    const int a = RandomInt(rng, 1, 3), b = RandomInt(rng, 1, 4), c = RandomInt(rng, 1, 6);
    std::vector<uint16_t> dense(a * b * c, 0), values;
    std::vector<int32_t> segments = {0}, indices;
    for (int i = 0; i < a * b; ++i) {
      for (int k = 0; k < c; ++k) {
        if (RandomInt(rng, 0, 2) == 0) {
          const uint16_t v = static_cast<uint16_t>(RandomInt(rng, 1, 0x7bff));
          dense[i * c + k] = v;
          values.push_back(v);
          indices.push_back(k);
        }
      }
      segments.push_back(static_cast<int32_t>(indices.size()));
    }
    const auto s = MakeSparsity({0, 1, 2}, {}, {Dense(a), Dense(b), Csr(segments, indices)});
    std::vector<uint16_t> out;
    const absl::Status st = Densify<uint16_t>(ir::DataType::kFloat16, Shape{a, b, c}, values, s, &out);
    ASSERT_TRUE(st.ok()) << st;
    EXPECT_EQ(out, dense);
  }
}

TEST(DensifyTest, RejectsMalformedSparsity) {
  struct Bad {
    const char* name;
    Shape shape;
    int num_values;
    ir::Sparsity sparsity;
    absl::StatusCode code;
  };
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  const std::vector<Bad> cases = {
      {"too few values", Shape{3, 4}, 3,
       MakeSparsity({0, 1}, {}, {Dense(3), Csr({0, 2, 2, 4}, {0, 2, 1, 3})}), kInvalid},
      {"index out of range", Shape{3, 4}, 4,
       MakeSparsity({0, 1}, {}, {Dense(3), Csr({0, 2, 2, 4}, {0, 4, 1, 3})}), kInvalid},
      {"negative index", Shape{3, 4}, 4,
       MakeSparsity({0, 1}, {}, {Dense(3), Csr({0, 2, 2, 4}, {0, -1, 1, 3})}), kInvalid},
      {"decreasing segments", Shape{3, 4}, 4,
       MakeSparsity({0, 1}, {}, {Dense(3), Csr({0, 3, 2, 4}, {0, 2, 1, 3})}), kInvalid},
      {"segments beyond indices", Shape{3, 4}, 5,
       MakeSparsity({0, 1}, {}, {Dense(3), Csr({0, 2, 2, 5}, {0, 2, 1, 3})}), kInvalid},
      {"too few segments", Shape{3, 4}, 2,
       MakeSparsity({0, 1}, {}, {Dense(3), Csr({0, 2, 2}, {0, 2})}), kInvalid},
      {"dense size mismatch", Shape{3, 4}, 4,
       MakeSparsity({0, 1}, {}, {Dense(2), Csr({0, 2, 4}, {0, 2, 1, 3})}), kInvalid},
      {"traversal not a permutation", Shape{3, 4}, 12,
       MakeSparsity({0, 0}, {}, {Dense(3), Dense(4)}), kInvalid},
      {"too few levels", Shape{3, 4}, 3, MakeSparsity({0}, {}, {Dense(3)}), kInvalid},
      {"block does not divide", Shape{3, 4}, 12,
       MakeSparsity({0, 1, 2}, {0}, {Dense(1), Dense(4), Dense(2)}), kInvalid},
      {"sparse block level", Shape{4, 4}, 16,
       MakeSparsity({0, 1, 2}, {0}, {Dense(2), Dense(4), Csr({0, 2}, {0, 1})}),
       absl::StatusCode::kUnimplemented},
      {"permuted block levels", Shape{4, 4}, 16,
       MakeSparsity({0, 1, 3, 2}, {0, 1}, {Dense(2), Dense(2), Dense(2), Dense(2)}),
       absl::StatusCode::kUnimplemented},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<float> out;
    EXPECT_EQ(Densify<float>(ir::DataType::kFloat32, c.shape, std::vector<float>(c.num_values, 1),
                             c.sparsity, &out)
                  .code(),
              c.code);
  }
  // Not constant / no sparsity.
  OpHarness dynamic(DensifyKernel());
  dynamic.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
  dynamic.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(dynamic.Run().code(), kInvalid);
  OpHarness plain(DensifyKernel());
  plain.AddConstInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
  plain.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(plain.Run().code(), kInvalid);
}

TEST(DensifyTest, ReferenceFunctionsAreUsableWithoutTheKernel) {
  const auto s = MakeSparsity({0, 1}, {}, {Dense(2), Csr({0, 1, 2}, {1, 0})});
  const std::vector<int32_t> shape = {2, 2};
  ASSERT_TRUE(reference::ValidateSparsity(s, shape, 2).ok());
  std::vector<int32_t> dense(4, -1);
  const std::vector<int32_t> values = {7, 9};
  reference::Densify(s, shape, values.data(), dense.data());
  EXPECT_EQ(dense, (std::vector<int32_t>{0, 7, 9, 0}));
}

}  // namespace
}  // namespace compressd::kernels
