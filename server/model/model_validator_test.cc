#include "server/model/model_validator.h"

#include <string>
#include <vector>

#include "core/base/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

#if COMPRESSD_HAVE_CORE_MODEL_READER
#include "core/tflite/testing/test_data.h"
#endif

namespace compressd::server {
namespace {

TEST(ModelValidatorTest, RejectsBytesThatAreNotAModel) {
  auto v = NewDefaultModelValidator(int64_t{1} << 30);
  std::vector<uint8_t> junk(64, 0x41);
  auto s = v->Validate(junk);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << s.status();
  EXPECT_EQ(v->Validate({}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ModelValidatorTest, FunctionValidatorForwards) {
  FunctionModelValidator v([](std::span<const uint8_t> b) -> absl::StatusOr<v1::ModelSummary> {
    v1::ModelSummary s;
    s.set_operator_count(static_cast<uint32_t>(b.size()));
    return s;
  });
  std::vector<uint8_t> three(3);
  EXPECT_EQ(v.Validate(three)->operator_count(), 3u);
}

#if COMPRESSD_HAVE_CORE_MODEL_READER
// Known facts of the MediaPipe face detector (short range): one float32 input 1x128x128x3 and two
// outputs, box regressors 1x896x16 and scores 1x896x1.
TEST(ServerModelValidatorDataTest, SummarizesFaceDetection) {
  auto bytes = compressd::tflite::testing::ReadTestModel("face_detection_short_range.tflite");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto v = NewDefaultModelValidator(int64_t{1} << 30);
  ASSERT_TRUE(DefaultModelValidatorIsComplete());
  auto s = v->Validate(*bytes);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->inputs_size(), 1);
  EXPECT_EQ(s->inputs(0).dtype(), "float32");
  EXPECT_THAT(s->inputs(0).shape(), ::testing::ElementsAre(1, 128, 128, 3));
  ASSERT_EQ(s->outputs_size(), 2);
  std::vector<std::vector<int64_t>> shapes;
  for (const auto& o : s->outputs()) shapes.emplace_back(o.shape().begin(), o.shape().end());
  EXPECT_THAT(shapes, ::testing::UnorderedElementsAre(std::vector<int64_t>{1, 896, 16},
                                                      std::vector<int64_t>{1, 896, 1}));
  EXPECT_EQ(s->subgraph_count(), 1u);
  EXPECT_GT(s->operator_count(), 10u);
  // A truncated copy is rejected.
  std::vector<uint8_t> cut(bytes->begin(), bytes->begin() + bytes->size() / 2);
  EXPECT_EQ(v->Validate(cut).status().code(), absl::StatusCode::kInvalidArgument);
  // The loader's size limit is enforced.
  auto small = NewDefaultModelValidator(1000);
  EXPECT_EQ(small->Validate(*bytes).status().code(), absl::StatusCode::kResourceExhausted);
}
#endif

}  // namespace
}  // namespace compressd::server
