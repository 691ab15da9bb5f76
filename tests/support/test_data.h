// Locating fetched test data (scripts/fetch_test_data.sh) from tests. The ctest fixture
// `test_data` fetches it and sets COMPRESSD_TEST_DATA; a missing file is a test failure, never a
// silent skip.
#ifndef COMPRESSD_TESTS_SUPPORT_TEST_DATA_H_
#define COMPRESSD_TESTS_SUPPORT_TEST_DATA_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace compressd::testing {

// $COMPRESSD_TEST_DATA/<relative>, after checking that it exists.
absl::StatusOr<std::string> TestDataPath(const std::string& relative);

// The five MediaPipe models every compatibility test covers (file names under models/).
const std::vector<std::string>& RealModelNames();

// A fresh empty directory under the system temp dir. Removed with its contents when the process
// exits, unless a test failed (then kept for inspection, and the exit message names one).
// Thread-safe.
std::string MakeTempDir(const std::string& prefix);

}  // namespace compressd::testing

#endif  // COMPRESSD_TESTS_SUPPORT_TEST_DATA_H_
