#include "core/base/status_macros.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace compressd {
namespace {

absl::Status FailIf(bool fail) {
  return fail ? absl::InvalidArgumentError("asked to fail") : absl::OkStatus();
}

absl::Status Chain(bool fail, int* reached) {
  RETURN_IF_ERROR(FailIf(fail));
  *reached = 1;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<int>> MakeInt(bool fail, int v) {
  if (fail) return absl::NotFoundError("no int");
  return std::make_unique<int>(v);
}

absl::StatusOr<int> Twice(bool fail) {
  ASSIGN_OR_RETURN(std::unique_ptr<int> p, MakeInt(fail, 21));  // move-only value
  int existing = 0;
  ASSIGN_OR_RETURN(existing, absl::StatusOr<int>(*p));
  return existing * 2;
}

TEST(StatusMacrosTest, ReturnIfErrorPropagatesTheSameStatus) {
  int reached = 0;
  absl::Status s = Chain(true, &reached);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "asked to fail");
  EXPECT_EQ(reached, 0);
  EXPECT_TRUE(Chain(false, &reached).ok());
  EXPECT_EQ(reached, 1);
}

TEST(StatusMacrosTest, AssignOrReturnMovesValueOrReturnsStatus) {
  absl::StatusOr<int> ok = Twice(false);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 42);
  absl::StatusOr<int> bad = Twice(true);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(bad.status().message(), "no int");
}

}  // namespace
}  // namespace compressd
