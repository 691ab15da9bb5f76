// One test per rule of ValidateModel / SparseValueCount: each checks the status code and the part
// of the message that names the culprit (tensor, operator, numbers).
#include "core/tflite/model_validator.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/tflite/testing/status_testing.h"
#include "core/tflite/testing/test_models.h"
#include "gtest/gtest.h"

namespace compressd::tflite {
namespace {

using absl::StatusCode;
using testing::Bytes;
using testing::HasError;
using testing::KitchenSinkModel;
using testing::MakeTensor;
using testing::TinyConvModel;

constexpr StatusCode kInvalid = StatusCode::kInvalidArgument;
constexpr StatusCode kExhausted = StatusCode::kResourceExhausted;

// Kitchen-sink tensors used below (see testing/test_models.h).
constexpr int kFilter = 1;     // 'dw_filter' int8 [1,3,3,2], per-channel on dimension 3
constexpr int kInput = 0;      // 'input' int8 [1,4,4,2]
constexpr int kSparse = 9;     // 'sparse_w' float32 [4,4], CSR, 3 values
constexpr int kStrings = 11;   // 'labels' string [3]
constexpr int kBlock = 13;     // 'block_sparse_w' float32 [4,4], 2x2 blocks, 8 values

TEST(ValidateModelTest, AcceptsTheBuiltModels) {
  TFL_ASSERT_OK(ValidateModel(TinyConvModel()));
  TFL_ASSERT_OK(ValidateModel(KitchenSinkModel()));
}

TEST(ValidateModelTest, RejectsModelWithoutSubgraphs) {
  ir::Model m = TinyConvModel();
  m.subgraphs.clear();
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "model has no subgraphs"));
}

// ---- operator codes, metadata ---------------------------------------------------------------

TEST(ValidateModelTest, RejectsNegativeBuiltinCodes) {
  ir::Model m = TinyConvModel();
  m.operator_codes[0].deprecated_builtin_code = -5;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "operator code 0: negative builtin code"));
  m = TinyConvModel();
  m.operator_codes[0].builtin_code = static_cast<ir::BuiltinOp>(-1);
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "operator code 0: negative builtin code"));
}

TEST(ValidateModelTest, RejectsCustomOperatorWithoutName) {
  ir::Model m = KitchenSinkModel();
  m.operator_codes[3].custom_code.reset();
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "operator code 3: custom operator without a custom_code name"));
  m.operator_codes[3].custom_code = "";
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "operator code 3: custom operator without"));
}

TEST(ValidateModelTest, RejectsMetadataBufferOutOfRange) {
  ir::Model m = KitchenSinkModel();
  m.metadata[0].buffer = 10;  // 10 buffers: 0..9
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "metadata 0 'min_runtime_version': buffer index 10 out of range"));
  m.metadata[0].buffer = 9;
  TFL_ASSERT_OK(ValidateModel(m));
}

TEST(ValidateModelTest, RejectsLegacyMetadataBufferOutOfRange) {
  ir::Model m = KitchenSinkModel();
  m.metadata_buffer = {-1};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "metadata_buffer index -1 out of range"));
  m.metadata_buffer = {10};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "metadata_buffer index 10 out of range"));
}

// ---- tensors: type, rank, shape, size -------------------------------------------------------

TEST(ValidateModelTest, RejectsUnknownTensorType) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].tensors[2].type = static_cast<ir::DataType>(19);
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "subgraph 0 tensor 2 'output': unknown tensor type 19"));
  m.subgraphs[0].tensors[2].type = static_cast<ir::DataType>(-1);
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "unknown tensor type -1"));
}

TEST(ValidateModelTest, RejectsRankAboveTheLimit) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].tensors[2].shape = {1, 1, 1, 1, 1, 1, 1, 1};  // rank 8: the default limit
  TFL_ASSERT_OK(ValidateModel(m));
  m.subgraphs[0].tensors[2].shape = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "subgraph 0 tensor 2 'output': rank 9 exceeds the limit of 8"));
  LoadLimits limits;
  limits.max_rank = 3;
  EXPECT_TRUE(HasError(ValidateModel(TinyConvModel(), limits), kInvalid,
                       "tensor 0 'input': rank 4 exceeds the limit of 3"));
}

