// gtest helpers for absl::Status results in the tests of core/tflite.
#ifndef COMPRESSD_CORE_TFLITE_TESTING_STATUS_TESTING_H_
#define COMPRESSD_CORE_TFLITE_TESTING_STATUS_TESTING_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace compressd::tflite::testing {

// Success when `status` has `code` and its message contains every one of `parts`.
template <typename... Parts>
::testing::AssertionResult HasError(const absl::Status& status, absl::StatusCode code,
                                    const Parts&... parts) {
  if (status.code() != code) {
    return ::testing::AssertionFailure()
           << "expected code " << absl::StatusCodeToString(code) << ", got " << status;
  }
  const std::string message(status.message());
  const std::vector<std::string> expected_parts = {std::string(parts)...};
  for (const std::string& part : expected_parts) {
    if (message.find(part) == std::string::npos) {
      return ::testing::AssertionFailure()
             << "message \"" << message << "\" does not contain \"" << part << "\"";
    }
  }
  return ::testing::AssertionSuccess();
}

template <typename T, typename... Parts>
::testing::AssertionResult HasError(const absl::StatusOr<T>& result, absl::StatusCode code,
                                    const Parts&... parts) {
  return HasError(result.status(), code, parts...);
}

}  // namespace compressd::tflite::testing

#define TFL_ASSERT_OK(expr)                                 \
  do {                                                      \
    const ::absl::Status tfl_status_ = (expr);              \
    ASSERT_TRUE(tfl_status_.ok()) << tfl_status_;           \
  } while (false)

#define TFL_CONCAT_INNER_(a, b) a##b
#define TFL_CONCAT_(a, b) TFL_CONCAT_INNER_(a, b)

// TFL_ASSERT_OK_AND_ASSIGN(auto x, StatusOrExpr): asserts OK and moves the value into `lhs`.
#define TFL_ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  TFL_ASSERT_OK_AND_ASSIGN_IMPL_(TFL_CONCAT_(tfl_statusor_, __LINE__), lhs, rexpr)
#define TFL_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                   \
  ASSERT_TRUE(statusor.ok()) << statusor.status();           \
  lhs = std::move(statusor).value()

#endif  // COMPRESSD_CORE_TFLITE_TESTING_STATUS_TESTING_H_
