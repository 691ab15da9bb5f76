// Builds and runs the gRPC server: both services, grpc.health.v1 (grpc++'s default health
// service), server reflection, explicit message size limits, keepalive policy, TLS / mTLS.
//
// Thread safety: Shutdown may be called from any thread, once.
#ifndef COMPRESSD_SERVER_TRANSPORT_GRPC_SERVER_H_
#define COMPRESSD_SERVER_TRANSPORT_GRPC_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/transport/transport_deps.h"

namespace grpc {
class Server;
}

namespace compressd::server {

class CompressionServiceHandler;
class WorkerServiceHandler;

struct GrpcServerOptions {
  // "host:port" (port 0 picks a free port; see GrpcServer::port()).
  std::string listen_address = "127.0.0.1:50051";
  // PEM files. With cert and key the server uses TLS; with client_ca too it requires and verifies
  // client certificates (mTLS).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  // Largest message accepted / sent (uploads use 1 MiB chunks; headers carry reports).
  int max_receive_message_bytes = 4 << 20;
  int max_send_message_bytes = 4 << 20;
};

class GrpcServer {
 public:
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(const GrpcServerOptions& options,
                                                           const TransportDeps& deps);
  ~GrpcServer();

  int port() const { return port_; }

  // Graceful shutdown: health → NOT_SERVING, open watches end with UNAVAILABLE, new calls are
  // refused, calls in flight get up to `grace` to finish and are cancelled after that.
  // (Stop the Scheduler first so that pending LeaseJob long polls end.)
  void Shutdown(absl::Duration grace);

 private:
  GrpcServer() = default;

  std::unique_ptr<CompressionServiceHandler> compression_;
  std::unique_ptr<WorkerServiceHandler> worker_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

// True for "127.0.0.1:P", "localhost:P", "[::1]:P" (any 127.x.y.z address).
bool IsLoopbackAddress(const std::string& address);
// The same port on 127.0.0.1 (INVALID_ARGUMENT when the address has no port).
absl::StatusOr<std::string> LoopbackVariant(const std::string& address);

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_TRANSPORT_GRPC_SERVER_H_
