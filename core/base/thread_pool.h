// A fixed-size pool of worker threads for data-parallel loops inside one operator.
//
// Determinism contract: ParallelFor splits [0, n) into contiguous chunks; callers must make each
// index's result independent of which thread computes it (no cross-chunk reductions), so results
// are bit-identical for any thread count.
// Thread safety: ParallelFor may be called from one thread at a time (the interpreter's thread).
#ifndef COMPRESSD_CORE_BASE_THREAD_POOL_H_
#define COMPRESSD_CORE_BASE_THREAD_POOL_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace compressd {

class ThreadPool {
 public:
  // num_threads >= 1 counts the calling thread: 1 runs everything inline and starts no thread.
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return num_threads_; }

  // Calls fn(begin, end) for contiguous chunks covering [0, n), each at least `min_chunk` long
  // (except possibly the last), on up to num_threads threads including the caller. Returns when
  // all chunks are done.
  void ParallelFor(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& fn);

 private:
  void WorkerLoop(int worker_index);

  const int num_threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  const std::function<void(int64_t, int64_t)>* task_ = nullptr;  // guarded by mu_
  int64_t task_n_ = 0;
  int64_t chunk_ = 0;
  int64_t num_chunks_ = 0;
  int64_t next_chunk_ = 0;
  int64_t pending_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

}  // namespace compressd

#endif  // COMPRESSD_CORE_BASE_THREAD_POOL_H_
