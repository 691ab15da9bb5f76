// A fixed pool of threads running queued closures in FIFO order: where the transport puts work
// that may block (SQLite commits with fsync, file writes, model validation) so that gRPC's own
// threads never wait on it.
//
// Thread safety: Submit may be called from any thread, including from inside a task.
#ifndef COMPRESSD_SERVER_UTIL_EXECUTOR_H_
#define COMPRESSD_SERVER_UTIL_EXECUTOR_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace compressd::server {

class Executor {
 public:
  explicit Executor(int num_threads);
  // Runs every task already submitted, then joins the threads.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `task`. After Shutdown() began, tasks still run (inline on the caller's thread), so a
  // submitted completion is never lost.
  void Submit(std::function<void()> task);

  // Stops accepting new queued work, runs what is queued and joins. Idempotent.
  void Shutdown();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stop_ = false;                        // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_UTIL_EXECUTOR_H_
