// WriteModel: round trips of the built models (write → read gives an equal ir::Model), the
// flatbuffer content checked field by field through the generated API, 16-byte alignment of
// constant buffers, determinism, and rejection of invalid models and malformed raw options.
#include "core/tflite/model_writer.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/tflite/model_reader.h"
#include "core/tflite/schema/tflite_generated.h"
#include "core/tflite/testing/status_testing.h"
#include "core/tflite/testing/test_models.h"
#include "gtest/gtest.h"

namespace compressd::tflite {
namespace {

namespace fb = ::tflite;
using absl::StatusCode;
using testing::HasError;
using testing::KitchenSinkModel;
using testing::TinyConvModel;

// Verifies `bytes` as a Model flatbuffer and returns its root (nullptr when malformed).
const fb::Model* Verified(const std::vector<uint8_t>& bytes) {
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  if (!fb::VerifyModelBuffer(verifier)) return nullptr;
  return fb::GetModel(bytes.data());
}

TEST(WriteModelTest, TinyConvRoundTrips) {
  const ir::Model original = TinyConvModel();
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> bytes, WriteModel(original));
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model read, ReadModel(bytes));
  EXPECT_EQ(read, original);
}

TEST(WriteModelTest, KitchenSinkRoundTrips) {
  const ir::Model original = KitchenSinkModel();
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> bytes, WriteModel(original));
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model read, ReadModel(bytes));
  // Compare piecewise first for a readable failure, then the whole model.
  ASSERT_EQ(read.subgraphs.size(), original.subgraphs.size());
  for (size_t s = 0; s < read.subgraphs.size(); ++s) {
    ASSERT_EQ(read.subgraphs[s].tensors.size(), original.subgraphs[s].tensors.size());
    for (size_t t = 0; t < read.subgraphs[s].tensors.size(); ++t) {
      EXPECT_EQ(read.subgraphs[s].tensors[t], original.subgraphs[s].tensors[t])
          << "subgraph " << s << " tensor " << t;
    }
    ASSERT_EQ(read.subgraphs[s].operators.size(), original.subgraphs[s].operators.size());
    for (size_t o = 0; o < read.subgraphs[s].operators.size(); ++o) {
      EXPECT_EQ(read.subgraphs[s].operators[o], original.subgraphs[s].operators[o])
          << "subgraph " << s << " operator " << o;
    }
  }
  EXPECT_EQ(read.operator_codes, original.operator_codes);
  EXPECT_EQ(read.buffers, original.buffers);
  EXPECT_EQ(read.metadata, original.metadata);
  EXPECT_EQ(read.signature_defs, original.signature_defs);
  EXPECT_EQ(read, original);
}

TEST(WriteModelTest, WritesTheExpectedFlatbuffer) {
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> bytes, WriteModel(KitchenSinkModel()));
  ASSERT_TRUE(flatbuffers::BufferHasIdentifier(bytes.data(), "TFL3"));
  const fb::Model* m = Verified(bytes);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->version(), 3u);
  EXPECT_EQ(m->description()->str(), "compressd kitchen-sink test model");

  // Codes above 127: builtin_code holds the code, deprecated_builtin_code the placeholder 127.
  const fb::OperatorCode* gelu = m->operator_codes()->Get(4);
  EXPECT_EQ(gelu->builtin_code(), fb::BuiltinOperator::GELU);
  EXPECT_EQ(gelu->deprecated_builtin_code(), 127);
  const fb::OperatorCode* dw = m->operator_codes()->Get(0);
  EXPECT_EQ(dw->builtin_code(), fb::BuiltinOperator::DEPTHWISE_CONV_2D);
  EXPECT_EQ(dw->deprecated_builtin_code(), 4);
  EXPECT_EQ(dw->version(), 2);
  EXPECT_EQ(m->operator_codes()->Get(3)->custom_code()->str(), "CompressdTestOp");

  const fb::SubGraph* main = m->subgraphs()->Get(0);
  EXPECT_EQ(main->name()->str(), "main");
  const auto* ops = main->operators();
  ASSERT_EQ(ops->size(), 8u);
  const auto* dwo = ops->Get(0)->builtin_options_as_DepthwiseConv2DOptions();
  ASSERT_NE(dwo, nullptr);
  EXPECT_EQ(dwo->depth_multiplier(), 1);
  EXPECT_EQ(dwo->stride_w(), 1);
  EXPECT_EQ(ops->Get(1)->builtin_options_type(), fb::BuiltinOptions::PadOptions);
  EXPECT_EQ(ops->Get(2)->builtin_options_type(), fb::BuiltinOptions::NONE);  // HARD_SWISH
  const fb::Operator* custom = ops->Get(3);
  ASSERT_NE(custom->custom_options(), nullptr);
  EXPECT_EQ(
      std::vector<uint8_t>(custom->custom_options()->begin(), custom->custom_options()->end()),
      std::vector<uint8_t>({0x01, 0x02, 0x03, 0xff}));
  EXPECT_EQ(custom->debug_metadata_index(), 7);
  EXPECT_EQ(custom->intermediates()->Get(0), 14);
  ASSERT_NE(ops->Get(4)->builtin_options_as_GeluOptions(), nullptr);
  EXPECT_TRUE(ops->Get(4)->builtin_options_as_GeluOptions()->approximate());
  const auto* concat = ops->Get(6)->builtin_options_2_as_StablehloConcatenateOptions();
  ASSERT_NE(concat, nullptr);
  EXPECT_EQ(concat->dimension(), 3);
  EXPECT_EQ(ops->Get(0)->inputs()->size(), 3u);

  const fb::Tensor* filter = main->tensors()->Get(1);
  EXPECT_EQ(filter->name()->str(), "dw_filter");
  EXPECT_EQ(filter->type(), fb::TensorType::INT8);
  EXPECT_EQ(filter->quantization()->quantized_dimension(), 3);
  EXPECT_EQ(filter->quantization()->scale()->size(), 2u);
  EXPECT_EQ(filter->quantization()->scale()->Get(1), 0.25f);
  const fb::Tensor* input = main->tensors()->Get(0);
  EXPECT_EQ(input->quantization()->zero_point()->Get(0), -3);
  EXPECT_EQ(input->shape_signature()->Get(0), -1);
  const auto* csr = main->tensors()->Get(9)->sparsity()->dim_metadata()->Get(1);
  EXPECT_EQ(csr->format(), fb::DimensionType::SPARSE_CSR);
  ASSERT_EQ(csr->array_segments_type(), fb::SparseIndexVector::Uint8Vector);
  EXPECT_EQ(csr->array_segments_as_Uint8Vector()->values()->size(), 5u);
  EXPECT_EQ(csr->array_indices_as_Uint8Vector()->values()->Get(1), 3);
  const fb::Tensor* custom_quant = main->tensors()->Get(14);
  ASSERT_EQ(custom_quant->quantization()->details_type(),
            fb::QuantizationDetails::CustomQuantization);
  EXPECT_EQ(custom_quant->quantization()->details_as_CustomQuantization()->custom()->size(), 3u);
  const fb::Tensor* variant = main->tensors()->Get(12);
  EXPECT_TRUE(variant->has_rank());
  EXPECT_EQ(variant->variant_tensors()->Get(0)->shape()->Get(1), 3);

  const fb::SubGraph* aux = m->subgraphs()->Get(1);
  EXPECT_TRUE(aux->tensors()->Get(3)->is_variable());
  const auto* add = aux->operators()->Get(0)->builtin_options_as_AddOptions();
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->fused_activation_function(), fb::ActivationFunctionType::RELU6);
  EXPECT_FALSE(add->pot_scale_int16());
  EXPECT_TRUE(aux->operators()->Get(1)->mutating_variable_inputs()->Get(1));

  ASSERT_EQ(m->metadata()->size(), 1u);
  EXPECT_EQ(m->metadata()->Get(0)->name()->str(), "min_runtime_version");
  const fb::Buffer* meta = m->buffers()->Get(m->metadata()->Get(0)->buffer());
  EXPECT_EQ(std::string(meta->data()->begin(), meta->data()->end()), "1.14.0");
  EXPECT_EQ(m->metadata_buffer()->Get(0), 6);
  ASSERT_EQ(m->signature_defs()->size(), 2u);
  EXPECT_EQ(m->signature_defs()->Get(0)->signature_key()->str(), "serving_default");
  EXPECT_EQ(m->signature_defs()->Get(0)->outputs()->Get(1)->name()->str(), "dense");
  EXPECT_EQ(m->signature_defs()->Get(1)->subgraph_index(), 1u);
  EXPECT_EQ(m->buffers()->Get(0)->data(), nullptr);  // the empty sentinel
}

