// The one conversion from absl::Status to grpc::Status. Codes map one to one (both follow the
// canonical google.rpc codes); messages longer than kMaxStatusMessageBytes are cut (with a
// marker) so that a long error never exceeds metadata limits.
#ifndef COMPRESSD_SERVER_TRANSPORT_GRPC_STATUS_H_
#define COMPRESSD_SERVER_TRANSPORT_GRPC_STATUS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace compressd::server {

inline constexpr size_t kMaxStatusMessageBytes = 1024;

grpc::Status ToGrpcStatus(const absl::Status& status);

// "OK", "INVALID_ARGUMENT", ... (for metrics labels and logs).
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_TRANSPORT_GRPC_STATUS_H_
