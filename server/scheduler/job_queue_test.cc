#include "server/scheduler/job_queue.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::server {
namespace {

QueueEntry E(const std::string& id, const std::string& tenant, int priority, int64_t seq,
             uint32_t mask = 2) {
  QueueEntry e;
  e.job_id = id;
  e.tenant = tenant;
  e.priority = priority;
  e.seq = seq;
  e.target_mask = mask;
  return e;
}

std::vector<std::string> Drain(JobQueue& q) {
  std::vector<std::string> out;
  while (auto e = q.PopNext([](const QueueEntry&) { return true; })) out.push_back(e->job_id);
  return out;
}

TEST(JobQueueTest, HigherPriorityFirstThenFifo) {
  JobQueue q;
  q.Push(E("a1", "a", 0, 1));
  q.Push(E("a2", "a", 5, 2));
  q.Push(E("a3", "a", 0, 3));
  q.Push(E("a4", "a", 5, 4));
  EXPECT_EQ(q.size(), 4u);
  EXPECT_THAT(Drain(q), ::testing::ElementsAre("a2", "a4", "a1", "a3"));
  EXPECT_EQ(q.size(), 0u);
}

TEST(JobQueueTest, TenantsTakeTurnsAtEqualPriority) {
  JobQueue q;
  for (int i = 0; i < 1000; ++i) q.Push(E("a" + std::to_string(i), "a", 0, i + 1));
  q.Push(E("b0", "b", 0, 5000));
  q.Push(E("c0", "c", 0, 5001));
  q.Push(E("b1", "b", 0, 5002));
  std::vector<std::string> order = Drain(q);
  ASSERT_EQ(order.size(), 1003u);
  // Round-robin a, b, c, a, b, a, a, ...: the single jobs of b and c do not wait for a's 1000.
  EXPECT_THAT(std::vector<std::string>(order.begin(), order.begin() + 6),
              ::testing::ElementsAre("a0", "b0", "c0", "a1", "b1", "a2"));
  EXPECT_EQ(order.back(), "a999");
}

TEST(JobQueueTest, PriorityBeatsFairness) {
  JobQueue q;
  q.Push(E("a0", "a", 0, 1));
  q.Push(E("b0", "b", 9, 2));
  q.Push(E("b1", "b", 9, 3));
  EXPECT_THAT(Drain(q), ::testing::ElementsAre("b0", "b1", "a0"));
}

TEST(JobQueueTest, IneligibleEntriesKeepTheirPlace) {
  JobQueue q;
  q.Push(E("arm", "a", 0, 1, /*mask=*/4));
  q.Push(E("host", "a", 0, 2, /*mask=*/2));
  auto e = q.PopNext([](const QueueEntry& x) { return (x.target_mask & ~2u) == 0; });
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->job_id, "host");
  EXPECT_FALSE(q.PopNext([](const QueueEntry& x) { return (x.target_mask & ~2u) == 0; }));
  EXPECT_TRUE(q.Contains("arm"));
  EXPECT_THAT(Drain(q), ::testing::ElementsAre("arm"));
}

TEST(JobQueueTest, RemoveDropsTheEntry) {
  JobQueue q;
  q.Push(E("a", "t", 0, 1));
  q.Push(E("b", "t", 0, 2));
  EXPECT_TRUE(q.Remove("a"));
  EXPECT_FALSE(q.Remove("a"));
  EXPECT_THAT(Drain(q), ::testing::ElementsAre("b"));
}

}  // namespace
}  // namespace compressd::server
