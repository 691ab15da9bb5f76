#include "core/interp/memory_planner.h"

#include <random>

#include "gtest/gtest.h"

namespace compressd::interp {
namespace {

void ExpectNoConflicts(const std::vector<BufferRequest>& r, const MemoryPlan& p, int64_t align) {
  ASSERT_EQ(p.offsets.size(), r.size());
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(p.offsets[i] % align, 0);
    EXPECT_LE(p.offsets[i] + r[i].size, p.arena_bytes);
    for (size_t j = i + 1; j < r.size(); ++j) {
      const bool time = r[i].first_step <= r[j].last_step && r[j].first_step <= r[i].last_step;
      const bool space = p.offsets[i] < p.offsets[j] + r[j].size &&
                         p.offsets[j] < p.offsets[i] + r[i].size;
      EXPECT_FALSE(time && space && r[i].size > 0 && r[j].size > 0)
          << "buffers " << i << " and " << j << " overlap in time and space";
    }
  }
}

TEST(MemoryPlannerTest, ChainReusesMemory) {
  // a → b → c → d: each buffer lives for two steps; only two are ever alive at once.
  std::vector<BufferRequest> r = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  MemoryPlan p = PlanMemory(r, 64);
  ExpectNoConflicts(r, p, 64);
  EXPECT_EQ(p.lower_bound_bytes, 2 * 1024);
  EXPECT_EQ(p.arena_bytes, 2 * 1024);
}

TEST(MemoryPlannerTest, DisjointLifetimesShareOffsetZero) {
  std::vector<BufferRequest> r = {{500, 0, 0}, {300, 1, 1}, {800, 2, 2}};
  MemoryPlan p = PlanMemory(r, 64);
  EXPECT_EQ(p.offsets[0], 0);
  EXPECT_EQ(p.offsets[1], 0);
  EXPECT_EQ(p.offsets[2], 0);
  EXPECT_EQ(p.arena_bytes, 832);
  EXPECT_EQ(p.lower_bound_bytes, 832);
}

TEST(MemoryPlannerTest, AllAliveNeedsTheSum) {
  std::vector<BufferRequest> r = {{100, 0, 5}, {200, 0, 5}, {300, 0, 5}};
  MemoryPlan p = PlanMemory(r, 1);
  ExpectNoConflicts(r, p, 1);
  EXPECT_EQ(p.arena_bytes, 600);
  EXPECT_EQ(p.lower_bound_bytes, 600);
}

TEST(MemoryPlannerTest, ZeroSizedBuffersAreHarmless) {
  std::vector<BufferRequest> r = {{0, 0, 3}, {128, 1, 2}};
  MemoryPlan p = PlanMemory(r, 64);
  ExpectNoConflicts(r, p, 64);
  EXPECT_EQ(p.arena_bytes, 128);
}

TEST(MemoryPlannerTest, RandomPlansAreValidAndNearTheBound) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<BufferRequest> r;
    const int n = 1 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) {
      const int first = static_cast<int>(rng() % 40);
      r.push_back({static_cast<int64_t>(1 + rng() % 100000), first,
                   first + static_cast<int>(rng() % 6)});
    }
    MemoryPlan p = PlanMemory(r, 64);
    ExpectNoConflicts(r, p, 64);
    EXPECT_GE(p.arena_bytes, p.lower_bound_bytes);
  }
}

}  // namespace
}  // namespace compressd::interp
