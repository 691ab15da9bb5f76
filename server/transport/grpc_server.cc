#include "server/transport/grpc_server.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/base/file_io.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/transport/call_support.h"
#include "server/transport/service_handlers.h"

namespace compressd::server {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  absl::StatusOr<std::vector<uint8_t>> bytes = ReadFileBytes(path, 1 << 20);
  if (!bytes.ok()) {
    return absl::Status(bytes.status().code(),
                        absl::StrCat(what, ": ", bytes.status().message()));
  }
  return std::string(bytes->begin(), bytes->end());
}

}  // namespace

bool IsLoopbackAddress(const std::string& address) {
  return absl::StartsWith(address, "127.") || absl::StartsWith(address, "localhost:") ||
         absl::StartsWith(address, "[::1]:");
}

absl::StatusOr<std::string> LoopbackVariant(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address '", address, "' has no port (expected host:port)"));
  }
  return absl::StrCat("127.0.0.1:", port);
}

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(const GrpcServerOptions& options,
                                                              const TransportDeps& deps) {
  std::unique_ptr<GrpcServer> server(new GrpcServer());
  std::shared_ptr<grpc::ServerCredentials> creds;
  const bool tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
  if (tls) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      return absl::InvalidArgumentError("TLS needs both --tls-cert and --tls-key");
    }
    grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
    auto key = ReadPem(options.tls_key_file, "--tls-key");
    if (!key.ok()) return key.status();
    auto cert = ReadPem(options.tls_cert_file, "--tls-cert");
    if (!cert.ok()) return cert.status();
    pair.private_key = std::move(*key);
    pair.cert_chain = std::move(*cert);
    ssl.pem_key_cert_pairs.push_back(std::move(pair));
    if (!options.tls_client_ca_file.empty()) {
      auto ca = ReadPem(options.tls_client_ca_file, "--tls-client-ca");
      if (!ca.ok()) return ca.status();
      ssl.pem_root_certs = std::move(*ca);
      ssl.client_certificate_request =
          GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    creds = grpc::SslServerCredentials(ssl);
  } else {
    if (!options.tls_client_ca_file.empty()) {
      return absl::InvalidArgumentError("--tls-client-ca needs --tls-cert and --tls-key");
    }
    creds = grpc::InsecureServerCredentials();
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, creds, &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(options.max_send_message_bytes);
  // Let clients keep idle connections alive with pings (worker long polls, watches).
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  server->compression_ = std::make_unique<CompressionServiceHandler>(deps);
  server->worker_ = std::make_unique<WorkerServiceHandler>(deps);
  builder.RegisterService(server->compression_.get());
  builder.RegisterService(server->worker_.get());
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address,
                     " (address in use, or not a valid host:port)"));
  }
  grpc::HealthCheckServiceInterface* health = server->server_->GetHealthCheckService();
  if (health != nullptr) {
    health->SetServingStatus(true);
    health->SetServingStatus("compressd.v1.CompressionService", true);
    health->SetServingStatus("compressd.v1.WorkerService", true);
  }
  return server;
}

void GrpcServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(false);
  }
  compression_->EndWatches();
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace));
  server_->Wait();
}

GrpcServer::~GrpcServer() {
  if (server_ && !shut_down_) Shutdown(absl::Seconds(1));
}

}  // namespace compressd::server
