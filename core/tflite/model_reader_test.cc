// ReadModel on flatbuffers built by hand (object API or FlatBufferBuilder, never through the
// writer where the point is the reader): field conversion, file-level checks, limits, external
// buffers and large custom options, unknown union types, and the copy budget that bounds memory
// use for files whose offsets share one table many times.
#include "core/tflite/model_reader.h"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/file_io.h"
#include "core/tflite/model_writer.h"
#include "core/tflite/schema/tflite_generated.h"
#include "core/tflite/testing/status_testing.h"
#include "core/tflite/testing/test_models.h"
#include "gtest/gtest.h"

namespace compressd::tflite {
namespace {

namespace fb = ::tflite;
using absl::StatusCode;
using testing::HasError;

constexpr StatusCode kInvalid = StatusCode::kInvalidArgument;
constexpr StatusCode kExhausted = StatusCode::kResourceExhausted;

std::vector<uint8_t> Pack(const fb::ModelT& model) {
  flatbuffers::FlatBufferBuilder fbb;
  fb::FinishModelBuffer(fbb, fb::Model::Pack(fbb, &model));
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

std::vector<uint8_t> Finish(flatbuffers::FlatBufferBuilder& fbb,
                            flatbuffers::Offset<fb::Model> root) {
  fb::FinishModelBuffer(fbb, root);
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

std::vector<uint8_t> MustWrite(const ir::Model& model) {
  auto bytes = WriteModel(model);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : std::vector<uint8_t>();
}

// Overwrites the scalar field `field` (a VT_ constant) of a table inside `bytes`; the field must
// be stored. Used for union type fields, which have no generated mutator.
template <typename T, typename Table>
void PatchField(const Table* table, flatbuffers::voffset_t field, T value) {
  auto* t = reinterpret_cast<flatbuffers::Table*>(const_cast<Table*>(table));
  ASSERT_NE(t->GetAddressOf(field), nullptr) << "field " << field << " is not stored";
  ASSERT_TRUE(t->SetField<T>(field, value, T{}));
}

fb::Model* Mutable(std::vector<uint8_t>& bytes) { return fb::GetMutableModel(bytes.data()); }

// A one-operator model: GELU (code 150 → deprecated 127) from "x" (constant float32 [2]) to "y".
std::unique_ptr<fb::ModelT> HandMadeModel() {
  auto m = std::make_unique<fb::ModelT>();
  m->version = 3;
  m->description = "hand made";
  auto code = std::make_unique<fb::OperatorCodeT>();
  code->deprecated_builtin_code = 127;
  code->builtin_code = fb::BuiltinOperator::GELU;
  code->version = 2;
  m->operator_codes.push_back(std::move(code));
  m->buffers.push_back(std::make_unique<fb::BufferT>());
  auto data = std::make_unique<fb::BufferT>();
  data->data = testing::Bytes(std::vector<float>{1.5f, -2.5f});
  m->buffers.push_back(std::move(data));
  auto sg = std::make_unique<fb::SubGraphT>();
  sg->name = "g";
  auto x = std::make_unique<fb::TensorT>();
  x->name = "x";
  x->shape = {2};
  x->type = fb::TensorType::FLOAT32;
  x->buffer = 1;
  x->quantization = std::make_unique<fb::QuantizationParametersT>();
  x->quantization->scale = {0.5f, 0.25f};
  x->quantization->zero_point = {1, -1};
  x->quantization->quantized_dimension = 0;
  x->shape_signature = {2};
  sg->tensors.push_back(std::move(x));
  auto y = std::make_unique<fb::TensorT>();
  y->name = "y";
  y->shape = {2};
  y->type = fb::TensorType::FLOAT32;
  sg->tensors.push_back(std::move(y));
  auto op = std::make_unique<fb::OperatorT>();
  op->opcode_index = 0;
  op->inputs = {0};
  op->outputs = {1};
  fb::GeluOptionsT gelu;
  gelu.approximate = true;
  op->builtin_options.Set(gelu);
  op->custom_options = {};
  op->intermediates = {};
  op->debug_metadata_index = 3;
  sg->operators.push_back(std::move(op));
  sg->inputs = {};
  sg->outputs = {1};
  m->subgraphs.push_back(std::move(sg));
  auto md = std::make_unique<fb::MetadataT>();
  md->name = "meta";
  md->buffer = 1;
  m->metadata.push_back(std::move(md));
  auto sig = std::make_unique<fb::SignatureDefT>();
  sig->signature_key = "run";
  sig->subgraph_index = 0;
  auto out = std::make_unique<fb::TensorMapT>();
  out->name = "out";
  out->tensor_index = 1;
  sig->outputs.push_back(std::move(out));
  m->signature_defs.push_back(std::move(sig));
  return m;
}

// ---- conversion of a valid file -------------------------------------------------------------

TEST(ReadModelTest, ConvertsEveryFieldOfAHandMadeFile) {
  const std::vector<uint8_t> bytes = Pack(*HandMadeModel());
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model m, ReadModel(bytes));
  EXPECT_EQ(m.version, 3u);
  EXPECT_EQ(m.description, "hand made");
  ASSERT_EQ(m.operator_codes.size(), 1u);
  EXPECT_EQ(static_cast<int>(m.operator_codes[0].builtin_code), 150);
  EXPECT_EQ(m.operator_codes[0].deprecated_builtin_code, 127);
  EXPECT_EQ(m.operator_codes[0].version, 2);
  EXPECT_FALSE(m.operator_codes[0].custom_code.has_value());
  EXPECT_EQ(static_cast<int>(ir::EffectiveBuiltinCode(m.operator_codes[0])), 150);
  ASSERT_EQ(m.buffers.size(), 2u);
  EXPECT_EQ(m.buffers[0].size(), 0u);
  EXPECT_EQ(m.buffers[1].bytes().size(), 8u);
  float values[2];
  std::memcpy(values, m.buffers[1].bytes().data(), 8);
  EXPECT_EQ(values[0], 1.5f);
  EXPECT_EQ(values[1], -2.5f);
  ASSERT_EQ(m.subgraphs.size(), 1u);
  const ir::Subgraph& sg = m.subgraphs[0];
  EXPECT_EQ(sg.name, "g");
  ASSERT_EQ(sg.tensors.size(), 2u);
  EXPECT_EQ(sg.tensors[0].name, "x");
  EXPECT_EQ(sg.tensors[0].shape, std::vector<int32_t>({2}));
  EXPECT_EQ(sg.tensors[0].buffer, 1u);
  ASSERT_TRUE(sg.tensors[0].quantization.has_value());
  EXPECT_EQ(sg.tensors[0].quantization->scale, std::vector<float>({0.5f, 0.25f}));
  EXPECT_EQ(sg.tensors[0].quantization->zero_point, std::vector<int64_t>({1, -1}));
  EXPECT_EQ(sg.tensors[0].shape_signature, std::vector<int32_t>({2}));
  EXPECT_FALSE(sg.tensors[1].quantization.has_value());
  EXPECT_FALSE(sg.tensors[1].shape_signature.has_value());
  ASSERT_EQ(sg.operators.size(), 1u);
  const ir::Operator& op = sg.operators[0];
  EXPECT_EQ(op.inputs, std::vector<int32_t>({0}));
  EXPECT_EQ(op.outputs, std::vector<int32_t>({1}));
  EXPECT_EQ(op.debug_metadata_index, 3);
  EXPECT_EQ(sg.debug_metadata_index, -1);
  // GELU's options are not typed in the IR: carried raw, as a standalone GeluOptions table.
  const auto* raw = std::get_if<ir::RawBuiltinOptions>(&op.builtin_options);
  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(raw->union_type, static_cast<uint8_t>(fb::BuiltinOptions::GeluOptions));
  flatbuffers::Verifier verifier(raw->table.data(), raw->table.size());
  ASSERT_TRUE(verifier.VerifyBuffer<fb::GeluOptions>(nullptr));
  EXPECT_TRUE(flatbuffers::GetRoot<fb::GeluOptions>(raw->table.data())->approximate());
  ASSERT_EQ(m.metadata.size(), 1u);
  EXPECT_EQ(m.metadata[0].name, "meta");
  EXPECT_EQ(m.metadata[0].buffer, 1u);
  ASSERT_EQ(m.signature_defs.size(), 1u);
  EXPECT_EQ(m.signature_defs[0].signature_key, "run");
  ASSERT_EQ(m.signature_defs[0].outputs.size(), 1u);
  EXPECT_EQ(m.signature_defs[0].outputs[0].name, "out");
  EXPECT_EQ(m.signature_defs[0].outputs[0].tensor_index, 1u);
}

TEST(ReadModelTest, ConvertsSparsityWithEveryIndexWidth) {
  const std::vector<uint8_t> bytes = MustWrite(testing::KitchenSinkModel());
  const fb::Model* fm = fb::GetModel(bytes.data());
  // The writer stored the index vectors in their recorded widths.
  const auto* dims = fm->subgraphs()->Get(0)->tensors()->Get(13)->sparsity()->dim_metadata();
  ASSERT_EQ(dims->Get(1)->array_segments_type(), fb::SparseIndexVector::Int32Vector);
  ASSERT_EQ(dims->Get(1)->array_indices_type(), fb::SparseIndexVector::Uint16Vector);
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model m, ReadModel(bytes));
  const ir::DimensionMetadata& d1 = m.subgraphs[0].tensors[13].sparsity->dim_metadata[1];
  EXPECT_EQ(d1.array_segments.width, ir::SparseIndexVector::Width::kInt32);
  EXPECT_EQ(d1.array_segments.values, std::vector<int32_t>({0, 1, 2}));
  EXPECT_EQ(d1.array_indices.width, ir::SparseIndexVector::Width::kUint16);
  EXPECT_EQ(d1.array_indices.values, std::vector<int32_t>({0, 1}));
  const ir::DimensionMetadata& csr = m.subgraphs[0].tensors[9].sparsity->dim_metadata[1];
  EXPECT_EQ(csr.array_segments.width, ir::SparseIndexVector::Width::kUint8);
  EXPECT_EQ(csr.array_indices.values, std::vector<int32_t>({0, 3, 1}));
}

// ---- file-level checks ----------------------------------------------------------------------

TEST(ReadModelTest, RejectsInputsShorterThanTheHeader) {
  const std::vector<uint8_t> bytes = MustWrite(testing::TinyConvModel());
  for (size_t n = 0; n < 8; ++n) {
    EXPECT_TRUE(HasError(ReadModel(std::span<const uint8_t>(bytes.data(), n)), kInvalid,
                         absl::StrCat("not a TFLite model: only ", n, " bytes")));
  }
}

TEST(ReadModelTest, RejectsWrongFileIdentifier) {
  std::vector<uint8_t> bytes = MustWrite(testing::TinyConvModel());
  bytes[7] = '2';
  EXPECT_TRUE(HasError(ReadModel(bytes), kInvalid, "file identifier is 'TFL2', expected 'TFL3'"));
  bytes[4] = 0;
  bytes[5] = 0xff;
  EXPECT_TRUE(HasError(ReadModel(bytes), kInvalid, "file identifier is '??L2'"));
}

TEST(ReadModelTest, RejectsFilesThatFailVerification) {
  std::vector<uint8_t> bytes = MustWrite(testing::TinyConvModel());
  bytes[0] = 0xf0;  // root offset past the end
  bytes[1] = 0xff;
  EXPECT_TRUE(HasError(ReadModel(bytes), kInvalid, "fails verification"));
  std::vector<uint8_t> garbage(64, 0xab);
  std::memcpy(garbage.data() + 4, "TFL3", 4);
  EXPECT_TRUE(HasError(ReadModel(garbage), kInvalid, "fails verification"));
}

TEST(ReadModelTest, RejectsOtherSchemaVersions) {
  auto hand = HandMadeModel();
  hand->version = 2;
  EXPECT_TRUE(HasError(ReadModel(Pack(*hand)), kInvalid,
                       "unsupported TFLite schema version 2 (only version 3 is supported)"));
}

TEST(ReadModelTest, RejectsModelsWithoutSubgraphs) {
  auto hand = HandMadeModel();
  hand->subgraphs.clear();
  hand->signature_defs.clear();
  EXPECT_TRUE(HasError(ReadModel(Pack(*hand)), kInvalid, "model has no subgraphs"));
}

TEST(ReadModelTest, ValidatesAfterConverting) {
  auto hand = HandMadeModel();
  hand->subgraphs[0]->tensors[0]->buffer = 1000000000;
  EXPECT_TRUE(HasError(ReadModel(Pack(*hand)), kInvalid, "subgraph 0 tensor 0 'x': ",
                       "buffer index 1000000000 out of range (2 buffers)"));
}

TEST(ReadModelTest, RejectsMisalignedZeroPoints) {
  // zero_point {1, -1} moved by 4 bytes: a valid 1-element vector (the low half of 1) whose int64
  // element is at 4 mod 8. The verifier accepts it; reading it in place would be UB.
  std::vector<uint8_t> bytes = Pack(*HandMadeModel());
  const fb::QuantizationParameters* q =
      fb::GetModel(bytes.data())->subgraphs()->Get(0)->tensors()->Get(0)->quantization();
  auto* table = reinterpret_cast<flatbuffers::Table*>(const_cast<fb::QuantizationParameters*>(q));
  uint8_t* field = table->GetAddressOf(fb::QuantizationParameters::VT_ZERO_POINT);
  ASSERT_NE(field, nullptr);
  flatbuffers::WriteScalar<flatbuffers::uoffset_t>(
      field, flatbuffers::ReadScalar<flatbuffers::uoffset_t>(field) + 4);
  ASSERT_EQ(q->zero_point()->size(), 1u);
  EXPECT_TRUE(HasError(ReadModel(bytes), kInvalid,
                       "subgraph 0 tensor 0: quantization zero_point vector is not 8-byte aligned"));
}

// ---- limits ---------------------------------------------------------------------------------

TEST(ReadModelTest, EnforcesLoadLimits) {
  const std::vector<uint8_t> bytes = MustWrite(testing::KitchenSinkModel());
  LoadLimits limits;
  limits.max_model_bytes = static_cast<int64_t>(bytes.size()) - 1;
  EXPECT_TRUE(HasError(ReadModel(bytes, limits), kExhausted,
                       absl::StrCat("model is ", bytes.size(), " bytes, more than the limit of ",
                                    bytes.size() - 1)));
  limits = LoadLimits();
  limits.max_subgraphs = 1;
  EXPECT_TRUE(HasError(ReadModel(bytes, limits), kExhausted,
                       "model has 2 subgraphs, more than the limit of 1"));
  limits = LoadLimits();
  limits.max_tensors_per_subgraph = 16;
  EXPECT_TRUE(HasError(ReadModel(bytes, limits), kExhausted,
                       "model has 17 tensors in subgraph 0, more than the limit of 16"));
  limits = LoadLimits();
  limits.max_operators_per_subgraph = 7;
  EXPECT_TRUE(HasError(ReadModel(bytes, limits), kExhausted,
                       "model has 8 operators in subgraph 0, more than the limit of 7"));
  limits = LoadLimits();
  limits.max_buffers = 9;
  EXPECT_TRUE(HasError(ReadModel(bytes, limits), kExhausted,
                       "model has 10 buffers, more than the limit of 9"));
  limits = LoadLimits();
  limits.max_tensor_elements = 71;  // pad_out is [1,6,6,2] = 72 elements
  EXPECT_TRUE(HasError(ReadModel(bytes, limits), kExhausted, "tensor 5 'pad_out'",
                       "has more than 71 elements"));
  limits = LoadLimits();
  limits.max_rank = 3;
  EXPECT_TRUE(HasError(ReadModel(bytes, limits), kInvalid, "tensor 0 'input': rank 4 exceeds"));
  TFL_ASSERT_OK(ReadModel(bytes).status());
}

// ---- buffers and custom options stored after the flatbuffer ---------------------------------

// The tiny conv model with its filter stored after the flatbuffer at 16-byte alignment.
struct ExternalFile {
  std::vector<uint8_t> bytes;
  uint64_t data_offset = 0;
};
ExternalFile TinyConvWithExternalFilter() {
  auto model = fb::UnPackModel(MustWrite(testing::TinyConvModel()).data());
  std::vector<uint8_t> filter = std::move(model->buffers[1]->data);
  model->buffers[1]->data.clear();
  model->buffers[1]->offset = 2;  // placeholders: stored fields, patched below
  model->buffers[1]->size = 2;
  ExternalFile f;
  f.bytes = Pack(*model);
  f.bytes.resize((f.bytes.size() + 15) / 16 * 16, 0);
  f.data_offset = f.bytes.size();
  f.bytes.insert(f.bytes.end(), filter.begin(), filter.end());
  fb::Buffer* b = Mutable(f.bytes)->mutable_buffers()->GetMutableObject(1);
  EXPECT_TRUE(b->mutate_offset(f.data_offset));
  EXPECT_TRUE(b->mutate_size(filter.size()));
  return f;
}

TEST(ReadModelTest, ReadsBuffersStoredAfterTheFlatbuffer) {
  ExternalFile f = TinyConvWithExternalFilter();
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model m, ReadModel(f.bytes));
  EXPECT_EQ(m, testing::TinyConvModel());  // the data now lives inline in the IR
}

TEST(ReadModelTest, RejectsExternalBuffersOutsideTheFile) {
  ExternalFile f = TinyConvWithExternalFilter();
  fb::Buffer* b = Mutable(f.bytes)->mutable_buffers()->GetMutableObject(1);
  const uint64_t file_size = f.bytes.size();
  ASSERT_TRUE(b->mutate_size(73));  // one byte past the end
  EXPECT_TRUE(HasError(ReadModel(f.bytes), kInvalid,
                       absl::StrCat("buffer 1 points outside the file (offset ", f.data_offset,
                                    ", size 73, file size ", file_size, ")")));
  ASSERT_TRUE(b->mutate_size(72));
  ASSERT_TRUE(b->mutate_offset(file_size + 1));
  EXPECT_TRUE(HasError(ReadModel(f.bytes), kInvalid, "buffer 1 points outside the file"));
  // offset + size wraps around 2^64.
  ASSERT_TRUE(b->mutate_offset(uint64_t{1} << 63));
  ASSERT_TRUE(b->mutate_size(uint64_t{1} << 63));
  EXPECT_TRUE(HasError(ReadModel(f.bytes), kInvalid, "buffer 1 points outside the file"));
  ASSERT_TRUE(b->mutate_offset(16));
  ASSERT_TRUE(b->mutate_size(~uint64_t{0} - 8));
  EXPECT_TRUE(HasError(ReadModel(f.bytes), kInvalid, "buffer 1 points outside the file"));
  // Offset 1 is TFLite's "not placed yet" marker, never valid in a finished file.
  ASSERT_TRUE(b->mutate_offset(1));
  ASSERT_TRUE(b->mutate_size(0));
  EXPECT_TRUE(HasError(ReadModel(f.bytes), kInvalid, "buffer 1 points outside the file (offset 1"));
}

TEST(ReadModelTest, RejectsBufferWithBothInlineAndExternalData) {
  auto model = fb::UnPackModel(MustWrite(testing::TinyConvModel()).data());
  model->buffers[1]->offset = 16;
  model->buffers[1]->size = 8;
  EXPECT_TRUE(HasError(ReadModel(Pack(*model)), kInvalid,
                       "buffer 1 has both inline data and an external offset/size"));
}

TEST(ReadModelTest, ReadsLargeCustomOptionsStoredAfterTheFlatbuffer) {
  auto model = fb::UnPackModel(MustWrite(testing::KitchenSinkModel()).data());
  fb::OperatorT& custom = *model->subgraphs[0]->operators[3];
  const std::vector<uint8_t> options = custom.custom_options;
  ASSERT_EQ(options, std::vector<uint8_t>({0x01, 0x02, 0x03, 0xff}));
  custom.custom_options.clear();
  custom.large_custom_options_offset = 2;
  custom.large_custom_options_size = 2;
  std::vector<uint8_t> bytes = Pack(*model);
  const uint64_t offset = bytes.size();
  bytes.insert(bytes.end(), options.begin(), options.end());
  auto* op = Mutable(bytes)->mutable_subgraphs()->GetMutableObject(0)->mutable_operators()
                 ->GetMutableObject(3);
  ASSERT_TRUE(op->mutate_large_custom_options_offset(offset));
  ASSERT_TRUE(op->mutate_large_custom_options_size(options.size()));
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model m, ReadModel(bytes));
  EXPECT_EQ(m, testing::KitchenSinkModel());

