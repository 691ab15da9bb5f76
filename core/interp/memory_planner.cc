#include "core/interp/memory_planner.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace compressd::interp {
namespace {

int64_t AlignUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

bool Overlap(const BufferRequest& a, const BufferRequest& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

}  // namespace

MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests, int64_t alignment) {
  MemoryPlan plan;
  const size_t n = requests.size();
  plan.offsets.assign(n, 0);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Largest first; ties by earlier start for stable, reproducible plans.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].size != requests[b].size) return requests[a].size > requests[b].size;
    return requests[a].first_step < requests[b].first_step;
  });
  std::vector<size_t> placed;
  placed.reserve(n);
  std::vector<std::pair<int64_t, int64_t>> busy;  // [begin, end) of overlapping placed buffers
  for (size_t idx : order) {
    const BufferRequest& r = requests[idx];
    const int64_t size = AlignUp(std::max<int64_t>(r.size, 0), alignment);
    busy.clear();
    for (size_t p : placed) {
      if (Overlap(r, requests[p])) {
        busy.emplace_back(plan.offsets[p],
                          plan.offsets[p] + AlignUp(std::max<int64_t>(requests[p].size, 0), alignment));
      }
    }
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (size == 0 || offset + size <= begin) break;
      offset = std::max(offset, end);
    }
    plan.offsets[idx] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + size);
    placed.push_back(idx);
  }
  // Lower bound: the peak of live aligned bytes over time (sweep over step boundaries).
  std::map<int, int64_t> delta;
  for (const BufferRequest& r : requests) {
    const int64_t size = AlignUp(std::max<int64_t>(r.size, 0), alignment);
    delta[r.first_step] += size;
    delta[r.last_step + 1] -= size;
  }
  int64_t live = 0;
  for (const auto& [step, d] : delta) {
    live += d;
    plan.lower_bound_bytes = std::max(plan.lower_bound_bytes, live);
  }
  return plan;
}

}  // namespace compressd::interp
