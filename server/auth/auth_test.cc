#include "server/auth/auth.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/util/sha256.h"

namespace compressd::server {
namespace {

using ::testing::HasSubstr;

constexpr char kConfig[] = R"(
# tenants
tenant team-a max_model_bytes=10MiB storage_quota_bytes=1GiB max_concurrent_jobs=4
tenant team-b
token team-a sha256:%s      # hashed token of team-a
token team-b plain:team-b-secret-token-123
admin-token team-a plain:admin-secret-token-0001
worker-token pool-1 plain:worker-secret-token-01
)";

Authenticator Load() {
  const std::string hashed = Sha256Hex(std::string_view("team-a-secret-token-xyz"));
  std::string text(kConfig);
  text.replace(text.find("%s"), 2, hashed);
  TenantLimits defaults;
  defaults.max_model_bytes = 2 << 20;
  auto a = Authenticator::FromText(text, defaults);
  EXPECT_TRUE(a.ok()) << a.status();
  return std::move(*a);
}

TEST(AuthTest, ResolvesTokensToPrincipals) {
  Authenticator auth = Load();
  EXPECT_TRUE(auth.enabled());
  EXPECT_EQ(auth.tenant_count(), 2u);
  auto a = auth.Authenticate("Bearer team-a-secret-token-xyz");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->role, Role::kTenant);
  EXPECT_EQ(a->tenant, "team-a");
  EXPECT_EQ(a->limits.max_model_bytes, 10 << 20);
  EXPECT_EQ(a->limits.storage_quota_bytes, int64_t{1} << 30);
  EXPECT_EQ(a->limits.max_concurrent_jobs, 4);
  EXPECT_EQ(a->VisibleTenant(), "team-a");
  EXPECT_FALSE(a->CanSee("team-b"));

  auto b = auth.Authenticate("bearer   team-b-secret-token-123  ");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->tenant, "team-b");
  EXPECT_EQ(b->limits.max_model_bytes, 2 << 20);  // server default
  EXPECT_EQ(b->limits.storage_quota_bytes, 0);

  auto admin = auth.Authenticate("Bearer admin-secret-token-0001");
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->role, Role::kAdmin);
  EXPECT_EQ(admin->VisibleTenant(), "");
  EXPECT_TRUE(admin->CanSee("team-b"));

  auto worker = auth.Authenticate("Bearer worker-secret-token-01");
  ASSERT_TRUE(worker.ok());
  EXPECT_EQ(worker->role, Role::kWorker);
  EXPECT_EQ(worker->label, "worker:pool-1");
  EXPECT_TRUE(Authenticator::RequireWorkerAccess(*worker).ok());
  EXPECT_EQ(Authenticator::RequirePublicAccess(*worker).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Authenticator::RequireWorkerAccess(*a).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Authenticator::RequirePublicAccess(*admin).ok());
}

TEST(AuthTest, RejectsMissingMalformedAndUnknownTokens) {
  Authenticator auth = Load();
  for (const char* header : {"", "   ", "Basic dXNlcjpwdw==", "Bearer ", "Bearer wrong-token"}) {
    auto p = auth.Authenticate(header);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated) << header;
  }
  // The hash itself is not a token.
  auto p = auth.Authenticate("Bearer " + Sha256Hex(std::string_view("team-a-secret-token-xyz")));
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(p.status().message()), ::testing::Not(HasSubstr("team-a-secret")));
}

TEST(AuthTest, DisabledAuthIsTheDefaultTenant) {
  TenantLimits limits;
  limits.max_model_bytes = 123;
  Authenticator auth = Authenticator::Disabled(limits);
  EXPECT_FALSE(auth.enabled());
  auto p = auth.Authenticate("");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->tenant, "default");
  EXPECT_EQ(p->limits.max_model_bytes, 123);
  EXPECT_TRUE(Authenticator::RequireWorkerAccess(*p).ok());
  EXPECT_TRUE(Authenticator::RequirePublicAccess(*p).ok());
}

TEST(AuthTest, ConfigErrorsNameTheLine) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"tenant a\ntoken b plain:0123456789abcdef", "line 2: tenant 'b' is not declared"},
      {"tenant A", "line 1: bad tenant name 'A'"},
      {"tenant a\ntenant a", "line 2: tenant 'a' declared twice"},
      {"tenant a quota=5", "line 1: unknown limit 'quota'"},
      {"tenant a max_model_bytes=12XB", "line 1: '12XB' is not a size"},
      {"tenant a\ntoken a sha256:abc", "line 2: sha256: must be followed by 64 hex"},
      {"tenant a\ntoken a plain:short", "line 2: plain tokens must have at least 16"},
      {"tenant a\ntoken a secret", "line 2: the secret must start with"},
      {"tenant a\ntoken a plain:0123456789abcdef\ntoken a plain:0123456789abcdef",
       "line 3: the same token appears twice"},
      {"user a", "line 1: unknown directive 'user'"},
      {"tenant a", "declares no tokens"},
  };
  for (const Case& c : cases) {
    auto a = Authenticator::FromText(c.text, {});
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(a.status().message()), HasSubstr(c.message)) << c.text;
  }
}

TEST(AuthTest, ParseSize) {
  EXPECT_EQ(ParseSize("0").value(), 0);
  EXPECT_EQ(ParseSize("1536").value(), 1536);
  EXPECT_EQ(ParseSize("3KiB").value(), 3072);
  EXPECT_EQ(ParseSize("100MiB").value(), 100 * 1048576);
  EXPECT_EQ(ParseSize("2GiB").value(), int64_t{2147483648});
  EXPECT_EQ(ParseSize("1TiB").value(), int64_t{1} << 40);
  EXPECT_FALSE(ParseSize("").ok());
  EXPECT_FALSE(ParseSize("-5").ok());
  EXPECT_FALSE(ParseSize("5MB").ok());
  EXPECT_FALSE(ParseSize("9999999999TiB").ok());
}

}  // namespace
}  // namespace compressd::server
