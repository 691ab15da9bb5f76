// Test-only helpers: a fresh temporary folder per test and plain file writes.
#ifndef COMPRESSD_CORE_DATA_TESTING_TEST_FILES_H_
#define COMPRESSD_CORE_DATA_TESTING_TEST_FILES_H_

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace compressd::data::testing {

// Creates a new empty folder under gtest's temp dir and removes it (recursively) on destruction.
class TempFolder {
 public:
  TempFolder() {
    std::string tmpl = (std::filesystem::path(::testing::TempDir()) / "compressd_data_XXXXXX");
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr) << "mkdtemp failed for " << tmpl;
    path_ = tmpl;
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::string& path() const { return path_; }
  std::string Join(std::string_view name) const {
    return (std::filesystem::path(path_) / std::string(name)).string();
  }

 private:
  std::string path_;
};

inline void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << "cannot write " << path;
}

inline void WriteText(const std::string& path, std::string_view text) {
  WriteBytes(path, std::vector<uint8_t>(text.begin(), text.end()));
}

}  // namespace compressd::data::testing

#endif  // COMPRESSD_CORE_DATA_TESTING_TEST_FILES_H_