  ASSERT_TRUE(op->mutate_large_custom_options_size(options.size() + 1));
  EXPECT_TRUE(HasError(ReadModel(bytes), kInvalid,
                       "subgraph 0 operator 3 large custom options point outside the file",
                       absl::StrCat("(offset ", offset, ", size 5)")));
  ASSERT_TRUE(op->mutate_large_custom_options_offset(~uint64_t{0}));
  EXPECT_TRUE(HasError(ReadModel(bytes), kInvalid, "large custom options point outside the file"));
}

TEST(ReadModelTest, RejectsBothCustomOptionsForms) {
  auto model = fb::UnPackModel(MustWrite(testing::KitchenSinkModel()).data());
  model->subgraphs[0]->operators[3]->large_custom_options_offset = 16;
  model->subgraphs[0]->operators[3]->large_custom_options_size = 4;
  EXPECT_TRUE(HasError(ReadModel(Pack(*model)), kInvalid,
                       "subgraph 0 operator 3 has both custom_options and large custom options"));
}

// ---- union types this schema does not know --------------------------------------------------

TEST(ReadModelTest, RejectsUnknownBuiltinOptionsTypeWithATable) {
  std::vector<uint8_t> bytes = MustWrite(testing::KitchenSinkModel());
  const fb::Operator* gelu = fb::GetModel(bytes.data())->subgraphs()->Get(0)->operators()->Get(4);
  PatchField<uint8_t>(gelu, fb::Operator::VT_BUILTIN_OPTIONS_TYPE, 250);
  EXPECT_TRUE(HasError(ReadModel(bytes), StatusCode::kUnimplemented,
                       "subgraph 0 operator 4: BuiltinOptions type 250 is not in this schema"));
}

