#include "worker/pipeline_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace compressd::worker {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPollMs = 100;
constexpr size_t kStderrTailBytes = 2048;
constexpr double kDrainSeconds = 2.0;  // after the child exited, wait this long for EOF

absl::Status Errno(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Everything the child needs, prepared before fork (the child may only make async-signal-safe
// calls: no allocation).
struct ExecPlan {
  const char* argv[4];
  const char* envp[4];
  int request_fd;
  int result_fd;
  int log_fd;
  pid_t parent;
  ChildLimits limits;
};

[[noreturn]] void ChildAfterFork(const ExecPlan& plan) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != plan.parent) ::_exit(1);  // the parent died before prctl
  // Move the fds out of the way first so that dup2 onto 0..3 cannot clobber one still needed.
  const int req = ::fcntl(plan.request_fd, F_DUPFD, 10);
  const int res = ::fcntl(plan.result_fd, F_DUPFD, 10);
  const int log = ::fcntl(plan.log_fd, F_DUPFD, 10);
  if (req < 0 || res < 0 || log < 0) ::_exit(kRunnerExitBadRequest);
  if (::dup2(req, 0) < 0 || ::dup2(log, 1) < 0 || ::dup2(log, 2) < 0 || ::dup2(res, 3) < 0) {
    ::_exit(kRunnerExitBadRequest);
  }
  if (::close_range(4, ~0u, 0) != 0) {
    for (int fd = 4; fd < 4096; ++fd) ::close(fd);
  }
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGXCPU}) ::sigaction(sig, &dfl, nullptr);
  struct rlimit no_core = {0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  if (plan.limits.memory_bytes > 0) {
    struct rlimit as = {plan.limits.memory_bytes, plan.limits.memory_bytes};
    ::setrlimit(RLIMIT_AS, &as);
  }
  if (plan.limits.cpu_seconds > 0) {
    struct rlimit cpu = {plan.limits.cpu_seconds, plan.limits.cpu_seconds + 1};
    ::setrlimit(RLIMIT_CPU, &cpu);
  }
  ::execve(plan.argv[0], const_cast<char* const*>(plan.argv),
           const_cast<char* const*>(plan.envp));
  static const char kMsg[] = "compressd-pipeline-runner: exec failed\n";
  WriteAll(2, kMsg, sizeof(kMsg) - 1);
  ::_exit(127);
}