TEST(ValidateModelTest, RejectsNegativeDimension) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].tensors[2].shape = {1, -5, 5, 2};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "subgraph 0 tensor 2 'output': negative dimension in shape [1,-5,5,2]"));
}

TEST(ValidateModelTest, AcceptsZeroDimensions) {
  ir::Model m = TinyConvModel();
  // Zero elements, whatever the other dimensions: no overflow, no data needed.
  m.subgraphs[0].tensors[2].shape = {0, std::numeric_limits<int32_t>::max(), 5, 2};
  TFL_ASSERT_OK(ValidateModel(m));
}

TEST(ValidateModelTest, RejectsElementCountOverflow) {
  ir::Model m = TinyConvModel();
  // 2^64 elements: the product overflows int64 unless checked before multiplying.
  m.subgraphs[0].tensors[2].shape = {65536, 65536, 65536, 65536};
  EXPECT_TRUE(HasError(ValidateModel(m), kExhausted, "subgraph 0 tensor 2 'output'",
                       "has more than 2147483648 elements"));
  const int32_t big = std::numeric_limits<int32_t>::max();
  m.subgraphs[0].tensors[2].shape = {big, big, big, big};
  EXPECT_TRUE(HasError(ValidateModel(m), kExhausted, "has more than 2147483648 elements"));
  // Exactly at the element limit is fine for a 1-byte type below the byte limit.
  m.subgraphs[0].tensors[2].shape = {2, 1 << 30};
  m.subgraphs[0].tensors[2].type = ir::DataType::kInt8;
  TFL_ASSERT_OK(ValidateModel(m));
}

TEST(ValidateModelTest, RejectsTensorLargerThanTheByteLimit) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].tensors[2].shape = {1 << 30};  // 2^30 float32 elements = 4 GiB
  EXPECT_TRUE(HasError(ValidateModel(m), kExhausted, "subgraph 0 tensor 2 'output'",
                       "of float32 is larger than the limit of 2147483648 bytes"));
  m.subgraphs[0].tensors[2].shape = {1 << 29};  // 2 GiB exactly
  TFL_ASSERT_OK(ValidateModel(m));
}

TEST(ValidateModelTest, ChecksShapeSignatureAgainstShape) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kInput].shape_signature = std::vector<int32_t>{-1, 4, 4};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "subgraph 0 tensor 0 'input'",
                       "shape_signature [-1,4,4] does not match the rank of shape [1,4,4,2]"));
  m.subgraphs[0].tensors[kInput].shape_signature = std::vector<int32_t>{-1, 4, 5, 2};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "shape_signature [-1,4,5,2] disagrees with shape [1,4,4,2]"));
  m.subgraphs[0].tensors[kInput].shape_signature = std::vector<int32_t>{-1, -1, -1, -1};
  TFL_ASSERT_OK(ValidateModel(m));
}

TEST(ValidateModelTest, RejectsBufferIndexOutOfRange) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].tensors[1].buffer = 7;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "subgraph 0 tensor 1 'filter': buffer index 7 out of range (2 buffers)"));
}

TEST(ValidateModelTest, RejectsConstantBufferOfTheWrongSize) {
  ir::Model m = TinyConvModel();
  std::vector<uint8_t> short_data(71);
  m.buffers[1] = ir::Buffer{std::make_shared<const std::vector<uint8_t>>(short_data)};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "subgraph 0 tensor 1 'filter'",
                       "constant buffer 1 has 71 bytes; float32 [2,3,3,1] needs 72"));
}

TEST(ValidateModelTest, SparseConstantBufferMustHoldTheStoredValuesOnly) {
  ir::Model m = KitchenSinkModel();
  const uint32_t b = m.subgraphs[0].tensors[kSparse].buffer;
  m.buffers[b] = ir::Buffer{std::make_shared<const std::vector<uint8_t>>(
      Bytes(std::vector<float>(16, 1.0f)))};  // dense size instead of the 3 stored values
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 9 'sparse_w'",
                       "has 64 bytes; float32 [4,4] (sparse) needs 12"));
}

TEST(ValidateModelTest, RejectsConstantDataInTypesWithoutFixedSize) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].tensors[1].type = ir::DataType::kResource;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "tensor 1 'filter': resource tensor cannot hold constant data"));
}

