// compressd-worker: leases jobs from a compressd server and runs them in pipeline child processes.
// Wiring only: flags → WorkerOptions, client, cache; signals → Drain (first SIGTERM/SIGINT) and
// Abort (second).
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/remote/connection.h"
#include "worker/input_cache.h"
#include "worker/log.h"
#include "worker/worker.h"

#ifndef COMPRESSD_VERSION
#define COMPRESSD_VERSION "unknown"
#endif

ABSL_FLAG(std::string, server, "", "Server address host:port (default $COMPRESSD_SERVER or 127.0.0.1:50051)");
ABSL_FLAG(std::string, token, "", "Worker token (default $COMPRESSD_WORKER_TOKEN, then $COMPRESSD_TOKEN)");
ABSL_FLAG(std::string, tls_ca, "", "Root CA (PEM) of the server's certificate: enables TLS");
ABSL_FLAG(std::string, tls_cert, "", "Client certificate chain (PEM) for mTLS");
ABSL_FLAG(std::string, tls_key, "", "Client private key (PEM) for mTLS");
ABSL_FLAG(bool, tls, false, "Use TLS with the system's root CAs");
ABSL_FLAG(std::string, cache_dir, "", "Input cache (default $XDG_CACHE_HOME/compressd-worker or /tmp/compressd-worker-UID)");
ABSL_FLAG(std::string, worker_id, "", "Worker id (default HOSTNAME-PID)");
ABSL_FLAG(std::string, runner, "", "compressd-pipeline-runner binary (default: next to this binary)");
ABSL_FLAG(int64_t, max_memory_mb, 4096, "Address-space limit of a pipeline child (MiB); advertised to the server");
ABSL_FLAG(int64_t, max_cpu_seconds, 0, "CPU-time limit of a pipeline child (0 = none)");
ABSL_FLAG(int64_t, max_wall_seconds, 3600, "Wall-time limit of a pipeline child when the job sets none");
ABSL_FLAG(int64_t, threads, 1, "Threads the pipeline may use");
ABSL_FLAG(std::string, capabilities, "host", "Evaluation targets this worker offers (comma list; only 'host' so far)");
ABSL_FLAG(bool, test_hooks, false, "Honour the job label compressd.dev/test-hook (tests only; never in production)");
ABSL_FLAG(int64_t, lease_wait_ms, 20000, "Long-poll time of LeaseJob");
ABSL_FLAG(int64_t, drain_seconds, 60, "On SIGTERM: how long the current job may still run before it is given back");
ABSL_FLAG(int64_t, max_jobs, 0, "Exit after this many jobs (0 = run until SIGTERM)");
ABSL_FLAG(int64_t, rpc_timeout_seconds, 30, "Deadline of unary RPCs");

namespace compressd::worker {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

std::string DefaultRunner() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "compressd-pipeline-runner";
  return (self.parent_path() / "compressd-pipeline-runner").string();
}

std::string DefaultWorkerId() {
  char host[HOST_NAME_MAX + 1] = {0};
  if (::gethostname(host, sizeof(host) - 1) != 0) std::snprintf(host, sizeof(host), "worker");
  std::string id = absl::StrCat(host, "-", ::getpid());
  for (char& c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == ':' || c == '-';
    if (!ok) c = '-';
  }
  return id.substr(0, 128);
}

int Usage(const std::string& message) {
  Log("ERROR", message);
  return 2;
}