TEST(ReadModelTest, RejectsUnknownBuiltinOptions2TypeWithATable) {
  std::vector<uint8_t> bytes = MustWrite(testing::KitchenSinkModel());
  const fb::Operator* concat =
      fb::GetModel(bytes.data())->subgraphs()->Get(0)->operators()->Get(6);
  PatchField<uint8_t>(concat, fb::Operator::VT_BUILTIN_OPTIONS_2_TYPE, 99);
  EXPECT_TRUE(HasError(ReadModel(bytes), StatusCode::kUnimplemented,
                       "subgraph 0 operator 6: BuiltinOptions2 type 99 is not in this schema"));
}

TEST(ReadModelTest, RejectsUnknownQuantizationDetails) {
  std::vector<uint8_t> bytes = MustWrite(testing::KitchenSinkModel());
  const fb::QuantizationParameters* q =
      fb::GetModel(bytes.data())->subgraphs()->Get(0)->tensors()->Get(14)->quantization();
  PatchField<uint8_t>(q, fb::QuantizationParameters::VT_DETAILS_TYPE, 5);
  EXPECT_TRUE(HasError(ReadModel(bytes), kInvalid,
                       "subgraph 0 tensor 14: unknown quantization details type 5"));
}

TEST(ReadModelTest, RejectsUnknownSparseIndexVectorType) {
  std::vector<uint8_t> bytes = MustWrite(testing::KitchenSinkModel());
  const fb::DimensionMetadata* d = fb::GetModel(bytes.data())
                                       ->subgraphs()->Get(0)->tensors()->Get(9)->sparsity()
                                       ->dim_metadata()->Get(1);
  PatchField<uint8_t>(d, fb::DimensionMetadata::VT_ARRAY_SEGMENTS_TYPE, 7);
  EXPECT_TRUE(HasError(ReadModel(bytes), kInvalid,
                       "subgraph 0 tensor 9: unknown sparse index vector type 7"));
}