TEST(ValidateModelTest, ChecksInt4BufferSizePackedOrUnpacked) {
  ir::Model m = TinyConvModel();
  ir::Tensor t = MakeTensor("nibbles", {5}, ir::DataType::kInt4, m.AddBuffer({1, 2, 3}));
  m.subgraphs[0].tensors.push_back(t);
  TFL_ASSERT_OK(ValidateModel(m));  // 5 values packed in 3 bytes
  m.buffers.back() = ir::Buffer{std::make_shared<const std::vector<uint8_t>>(5, 0)};
  TFL_ASSERT_OK(ValidateModel(m));  // one value per byte
  m.buffers.back() = ir::Buffer{std::make_shared<const std::vector<uint8_t>>(4, 0)};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 3 'nibbles'",
                       "int4 buffer has 4 bytes, expected 3 (packed) or 5"));
}

// ---- quantization ---------------------------------------------------------------------------

TEST(ValidateModelTest, RejectsScaleAndZeroPointCountMismatch) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kFilter].quantization->zero_point = {0};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "subgraph 0 tensor 1 'dw_filter'",
                       "quantization has 2 scales and 1 zero points"));
  m.subgraphs[0].tensors[kFilter].quantization->zero_point.clear();
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "quantization has scales without zero points or the reverse"));
}

TEST(ValidateModelTest, RejectsMinMaxCountMismatch) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kInput].quantization->max.clear();
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 0 'input'",
                       "quantization has 1 min and 0 max values"));
}

TEST(ValidateModelTest, RejectsNonFiniteOrNegativeScale) {
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                    -std::numeric_limits<float>::infinity(), -0.5f}) {
    ir::Model m = KitchenSinkModel();
    m.subgraphs[0].tensors[kFilter].quantization->scale[1] = bad;
    EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 1 'dw_filter'",
                         "is not a finite value >= 0"))
        << "scale " << bad;
  }
}

TEST(ValidateModelTest, RejectsQuantizedDimensionOutOfRange) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kFilter].quantization->quantized_dimension = 4;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 1 'dw_filter'",
                       "quantized_dimension 4 out of range for rank 4"));
  m.subgraphs[0].tensors[kFilter].quantization->quantized_dimension = -1;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "quantized_dimension -1 out of range"));
  m.subgraphs[0].tensors[kFilter].quantization->quantized_dimension = 100;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "quantized_dimension 100 out of range"));
}

TEST(ValidateModelTest, RejectsPerChannelScaleCountMismatch) {
  ir::Model m = KitchenSinkModel();
  auto& q = *m.subgraphs[0].tensors[kFilter].quantization;
  q.scale = {0.5f, 0.25f, 0.125f};
  q.zero_point = {0, 0, 0};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 1 'dw_filter'",
                       "per-channel quantization has 3 scales but dimension 3 has size 2"));
  q.quantized_dimension = 1;  // size 3
  TFL_ASSERT_OK(ValidateModel(m));
}

TEST(ValidateModelTest, RejectsZeroPointOutsideTheTypeRange) {
  struct Case {
    ir::DataType type;
    int64_t ok_low, ok_high;
    const char* name;
  };
  for (const Case& c : {Case{ir::DataType::kInt8, -128, 127, "int8"},
                        Case{ir::DataType::kUInt8, 0, 255, "uint8"},
                        Case{ir::DataType::kInt16, -32768, 32767, "int16"},
                        Case{ir::DataType::kInt4, -8, 7, "int4"}}) {
    ir::Model m = KitchenSinkModel();
    ir::Tensor& t = m.subgraphs[0].tensors[3];  // 'dw_out', no constant data
    t.type = c.type;
    t.quantization->zero_point = {c.ok_low};
    TFL_ASSERT_OK(ValidateModel(m));
    t.quantization->zero_point = {c.ok_high};
    TFL_ASSERT_OK(ValidateModel(m));
    t.quantization->zero_point = {c.ok_high + 1};
    EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 3 'dw_out'",
                         absl::StrCat("zero point ", c.ok_high + 1, " outside the range of ",
                                      c.name)));
    t.quantization->zero_point = {c.ok_low - 1};
    EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                         absl::StrCat("zero point ", c.ok_low - 1, " outside the range of ",
                                      c.name)));
  }
}