int Run() {
  // SIGTERM/SIGINT are handled by sigwait on a dedicated thread: block them everywhere first.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  client::ConnectionOptions conn;
  conn.address = absl::GetFlag(FLAGS_server);
  if (conn.address.empty()) conn.address = EnvOr("COMPRESSD_SERVER", "127.0.0.1:50051");
  conn.token = absl::GetFlag(FLAGS_token);
  if (conn.token.empty()) conn.token = EnvOr("COMPRESSD_WORKER_TOKEN", EnvOr("COMPRESSD_TOKEN", ""));
  conn.tls = absl::GetFlag(FLAGS_tls);
  conn.tls_ca_file = absl::GetFlag(FLAGS_tls_ca);
  conn.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  conn.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  const int64_t rpc_timeout = absl::GetFlag(FLAGS_rpc_timeout_seconds);
  if (rpc_timeout < 1 || rpc_timeout > 3600) return Usage("--rpc-timeout-seconds must be in 1..3600");
  conn.rpc_timeout = absl::Seconds(rpc_timeout);

  WorkerOptions options;
  options.version = COMPRESSD_VERSION;
  options.worker_id = absl::GetFlag(FLAGS_worker_id);
  if (options.worker_id.empty()) options.worker_id = DefaultWorkerId();
  options.runner_path = absl::GetFlag(FLAGS_runner);
  if (options.runner_path.empty()) options.runner_path = DefaultRunner();
  if (::access(options.runner_path.c_str(), X_OK) != 0) {
    return Usage(absl::StrCat("pipeline runner '", options.runner_path,
                              "' is not executable (use --runner)"));
  }
  const int64_t mem = absl::GetFlag(FLAGS_max_memory_mb);
  if (mem < 64 || mem > (int64_t{1} << 30)) return Usage("--max-memory-mb must be >= 64");
  options.max_memory_bytes = static_cast<uint64_t>(mem) << 20;
  const int64_t cpu = absl::GetFlag(FLAGS_max_cpu_seconds);
  if (cpu < 0 || cpu > 30 * 86400) return Usage("--max-cpu-seconds must be in 0..2592000");
  options.max_cpu_seconds = static_cast<uint32_t>(cpu);
  const int64_t wall = absl::GetFlag(FLAGS_max_wall_seconds);
  if (wall < 1 || wall > 86400) return Usage("--max-wall-seconds must be in 1..86400");
  options.default_wall_seconds = static_cast<uint32_t>(wall);
  const int64_t threads = absl::GetFlag(FLAGS_threads);
  if (threads < 1 || threads > 256) return Usage("--threads must be in 1..256");
  options.threads = static_cast<uint32_t>(threads);
  options.targets.clear();
  for (absl::string_view t : absl::StrSplit(absl::GetFlag(FLAGS_capabilities), ',',
                                            absl::SkipWhitespace())) {
    if (t == "host") {
      options.targets.push_back(v1::EVALUATION_TARGET_HOST);
    } else {
      return Usage(absl::StrCat("--capabilities: '", std::string(t),
                                "' is not supported by this worker (only 'host')"));
    }
  }
  if (options.targets.empty()) options.targets.push_back(v1::EVALUATION_TARGET_HOST);
  options.test_hooks = absl::GetFlag(FLAGS_test_hooks);
  const int64_t wait_ms = absl::GetFlag(FLAGS_lease_wait_ms);
  if (wait_ms < 0 || wait_ms > 60000) return Usage("--lease-wait-ms must be in 0..60000");
  options.lease_wait_ms = static_cast<uint32_t>(wait_ms);
  options.drain_timeout = absl::Seconds(std::max<int64_t>(0, absl::GetFlag(FLAGS_drain_seconds)));
  options.max_jobs = static_cast<int>(std::max<int64_t>(0, absl::GetFlag(FLAGS_max_jobs)));

  std::string cache_dir = absl::GetFlag(FLAGS_cache_dir);
  if (cache_dir.empty()) {
    const std::string xdg = EnvOr("XDG_CACHE_HOME", "");
    cache_dir = xdg.empty() ? absl::StrCat("/tmp/compressd-worker-", ::getuid())
                            : absl::StrCat(xdg, "/compressd-worker");
  }
  absl::StatusOr<InputCache> cache = InputCache::Open(cache_dir);
  if (!cache.ok()) return Usage(std::string(cache.status().message()));
  client::RetryPolicy retry;
  retry.max_attempts = 8;
  absl::StatusOr<std::unique_ptr<WorkerClient>> client = WorkerClient::Create(conn, retry);
  if (!client.ok()) return Usage(std::string(client.status().message()));
  if (options.test_hooks) {
    Log("WARN", "test hooks are enabled: jobs labelled compressd.dev/test-hook run test code");
  }

  Worker worker(options, std::move(*client), std::move(*cache));
  std::atomic<bool> exiting{false};
  std::thread signal_thread([&] {
    for (int count = 0; count < 2; ++count) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) return;
      if (exiting) return;  // woken by the main thread at exit
      if (count == 0) {
        Log("INFO", "signal received: draining (no new jobs; the current one may finish)",
            {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
        worker.Drain();
      } else {
        Log("INFO", "second signal: giving the current job back now");
        worker.Abort();
      }
    }
  });
  absl::Status s = worker.Run();
  // Wake the signal thread so that it can be joined.
  exiting = true;
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  if (!s.ok()) {
    Log("ERROR", "worker stopped", {{"error", std::string(s.message())}});
    return s.code() == absl::StatusCode::kUnauthenticated ||
                   s.code() == absl::StatusCode::kPermissionDenied
               ? 5
               : 1;
  }
  return 0;
}

}  // namespace
}  // namespace compressd::worker

// Accepts --flag-name as well as absl's --flag_name.
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
  std::vector<char*> ptrs;
  for (std::string& a : args) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  absl::SetProgramUsageMessage(
      "compressd-worker --server HOST:PORT [--token TOKEN] [--cache-dir DIR] "
      "[--max-memory-mb N] [--max-cpu-seconds N] [--max-wall-seconds N] [--threads N] "
      "[--capabilities host] [--test-hooks]");
  std::vector<char*> rest = absl::ParseCommandLine(static_cast<int>(args.size()), ptrs.data());
  if (rest.size() > 1) {
    compressd::worker::Log("ERROR", absl::StrCat("unexpected argument '", rest[1], "'"));
    return 2;
  }
  return compressd::worker::Run();
}