// ---- copy budget: one shared table referenced many times ------------------------------------

constexpr int kShares = 100;               // references to the shared table
constexpr int kSharedInts = 256 * 1024;    // 1 MiB of int32: the file is ~1 MiB, its budget
                                           // 4 MiB + 64 MiB, the expansion 100 MiB

// A model with one subgraph of two float32 [1] tensors "a" → "b".
struct GraphParts {
  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Tensor>>> tensors;
  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::Buffer>>> buffers;
};
GraphParts TwoTensors(flatbuffers::FlatBufferBuilder& fbb) {
  std::vector<int32_t> shape = {1};
  auto a = fb::CreateTensorDirect(fbb, &shape, fb::TensorType::FLOAT32, 0, "a");
  auto b = fb::CreateTensorDirect(fbb, &shape, fb::TensorType::FLOAT32, 0, "b");
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers = {fb::CreateBuffer(fbb)};
  return {fbb.CreateVector(std::vector<flatbuffers::Offset<fb::Tensor>>{a, b}),
          fbb.CreateVector(buffers)};
}

flatbuffers::Offset<fb::Model> ModelOf(flatbuffers::FlatBufferBuilder& fbb,
                                       fb::BuiltinOperator code,
                                       std::vector<flatbuffers::Offset<fb::SubGraph>> subgraphs,
                                       GraphParts parts) {
  std::vector<flatbuffers::Offset<fb::OperatorCode>> codes = {fb::CreateOperatorCode(
      fbb, static_cast<int8_t>(std::min(static_cast<int>(code), 127)), 0, 1, code)};
  return fb::CreateModel(fbb, 3, fbb.CreateVector(codes), fbb.CreateVector(subgraphs), 0,
                         parts.buffers);
}

