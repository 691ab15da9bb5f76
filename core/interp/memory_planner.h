// Offline placement of activation buffers in one arena.
//
// Each buffer has a size and a lifetime [first_step, last_step] (operator indices, inclusive).
// Buffers whose lifetimes overlap never share bytes. Placement is greedy by size, as TFLite's
// arena planner does: largest buffer first, each at the lowest aligned offset that fits between the
// already placed buffers it overlaps in time.
//
// Thread-compatible value type.
#ifndef COMPRESSD_CORE_INTERP_MEMORY_PLANNER_H_
#define COMPRESSD_CORE_INTERP_MEMORY_PLANNER_H_

#include <cstdint>
#include <vector>

namespace compressd::interp {

struct BufferRequest {
  int64_t size = 0;  // bytes
  int first_step = 0;
  int last_step = 0;
};

struct MemoryPlan {
  std::vector<int64_t> offsets;  // one per request, multiples of `alignment`
  int64_t arena_bytes = 0;       // end of the highest placed buffer
  // The largest total (aligned) size of buffers alive at one step: no plan can use less.
  int64_t lower_bound_bytes = 0;
};

MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests, int64_t alignment = 64);

}  // namespace compressd::interp

#endif  // COMPRESSD_CORE_INTERP_MEMORY_PLANNER_H_
