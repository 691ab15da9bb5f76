#include "server/transport/call_support.h"

#include "absl/strings/str_cat.h"

namespace compressd::server {

std::string AuthorizationOf(const grpc::CallbackServerContext* ctx) {
  const auto& md = ctx->client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) return std::string();
  return std::string(it->second.data(), it->second.size());
}

absl::StatusOr<Principal> Authorize(const TransportDeps& deps, const std::string& authorization,
                                    ServiceKind service) {
  absl::StatusOr<Principal> p = deps.auth->Authenticate(authorization);
  if (!p.ok()) return p.status();
  absl::Status access = service == ServiceKind::kPublic ? Authenticator::RequirePublicAccess(*p)
                                                        : Authenticator::RequireWorkerAccess(*p);
  if (!access.ok()) return access;
  return p;
}

grpc::Status Conclude(const TransportDeps& deps, const char* method, const absl::Status& status) {
  grpc::Status out = ToGrpcStatus(status);
  const std::string code = StatusCodeName(out.error_code());
  if (deps.metrics) deps.metrics->RecordRpc(method, code);
  if (!status.ok()) {
    const bool server_fault = status.code() == absl::StatusCode::kInternal ||
                              status.code() == absl::StatusCode::kUnknown ||
                              status.code() == absl::StatusCode::kDataLoss;
    Log(server_fault ? LogLevel::kError : LogLevel::kDebug, "rpc failed",
        {{"method", method}, {"code", code}, {"message", out.error_message()}});
  }
  return out;
}

grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* ctx, const TransportDeps& deps,
                                   const char* method, ServiceKind service,
                                   std::function<absl::Status(const Principal&)> fn) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  std::string authorization = AuthorizationOf(ctx);
  deps.executor->Submit([reactor, deps, method, service, fn = std::move(fn),
                         authorization = std::move(authorization)] {
    absl::StatusOr<Principal> p = Authorize(deps, authorization, service);
    const absl::Status s = p.ok() ? fn(*p) : p.status();
    reactor->Finish(Conclude(deps, method, s));
  });
  return reactor;
}

}  // namespace compressd::server