std::vector<uint8_t> SharedOperatorsModel(fb::BuiltinOperator code, fb::BuiltinOptions type,
                                          flatbuffers::Offset<void> options,
                                          flatbuffers::FlatBufferBuilder& fbb) {
  GraphParts parts = TwoTensors(fbb);
  std::vector<int32_t> in = {0}, out = {1};
  auto op = fb::CreateOperatorDirect(fbb, 0, &in, &out, type, options);
  std::vector<flatbuffers::Offset<fb::Operator>> ops(kShares, op);  // one table, 100 references
  auto sg_in = fbb.CreateVector(std::vector<int32_t>{0});
  auto sg_out = fbb.CreateVector(std::vector<int32_t>{1});
  auto ops_vec = fbb.CreateVector(ops);
  fb::SubGraphBuilder b(fbb);
  b.add_tensors(parts.tensors);
  b.add_inputs(sg_in);
  b.add_outputs(sg_out);
  b.add_operators(ops_vec);
  auto subgraph = b.Finish();
  return Finish(fbb, ModelOf(fbb, code, {subgraph}, parts));
}

TEST(ReadModelBudgetTest, SharedTypedOptionsTableIsCharged) {
  flatbuffers::FlatBufferBuilder fbb;
  auto new_shape = fbb.CreateVector(std::vector<int32_t>(kSharedInts, 1));
  auto options = fb::CreateReshapeOptions(fbb, new_shape).Union();
  const std::vector<uint8_t> bytes =
      SharedOperatorsModel(fb::BuiltinOperator::RESHAPE, fb::BuiltinOptions::ReshapeOptions,
                           options, fbb);
  EXPECT_TRUE(HasError(ReadModel(bytes), kExhausted, "model expands to too much data in memory"));
}

