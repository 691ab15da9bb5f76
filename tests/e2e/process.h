// Child processes for end-to-end tests: started with fork + exec, stdout/stderr to a log file,
// killed with SIGKILL when the test process dies (PR_SET_PDEATHSIG) or the Process is destroyed.
#ifndef COMPRESSD_TESTS_E2E_PROCESS_H_
#define COMPRESSD_TESTS_E2E_PROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace compressd::testing {

class Process {
 public:
  // argv[0] is the executable: a path, or a name looked up in PATH.
  static absl::StatusOr<Process> Start(const std::vector<std::string>& argv,
                                       const std::string& log_path);
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  ~Process();

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  void Signal(int sig);
  // True while the process runs (reaps it when it has exited).
  bool Running();
  // Waits for the exit; the raw wait status, or std::nullopt after `timeout`.
  std::optional<int> Wait(absl::Duration timeout);
  // SIGKILL and reap (no-op when gone).
  void Kill();
  // The log so far.
  std::string Log() const;

 private:
  Process() = default;
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string log_path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// Runs a command to completion (at most `timeout`) and returns its exit code (-1 on timeout or
// signal); output goes to `log_path`.
int RunCommand(const std::vector<std::string>& argv, const std::string& log_path,
               absl::Duration timeout);

}  // namespace compressd::testing

#endif  // COMPRESSD_TESTS_E2E_PROCESS_H_
