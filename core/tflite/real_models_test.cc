// The five real MediaPipe models (fetched test data; suite names end in "DataTest" so ctest gives
// them the test_data fixture): each loads, agrees with the file read through the generated API,
// writes, and reads back equal; the written file is within a few percent of the original size and
// every constant buffer in it is 16-byte aligned. ReadModelView reads each the same way without
// copying its buffers.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "core/tflite/model_reader.h"
#include "core/tflite/model_writer.h"
#include "core/tflite/schema/tflite_generated.h"
#include "core/tflite/testing/status_testing.h"
#include "core/tflite/testing/test_data.h"
#include "gtest/gtest.h"

namespace compressd::tflite {
namespace {

namespace fb = ::tflite;

class RealModelsDataTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RealModelsDataTest, LoadsAndAgreesWithTheFlatbuffer) {
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> bytes, testing::ReadTestModel(GetParam()));
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model m, ReadModel(bytes));
  // Independent view of the same file through the generated accessors.
  const fb::Model* f = fb::GetModel(bytes.data());
  ASSERT_EQ(m.subgraphs.size(), f->subgraphs()->size());
  ASSERT_GE(m.subgraphs.size(), 1u);
  ASSERT_EQ(m.buffers.size(), f->buffers()->size());
  ASSERT_EQ(m.operator_codes.size(), f->operator_codes()->size());
  for (size_t i = 0; i < m.operator_codes.size(); ++i) {
    EXPECT_EQ(static_cast<int32_t>(m.operator_codes[i].builtin_code),
              static_cast<int32_t>(f->operator_codes()->Get(i)->builtin_code()));
  }
  for (size_t s = 0; s < m.subgraphs.size(); ++s) {
    const fb::SubGraph* fs = f->subgraphs()->Get(s);
    const ir::Subgraph& sg = m.subgraphs[s];
    ASSERT_EQ(sg.tensors.size(), fs->tensors()->size());
    ASSERT_EQ(sg.operators.size(), fs->operators()->size());
    EXPECT_GT(sg.operators.size(), 10u);
    for (size_t t = 0; t < sg.tensors.size(); ++t) {
      const fb::Tensor* ft = fs->tensors()->Get(t);
      EXPECT_EQ(sg.tensors[t].name, ft->name()->str());
      EXPECT_EQ(sg.tensors[t].shape,
                std::vector<int32_t>(ft->shape()->begin(), ft->shape()->end()));
      EXPECT_EQ(static_cast<int>(sg.tensors[t].type), static_cast<int>(ft->type()));
      EXPECT_EQ(sg.tensors[t].buffer, ft->buffer());
    }
    for (size_t o = 0; o < sg.operators.size(); ++o) {
      const fb::Operator* fo = fs->operators()->Get(o);
      EXPECT_EQ(sg.operators[o].opcode_index, fo->opcode_index());
      EXPECT_EQ(sg.operators[o].inputs,
                std::vector<int32_t>(fo->inputs()->begin(), fo->inputs()->end()));
    }
  }
  int64_t constant_bytes = 0;
  for (size_t b = 0; b < m.buffers.size(); ++b) {
    const fb::Buffer* fbuf = f->buffers()->Get(b);
    const size_t n = fbuf->data() ? fbuf->data()->size() : 0;
    ASSERT_EQ(m.buffers[b].size(), n) << "buffer " << b;
    if (n > 0) {
      EXPECT_TRUE(std::equal(m.buffers[b].bytes().begin(), m.buffers[b].bytes().end(),
                             fbuf->data()->begin()));
    }
    constant_bytes += static_cast<int64_t>(n);
  }
  // Weights make up most of these files.
  EXPECT_GT(constant_bytes, static_cast<int64_t>(bytes.size()) / 2);
}