TEST(ReadModelBudgetTest, SharedRawOptionsTableIsCharged) {
  flatbuffers::FlatBufferBuilder fbb;
  auto boundaries = fbb.CreateVector(std::vector<float>(kSharedInts, 0.5f));
  auto options = fb::CreateBucketizeOptions(fbb, boundaries).Union();
  const std::vector<uint8_t> bytes =
      SharedOperatorsModel(fb::BuiltinOperator::BUCKETIZE, fb::BuiltinOptions::BucketizeOptions,
                           options, fbb);
  EXPECT_TRUE(HasError(ReadModel(bytes), kExhausted, "model expands to too much data in memory"));
}

TEST(ReadModelBudgetTest, SharedSubgraphNameIsCharged) {
  flatbuffers::FlatBufferBuilder fbb;
  GraphParts parts = TwoTensors(fbb);
  auto name = fbb.CreateString(std::string(4 * kSharedInts, 'n'));
  fb::SubGraphBuilder b(fbb);
  b.add_tensors(parts.tensors);
  b.add_name(name);
  auto sg = b.Finish();
  std::vector<flatbuffers::Offset<fb::SubGraph>> subgraphs(kShares, sg);
  const std::vector<uint8_t> bytes =
      Finish(fbb, ModelOf(fbb, fb::BuiltinOperator::ADD, subgraphs, parts));
  EXPECT_TRUE(HasError(ReadModel(bytes), kExhausted, "model expands to too much data in memory"));
}

TEST(ReadModelBudgetTest, SharedTensorNameIsCharged) {
  flatbuffers::FlatBufferBuilder fbb;
  auto name = fbb.CreateString(std::string(4 * kSharedInts, 't'));
  auto shape = fbb.CreateVector(std::vector<int32_t>{1});
  auto t = fb::CreateTensor(fbb, shape, fb::TensorType::FLOAT32, 0, name);
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors(kShares, t);
  auto tensors_vec = fbb.CreateVector(tensors);
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers = {fb::CreateBuffer(fbb)};
  GraphParts parts{tensors_vec, fbb.CreateVector(buffers)};
  fb::SubGraphBuilder b(fbb);
  b.add_tensors(parts.tensors);
  auto sg = b.Finish();
  const std::vector<uint8_t> bytes =
      Finish(fbb, ModelOf(fbb, fb::BuiltinOperator::ADD, {sg}, parts));
  EXPECT_TRUE(HasError(ReadModel(bytes), kExhausted, "model expands to too much data in memory"));
}

// kShares buffers all pointing at the same 4 * kSharedInts bytes stored after the flatbuffer.
std::vector<uint8_t> SharedExternalBufferModel() {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers = {fb::CreateBuffer(fbb)};
  auto shared = fb::CreateBuffer(fbb, 0, /*offset=*/2, /*size=*/2);  // patched below
  for (int i = 0; i < kShares; ++i) buffers.push_back(shared);
  std::vector<int32_t> shape = {1};
  auto a = fb::CreateTensorDirect(fbb, &shape, fb::TensorType::FLOAT32, 0, "a");
  GraphParts parts{fbb.CreateVector(std::vector<flatbuffers::Offset<fb::Tensor>>{a}),
                   fbb.CreateVector(buffers)};
  fb::SubGraphBuilder b(fbb);
  b.add_tensors(parts.tensors);
  auto sg = b.Finish();
  std::vector<uint8_t> bytes = Finish(fbb, ModelOf(fbb, fb::BuiltinOperator::ADD, {sg}, parts));
  const uint64_t offset = bytes.size();
  bytes.resize(bytes.size() + 4 * kSharedInts, 0x5a);
  fb::Buffer* buffer = Mutable(bytes)->mutable_buffers()->GetMutableObject(1);
  buffer->mutate_offset(offset);
  buffer->mutate_size(4 * kSharedInts);
  return bytes;
}

