#include "server/scheduler/job_queue.h"

#include <algorithm>
#include <utility>

namespace compressd::server {

void JobQueue::Push(QueueEntry entry) {
  Level& level = levels_[entry.priority];
  auto& tenant_jobs = level.by_tenant[entry.tenant];
  if (tenant_jobs.empty()) level.turn.push_back(entry.tenant);
  index_[entry.job_id] = Where{entry.priority, entry.tenant, entry.seq};
  const int64_t seq = entry.seq;
  tenant_jobs.emplace(seq, std::move(entry));
}

void JobQueue::EraseAt(const Where& where) {
  auto level_it = levels_.find(where.priority);
  if (level_it == levels_.end()) return;
  Level& level = level_it->second;
  auto tenant_it = level.by_tenant.find(where.tenant);
  if (tenant_it == level.by_tenant.end()) return;
  tenant_it->second.erase(where.seq);
  if (tenant_it->second.empty()) {
    level.by_tenant.erase(tenant_it);
    level.turn.erase(std::remove(level.turn.begin(), level.turn.end(), where.tenant),
                     level.turn.end());
  }
  if (level.by_tenant.empty()) levels_.erase(level_it);
}

bool JobQueue::Remove(const std::string& job_id) {
  auto it = index_.find(job_id);
  if (it == index_.end()) return false;
  const Where where = it->second;
  index_.erase(it);
  EraseAt(where);
  return true;
}

std::optional<QueueEntry> JobQueue::PopNext(
    const std::function<bool(const QueueEntry&)>& eligible) {
  for (auto& [priority, level] : levels_) {
    for (size_t i = 0; i < level.turn.size(); ++i) {
      const std::string tenant = level.turn[i];
      auto& jobs = level.by_tenant[tenant];
      for (auto it = jobs.begin(); it != jobs.end(); ++it) {
        if (!eligible(it->second)) continue;
        QueueEntry entry = std::move(it->second);
        jobs.erase(it);
        index_.erase(entry.job_id);
        // This tenant had its turn: it goes to the back.
        level.turn.erase(level.turn.begin() + static_cast<std::ptrdiff_t>(i));
        if (jobs.empty()) {
          level.by_tenant.erase(tenant);
        } else {
          level.turn.push_back(tenant);
        }
        if (level.by_tenant.empty()) {
          const int p = priority;  // the key dies with the element
          levels_.erase(p);
        }
        return entry;
      }
    }
  }
  return std::nullopt;
}

}  // namespace compressd::server