// ---- sparsity -------------------------------------------------------------------------------

TEST(ValidateModelTest, RejectsTraversalOrderOfTheWrongLength) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kSparse].sparsity->traversal_order = {0, 1, 2};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "subgraph 0 tensor 9 'sparse_w'",
                       "traversal_order has 3 dimensions; rank 2 + 0 block dimensions expected"));
}

TEST(ValidateModelTest, RejectsDimMetadataCountMismatch) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kSparse].sparsity->dim_metadata.pop_back();
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 9 'sparse_w'",
                       "sparsity has 1 dim_metadata entries for 2 traversed dimensions"));
}

TEST(ValidateModelTest, RejectsTraversalOrderThatIsNotAPermutation) {
  for (const std::vector<int32_t>& order :
       {std::vector<int32_t>{1, 1}, std::vector<int32_t>{0, 2}, std::vector<int32_t>{-1, 0}}) {
    ir::Model m = KitchenSinkModel();
    m.subgraphs[0].tensors[kSparse].sparsity->traversal_order = order;
    EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 9 'sparse_w'",
                         "traversal_order is not a permutation"));
  }
}

TEST(ValidateModelTest, RejectsBadBlockMap) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kBlock].sparsity->block_map = {0, 2};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 13 'block_sparse_w'",
                       "block_map entry 2 is out of range or repeated"));
  m.subgraphs[0].tensors[kBlock].sparsity->block_map = {1, 1};
  EXPECT_TRUE(
      HasError(ValidateModel(m), kInvalid, "block_map entry 1 is out of range or repeated"));
}

TEST(ValidateModelTest, RejectsBlockSizeThatDoesNotDivideItsDimension) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kBlock].sparsity->dim_metadata[2].dense_size = 3;  // block of dim 0
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 13 'block_sparse_w'",
                       "sparsity block size 3 for dimension 0 (size 4) must be a dense dimension "
                       "dividing it"));
  m = KitchenSinkModel();
  m.subgraphs[0].tensors[kBlock].sparsity->dim_metadata[3].dense_size = 0;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "sparsity block size 0 for dimension 1"));
}

TEST(ValidateModelTest, RejectsDenseSizeMismatch) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kSparse].sparsity->dim_metadata[0].dense_size = 5;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 9 'sparse_w'",
                       "sparsity dense dimension 0 has dense_size 5, expected 4"));
}

TEST(ValidateModelTest, RejectsSegmentsOfTheWrongLength) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kSparse].sparsity->dim_metadata[1].array_segments.values = {0, 1, 2, 3};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 9 'sparse_w'",
                       "sparsity dimension 1 has 4 segments, expected 5"));
}

TEST(ValidateModelTest, RejectsSegmentsNotSpanningTheIndices) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kSparse].sparsity->dim_metadata[1].array_segments.values = {1, 1, 2, 2,
                                                                                      3};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "sparsity dimension 1 segments must start at 0 and end at 3"));
  m.subgraphs[0].tensors[kSparse].sparsity->dim_metadata[1].array_segments.values = {0, 1, 2, 2,
                                                                                      2};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "segments must start at 0 and end at 3"));
}

TEST(ValidateModelTest, RejectsDecreasingSegments) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kSparse].sparsity->dim_metadata[1].array_segments.values = {0, 2, 1, 2,
                                                                                      3};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 9 'sparse_w'",
                       "sparsity dimension 1 segments decrease at 2"));
}

TEST(ValidateModelTest, RejectsSparseIndexOutOfRange) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kSparse].sparsity->dim_metadata[1].array_indices.values = {0, 4, 1};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 9 'sparse_w'",
                       "sparsity dimension 1 index 4 out of range [0, 4)"));
}

TEST(ValidateModelTest, RejectsIndexValuesThatDoNotFitTheirWidth) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kBlock].sparsity->dim_metadata[1].array_indices.values = {0, 65536};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 13 'block_sparse_w'",
                       "sparse index value 65536 does not fit its stored width"));
  m = KitchenSinkModel();
  m.subgraphs[0].tensors[kSparse].sparsity->dim_metadata[1].array_segments.values = {0, 1, 2, 2,
                                                                                      300};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "sparse index value 300 does not fit"));
  m = KitchenSinkModel();
  m.subgraphs[0].tensors[kBlock].sparsity->dim_metadata[1].array_segments.values = {0, -1, 2};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "sparse index value -1 does not fit"));
}

TEST(ValidateModelTest, RejectsUnknownDimensionFormat) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].tensors[kSparse].sparsity->dim_metadata[1].format =
      static_cast<ir::DimensionMetadata::Format>(7);
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 9 'sparse_w'",
                       "sparsity dimension 1 has unknown format 7"));
}

TEST(SparseValueCountTest, CountsStoredValues) {
  const ir::Model m = KitchenSinkModel();
  // CSR: rows {0}, {3}, {}, {1} → 3 values.
  auto csr = SparseValueCount(*m.subgraphs[0].tensors[kSparse].sparsity,
                              m.subgraphs[0].tensors[kSparse].shape);
  ASSERT_TRUE(csr.ok()) << csr.status();
  EXPECT_EQ(*csr, 3);
  // Two stored 2x2 blocks → 8 values.
  auto block = SparseValueCount(*m.subgraphs[0].tensors[kBlock].sparsity,
                                m.subgraphs[0].tensors[kBlock].shape);
  ASSERT_TRUE(block.ok()) << block.status();
  EXPECT_EQ(*block, 8);
}

TEST(SparseValueCountTest, AllDenseInAnyOrderIsTheElementCount) {
  ir::Sparsity s;
  s.traversal_order = {1, 0};
  s.dim_metadata = {{ir::DimensionMetadata::Format::kDense, 5, {}, {}},
                    {ir::DimensionMetadata::Format::kDense, 3, {}, {}}};
  const std::vector<int32_t> shape = {3, 5};
  auto n = SparseValueCount(s, shape);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 15);
}

TEST(SparseValueCountTest, RejectsTooLargeDenseProduct) {
  // Not reachable through ValidateModel (the shape limit comes first), but DENSIFY calls this
  // directly: the product must not overflow.
  ir::Sparsity s;
  s.traversal_order = {0, 1, 2};
  const int32_t big = std::numeric_limits<int32_t>::max();
  for (int i = 0; i < 3; ++i) {
    s.dim_metadata.push_back({ir::DimensionMetadata::Format::kDense, big, {}, {}});
  }
  const std::vector<int32_t> shape = {big, big, big};
  EXPECT_TRUE(HasError(SparseValueCount(s, shape), kInvalid, "sparse tensor too large"));
}

// ---- strings --------------------------------------------------------------------------------

// Replaces the kitchen-sink string buffer by `bytes`.
ir::Model WithStringBuffer(std::vector<uint8_t> bytes) {
  ir::Model m = KitchenSinkModel();
  const uint32_t b = m.subgraphs[0].tensors[kStrings].buffer;
  m.buffers[b] = ir::Buffer{std::make_shared<const std::vector<uint8_t>>(std::move(bytes))};
  return m;
}

std::vector<uint8_t> StringsWithHeader(std::vector<int32_t> header, size_t payload) {
  std::vector<uint8_t> b = Bytes(header);
  b.resize(b.size() + payload, 'x');
  return b;
}

TEST(ValidateModelTest, AcceptsWellFormedStringBuffer) {
  // {"cat", "", "dog!"}: count 3, offsets 20, 23, 23, 27.
  const std::vector<uint8_t> b = testing::StringBufferBytes({"cat", "", "dog!"});
  ASSERT_EQ(b.size(), 27u);
  EXPECT_EQ(std::vector<uint8_t>(b.begin(), b.begin() + 20),
            Bytes(std::vector<int32_t>{3, 20, 23, 23, 27}));
  EXPECT_EQ(std::string(b.begin() + 20, b.end()), "catdog!");
  TFL_ASSERT_OK(ValidateModel(WithStringBuffer(StringsWithHeader({3, 20, 23, 23, 27}, 7))));
}

TEST(ValidateModelTest, RejectsStringBufferShorterThanItsHeader) {
  EXPECT_TRUE(HasError(ValidateModel(WithStringBuffer({3, 0, 0})), kInvalid,
                       "subgraph 0 tensor 11 'labels': string buffer shorter than its header"));
}

TEST(ValidateModelTest, RejectsStringCountBeyondTheBuffer) {
  EXPECT_TRUE(HasError(
      ValidateModel(WithStringBuffer(StringsWithHeader({1000, 20, 23, 23, 27}, 7))), kInvalid,
      "tensor 11 'labels'",
                       "string buffer declares 1000 strings but has 27 bytes"));
  EXPECT_TRUE(HasError(ValidateModel(WithStringBuffer(StringsWithHeader({-1, 20, 23, 23, 27}, 7))),
                       kInvalid, "string buffer declares -1 strings"));
  // INT32_MAX strings: (n + 2) * 4 must not overflow.
  EXPECT_TRUE(HasError(
      ValidateModel(WithStringBuffer(StringsWithHeader({std::numeric_limits<int32_t>::max()}, 0))),
      kInvalid, "string buffer declares 2147483647 strings"));
}

TEST(ValidateModelTest, RejectsStringCountThatDoesNotMatchTheShape) {
  ir::Model m = WithStringBuffer(StringsWithHeader({2, 16, 19, 23}, 7));
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "tensor 11 'labels'",
                       "string buffer holds 2 strings, shape needs 3"));
}

TEST(ValidateModelTest, RejectsStringOffsetsOutOfOrderOrRange) {
  EXPECT_TRUE(HasError(ValidateModel(WithStringBuffer(StringsWithHeader({3, 20, 23, 21, 27}, 7))),
                       kInvalid, "tensor 11 'labels'",
                       "string offset 2 (21) out of order or range"));
  EXPECT_TRUE(HasError(ValidateModel(WithStringBuffer(StringsWithHeader({3, 20, 23, 23, 99}, 7))),
                       kInvalid, "string offset 3 (99) out of order or range"));
  // The first string must start right after the header.
  EXPECT_TRUE(HasError(ValidateModel(WithStringBuffer(StringsWithHeader({3, 21, 23, 23, 27}, 7))),
                       kInvalid, "string offset 0 (21) out of order or range"));
  EXPECT_TRUE(HasError(ValidateModel(WithStringBuffer(StringsWithHeader({3, -4, 23, 23, 27}, 7))),
                       kInvalid, "string offset 0 (-4) out of order or range"));
}

// ---- graph structure ------------------------------------------------------------------------

TEST(ValidateModelTest, RejectsSubgraphInputsAndOutputsOutOfRange) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].inputs = {3};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "subgraph 0: input 0 refers to tensor 3, out of range (3 tensors)"));
  m = TinyConvModel();
  m.subgraphs[0].outputs = {2, -1};  // -1 is only allowed for optional operator inputs
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "subgraph 0: output 1 refers to tensor -1, out of range (3 tensors)"));
}

TEST(ValidateModelTest, RejectsOpcodeIndexOutOfRange) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].operators[0].opcode_index = 3;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "subgraph 0 operator 0: opcode index 3 out of range (1 operator codes)"));
  m.subgraphs[0].operators[0].opcode_index = 0xFFFFFFFFu;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "opcode index 4294967295 out of range"));
}

TEST(ValidateModelTest, RejectsOperatorTensorIndicesOutOfRange) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].operators[0].inputs[1] = 99999;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "subgraph 0 operator 0 (CONV_2D): input 1 refers to tensor 99999, out of "
                       "range (3 tensors)"));
  m = TinyConvModel();
  m.subgraphs[0].operators[0].inputs[2] = -2;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "input 2 refers to tensor -2"));
  m = TinyConvModel();
  m.subgraphs[0].operators[0].outputs[0] = 3;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "(CONV_2D): output 0 refers to tensor 3"));
  m = TinyConvModel();
  m.subgraphs[0].operators[0].intermediates = {0, 7};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "(CONV_2D): intermediate 1 refers to tensor 7"));
}

TEST(ValidateModelTest, OmittedInputAllowedOnlyForOptionalSlots) {
  ir::Model m = TinyConvModel();
  ASSERT_EQ(m.subgraphs[0].operators[0].inputs[2], -1);  // the bias is optional
  TFL_ASSERT_OK(ValidateModel(m));
  m.subgraphs[0].operators[0].inputs[1] = -1;  // the filter is not
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "subgraph 0 operator 0 (CONV_2D): required input 1 is omitted (-1)"));
  m = TinyConvModel();
  m.subgraphs[0].operators[0].outputs[0] = -1;  // never for outputs
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "output 0 refers to tensor -1"));
}

