// Foundation acceptance: every real model round-trips through compressd's reader and writer into a
// file that is structurally identical and that TensorFlow Lite runs with bit-identical outputs.
#include <string>

#include "core/base/file_io.h"
#include "core/tflite/model_reader.h"
#include "core/tflite/model_writer.h"
#include "gtest/gtest.h"
#include "tests/support/test_data.h"
#include "tests/support/tflite_oracle.h"

namespace compressd {
namespace {

class RoundtripOracleTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundtripOracleTest, WrittenModelIsIdenticalForTflite) {
  auto path = testing::TestDataPath("models/" + GetParam());
  ASSERT_TRUE(path.ok()) << path.status();
  auto original = tflite::ReadModelFile(*path);
  ASSERT_TRUE(original.ok()) << original.status();
  auto bytes = tflite::WriteModel(*original);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto reread = tflite::ReadModel(*bytes);
  ASSERT_TRUE(reread.ok()) << reread.status();
  EXPECT_TRUE(*reread == *original) << "structure changed in the round trip";

  const std::string written = testing::MakeTempDir("roundtrip") + "/" + GetParam();
  ASSERT_TRUE(WriteFileAtomic(written, *bytes).ok());
  auto want = testing::RunTfliteOracle(*path);
  ASSERT_TRUE(want.ok()) << want.status();
  auto got = testing::RunTfliteOracle(written);
  ASSERT_TRUE(got.ok()) << got.status();
  // TFLite must treat both files alike: both run (bit-identical outputs) or both are rejected
  // (selfie_segmentation needs a MediaPipe custom op the stock runtime lacks).
  ASSERT_EQ(got->loaded, want->loaded) << got->error << " vs " << want->error;
  if (!want->loaded) {
    EXPECT_EQ(GetParam(), "selfie_segmentation.tflite") << want->error;
    return;
  }
  ASSERT_EQ(got->outputs.size(), want->outputs.size());
  ASSERT_FALSE(want->outputs.empty());
  for (size_t i = 0; i < want->outputs.size(); ++i) {
    EXPECT_EQ(got->outputs[i], want->outputs[i]) << "output " << i << " differs";
  }
}

INSTANTIATE_TEST_SUITE_P(RealModels, RoundtripOracleTest,
                         ::testing::ValuesIn(testing::RealModelNames()),
                         [](const auto& info) {
                           std::string n = info.param;
                           return n.substr(0, n.find('.'));
                         });

}  // namespace
}  // namespace compressd
