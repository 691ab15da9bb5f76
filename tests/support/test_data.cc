#include "tests/support/test_data.h"

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace compressd::testing {

absl::StatusOr<std::string> TestDataPath(const std::string& relative) {
  const char* root = std::getenv("COMPRESSD_TEST_DATA");
  if (root == nullptr || *root == '\0') {
    return absl::FailedPreconditionError(
        "COMPRESSD_TEST_DATA is not set: run this test through ctest (fixture test_data), or set "
        "it to a folder filled by scripts/fetch_test_data.sh");
  }
  std::string path = absl::StrCat(root, "/", relative);
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat("test data file ", path,
                                            " is missing: run scripts/fetch_test_data.sh ", root));
  }
  return path;
}

const std::vector<std::string>& RealModelNames() {
  static const auto* names = new std::vector<std::string>{
      "face_detection_short_range.tflite", "face_detection_full_range.tflite",
      "hand_landmark_lite.tflite", "selfie_segmentation.tflite", "pose_landmark_lite.tflite"};
  return *names;
}

namespace {

// The directories MakeTempDir handed out in this process. Guarded by TempDirsMutex().
std::vector<std::string>& MadeTempDirs() {
  static auto* dirs = new std::vector<std::string>;
  return *dirs;
}
std::mutex& TempDirsMutex() {
  static auto* mu = new std::mutex;
  return *mu;
}

// Registered with atexit by the first MakeTempDir, so it runs before gtest's UnitTest singleton
// (constructed earlier) is destroyed.
void RemoveTempDirsAtExit() {
  std::lock_guard<std::mutex> lock(TempDirsMutex());
  if (MadeTempDirs().empty()) return;
  if (::testing::UnitTest::GetInstance()->Failed()) {
    std::fprintf(stderr, "a test failed: kept its %zu temporary folders, e.g. %s\n",
                 MadeTempDirs().size(), MadeTempDirs().back().c_str());
    return;
  }
  for (const std::string& dir : MadeTempDirs()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
}

}  // namespace

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + ".XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  std::lock_guard<std::mutex> lock(TempDirsMutex());
  if (MadeTempDirs().empty()) std::atexit(RemoveTempDirsAtExit);
  MadeTempDirs().push_back(tmpl);
  return tmpl;
}

}  // namespace compressd::testing