TEST(ValidateModelTest, RejectsMutatingVariableInputsCountMismatch) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].operators[0].mutating_variable_inputs = {false};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "(CONV_2D): mutating_variable_inputs has 1 entries for 3 inputs"));
}

TEST(ValidateModelTest, RejectsWritesToConstantTensors) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].operators[0].outputs[0] = 1;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "subgraph 0 operator 0 (CONV_2D): writes tensor 1 'filter' which holds "
                       "constant data"));
  m.subgraphs[0].tensors[1].is_variable = true;  // variables may be updated in place
  TFL_ASSERT_OK(ValidateModel(m));
}

TEST(ValidateModelTest, ChecksArityOfKnownOperators) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].operators[0].inputs = {0};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "subgraph 0 operator 0 (CONV_2D): has 1 inputs; expected 2 to 3"));
  m.subgraphs[0].operators[0].inputs = {0, 1, -1, 0};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "has 4 inputs; expected 2 to 3"));
  m = TinyConvModel();
  m.subgraphs[0].tensors.push_back(MakeTensor("extra", {1}, ir::DataType::kFloat32));
  m.subgraphs[0].operators[0].outputs = {2, 3};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "(CONV_2D): has 2 outputs; expected 1"));

  ir::Model k = KitchenSinkModel();
  k.subgraphs[1].operators[0].inputs = {0, 1, 0};
  EXPECT_TRUE(HasError(ValidateModel(k), kInvalid,
                       "subgraph 1 operator 0 (ADD): has 3 inputs; expected 2"));

  ir::Model c = TinyConvModel();
  c.operator_codes.push_back(testing::BuiltinCode(ir::BuiltinOp::kConcatenation));
  c.subgraphs[0].operators.push_back(testing::MakeOperator(1, {}, {2}));
  EXPECT_TRUE(HasError(ValidateModel(c), kInvalid,
                       "subgraph 0 operator 1 (CONCATENATION): has 0 inputs; expected 1 or more"));
}

TEST(ValidateModelTest, ArityFollowsTheEffectiveCodeOfOldFiles) {
  // Files written before builtin_code existed hold the code in deprecated_builtin_code only.
  ir::Model m = TinyConvModel();
  m.operator_codes[0].builtin_code = ir::BuiltinOp::kAdd;  // 0
  m.operator_codes[0].deprecated_builtin_code = 3;         // CONV_2D
  TFL_ASSERT_OK(ValidateModel(m));
  m.subgraphs[0].operators[0].inputs = {0};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "(CONV_2D): has 1 inputs; expected 2 to 3"));
}

TEST(ValidateModelTest, UnknownOperatorsHaveNoArityRule) {
  ir::Model m = KitchenSinkModel();
  m.subgraphs[0].operators[4].inputs = {7, 7, 7, -1};  // GELU (150) is not in the table
  m.subgraphs[0].operators[3].inputs = {};             // custom op
  TFL_ASSERT_OK(ValidateModel(m));
}

TEST(ValidateModelTest, RejectsOptionsOfTheWrongType) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].operators[0].builtin_options = ir::AddOptions{};
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "subgraph 0 operator 0 (CONV_2D): builtin options are of the wrong type"));
  m.subgraphs[0].operators[0].builtin_options =
      testing::RawOptions(::tflite::BuiltinOptions::PadOptions, ::tflite::PadOptionsT{});
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid, "builtin options are of the wrong type"));
  m.subgraphs[0].operators[0].builtin_options = std::monostate{};  // absent options are fine
  TFL_ASSERT_OK(ValidateModel(m));
}

TEST(ValidateModelTest, RejectsSignatureDefsOutOfRange) {
  ir::Model m = KitchenSinkModel();
  m.signature_defs[0].subgraph_index = 2;
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "signature 'serving_default': subgraph index 2 out of range"));
  m = KitchenSinkModel();
  m.signature_defs[1].outputs[0].tensor_index = 4;  // subgraph 1 has 4 tensors
  EXPECT_TRUE(HasError(ValidateModel(m), kInvalid,
                       "signature 'aux': 'y' refers to tensor 4, out of range"));
}

}  // namespace
}  // namespace compressd::tflite