std::string ReadTail(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  struct stat st;
  std::string out;
  if (::fstat(fd, &st) == 0) {
    const off_t start = st.st_size > static_cast<off_t>(kStderrTailBytes)
                            ? st.st_size - static_cast<off_t>(kStderrTailBytes)
                            : 0;
    out.resize(static_cast<size_t>(st.st_size - start));
    const ssize_t n = ::pread(fd, out.data(), out.size(), start);
    out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  ::close(fd);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

double Seconds(const struct timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

std::string FormatSeconds(double s) { return absl::StrFormat("%g", s); }

}  // namespace

std::string SignalName(int sig) {
  switch (sig) {
    case SIGKILL: return "SIGKILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGXCPU: return "SIGXCPU";
    case SIGTERM: return "SIGTERM";
    case SIGPIPE: return "SIGPIPE";
    case SIGINT: return "SIGINT";
    case SIGTRAP: return "SIGTRAP";
    case SIGSYS: return "SIGSYS";
  }
  return absl::StrCat("signal ", sig);
}

absl::StatusOr<ChildOutcome> RunPipelineChild(const std::string& runner_path,
                                              const RunnerRequest& request,
                                              const ChildLimits& limits,
                                              const std::string& log_path,
                                              const ChildCallbacks& callbacks) {
  // A child that dies before reading its request must not kill us with SIGPIPE.
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { ::signal(SIGPIPE, SIG_IGN); });

  const std::string request_frame = EncodeFrame(FrameType::kRequest, EncodeRequest(request));
  int req[2] = {-1, -1};
  int res[2] = {-1, -1};
  if (::pipe2(req, O_CLOEXEC) != 0) return Errno("pipe");
  if (::pipe2(res, O_CLOEXEC) != 0) {
    CloseFd(req[0]);
    CloseFd(req[1]);
    return Errno("pipe");
  }
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    absl::Status s = Errno(absl::StrCat("open ", log_path));
    for (int* fd : {&req[0], &req[1], &res[0], &res[1]}) CloseFd(*fd);
    return s;
  }
  ExecPlan plan;
  plan.argv[0] = runner_path.c_str();
  plan.argv[1] = "--result-fd";
  plan.argv[2] = "3";
  plan.argv[3] = nullptr;
  plan.envp[0] = "PATH=/usr/local/bin:/usr/bin:/bin";
  plan.envp[1] = "MALLOC_ARENA_MAX=2";
  plan.envp[2] = "LC_ALL=C";
  plan.envp[3] = nullptr;
  plan.request_fd = req[0];
  plan.result_fd = res[1];
  plan.log_fd = log_fd;
  plan.parent = ::getpid();
  plan.limits = limits;

  const Clock::time_point start = Clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    absl::Status s = Errno("fork");
    for (int* fd : {&req[0], &req[1], &res[0], &res[1], &log_fd}) CloseFd(*fd);
    return s;
  }
  if (pid == 0) ChildAfterFork(plan);
  // The child calls setpgid itself; doing it here too closes the race with an early kill(-pid).
  ::setpgid(pid, pid);
  CloseFd(req[0]);
  CloseFd(res[1]);
  CloseFd(log_fd);
  ::fcntl(req[1], F_SETFL, ::fcntl(req[1], F_GETFL) | O_NONBLOCK);

  enum class KillReason { kNone, kStop, kWall, kProtocol };
  KillReason kill_reason = KillReason::kNone;
  auto kill_child = [&](KillReason why) {
    if (kill_reason != KillReason::kNone) return;
    kill_reason = why;
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  };

  FrameDecoder decoder;
  std::optional<RunnerResult> result;
  std::optional<RunnerError> error;
  std::string protocol_error;
  size_t request_written = 0;
  bool eof = false;
  bool reaped = false;
  int status = 0;
  struct rusage usage;
  std::memset(&usage, 0, sizeof(usage));
  std::optional<Clock::time_point> reaped_at;
  std::string buf(64 * 1024, '\0');

  auto handle_frame = [&](Frame& f) {
    if (result || error) {
      protocol_error = "frame after the final result";
      return;
    }
    switch (f.type) {
      case FrameType::kProgress: {
        auto p = DecodeProgress(f.payload);
        if (!p.ok()) {
          protocol_error = std::string(p.status().message());
          return;
        }
        if (p->message.size() > 1024) p->message.resize(1024);
        if (p->pass.size() > 128) p->pass.resize(128);
        if (callbacks.on_progress) callbacks.on_progress(*p);
        return;
      }
      case FrameType::kResult: {
        auto r = DecodeResult(f.payload);
        if (!r.ok()) {
          protocol_error = std::string(r.status().message());
          return;
        }
        if (r->output_path != request.output_path) {
          protocol_error = absl::StrCat("result names output '", r->output_path.substr(0, 256),
                                        "', expected '", request.output_path, "'");
          return;
        }
        result = std::move(*r);
        return;
      }
      case FrameType::kError: {
        auto e = DecodeError(f.payload);
        if (!e.ok()) {
          protocol_error = std::string(e.status().message());
          return;
        }
        if (e->message.size() > 4096) e->message.resize(4096);
        error = std::move(*e);
        return;
      }
      case FrameType::kRequest:
        protocol_error = "unexpected request frame from the child";
        return;
    }
  };

  while (!(reaped && eof)) {
    const Clock::time_point now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    if (!reaped) {
      if (callbacks.should_stop && callbacks.should_stop()) kill_child(KillReason::kStop);
      if (limits.wall_seconds > 0 && elapsed >= limits.wall_seconds) kill_child(KillReason::kWall);
    } else if (!eof) {
      // The child is gone but someone (a grandchild) still holds the pipe: kill the group and
      // give up on the stream after a short drain.
      ::kill(-pid, SIGKILL);
      if (std::chrono::duration<double>(now - *reaped_at).count() > kDrainSeconds) {
        eof = true;
        break;
      }
    }
    int timeout_ms = kPollMs;
    if (limits.wall_seconds > 0 && !reaped) {
      const double left_ms = (limits.wall_seconds - elapsed) * 1000.0;
      timeout_ms = std::clamp(static_cast<int>(left_ms) + 1, 1, kPollMs);
    }
    if (eof) timeout_ms = 20;  // only waiting for the exit status
    struct pollfd fds[2];
    int nfds = 0;
    int result_index = -1, request_index = -1;
    if (!eof) {
      result_index = nfds;
      fds[nfds++] = {res[0], POLLIN, 0};
    }
    if (req[1] >= 0) {
      request_index = nfds;
      fds[nfds++] = {req[1], POLLOUT, 0};
    }
    const int ready = ::poll(fds, static_cast<nfds_t>(nfds), timeout_ms);
    if (ready < 0 && errno != EINTR) {
      kill_child(KillReason::kProtocol);
      protocol_error = absl::StrCat("poll: ", std::strerror(errno));
    }
    if (ready > 0 && request_index >= 0 && fds[request_index].revents != 0) {
      if (fds[request_index].revents & (POLLERR | POLLHUP)) {
        CloseFd(req[1]);  // the child closed its stdin or died
      } else {
        const ssize_t n = ::write(req[1], request_frame.data() + request_written,
                                  request_frame.size() - request_written);
        if (n > 0) request_written += static_cast<size_t>(n);
        if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
            request_written == request_frame.size()) {
          CloseFd(req[1]);
        }
      }
    }
    if (ready > 0 && result_index >= 0 && fds[result_index].revents != 0) {
      const ssize_t n = ::read(res[0], buf.data(), buf.size());
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        eof = true;
      } else if (n > 0 && protocol_error.empty()) {
        decoder.Append(std::string_view(buf.data(), static_cast<size_t>(n)));
        while (protocol_error.empty()) {
          absl::StatusOr<std::optional<Frame>> f = decoder.Next();
          if (!f.ok()) {
            protocol_error = std::string(f.status().message());
            break;
          }
          if (!f->has_value()) break;
          handle_frame(**f);
        }
        if (!protocol_error.empty()) kill_child(KillReason::kProtocol);
      }
    }
    if (!reaped) {
      const pid_t r = ::wait4(pid, &status, WNOHANG, &usage);
      if (r == pid) {
        reaped = true;
        reaped_at = Clock::now();
        ::kill(-pid, SIGKILL);  // stragglers in the child's group
      }
    }
  }
  CloseFd(req[1]);
  CloseFd(res[0]);
  if (!reaped) {
    // Only reached through the drain timeout above, after which the child is reaped already;
    // kept for safety.
    ::kill(-pid, SIGKILL);
    ::wait4(pid, &status, 0, &usage);
  }

  ChildOutcome out;
  out.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  out.cpu_seconds = Seconds(usage.ru_utime) + Seconds(usage.ru_stime);
  out.stderr_tail = ReadTail(log_path);
  if (WIFEXITED(status)) out.exit_status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) out.term_signal = WTERMSIG(status);
  const std::string sig_text =
      absl::StrCat("signal ", out.term_signal, " (", SignalName(out.term_signal), ")");

  if (kill_reason == KillReason::kStop) {
    out.kind = ChildOutcome::Kind::kStopped;
    out.message = absl::StrCat("pipeline child stopped after ", FormatSeconds(out.wall_seconds),
                               " s (cancelled, lease lost or worker shutting down)");
    return out;
  }
  if (kill_reason == KillReason::kWall) {
    out.kind = ChildOutcome::Kind::kResourceLimit;
    out.message = absl::StrCat("pipeline child killed by signal ", SIGKILL, " (SIGKILL) after "
                               "exceeding ", FormatSeconds(limits.wall_seconds), " s wall time");
    return out;
  }
  if (!protocol_error.empty()) {
    out.kind = ChildOutcome::Kind::kProtocolError;
    out.message = absl::StrCat("pipeline child sent malformed output: ", protocol_error);
    return out;
  }
  if (out.term_signal != 0) {
    const bool cpu_limit = limits.cpu_seconds > 0 &&
                           (out.term_signal == SIGXCPU ||
                            (out.term_signal == SIGKILL &&
                             out.cpu_seconds + 0.5 >= static_cast<double>(limits.cpu_seconds)));
    if (cpu_limit) {
      out.kind = ChildOutcome::Kind::kResourceLimit;
      out.message = absl::StrCat("pipeline child killed by ", sig_text, " after exceeding ",
                                 limits.cpu_seconds, " s CPU time");
    } else {
      out.kind = ChildOutcome::Kind::kCrashed;
      out.message = absl::StrCat("pipeline child killed by ", sig_text, " after ",
                                 FormatSeconds(out.wall_seconds), " s");
    }
    return out;
  }
  if (out.exit_status == kRunnerExitOutOfMemory) {
    out.kind = ChildOutcome::Kind::kResourceLimit;
    out.message = absl::StrCat("pipeline child ran out of memory (limit ",
                               limits.memory_bytes > 0
                                   ? absl::StrCat(limits.memory_bytes >> 20, " MiB address space")
                                   : std::string("none set"),
                               ")");
    return out;
  }
  if (result && out.exit_status == 0) {
    out.kind = ChildOutcome::Kind::kSucceeded;
    out.result = std::move(*result);
    return out;
  }
  if (error) {
    out.kind = ChildOutcome::Kind::kPipelineError;
    out.pipeline_status =
        absl::Status(static_cast<absl::StatusCode>(error->code), error->message);
    out.message = error->message;
    return out;
  }
  if (absl::Status s = decoder.Finish(); !s.ok()) {
    out.kind = ChildOutcome::Kind::kProtocolError;
    out.message = absl::StrCat("pipeline child sent malformed output: ", s.message());
    return out;
  }
  out.kind = ChildOutcome::Kind::kCrashed;
  out.message = absl::StrCat("pipeline child exited with status ", out.exit_status,
                             result ? " after sending a result" : " without a result");
  return out;
}

}  // namespace compressd::worker
