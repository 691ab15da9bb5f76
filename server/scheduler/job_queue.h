// The in-memory queue of jobs ready to run: highest priority first; at equal priority, tenants
// take turns (round-robin, so one tenant's thousand jobs do not starve another's one); within a
// tenant, submission order (FIFO by seq).
//
// Not thread-safe: the Scheduler guards it with its mutex.
#ifndef COMPRESSD_SERVER_SCHEDULER_JOB_QUEUE_H_
#define COMPRESSD_SERVER_SCHEDULER_JOB_QUEUE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace compressd::server {

struct QueueEntry {
  std::string job_id;
  std::string tenant;
  int priority = 0;
  int64_t seq = 0;
  // Bit (1 << EvaluationTarget) for each target the job evaluates on.
  uint32_t target_mask = 0;
  uint64_t memory_bytes = 0;
};

class JobQueue {
 public:
  // Adds an entry (job_id must not be queued already).
  void Push(QueueEntry entry);
  // Removes a job; false when it was not queued.
  bool Remove(const std::string& job_id);
  // Removes and returns the next entry for which `eligible` is true, in queue order (see above).
  // Entries that are not eligible keep their place.
  std::optional<QueueEntry> PopNext(const std::function<bool(const QueueEntry&)>& eligible);
  size_t size() const { return index_.size(); }
  bool Contains(const std::string& job_id) const { return index_.contains(job_id); }

 private:
  struct Level {
    std::map<std::string, std::map<int64_t, QueueEntry>> by_tenant;
    std::deque<std::string> turn;  // tenants with entries; front is next
  };
  struct Where {
    int priority;
    std::string tenant;
    int64_t seq;
  };
  void EraseAt(const Where& where);

  std::map<int, Level, std::greater<int>> levels_;
  absl::flat_hash_map<std::string, Where> index_;
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_SCHEDULER_JOB_QUEUE_H_