TEST(ReadModelBudgetTest, SharedExternalBufferIsCharged) {
  // 100 buffers all pointing at the same 1 MiB stored after the flatbuffer.
  std::vector<uint8_t> bytes = SharedExternalBufferModel();
  fb::Buffer* buffer = Mutable(bytes)->mutable_buffers()->GetMutableObject(1);
  ASSERT_EQ(buffer->size(), 4u * kSharedInts);
  ASSERT_EQ(buffer->offset(), bytes.size() - 4u * kSharedInts);
  EXPECT_TRUE(HasError(ReadModel(bytes), kExhausted, "model expands to too much data in memory"));
  // One reference is fine.
  LoadLimits limits;
  ASSERT_TRUE(buffer->mutate_size(16));
  TFL_ASSERT_OK(ReadModel(bytes, limits).status());
}

TEST(ReadModelBudgetTest, OverlappingBufferVectorsAreCharged) {
  // One 48 KiB data region, and 12k buffers whose data vectors start at every 4-byte position
  // inside it: a 4k-offset start reads a length that runs to the end of the region. All vectors
  // are distinct (no sharing to detect) and valid, yet together they hold ~288 MiB.
  constexpr uint32_t kRegion = 48 * 1024;
  constexpr uint32_t kStarts = kRegion / 4 - 1;
  std::vector<uint32_t> region(kRegion / 4);
  for (uint32_t k = 1; k <= kStarts; ++k) region[k - 1] = kRegion - 4 * k;
  flatbuffers::FlatBufferBuilder fbb;
  auto data = fbb.CreateVector(reinterpret_cast<const uint8_t*>(region.data()), kRegion);
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers = {fb::CreateBuffer(fbb)};
  for (uint32_t k = 0; k <= kStarts; ++k) buffers.push_back(fb::CreateBuffer(fbb, data));
  std::vector<int32_t> shape = {1};
  auto a = fb::CreateTensorDirect(fbb, &shape, fb::TensorType::FLOAT32, 0, "a");
  GraphParts parts{fbb.CreateVector(std::vector<flatbuffers::Offset<fb::Tensor>>{a}),
                   fbb.CreateVector(buffers)};
  fb::SubGraphBuilder b(fbb);
  b.add_tensors(parts.tensors);
  auto sg = b.Finish();
  std::vector<uint8_t> bytes = Finish(fbb, ModelOf(fbb, fb::BuiltinOperator::ADD, {sg}, parts));
  // Point buffer k + 1 at the k-th 4-byte position of the region (its length prefix is at 0).
  const fb::Model* m = fb::GetModel(bytes.data());
  const uint8_t* region_start = reinterpret_cast<const uint8_t*>(m->buffers()->Get(1)->data());
  for (uint32_t k = 1; k <= kStarts; ++k) {
    const fb::Buffer* buffer = m->buffers()->Get(k + 1);
    auto* table = reinterpret_cast<flatbuffers::Table*>(const_cast<fb::Buffer*>(buffer));
    uint8_t* field = table->GetAddressOf(fb::Buffer::VT_DATA);
    ASSERT_NE(field, nullptr);
    ASSERT_LT(field, region_start);
    const uint32_t offset = static_cast<uint32_t>(region_start + 4 * k - field);
    std::memcpy(field, &offset, 4);
  }
  ASSERT_EQ(m->buffers()->Get(kStarts + 1)->data()->size(), 4u);  // the patch took effect
  EXPECT_TRUE(HasError(ReadModel(bytes), kExhausted, "model expands to too much data in memory"));
}

TEST(ReadModelBudgetTest, MassivelySharedTablesAreRejectedQuickly) {
  // 1024 references to one subgraph holding 48k references to one tensor: ~50M tables for the
  // verifier to visit in a 200 KB file.
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<int32_t> shape = {1, 2, 3, 4};
  auto t = fb::CreateTensorDirect(fbb, &shape, fb::TensorType::FLOAT32, 0, "t");
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors(48 * 1024, t);
  auto tensors_vec = fbb.CreateVector(tensors);
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers = {fb::CreateBuffer(fbb)};
  GraphParts parts{tensors_vec, fbb.CreateVector(buffers)};
  fb::SubGraphBuilder b(fbb);
  b.add_tensors(parts.tensors);
  auto sg = b.Finish();
  std::vector<flatbuffers::Offset<fb::SubGraph>> subgraphs(1024, sg);
  const std::vector<uint8_t> bytes =
      Finish(fbb, ModelOf(fbb, fb::BuiltinOperator::ADD, subgraphs, parts));
  const auto start = std::chrono::steady_clock::now();
  const absl::Status status = ReadModel(bytes).status();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(HasError(status, kInvalid, "fails verification"));
  // Visiting all ~50M references took 7 s (and far more under ASan) before the verifier's table
  // budget was tied to the file size.
  EXPECT_LT(seconds, 2.0);
}

// ---- files ----------------------------------------------------------------------------------

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          absl::StrCat("compressd_reader_test_", getpid(), "_", name))
      .string();
}

