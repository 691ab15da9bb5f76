#include "server/auth/auth.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/base/file_io.h"
#include "core/base/status_macros.h"
#include "server/util/logger.h"
#include "server/util/sha256.h"

namespace compressd::server {
namespace {

bool ValidTenantName(absl::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (i == 0 && !alnum) return false;
    if (!alnum && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

// SECRET → sha256 hex.
absl::StatusOr<std::string> SecretHash(absl::string_view secret, bool* was_plain) {
  if (absl::ConsumePrefix(&secret, "sha256:")) {
    const std::string hex = absl::AsciiStrToLower(secret);
    if (!IsSha256Hex(hex)) {
      return absl::InvalidArgumentError("sha256: must be followed by 64 hex characters");
    }
    return hex;
  }
  if (absl::ConsumePrefix(&secret, "plain:")) {
    if (secret.size() < 16) {
      return absl::InvalidArgumentError("plain tokens must have at least 16 characters");
    }
    *was_plain = true;
    return Sha256Hex(std::string_view(secret.data(), secret.size()));
  }
  return absl::InvalidArgumentError("the secret must start with \"sha256:\" or \"plain:\"");
}

}  // namespace

absl::StatusOr<int64_t> ParseSize(std::string_view text_in) {
  absl::string_view text(text_in.data(), text_in.size());
  int64_t mult = 1;
  struct Suffix {
    const char* s;
    int64_t m;
  };
  for (const Suffix& suf : {Suffix{"KiB", int64_t{1} << 10}, Suffix{"MiB", int64_t{1} << 20},
                            Suffix{"GiB", int64_t{1} << 30}, Suffix{"TiB", int64_t{1} << 40}}) {
    if (absl::ConsumeSuffix(&text, suf.s)) {
      mult = suf.m;
      break;
    }
  }
  int64_t value = 0;
  if (text.empty() || !absl::SimpleAtoi(text, &value) || value < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", std::string(text_in), "' is not a size (an integer, optionally with "
                     "KiB, MiB, GiB or TiB)"));
  }
  if (value > INT64_MAX / mult) {
    return absl::InvalidArgumentError(absl::StrCat("size '", std::string(text_in), "' is too large"));
  }
  return value * mult;
}

Authenticator Authenticator::Disabled(const TenantLimits& defaults) {
  Authenticator a;
  a.enabled_ = false;
  a.defaults_ = defaults;
  return a;
}

absl::StatusOr<Authenticator> Authenticator::FromFile(const std::string& path,
                                                      const TenantLimits& defaults) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, int64_t{16} << 20));
  absl::StatusOr<Authenticator> a =
      FromText(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
               defaults);
  if (!a.ok()) {
    return absl::Status(a.status().code(), absl::StrCat(path, ": ", a.status().message()));
  }
  return a;
}

