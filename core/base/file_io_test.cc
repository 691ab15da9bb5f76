#include "core/base/file_io.h"

#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace compressd {
namespace {

std::string TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "file_io_test.XXXXXX").string();
  return std::string(::mkdtemp(tmpl.data()));
}

TEST(FileIoTest, AtomicWriteThenReadReturnsSameBytes) {
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

TEST(FileIoTest, ReadMissingFileIsNotFoundNamingPath) {
  auto r = ReadFileBytes("/nonexistent/compressd/x.tflite");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("/nonexistent/compressd/x.tflite"), std::string::npos);
}

TEST(FileIoTest, ReadOverLimitIsResourceExhausted) {
  const std::string path = TempDir() + "/big.bin";
  ASSERT_TRUE(WriteFileAtomic(path, std::vector<uint8_t>(100, 7)).ok());
  EXPECT_EQ(ReadFileBytes(path, 99).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(ReadFileBytes(path, 100).ok());
}

TEST(FileIoTest, ReadDirectoryIsInvalidArgument) {
  EXPECT_EQ(ReadFileBytes(TempDir()).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd
