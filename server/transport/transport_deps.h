// What the gRPC transport needs from the rest of the server. Free of gRPC headers so that main.cc
// can wire the server without including them.
#ifndef COMPRESSD_SERVER_TRANSPORT_TRANSPORT_DEPS_H_
#define COMPRESSD_SERVER_TRANSPORT_TRANSPORT_DEPS_H_

#include "server/api/compression_api.h"
#include "server/api/worker_api.h"
#include "server/auth/auth.h"
#include "server/metrics/server_metrics.h"
#include "server/util/executor.h"

namespace compressd::server {

// Borrowed pointers; all outlive the gRPC server.
struct TransportDeps {
  CompressionApi* api = nullptr;
  WorkerApi* worker_api = nullptr;
  const Authenticator* auth = nullptr;
  ServerMetrics* metrics = nullptr;  // may be null
  Executor* executor = nullptr;
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_TRANSPORT_TRANSPORT_DEPS_H_