TEST(WriteModelTest, AlignsConstantBuffersTo16Bytes) {
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> bytes, WriteModel(KitchenSinkModel()));
  const fb::Model* m = Verified(bytes);
  ASSERT_NE(m, nullptr);
  int checked = 0;
  for (const fb::Buffer* b : *m->buffers()) {
    if (b->data() == nullptr || b->data()->size() == 0) continue;
    const ptrdiff_t offset = b->data()->data() - bytes.data();
    EXPECT_EQ(offset % 16, 0) << "buffer data at file offset " << offset;
    ++checked;
  }
  EXPECT_EQ(checked, 9);
}

TEST(WriteModelTest, NaNFloatsRoundTripAndCompareEqual) {
  // Found by the fuzzer: a NaN quantization max made the round trip compare unequal (NaN != NaN)
  // although every bit was preserved.
  ir::Model m = KitchenSinkModel();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  m.subgraphs[0].tensors[0].quantization->max[0] = nan;
  m.subgraphs[0].tensors[0].quantization->min[0] = -nan;
  m.operator_codes.push_back(testing::BuiltinCode(ir::BuiltinOp::kSoftmax));
  m.operator_codes.push_back(testing::BuiltinCode(ir::BuiltinOp::kLeakyRelu));
  const uint32_t softmax = static_cast<uint32_t>(m.operator_codes.size() - 2);
  m.subgraphs[1].tensors.push_back(testing::MakeTensor("z", {2}, ir::DataType::kFloat32));
  m.subgraphs[1].tensors.push_back(testing::MakeTensor("w", {2}, ir::DataType::kFloat32));
  m.subgraphs[1].operators.push_back(
      testing::MakeOperator(softmax, {2}, {4}, ir::SoftmaxOptions{nan}));
  m.subgraphs[1].operators.push_back(
      testing::MakeOperator(softmax + 1, {4}, {5}, ir::LeakyReluOptions{nan}));
  EXPECT_TRUE(m == m);
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> bytes, WriteModel(m));
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model read, ReadModel(bytes));
  EXPECT_TRUE(read == m);
  const float max = read.subgraphs[0].tensors[0].quantization->max[0];
  EXPECT_TRUE(std::isnan(max));
  EXPECT_TRUE(std::signbit(read.subgraphs[0].tensors[0].quantization->min[0]));
  // NaN equals only NaN.
  ir::Model other = read;
  other.subgraphs[0].tensors[0].quantization->max[0] = 6.5f;
  EXPECT_FALSE(other == read);
  other = read;
  std::get<ir::SoftmaxOptions>(other.subgraphs[1].operators[2].builtin_options).beta = 1.0f;
  EXPECT_FALSE(other == read);
}

TEST(WriteModelTest, IsDeterministicAndStableUnderRewrite) {
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> first, WriteModel(KitchenSinkModel()));
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> second, WriteModel(KitchenSinkModel()));
  EXPECT_EQ(first, second);
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model read, ReadModel(first));
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> rewritten, WriteModel(read));
  EXPECT_EQ(rewritten, first);
}

TEST(WriteModelTest, WritesBuffersThatShareTheirBytes) {
  ir::Model m = TinyConvModel();
  m.buffers.push_back(m.buffers[1]);  // same shared bytes, second buffer
  m.subgraphs[0].tensors.push_back(
      testing::MakeTensor("filter_copy", {2, 3, 3, 1}, ir::DataType::kFloat32, 2));
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> bytes, WriteModel(m));
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model read, ReadModel(bytes));
  EXPECT_EQ(read, m);
  EXPECT_EQ(read.buffers[2].size(), 72u);
}

