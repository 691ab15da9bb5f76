#include "tests/support/test_data.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"

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

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + ".XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

}  // namespace compressd::testing