absl::StatusOr<Authenticator> Authenticator::FromText(std::string_view text,
                                                      const TenantLimits& defaults) {
  Authenticator a;
  a.enabled_ = true;
  a.defaults_ = defaults;
  struct PendingToken {
    int line;
    std::string tenant;
  };
  std::vector<PendingToken> tenant_refs;
  bool any_plain = false;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    ++line_no;
    absl::string_view line = raw;
    const size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (words.empty()) continue;
    auto error = [&](const std::string& msg) {
      return absl::InvalidArgumentError(absl::StrCat("auth config line ", line_no, ": ", msg));
    };
    const absl::string_view directive = words[0];
    if (directive == "tenant") {
      if (words.size() < 2) return error("tenant needs a name");
      const std::string name(words[1]);
      if (!ValidTenantName(name)) return error(absl::StrCat("bad tenant name '", name, "'"));
      if (a.tenants_.contains(name)) return error(absl::StrCat("tenant '", name, "' declared twice"));
      TenantLimits limits;
      for (size_t i = 2; i < words.size(); ++i) {
        std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(words[i], '=');
        absl::StatusOr<int64_t> value = ParseSize(std::string_view(kv.second.data(), kv.second.size()));
        if (!value.ok()) return error(std::string(value.status().message()));
        if (kv.first == "max_model_bytes") {
          limits.max_model_bytes = *value;
        } else if (kv.first == "storage_quota_bytes") {
          limits.storage_quota_bytes = *value;
        } else if (kv.first == "max_concurrent_jobs") {
          limits.max_concurrent_jobs = *value;
        } else {
          return error(absl::StrCat("unknown limit '", std::string(kv.first),
                                    "' (max_model_bytes, storage_quota_bytes, "
                                    "max_concurrent_jobs)"));
        }
      }
      a.tenants_[name] = limits;
    } else if (directive == "token" || directive == "admin-token" ||
               directive == "worker-token") {
      if (words.size() != 3) return error(absl::StrCat(std::string(directive), " NAME SECRET expected"));
      bool plain = false;
      absl::StatusOr<std::string> h = SecretHash(words[2], &plain);
      if (!h.ok()) return error(std::string(h.status().message()));
      any_plain |= plain;
      if (a.tokens_.contains(*h)) return error("the same token appears twice");
      Entry e;
      e.name = std::string(words[1]);
      e.role = directive == "token"         ? Role::kTenant
               : directive == "admin-token" ? Role::kAdmin
                                            : Role::kWorker;
      if (e.role != Role::kWorker) tenant_refs.push_back({line_no, e.name});
      a.tokens_[*h] = std::move(e);
    } else {
      return error(absl::StrCat("unknown directive '", std::string(directive),
                                "' (tenant, token, admin-token, worker-token)"));
    }
  }
  for (const PendingToken& ref : tenant_refs) {
    if (!a.tenants_.contains(ref.tenant)) {
      return absl::InvalidArgumentError(absl::StrCat("auth config line ", ref.line,
                                                     ": tenant '", ref.tenant,
                                                     "' is not declared with a tenant line"));
    }
  }
  if (a.tokens_.empty()) {
    return absl::InvalidArgumentError("auth config declares no tokens");
  }
  if (any_plain) {
    LogWarning("auth config holds plain tokens; prefer sha256: hashes (they are hashed at load)");
  }
  return a;
}

absl::StatusOr<Principal> Authenticator::Authenticate(std::string_view authorization) const {
  if (!enabled_) {
    Principal p;
    p.role = Role::kTenant;
    p.tenant = kDefaultTenant;
    p.limits = defaults_;
    p.label = "anonymous";
    p.auth_disabled = true;
    return p;
  }
  absl::string_view header(authorization.data(), authorization.size());
  header = absl::StripAsciiWhitespace(header);
  if (header.empty()) {
    return absl::UnauthenticatedError(
        "missing credentials: send the metadata 'authorization: Bearer <token>'");
  }
  if (header.size() < 7 || !absl::EqualsIgnoreCase(header.substr(0, 7), "bearer ")) {
    return absl::UnauthenticatedError("the authorization metadata must be 'Bearer <token>'");
  }
  absl::string_view token = absl::StripAsciiWhitespace(header.substr(7));
  if (token.empty()) return absl::UnauthenticatedError("empty bearer token");
  const std::string h = Sha256Hex(std::string_view(token.data(), token.size()));
  auto it = tokens_.find(h);
  if (it == tokens_.end()) return absl::UnauthenticatedError("unknown token");
  Principal p;
  p.role = it->second.role;
  if (p.role == Role::kWorker) {
    p.label = absl::StrCat("worker:", it->second.name);
    return p;
  }
  p.tenant = it->second.name;
  p.label = absl::StrCat(p.role == Role::kAdmin ? "admin:" : "tenant:", p.tenant);
  TenantLimits limits = tenants_.at(p.tenant);
  if (limits.max_model_bytes == 0) limits.max_model_bytes = defaults_.max_model_bytes;
  if (limits.storage_quota_bytes == 0) limits.storage_quota_bytes = defaults_.storage_quota_bytes;
  if (limits.max_concurrent_jobs == 0) limits.max_concurrent_jobs = defaults_.max_concurrent_jobs;
  p.limits = limits;
  return p;
}

absl::Status Authenticator::RequirePublicAccess(const Principal& p) {
  if (p.auth_disabled || p.role != Role::kWorker) return absl::OkStatus();
  return absl::PermissionDeniedError("worker tokens cannot call CompressionService");
}

absl::Status Authenticator::RequireWorkerAccess(const Principal& p) {
  if (p.auth_disabled || p.role == Role::kWorker) return absl::OkStatus();
  return absl::PermissionDeniedError("only worker tokens can call WorkerService");
}

}  // namespace compressd::server