TEST(WriteModelTest, EmptyBufferDataEqualsNoData) {
  ir::Model m = TinyConvModel();
  m.buffers[0] = ir::Buffer{std::make_shared<const std::vector<uint8_t>>()};
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> bytes, WriteModel(m));
  const fb::Model* fm = Verified(bytes);
  ASSERT_NE(fm, nullptr);
  EXPECT_EQ(fm->buffers()->Get(0)->data(), nullptr);
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model read, ReadModel(bytes));
  EXPECT_EQ(read, m);
}

TEST(WriteModelTest, RawOptionsWithoutTableKeepTheirType) {
  ir::Model m = KitchenSinkModel();
  ir::RawBuiltinOptions pad;
  pad.union_type = static_cast<uint8_t>(fb::BuiltinOptions::PadOptions);  // type only
  m.subgraphs[0].operators[1].builtin_options = pad;
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> bytes, WriteModel(m));
  const fb::Model* fm = Verified(bytes);
  ASSERT_NE(fm, nullptr);
  const fb::Operator* op = fm->subgraphs()->Get(0)->operators()->Get(1);
  EXPECT_EQ(op->builtin_options_type(), fb::BuiltinOptions::PadOptions);
  EXPECT_EQ(op->builtin_options(), nullptr);
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model read, ReadModel(bytes));
  EXPECT_EQ(read, m);
}

TEST(WriteModelTest, RejectsInvalidModels) {
  ir::Model m = TinyConvModel();
  m.subgraphs[0].tensors[1].buffer = 5;
  EXPECT_TRUE(HasError(WriteModel(m), StatusCode::kInvalidArgument,
                       "subgraph 0 tensor 1 'filter': buffer index 5 out of range"));
  m = TinyConvModel();
  m.subgraphs[0].operators[0].inputs[0] = 99999;
  EXPECT_TRUE(HasError(WriteModel(m), StatusCode::kInvalidArgument,
                       "input 0 refers to tensor 99999"));
}

TEST(WriteModelTest, RejectsMalformedRawOptions) {
  ir::Model m = KitchenSinkModel();
  auto& pad = std::get<ir::RawBuiltinOptions>(m.subgraphs[0].operators[1].builtin_options);
  pad.table = {1, 2};
  EXPECT_TRUE(HasError(WriteModel(m), StatusCode::kInvalidArgument,
                       "raw builtin options table is truncated"));
  pad.table = {0xf0, 0xff, 0, 0, 0, 0, 0, 0};  // root offset past the end
  EXPECT_TRUE(HasError(WriteModel(m), StatusCode::kInvalidArgument,
                       "raw builtin options table of type 22 is malformed"));
  pad.table = std::vector<uint8_t>(64, 0xee);  // root offset inside, garbage table
  pad.table[0] = 8;
  pad.table[1] = pad.table[2] = pad.table[3] = 0;
  EXPECT_TRUE(HasError(WriteModel(m), StatusCode::kInvalidArgument,
                       "raw builtin options table of type 22 is malformed"));
  // A well-formed table under a union type this schema does not know.
  pad = testing::RawOptions(250, fb::PadOptionsT{});
  EXPECT_TRUE(HasError(WriteModel(m), StatusCode::kInvalidArgument,
                       "unknown builtin options type 250"));

  ir::Model k = KitchenSinkModel();
  k.subgraphs[0].operators[6].builtin_options_2->table = {7, 7};
  EXPECT_TRUE(HasError(WriteModel(k), StatusCode::kInvalidArgument,
                       "raw builtin options table is truncated"));
}

TEST(WriteModelFileTest, WritesAFileTheReaderLoads) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            absl::StrCat("compressd_writer_test_", getpid(), ".tflite"))
                               .string();
  TFL_ASSERT_OK(WriteModelFile(KitchenSinkModel(), path));
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model read, ReadModelFile(path));
  EXPECT_EQ(read, KitchenSinkModel());
  std::filesystem::remove(path);
  ir::Model bad = KitchenSinkModel();
  bad.subgraphs.clear();
  EXPECT_TRUE(HasError(WriteModelFile(bad, path), StatusCode::kInvalidArgument,
                       "model has no subgraphs"));
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace compressd::tflite
