// compressd-worker's main loop: lease a job (long poll), fetch its inputs through the cache,
// validate and run its pipeline in a child process (pipeline_child.h) while a heartbeat thread
// reports progress and watches for cancellation, then upload the result (CompleteJob) or report
// the failure (FailJob) with a kind and a reason.
//
// Failure policy (FailJobRequest.kind / retryable):
//   spec rejected by the translation/validation  INVALID_INPUT, permanent
//   pipeline INVALID_ARGUMENT/NOT_FOUND/...      INVALID_INPUT, permanent
//   pipeline UNIMPLEMENTED                       UNSUPPORTED, permanent
//   child crashed / malformed child output       CRASHED, permanent (the same input crashes again)
//   memory / CPU / wall limit of the child       RESOURCE_LIMIT, permanent
//   download, I/O, other worker errors           INTERNAL, retryable
//   worker shutting down before the job ended    INTERNAL, retryable ("given back")
// After CANCEL or ABORT from a heartbeat the child is killed and nothing is reported (the server
// already knows).
//
// Shutdown: Drain() stops leasing (the poll in flight is cancelled) and lets the current job
// finish for up to drain_timeout, then gives it back; Abort() gives it back at once. Run()
// returns when no job is left.
//
// Thread safety: Run() on one thread; Drain() and Abort() from any thread (e.g. a signal thread).
#ifndef COMPRESSD_WORKER_WORKER_H_
#define COMPRESSD_WORKER_WORKER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "compressd/v1/worker_service.pb.h"
#include "worker/input_cache.h"
#include "worker/worker_client.h"

namespace compressd::worker {

// The job label that selects a test hook (runner_main.cc) when the worker runs with --test-hooks.
inline constexpr char kTestHookLabel[] = "compressd.dev/test-hook";

struct WorkerOptions {
  std::string worker_id;    // 1..128 of [A-Za-z0-9_.:-]
  std::string runner_path;  // the compressd-pipeline-runner binary
  uint64_t max_memory_bytes = uint64_t{4} << 30;  // RLIMIT_AS of the child; advertised
  uint32_t max_cpu_seconds = 0;                   // RLIMIT_CPU of the child; 0 = none
  uint32_t default_wall_seconds = 3600;           // when the spec has no timeout_seconds
  uint32_t threads = 1;                           // for the pipeline
  std::vector<v1::EvaluationTarget> targets = {v1::EVALUATION_TARGET_HOST};
  bool test_hooks = false;
  uint32_t lease_wait_ms = 20000;
  absl::Duration drain_timeout = absl::Seconds(60);
  // Stop after this many jobs (0 = no limit); for tests and batch use.
  int max_jobs = 0;
  std::string version = "0.1.0";
};

class Worker {
 public:
  Worker(WorkerOptions options, std::unique_ptr<WorkerClient> client, InputCache cache);

  // The lease loop. Returns OK after Drain()/Abort() (or max_jobs), or an error that makes
  // continuing pointless (UNAUTHENTICATED / PERMISSION_DENIED: the token is wrong).
  absl::Status Run();

  void Drain();
  void Abort();

  int jobs_done() const { return jobs_done_.load(); }

 private:
  struct JobRun;

  void RunJob(const v1::Lease& lease);
  // Everything between lease and result, including CompleteJob or FailJob.
  void Execute(JobRun& run);
  void HeartbeatLoop(JobRun& run);
  void Fail(JobRun& run, v1::FailureKind kind, const std::string& message, bool retryable);
  bool Sleep(absl::Duration d);  // false when woken by Drain/Abort

  WorkerOptions options_;
  std::unique_ptr<WorkerClient> client_;
  InputCache cache_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> aborting_{false};
  std::atomic<int> jobs_done_{0};
  std::mutex mu_;
  std::condition_variable cv_;  // Drain/Abort wake-ups
  absl::Time drain_started_ = absl::InfiniteFuture();  // guarded by mu_
};

}  // namespace compressd::worker

#endif  // COMPRESSD_WORKER_WORKER_H_
