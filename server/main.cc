// compressd: the compression service. Wiring only: flags → stores, scheduler, auth, metrics,
// APIs, gRPC server; then wait for SIGTERM/SIGINT and shut down gracefully.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "server/api/compression_api.h"
#include "server/api/worker_api.h"
#include "server/auth/auth.h"
#include "server/metrics/server_metrics.h"
#include "server/model/model_validator.h"
#include "server/scheduler/scheduler.h"
#include "server/store/fs_blob_store.h"
#include "server/store/sqlite_job_store.h"
#include "server/transport/grpc_server.h"
#include "server/util/executor.h"
#include "server/util/logger.h"

ABSL_FLAG(std::string, data_dir, "", "Directory for the database and blobs (created if missing)");
ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "gRPC listen address host:port");
ABSL_FLAG(std::string, metrics_listen, "", "Prometheus /metrics address host:port (off if empty)");
ABSL_FLAG(std::string, auth_config, "",
          "Auth config file (tenants and token hashes). Without it: no auth, loopback only");
ABSL_FLAG(std::string, tls_cert, "", "Server certificate chain (PEM)");
ABSL_FLAG(std::string, tls_key, "", "Server private key (PEM)");
ABSL_FLAG(std::string, tls_client_ca, "", "CA (PEM) for client certificates: enables mTLS");
ABSL_FLAG(int, max_attempts, 3, "Attempts per job before it fails");
ABSL_FLAG(int, lease_seconds, 30, "Lease length; workers heartbeat every third of it");
ABSL_FLAG(double, retry_backoff_seconds, 1.0, "Back-off before the first retry (doubles, max 60 s)");
ABSL_FLAG(bool, log_json, false, "Log JSON lines instead of text");
ABSL_FLAG(bool, verbose, false, "Log debug messages (every failed RPC)");
ABSL_FLAG(int, threads, 8, "Threads for blocking work (storage, validation)");
ABSL_FLAG(std::string, max_model_bytes, "2GiB", "Default per-tenant model size limit");
ABSL_FLAG(std::string, max_dataset_bytes, "16GiB", "Largest dataset archive");
ABSL_FLAG(int, shutdown_grace_seconds, 10, "Time calls in flight get to finish at shutdown");

