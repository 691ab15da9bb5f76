// Runs one pipeline in a child process (fork + exec of compressd-pipeline-runner) with resource
// limits, and turns whatever happens to the child into an outcome with a reason. A crash, a hang,
// running out of memory or garbage on the pipe fails the run; it never affects the caller.
//
// The child gets: stdin = the request (one kRequest frame, runner_protocol.h), fd 3 = the result
// pipe, stdout/stderr = `log_path` (truncated), a clean environment (PATH, MALLOC_ARENA_MAX=2),
// its own process group (so grandchildren die with it), PR_SET_PDEATHSIG = SIGKILL (it dies when
// the thread that started it dies, e.g. when the worker is killed), no core dumps, and:
//   memory_bytes  → RLIMIT_AS (allocation fails; the runner reports that as out of memory)
//   cpu_seconds   → RLIMIT_CPU (SIGXCPU at the limit, SIGKILL one second later)
//   wall_seconds  → the parent SIGKILLs the process group when it is exceeded
// `should_stop` is polled at least every 100 ms: when it returns true the child is SIGKILLed at
// once (cancellation, lost lease, worker shutdown).
//
// Thread safety: RunPipelineChild blocks the calling thread until the child is gone; callbacks run
// on that thread. Several runs may proceed concurrently on different threads.
#ifndef COMPRESSD_WORKER_PIPELINE_CHILD_H_
#define COMPRESSD_WORKER_PIPELINE_CHILD_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "worker/runner_protocol.h"

namespace compressd::worker {

// Exit status of the runner after an allocation failed (it also sends a RESOURCE_EXHAUSTED
// kError frame when it can).
inline constexpr int kRunnerExitOutOfMemory = 86;
// Exit status of the runner when its command line or request is unusable.
inline constexpr int kRunnerExitBadRequest = 87;

struct ChildLimits {
  uint64_t memory_bytes = 0;  // 0: no limit
  uint32_t cpu_seconds = 0;   // 0: no limit
  double wall_seconds = 0;    // 0: no limit
};

struct ChildCallbacks {
  std::function<void(const RunnerProgress&)> on_progress;  // may be empty
  std::function<bool()> should_stop;                       // may be empty
};

struct ChildOutcome {
  enum class Kind {
    kSucceeded,      // result frame and exit status 0: `result` is valid
    kPipelineError,  // the pipeline returned an error: `pipeline_status`
    kCrashed,        // killed by a signal we did not send, or exited without a result
    kResourceLimit,  // memory, CPU time or wall time limit
    kStopped,        // should_stop() returned true and the child was killed
    kProtocolError,  // the child sent malformed frames
  };
  Kind kind = Kind::kCrashed;
  RunnerResult result;
  absl::Status pipeline_status;
  // For everything but kSucceeded: why, with numbers, e.g. "pipeline child killed by signal 9
  // (SIGKILL) after exceeding 30 s wall time".
  std::string message;
  int exit_status = -1;  // when it exited
  int term_signal = 0;   // when a signal ended it
  double wall_seconds = 0;
  double cpu_seconds = 0;
  // The last bytes (at most 2 KiB) of the child's stderr.
  std::string stderr_tail;
};

// Starts `runner_path --result-fd 3`, sends `request` and supervises the child until it is gone.
// Errors (INTERNAL) only when the child cannot be started (pipe, fork, opening log_path); every
// outcome of a started child is an OK ChildOutcome.
absl::StatusOr<ChildOutcome> RunPipelineChild(const std::string& runner_path,
                                              const RunnerRequest& request,
                                              const ChildLimits& limits,
                                              const std::string& log_path,
                                              const ChildCallbacks& callbacks);

// "SIGKILL", "SIGSEGV", ... ("signal N" for others).
std::string SignalName(int sig);

}  // namespace compressd::worker

#endif  // COMPRESSD_WORKER_PIPELINE_CHILD_H_