TEST_P(RealModelsDataTest, WritesAndReadsBackEqual) {
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> original, testing::ReadTestModel(GetParam()));
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model m, ReadModel(original));
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> written, WriteModel(m));
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model again, ReadModel(written));
  EXPECT_TRUE(again == m);
  const double ratio = static_cast<double>(written.size()) / static_cast<double>(original.size());
  EXPECT_NEAR(ratio, 1.0, 0.03) << "original " << original.size() << " bytes, written "
                                << written.size();
  // A second write of the re-read model is byte-identical.
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> rewritten, WriteModel(again));
  EXPECT_EQ(rewritten, written);
}

TEST_P(RealModelsDataTest, ViewReaderAgreesWithoutCopying) {
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> bytes, testing::ReadTestModel(GetParam()));
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model copied, ReadModel(bytes));
  TFL_ASSERT_OK_AND_ASSIGN(ModelView view, ReadModelView(bytes));
  ASSERT_EQ(view.buffers.size(), copied.buffers.size());
  for (size_t b = 0; b < copied.buffers.size(); ++b) {
    const std::span<const uint8_t> want = copied.buffers[b].bytes();
    EXPECT_TRUE(std::equal(want.begin(), want.end(), view.buffers[b].begin(),
                           view.buffers[b].end()))
        << "buffer " << b;
    EXPECT_EQ(view.model.buffers[b].data, nullptr) << "buffer " << b;
    copied.buffers[b] = ir::Buffer();
  }
  EXPECT_EQ(view.model, copied);
}

TEST_P(RealModelsDataTest, WrittenConstantBuffersAre16ByteAligned) {
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> original, testing::ReadTestModel(GetParam()));
  TFL_ASSERT_OK_AND_ASSIGN(ir::Model m, ReadModel(original));
  TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> written, WriteModel(m));
  flatbuffers::Verifier verifier(written.data(), written.size());
  ASSERT_TRUE(fb::VerifyModelBuffer(verifier));
  const fb::Model* f = fb::GetModel(written.data());
  int aligned = 0, misaligned = 0;
  for (const fb::Buffer* b : *f->buffers()) {
    if (b->data() == nullptr || b->data()->size() == 0) continue;
    const ptrdiff_t offset = b->data()->data() - written.data();
    (offset % 16 == 0 ? aligned : misaligned)++;
  }
  EXPECT_EQ(misaligned, 0);
  EXPECT_GT(aligned, 10);
}

INSTANTIATE_TEST_SUITE_P(MediaPipe, RealModelsDataTest,
                         ::testing::ValuesIn(testing::RealModelNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// Across the five models: float16 weights are fed to DEQUANTIZE (the float16 storage form), and
// every model is float32 at its inputs.
TEST(RealModelsSetDataTest, IncludesFloat16WeightsBehindDequantize) {
  int float16_dequantize_inputs = 0;
  for (const std::string& name : testing::RealModelNames()) {
    TFL_ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> bytes, testing::ReadTestModel(name));
    TFL_ASSERT_OK_AND_ASSIGN(ir::Model m, ReadModel(bytes));
    const ir::Subgraph& sg = m.subgraphs[0];
    for (int32_t in : sg.inputs) {
      EXPECT_EQ(sg.tensors[in].type, ir::DataType::kFloat32) << name << " input " << in;
    }
    for (const ir::Operator& op : sg.operators) {
      if (ir::EffectiveBuiltinCode(m.operator_codes[op.opcode_index]) !=
          ir::BuiltinOp::kDequantize) {
        continue;
      }
      const ir::Tensor& in = sg.tensors[op.inputs[0]];
      if (in.type == ir::DataType::kFloat16 && m.buffers[in.buffer].size() > 0) {
        EXPECT_EQ(static_cast<int64_t>(m.buffers[in.buffer].size()), 2 * ir::NumElements(in.shape));
        ++float16_dequantize_inputs;
      }
    }
  }
  EXPECT_GT(float16_dequantize_inputs, 0);
}

}  // namespace
}  // namespace compressd::tflite
