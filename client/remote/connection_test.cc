#include "client/remote/connection.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::client {
namespace {

RetryPolicy Fast(int attempts) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.initial_backoff = absl::Milliseconds(1);
  p.max_backoff = absl::Milliseconds(4);
  return p;
}

TEST(BackoffTest, GrowsExponentiallyWithJitterAndCap) {
  RetryPolicy p;  // 200 ms, ×2, at most 5 s, ±20 %
  for (int i = 0; i < 50; ++i) {
    const double first = absl::ToDoubleMilliseconds(BackoffDelay(p, 1));
    EXPECT_GE(first, 160.0);
    EXPECT_LE(first, 240.0);
    const double third = absl::ToDoubleMilliseconds(BackoffDelay(p, 3));  // 800 ms nominal
    EXPECT_GE(third, 640.0);
    EXPECT_LE(third, 960.0);
    const double capped = absl::ToDoubleMilliseconds(BackoffDelay(p, 20));  // 5 s cap
    EXPECT_GE(capped, 4000.0);
    EXPECT_LE(capped, 6000.0);
  }
}

TEST(RetryTest, RetriesUnavailableUntilSuccess) {
  int calls = 0;
  absl::Status s = RetryUnavailable(Fast(5), [&] {
    ++calls;
    return calls < 3 ? absl::UnavailableError("down") : absl::OkStatus();
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 3);
}

TEST(RetryTest, GivesUpAfterMaxAttempts) {
  int calls = 0;
  absl::Status s = RetryUnavailable(Fast(4), [&] {
    ++calls;
    return absl::UnavailableError("down");
  });
  EXPECT_EQ(s, absl::UnavailableError("down"));
  EXPECT_EQ(calls, 4);
}

TEST(RetryTest, OtherErrorsAreNotRetried) {
  int calls = 0;
  absl::Status s = RetryUnavailable(Fast(5), [&] {
    ++calls;
    return absl::InvalidArgumentError("bad");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(calls, 1);
}

TEST(RetryTest, KeepGoingStopsRetries) {
  int calls = 0;
  absl::Status s = RetryUnavailable(
      Fast(10),
      [&] {
        ++calls;
        return absl::UnavailableError("down");
      },
      [&] { return calls < 2; });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(calls, 2);
}

TEST(RetryTest, ValueVersionReturnsTheLastResult) {
  int calls = 0;
  absl::StatusOr<int> r = RetryUnavailableOr<int>(Fast(5), [&]() -> absl::StatusOr<int> {
    if (++calls < 2) return absl::UnavailableError("down");
    return 42;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
}

TEST(GrpcStatusTest, CodesAndMessagesCarryOver) {
  absl::Status s = FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "job j-1 not found"),
                                  "GetJob");
  EXPECT_EQ(s, absl::NotFoundError("GetJob: job j-1 not found"));
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "")).message(),
            "server unavailable");
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "")).code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(ChannelTest, EmptyAddressAndMissingTlsFilesAreErrors) {
  ConnectionOptions o;
  o.address = "";
  EXPECT_EQ(CreateChannel(o).status().code(), absl::StatusCode::kInvalidArgument);
  o.address = "127.0.0.1:1";
  o.tls_ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(CreateChannel(o).status().code(), absl::StatusCode::kNotFound);
  o.tls_ca_file.clear();
  EXPECT_TRUE(CreateChannel(o).ok());
}

TEST(ContextTest, DeadlineAndToken) {
  ConnectionOptions o;
  o.token = "secret";
  grpc::ClientContext ctx;
  const auto before = std::chrono::system_clock::now();
  PrepareContext(ctx, o, absl::Seconds(5));
  const double seconds = std::chrono::duration<double>(ctx.deadline() - before).count();
  EXPECT_GT(seconds, 4.5);
  EXPECT_LE(seconds, 5.5);
}

}  // namespace
}  // namespace compressd::client