TEST(ReadModelFileTest, ReadsAFileAndNamesThePathInErrors) {
  const std::string path = TempPath("tiny.tflite");
  std::vector<uint8_t> bytes = MustWrite(testing::TinyConvModel());
  TFL_ASSERT_OK(WriteFileAtomic(path, bytes));
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model m, ReadModelFile(path));
  EXPECT_EQ(m, testing::TinyConvModel());

  bytes[6] = 'X';
  TFL_ASSERT_OK(WriteFileAtomic(path, bytes));
  EXPECT_TRUE(HasError(ReadModelFile(path), kInvalid, path + ": not a TFLite model"));
  LoadLimits limits;
  limits.max_model_bytes = 16;
  EXPECT_EQ(ReadModelFile(path, limits).status().code(), kExhausted);
  std::filesystem::remove(path);
  EXPECT_EQ(ReadModelFile(path).status().code(), StatusCode::kNotFound);
}

// ---- ReadModelView: the same decisions without copying constant buffers ---------------------

// ReadModelView(bytes) must return exactly ReadModel(bytes)'s status; returns that status.
absl::Status SameDecision(const std::vector<uint8_t>& bytes) {
  absl::StatusOr<ir::Model> copied = ReadModel(bytes);
  absl::StatusOr<ModelView> viewed = ReadModelView(bytes);
  EXPECT_EQ(viewed.status(), copied.status());
  return viewed.status();
}

bool Inside(std::span<const uint8_t> part, const std::vector<uint8_t>& whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

TEST(ReadModelViewTest, ViewsTheFileInsteadOfCopyingBuffers) {
  const std::vector<uint8_t> bytes = MustWrite(testing::KitchenSinkModel());
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model copied, ReadModel(bytes));
  TFL_ASSERT_OK_AND_ASSIGN(ModelView view, ReadModelView(bytes));
  ASSERT_EQ(view.buffers.size(), copied.buffers.size());
  ir::Model without = copied;
  for (size_t i = 0; i < copied.buffers.size(); ++i) {
    EXPECT_EQ(view.model.buffers[i].data, nullptr) << i;
    const std::span<const uint8_t> want = copied.buffers[i].bytes();
    EXPECT_TRUE(std::equal(want.begin(), want.end(), view.buffers[i].begin(),
                           view.buffers[i].end()))
        << i;
    if (!view.buffers[i].empty()) {
      EXPECT_TRUE(Inside(view.buffers[i], bytes)) << i;
    }
    without.buffers[i] = ir::Buffer();
  }
  EXPECT_EQ(view.model, without);
}

TEST(ReadModelViewTest, ViewsBuffersStoredAfterTheFlatbuffer) {
  ExternalFile f = TinyConvWithExternalFilter();
  TFL_ASSERT_OK_AND_ASSIGN(ModelView view, ReadModelView(f.bytes));
  ASSERT_GT(view.buffers.size(), 1u);
  EXPECT_EQ(view.buffers[1].data(), f.bytes.data() + f.data_offset);
  EXPECT_EQ(view.buffers[1].size(), f.bytes.size() - f.data_offset);
  EXPECT_EQ(view.model.buffers[1].data, nullptr);
}

TEST(ReadModelViewTest, RejectsWhatReadModelRejects) {
  const std::vector<uint8_t> good = MustWrite(testing::KitchenSinkModel());
  // Truncated files.
  for (size_t keep : {size_t{0}, size_t{7}, size_t{64}, good.size() / 2, good.size() - 1}) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<ptrdiff_t>(keep));
    EXPECT_FALSE(SameDecision(cut).ok()) << keep;
  }
  // A string buffer whose header declares more strings than it holds: only the contents say so.
  {
    std::vector<uint8_t> bytes = good;
    auto* data = Mutable(bytes)->mutable_buffers()->GetMutableObject(5)->mutable_data();
    ASSERT_GE(data->size(), 4u);
    data->Mutate(0, 9);
    EXPECT_TRUE(HasError(SameDecision(bytes), kInvalid, "string buffer declares 9 strings"));
  }
  // A string offset out of order.
  {
    std::vector<uint8_t> bytes = good;
    auto* data = Mutable(bytes)->mutable_buffers()->GetMutableObject(5)->mutable_data();
    data->Mutate(8, 0xff);
    EXPECT_TRUE(HasError(SameDecision(bytes), kInvalid, "out of order or range"));
  }
  // A constant buffer of the wrong size (a shorter data vector: the length word shrinks).
  {
    std::vector<uint8_t> bytes = good;
    auto* data = Mutable(bytes)->mutable_buffers()->GetMutableObject(2)->mutable_data();
    auto* length = reinterpret_cast<uint32_t*>(const_cast<uint8_t*>(data->Data()) - 4);
    ASSERT_EQ(*length, 8u);
    *length = 4;
    EXPECT_TRUE(HasError(SameDecision(bytes), kInvalid, "constant buffer 2 has 4 bytes"));
  }
  // External buffers outside the file.
  {
    ExternalFile f = TinyConvWithExternalFilter();
    ASSERT_TRUE(Mutable(f.bytes)->mutable_buffers()->GetMutableObject(1)->mutate_size(73));
    EXPECT_TRUE(HasError(SameDecision(f.bytes), kInvalid, "buffer 1 points outside the file"));
  }
  // The copy budget is charged as if the buffers were copied.
  {
    const std::vector<uint8_t> bytes = SharedExternalBufferModel();
    EXPECT_TRUE(HasError(SameDecision(bytes), kExhausted, "model expands to too much data"));
  }
}

}  // namespace
}  // namespace compressd::tflite