namespace compressd::server {
namespace {

int Fail(const absl::Status& s) {
  LogError("cannot start", {{"error", s.ToString()}});
  return 1;
}

int Run() {
  // Signals are taken by sigwait below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ConfigureLogging({absl::GetFlag(FLAGS_log_json),
                    absl::GetFlag(FLAGS_verbose) ? LogLevel::kDebug : LogLevel::kInfo, stderr});
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  if (data_dir.empty()) return Fail(absl::InvalidArgumentError("--data-dir is required"));
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Fail(absl::InternalError(absl::StrCat("--data-dir ", data_dir, ": ", ec.message())));
  // One server per data directory.
  const std::string lock_path = data_dir + "/LOCK";
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    return Fail(absl::FailedPreconditionError(
        absl::StrCat("data directory ", data_dir, " is in use by another compressd")));
  }

  absl::StatusOr<int64_t> max_model = ParseSize(absl::GetFlag(FLAGS_max_model_bytes));
  if (!max_model.ok()) return Fail(max_model.status());
  absl::StatusOr<int64_t> max_dataset = ParseSize(absl::GetFlag(FLAGS_max_dataset_bytes));
  if (!max_dataset.ok()) return Fail(max_dataset.status());
  TenantLimits defaults;
  defaults.max_model_bytes = *max_model;

  auto store = SqliteJobStore::Open(data_dir + "/compressd.db");
  if (!store.ok()) return Fail(store.status());
  auto blobs = FsBlobStore::Create(data_dir);
  if (!blobs.ok()) return Fail(blobs.status());

  std::string listen = absl::GetFlag(FLAGS_listen);
  absl::StatusOr<Authenticator> auth = Authenticator::Disabled(defaults);
  if (!absl::GetFlag(FLAGS_auth_config).empty()) {
    auth = Authenticator::FromFile(absl::GetFlag(FLAGS_auth_config), defaults);
    if (!auth.ok()) return Fail(auth.status());
    LogInfo("auth enabled", {{"tenants", absl::StrCat(auth->tenant_count())}});
  } else if (!IsLoopbackAddress(listen)) {
    absl::StatusOr<std::string> loopback = LoopbackVariant(listen);
    if (!loopback.ok()) return Fail(loopback.status());
    LogWarning("no --auth-config: auth is off, so the server listens on loopback only",
               {{"requested", listen}, {"listen", *loopback}});
    listen = *loopback;
  } else {
    LogWarning("no --auth-config: auth is off (loopback only; every caller is tenant 'default')");
  }

  ServerMetrics metrics;
  if (auto counts = (*store)->CountJobs(); counts.ok()) metrics.InitJobCounts(*counts);
  metrics.SetStoredBytes((*blobs)->TotalBytes());

  SchedulerOptions sched_options;
  sched_options.max_attempts = std::max(1, absl::GetFlag(FLAGS_max_attempts));
  sched_options.lease_duration = absl::Seconds(std::max(1, absl::GetFlag(FLAGS_lease_seconds)));
  sched_options.backoff_initial = absl::Seconds(absl::GetFlag(FLAGS_retry_backoff_seconds));
  Scheduler scheduler(store->get(), RealClock::Get(), sched_options, &metrics);
  if (absl::Status s = scheduler.Recover(); !s.ok()) return Fail(s);
  scheduler.Start();

  std::unique_ptr<ModelValidator> validator = NewDefaultModelValidator(*max_model);
  if (!DefaultModelValidatorIsComplete()) {
    LogWarning("model validation checks the TFLite identifier only (core loader not built)");
  }
  Executor executor(absl::GetFlag(FLAGS_threads));

  ApiContext ctx;
  ctx.store = store->get();
  ctx.blobs = blobs->get();
  ctx.scheduler = &scheduler;
  ctx.validator = validator.get();
  ctx.metrics = &metrics;
  ctx.clock = RealClock::Get();
  ctx.options.max_dataset_bytes = *max_dataset;
  CompressionApi api(ctx);
  WorkerApi worker_api(ctx);
  if (auto removed = api.CollectStaleUploads(absl::Hours(24 * 7)); !removed.ok()) {
    LogWarning("cannot collect stale uploads", {{"error", removed.status().ToString()}});
  } else if (*removed > 0) {
    LogInfo("removed stale upload sessions", {{"count", absl::StrCat(*removed)}});
  }

  TransportDeps deps{&api, &worker_api, &*auth, &metrics, &executor};
  GrpcServerOptions grpc_options;
  grpc_options.listen_address = listen;
  grpc_options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  grpc_options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  grpc_options.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  auto server = GrpcServer::Start(grpc_options, deps);
  if (!server.ok()) return Fail(server.status());

  if (!absl::GetFlag(FLAGS_metrics_listen).empty()) {
    if (absl::Status s = metrics.Serve(absl::GetFlag(FLAGS_metrics_listen)); !s.ok()) return Fail(s);
    LogInfo("metrics at /metrics", {{"port", absl::StrCat(metrics.port())}});
  }
  LogInfo("compressd serving", {{"listen", listen},
                                {"port", absl::StrCat((*server)->port())},
                                {"data_dir", data_dir},
                                {"tls", grpc_options.tls_cert_file.empty() ? "off" : "on"},
                                {"mtls", grpc_options.tls_client_ca_file.empty() ? "off" : "on"}});

  int sig = 0;
  sigwait(&signals, &sig);
  LogInfo("shutting down", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  scheduler.Stop();
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  executor.Shutdown();
  LogInfo("compressd stopped");
  return 0;
}

}  // namespace
}  // namespace compressd::server

// Accepts --flag-name as well as absl's --flag_name: dashes in the name part become underscores.
static std::vector<std::string> NormalizeFlagNames(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (size_t i = 1; i < args.size(); ++i) {
    std::string& a = args[i];
    if (a == "--") break;
    if (a.size() < 3 || a[0] != '-' || a[1] != '-') continue;
    const size_t end = std::min(a.find('='), a.size());
    for (size_t j = 2; j < end; ++j) {
      if (a[j] == '-') a[j] = '_';
    }
  }
  return args;
}

int main(int argc, char** argv) {
  std::vector<std::string> args = NormalizeFlagNames(argc, argv);
  std::vector<char*> arg_ptrs;
  for (std::string& a : args) arg_ptrs.push_back(a.data());
  arg_ptrs.push_back(nullptr);
  absl::SetProgramUsageMessage(
      "compressd --data-dir DIR [--listen HOST:PORT] [--metrics-listen HOST:PORT] "
      "[--auth-config FILE] [--tls-cert F --tls-key F [--tls-client-ca F]] [--max-attempts N] "
      "[--lease-seconds S] [--log-json]");
  absl::ParseCommandLine(static_cast<int>(args.size()), arg_ptrs.data());
  return compressd::server::Run();
}
