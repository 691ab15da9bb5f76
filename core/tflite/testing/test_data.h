// Access to the real models fetched by scripts/fetch_test_data.sh, for tests whose gtest suite name
// ends in "DataTest" (ctest runs those with the test_data fixture and sets COMPRESSD_TEST_DATA;
// see cmake/CompilerOptions.cmake). A missing environment variable or file is an error, never a
// silent skip: tests ASSERT on the returned status.
//
// Header-only: core/CMakeLists.txt compiles only the top level of each folder.
#ifndef COMPRESSD_CORE_TFLITE_TESTING_TEST_DATA_H_
#define COMPRESSD_CORE_TFLITE_TESTING_TEST_DATA_H_

#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/file_io.h"

namespace compressd::tflite::testing {

// The real MediaPipe models (float32 graphs; some with float16 weights behind DEQUANTIZE).
inline const std::vector<std::string>& RealModelNames() {
  static const auto* names = new std::vector<std::string>{
      "face_detection_short_range.tflite", "face_detection_full_range.tflite",
      "hand_landmark_lite.tflite", "selfie_segmentation.tflite", "pose_landmark_lite.tflite"};
  return *names;
}

// $COMPRESSD_TEST_DATA/models/<file>, checked to exist.
inline absl::StatusOr<std::string> TestModelPath(const std::string& file) {
  const char* dir = std::getenv("COMPRESSD_TEST_DATA");
  if (dir == nullptr || *dir == '\0') {
    return absl::FailedPreconditionError(
        "COMPRESSD_TEST_DATA is not set: run this test through ctest (fixture test_data) or "
        "export COMPRESSD_TEST_DATA=<dir> after scripts/fetch_test_data.sh <dir>");
  }
  const std::string path = absl::StrCat(dir, "/models/", file);
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::NotFoundError(absl::StrCat(
        "test model ", path, " is missing: run scripts/fetch_test_data.sh ", dir));
  }
  return path;
}

inline absl::StatusOr<std::vector<uint8_t>> ReadTestModel(const std::string& file) {
  absl::StatusOr<std::string> path = TestModelPath(file);
  if (!path.ok()) return path.status();
  return ReadFileBytes(*path);
}

}  // namespace compressd::tflite::testing

#endif  // COMPRESSD_CORE_TFLITE_TESTING_TEST_DATA_H_
