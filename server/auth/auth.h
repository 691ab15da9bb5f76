// Authentication and tenants: maps bearer tokens to principals (tenant, admin or worker) using an
// auth config file that stores only SHA-256 hashes of the tokens (or plain tokens that are hashed
// at load and never kept).
//
// Auth config file (UTF-8 text, one directive per line, '#' starts a comment):
//   tenant NAME [max_model_bytes=SIZE] [storage_quota_bytes=SIZE] [max_concurrent_jobs=N]
//   token NAME SECRET          a token of tenant NAME
//   admin-token NAME SECRET    an admin token: sees every tenant; creates objects as tenant NAME
//   worker-token LABEL SECRET  a worker token (LABEL is only for logs)
// SECRET is "sha256:<64 lowercase hex>" (the SHA-256 of the token, e.g. from
// `printf %s "$TOKEN" | sha256sum`) or "plain:<token>". SIZE is an integer with an optional
// suffix KiB, MiB, GiB or TiB. Tenant NAMEs are 1..63 characters of [a-z0-9_.-], starting with a
// letter or digit. Limits left out are unlimited (max_model_bytes: the server's default).
//
// Thread safety: an Authenticator is immutable after construction; all methods are thread-safe.
#ifndef COMPRESSD_SERVER_AUTH_AUTH_H_
#define COMPRESSD_SERVER_AUTH_AUTH_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace compressd::server {

struct TenantLimits {
  int64_t max_model_bytes = 0;      // 0: the server's default
  int64_t storage_quota_bytes = 0;  // 0: unlimited
  int64_t max_concurrent_jobs = 0;  // 0: unlimited (queued + running)
};

enum class Role { kTenant, kAdmin, kWorker };

// Who is calling.
struct Principal {
  Role role = Role::kTenant;
  // The tenant that owns what this principal creates (tenant and admin tokens). Empty for workers.
  std::string tenant;
  TenantLimits limits;
  // A short label for logs ("tenant:a", "admin:ops", "worker:w1", "anonymous").
  std::string label;
  // Auth is off (single-machine mode): everything is allowed.
  bool auth_disabled = false;

  // The tenant whose objects this principal may see; empty means every tenant (admin).
  std::string VisibleTenant() const { return role == Role::kAdmin ? std::string() : tenant; }
  // Whether an object owned by `owner` is visible.
  bool CanSee(const std::string& owner) const { return role == Role::kAdmin || owner == tenant; }
};

inline constexpr char kDefaultTenant[] = "default";

class Authenticator {
 public:
  // No auth: every caller is tenant "default" with the given limits and may use both services.
  static Authenticator Disabled(const TenantLimits& defaults);
  // Parses an auth config (see above); errors name the line.
  static absl::StatusOr<Authenticator> FromText(std::string_view text,
                                                const TenantLimits& defaults);
  static absl::StatusOr<Authenticator> FromFile(const std::string& path,
                                                const TenantLimits& defaults);

  bool enabled() const { return enabled_; }
  size_t tenant_count() const { return tenants_.size(); }

  // Resolves the value of the "authorization" metadata ("Bearer <token>"; empty when absent).
  // UNAUTHENTICATED when missing, malformed or unknown (the message never echoes the token).
  absl::StatusOr<Principal> Authenticate(std::string_view authorization) const;

  // PERMISSION_DENIED unless the principal may use CompressionService (tenants, admins).
  static absl::Status RequirePublicAccess(const Principal& p);
  // PERMISSION_DENIED unless the principal may use WorkerService (worker tokens).
  static absl::Status RequireWorkerAccess(const Principal& p);

 private:
  struct Entry {
    Role role;
    std::string name;  // tenant, or worker label
  };
  Authenticator() = default;

  bool enabled_ = false;
  TenantLimits defaults_;
  absl::flat_hash_map<std::string, TenantLimits> tenants_;
  absl::flat_hash_map<std::string, Entry> tokens_;  // sha256 hex → entry
};

// Parses SIZE ("1048576", "100MiB", "2GiB"); INVALID_ARGUMENT otherwise.
absl::StatusOr<int64_t> ParseSize(std::string_view text);

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_AUTH_AUTH_H_
