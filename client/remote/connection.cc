#include "client/remote/connection.h"

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace compressd::client {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(what, ": cannot read '", path, "'"));
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string pem = ss.str();
  if (pem.empty() || pem.size() > (1 << 20)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": '", path, "' is empty or too large"));
  }
  return pem;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> CreateChannel(const ConnectionOptions& options) {
  if (options.address.empty()) {
    return absl::InvalidArgumentError("server address is empty (use --server or COMPRESSD_SERVER)");
  }
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (options.tls || !options.tls_ca_file.empty() || !options.tls_cert_file.empty()) {
    grpc::SslCredentialsOptions ssl;
    if (!options.tls_ca_file.empty()) {
      auto ca = ReadPem(options.tls_ca_file, "TLS CA");
      if (!ca.ok()) return ca.status();
      ssl.pem_root_certs = std::move(*ca);
    }
    if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
      auto cert = ReadPem(options.tls_cert_file, "TLS client certificate");
      if (!cert.ok()) return cert.status();
      auto key = ReadPem(options.tls_key_file, "TLS client key");
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = std::move(*cert);
      ssl.pem_private_key = std::move(*key);
    }
    creds = grpc::SslCredentials(ssl);
  } else {
    creds = grpc::InsecureChannelCredentials();
  }
  grpc::ChannelArguments args;
  // Artifacts and inputs come in 1 MiB chunks; leave room for the message framing.
  args.SetMaxReceiveMessageSize(8 << 20);
  args.SetMaxSendMessageSize(8 << 20);
  // Long polls and watches sit idle for a long time: keep the connection alive.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Reconnect within about a second once the server is (back) up. gRPC's defaults (1 s initial
  // back-off growing to 120 s, a 20 s minimum connect timeout, and 30 s between DNS
  // re-resolutions) kept a channel failing for 5-10 s after a server came up, measured with
  // gRPC 1.51; all three knobs were needed.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_DNS_MIN_TIME_BETWEEN_RESOLUTIONS_MS, 500);
  return grpc::CreateCustomChannel(options.address, creds, args);
}

void PrepareContext(grpc::ClientContext& ctx, const ConnectionOptions& options,
                    absl::Duration timeout) {
  if (timeout != absl::InfiniteDuration()) {
    ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
  }
  if (!options.token.empty()) ctx.AddMetadata("authorization", "Bearer " + options.token);
}

absl::Status FromGrpcStatus(const grpc::Status& status, const std::string& what) {
  if (status.ok()) return absl::OkStatus();
  std::string message = status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE && message.empty()) {
    message = "server unavailable";
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    message = absl::StrCat("deadline exceeded", message.empty() ? "" : ": ", message);
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      what.empty() ? message : absl::StrCat(what, ": ", message));
}

absl::Duration BackoffDelay(const RetryPolicy& policy, int retry) {
  double ms = absl::ToDoubleMilliseconds(policy.initial_backoff);
  for (int i = 1; i < retry; ++i) ms *= policy.multiplier;
  ms = std::min(ms, absl::ToDoubleMilliseconds(policy.max_backoff));
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  return absl::Milliseconds(ms * jitter(rng));
}

absl::Status RetryUnavailable(const RetryPolicy& policy, const std::function<absl::Status()>& fn,
                              const std::function<bool()>& keep_going) {
  absl::Status s;
  for (int attempt = 1;; ++attempt) {
    s = fn();
    if (s.code() != absl::StatusCode::kUnavailable || attempt >= policy.max_attempts) return s;
    if (keep_going && !keep_going()) return s;
    // Sleep in slices so that keep_going can end the wait early.
    const absl::Time until = absl::Now() + BackoffDelay(policy, attempt);
    while (absl::Now() < until) {
      if (keep_going && !keep_going()) return s;
      absl::SleepFor(std::min(absl::Milliseconds(50), until - absl::Now()));
    }
  }
}

}  // namespace compressd::client
