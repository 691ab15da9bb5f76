// Connecting to a compressd server: channel creation (plaintext or TLS, optionally with a client
// certificate), per-call deadlines and the bearer token, conversion of grpc::Status, and retries
// with exponential back-off for UNAVAILABLE. Shared by compressctl and compressd-worker.
//
// Tokens are sent as the call metadata `authorization: Bearer <token>` (not as call credentials,
// which gRPC refuses on plaintext channels; on a non-loopback server use TLS).
//
// Thread safety: functions are thread-safe; a ConnectionOptions is a plain value.
#ifndef COMPRESSD_CLIENT_REMOTE_CONNECTION_H_
#define COMPRESSD_CLIENT_REMOTE_CONNECTION_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace compressd::client {

struct ConnectionOptions {
  std::string address = "127.0.0.1:50051";  // host:port
  std::string token;                         // empty: no authorization metadata
  // TLS: enabled when `tls` is set or any file below is given. Root CA file (PEM; empty: the
  // system roots), client certificate chain and key (PEM) for mTLS.
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  // Default deadline of unary calls.
  absl::Duration rpc_timeout = absl::Seconds(30);
};

struct RetryPolicy {
  int max_attempts = 6;                            // including the first one
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);
  double multiplier = 2.0;
};

// Creates the channel (does not connect yet). INVALID_ARGUMENT / NOT_FOUND for unreadable TLS
// files, INVALID_ARGUMENT for an empty address.
absl::StatusOr<std::shared_ptr<grpc::Channel>> CreateChannel(const ConnectionOptions& options);

// Sets the deadline (now + timeout; none when timeout is infinite) and the authorization
// metadata on a fresh context.
void PrepareContext(grpc::ClientContext& ctx, const ConnectionOptions& options,
                    absl::Duration timeout);

// grpc::Status → absl::Status with the same code and message, prefixed with `what` ("SubmitJob:
// ...") when not empty.
absl::Status FromGrpcStatus(const grpc::Status& status, const std::string& what = "");

// Back-off before retry number `retry` (1, 2, ...): initial * multiplier^(retry-1), capped at
// max_backoff, with ±20 % jitter.
absl::Duration BackoffDelay(const RetryPolicy& policy, int retry);

// Calls `fn` until it returns something other than UNAVAILABLE, or max_attempts calls were made,
// sleeping BackoffDelay in between. `keep_going` (may be empty) is checked before each retry and
// sleep slice; when it returns false the last status is returned at once.
absl::Status RetryUnavailable(const RetryPolicy& policy, const std::function<absl::Status()>& fn,
                              const std::function<bool()>& keep_going = {});

template <typename T>
absl::StatusOr<T> RetryUnavailableOr(const RetryPolicy& policy,
                                     const std::function<absl::StatusOr<T>()>& fn,
                                     const std::function<bool()>& keep_going = {}) {
  absl::StatusOr<T> out = absl::UnknownError("not called");
  absl::Status s = RetryUnavailable(
      policy,
      [&]() -> absl::Status {
        out = fn();
        return out.status();
      },
      keep_going);
  (void)s;
  return out;
}

}  // namespace compressd::client

#endif  // COMPRESSD_CLIENT_REMOTE_CONNECTION_H_
