#include "core/base/file_io.h"

#include <filesystem>
#include <string>
#include <system_error>

#include "gtest/gtest.h"

namespace compressd {
namespace {

// Each test gets a fresh folder, removed with its contents afterwards.
class FileIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "file_io_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  const std::string& TempDir() const { return dir_; }

 private:
  std::string dir_;
};

TEST_F(FileIoTest, AtomicWriteThenReadReturnsSameBytes) {
  const std::string path = TempDir() + "/a.bin";
  std::vector<uint8_t> data = {1, 2, 3, 0, 255};
  ASSERT_TRUE(WriteFileAtomic(path, data).ok());
  auto read = ReadFileBytes(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, data);
  // Replacing keeps no temporary files behind.
  ASSERT_TRUE(WriteFileAtomic(path, std::string_view("xy")).ok());
  EXPECT_EQ(ReadFileBytes(path)->size(), 2u);
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST_F(FileIoTest, ReadMissingFileIsNotFoundNamingPath) {
  auto r = ReadFileBytes("/nonexistent/compressd/x.tflite");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/compressd/x.tflite"), std::string::npos);
}

TEST_F(FileIoTest, ReadOverLimitIsResourceExhausted) {
  const std::string path = TempDir() + "/big.bin";
  ASSERT_TRUE(WriteFileAtomic(path, std::vector<uint8_t>(100, 7)).ok());
  EXPECT_EQ(ReadFileBytes(path, 99).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(ReadFileBytes(path, 100).ok());
}

TEST_F(FileIoTest, ReadDirectoryIsInvalidArgument) {
  EXPECT_EQ(ReadFileBytes(TempDir()).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd
