#include "server/transport/grpc_status.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::server {
namespace {

TEST(GrpcStatusTest, MapsEveryCanonicalCode) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  const std::pair<absl::Status, grpc::StatusCode> cases[] = {
      {absl::InvalidArgumentError("spec.passes: x"), grpc::StatusCode::INVALID_ARGUMENT},
      {absl::NotFoundError("n"), grpc::StatusCode::NOT_FOUND},
      {absl::AlreadyExistsError("a"), grpc::StatusCode::ALREADY_EXISTS},
      {absl::ResourceExhaustedError("r"), grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::FailedPreconditionError("f"), grpc::StatusCode::FAILED_PRECONDITION},
      {absl::AbortedError("a"), grpc::StatusCode::ABORTED},
      {absl::UnauthenticatedError("u"), grpc::StatusCode::UNAUTHENTICATED},
      {absl::PermissionDeniedError("p"), grpc::StatusCode::PERMISSION_DENIED},
      {absl::UnavailableError("u"), grpc::StatusCode::UNAVAILABLE},
      {absl::DataLossError("d"), grpc::StatusCode::DATA_LOSS},
      {absl::OutOfRangeError("o"), grpc::StatusCode::OUT_OF_RANGE},
      {absl::UnimplementedError("u"), grpc::StatusCode::UNIMPLEMENTED},
      {absl::InternalError("i"), grpc::StatusCode::INTERNAL},
      {absl::CancelledError("c"), grpc::StatusCode::CANCELLED},
      {absl::DeadlineExceededError("d"), grpc::StatusCode::DEADLINE_EXCEEDED},
      {absl::UnknownError("u"), grpc::StatusCode::UNKNOWN},
      {absl::Status(static_cast<absl::StatusCode>(99), "odd"), grpc::StatusCode::UNKNOWN},
  };
  for (const auto& [in, code] : cases) {
    grpc::Status out = ToGrpcStatus(in);
    EXPECT_EQ(out.error_code(), code) << in;
    EXPECT_EQ(out.error_message(), std::string(in.message()));
  }
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED");
}

TEST(GrpcStatusTest, TruncatesLongMessagesWithoutSplittingUtf8) {
  const std::string exact(kMaxStatusMessageBytes, 'x');
  EXPECT_EQ(ToGrpcStatus(absl::InternalError(exact)).error_message(), exact);
  const std::string long_msg = std::string(2000, 'y');
  const std::string out = ToGrpcStatus(absl::InternalError(long_msg)).error_message();
  EXPECT_EQ(out.size(), kMaxStatusMessageBytes);
  EXPECT_TRUE(out.ends_with("...[truncated]"));
  // 3-byte characters ("€" = E2 82 AC) across the cut.
  std::string euros;
  while (euros.size() < 3000) euros += "\xE2\x82\xAC";
  const std::string cut = ToGrpcStatus(absl::InternalError(euros)).error_message();
  ASSERT_TRUE(cut.ends_with("...[truncated]"));
  const size_t body = cut.size() - std::string("...[truncated]").size();
  EXPECT_EQ(body % 3, 0u);
  EXPECT_LE(cut.size(), kMaxStatusMessageBytes);
}

}  // namespace
}  // namespace compressd::server
