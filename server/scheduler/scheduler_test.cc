#include "server/scheduler/scheduler.h"

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/mock_job_store.h"
#include "server/store/sqlite_job_store.h"
#include "server/util/time_util.h"

namespace compressd::server {
namespace {

using ::testing::HasSubstr;

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/scheduler_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = std::move(SqliteJobStore::Open(dir_ + "/db").value());
    options_.max_attempts = 3;
    options_.lease_duration = absl::Seconds(30);
    options_.backoff_initial = absl::Seconds(1);
    options_.backoff_max = absl::Seconds(60);
    sched_ = std::make_unique<Scheduler>(store_.get(), &clock_, options_, nullptr);
  }
  void TearDown() override {
    sched_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string Submit(const std::string& tenant, int priority = 0,
                     std::vector<v1::EvaluationTarget> targets = {}) {
    JobRecord r;
    r.job.set_job_id("j-" + std::to_string(++next_));
    r.job.set_tenant(tenant);
    r.job.set_model_id(std::string(64, 'a'));
    r.job.set_priority(priority);
    r.job.mutable_spec()->add_passes()->mutable_quantize()->set_mode(
        v1::QUANTIZATION_MODE_DYNAMIC);
    for (auto t : targets) r.job.mutable_spec()->add_evaluation_targets(t);
    *r.job.mutable_create_time() = ToProtoTime(clock_.Now());
    r.request_fingerprint = "fp" + std::to_string(next_);
    auto res = sched_->Submit(std::move(r), {});
    EXPECT_TRUE(res.ok()) << res.status();
    return res->record.job.job_id();
  }

  // Leases with no wait; returns the leased record or nullopt.
  std::optional<JobRecord> LeaseNow(const std::string& worker = "w1", uint32_t mask = 0) {
    std::optional<JobRecord> got;
    bool called = false;
    WorkerInfo w{worker, mask, 0};
    sched_->LeaseAsync(w, clock_.Now(), [&](absl::StatusOr<std::optional<JobRecord>> r) {
      called = true;
      EXPECT_TRUE(r.ok()) << r.status();
      if (r.ok()) got = *r;
    });
    EXPECT_TRUE(called) << "a zero-wait lease must answer at once";
    return got;
  }

  v1::JobState StoredState(const std::string& id) { return store_->GetJob(id)->job.state(); }

  std::string dir_;
  FakeClock clock_;
  SchedulerOptions options_;
  std::unique_ptr<SqliteJobStore> store_;
  std::unique_ptr<Scheduler> sched_;
  int next_ = 0;
};

TEST_F(SchedulerTest, LeaseRunsJobsByPriorityAndPersistsRunning) {
  const std::string low = Submit("a", 0);
  const std::string high = Submit("a", 7);
  auto first = LeaseNow();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->job.job_id(), high);
  EXPECT_EQ(first->job.attempt(), 1u);
  EXPECT_EQ(first->job.state(), v1::JOB_STATE_RUNNING);
  EXPECT_EQ(first->lease_deadline, clock_.Now() + absl::Seconds(30));
  EXPECT_EQ(StoredState(high), v1::JOB_STATE_RUNNING);
  EXPECT_EQ(store_->GetJob(high)->worker_id, "w1");
  auto second = LeaseNow();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->job.job_id(), low);
  EXPECT_FALSE(LeaseNow().has_value());
  EXPECT_EQ(sched_->QueueDepth(), 0);
}

TEST_F(SchedulerTest, WaitingWorkerGetsJobOnSubmitAndWaitTimesOut) {
  std::optional<JobRecord> got;
  int calls = 0;
  sched_->LeaseAsync({"w1", 0, 0}, clock_.Now() + absl::Seconds(10),
                     [&](absl::StatusOr<std::optional<JobRecord>> r) {
                       ++calls;
                       ASSERT_TRUE(r.ok());
                       got = *r;
                     });
  EXPECT_EQ(calls, 0);
  const std::string id = Submit("a");
  EXPECT_EQ(calls, 1);  // delivered during Submit, after the lease was persisted
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->job.job_id(), id);

  // A second wait ends empty at its deadline.
  bool timed_out = false;
  sched_->LeaseAsync({"w2", 0, 0}, clock_.Now() + absl::Seconds(5),
                     [&](absl::StatusOr<std::optional<JobRecord>> r) {
                       timed_out = r.ok() && !r->has_value();
                     });
  clock_.Advance(absl::Seconds(4));
  sched_->ProcessTimers();
  EXPECT_FALSE(timed_out);
  clock_.Advance(absl::Seconds(1));
  sched_->ProcessTimers();
  EXPECT_TRUE(timed_out);
}

TEST_F(SchedulerTest, CancelWaitEndsWithCancelled) {
  absl::StatusCode code = absl::StatusCode::kOk;
  const uint64_t id = sched_->LeaseAsync({"w1", 0, 0}, clock_.Now() + absl::Seconds(10),
                                         [&](absl::StatusOr<std::optional<JobRecord>> r) {
                                           code = r.status().code();
                                         });
  sched_->CancelWait(id);
  EXPECT_EQ(code, absl::StatusCode::kCancelled);
  // The job submitted afterwards stays queued for someone else.
  Submit("a");
  EXPECT_EQ(sched_->QueueDepth(), 1);
}

TEST_F(SchedulerTest, WorkersLeaseOnlyJobsTheyCanEvaluate) {
  const std::string arm = Submit("a", 5, {v1::EVALUATION_TARGET_AARCH64});
  const std::string host = Submit("a", 0);
  auto got = LeaseNow("host-only");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->job.job_id(), host);
  EXPECT_FALSE(LeaseNow("host-only").has_value());
  const uint32_t both = (1u << v1::EVALUATION_TARGET_HOST) | (1u << v1::EVALUATION_TARGET_AARCH64);
  got = LeaseNow("arm", both);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->job.job_id(), arm);
}

TEST_F(SchedulerTest, HeartbeatExtendsLeaseAndRecordsProgress) {
  const std::string id = Submit("a");
  auto lease = LeaseNow();
  clock_.Advance(absl::Seconds(20));
  v1::Progress progress;
  progress.set_pass_name("quantize");
  progress.set_fraction(0.5);
  auto hb = sched_->Heartbeat(id, 1, "w1", progress);
  ASSERT_TRUE(hb.ok()) << hb.status();
  EXPECT_EQ(hb->action, v1::HEARTBEAT_ACTION_CONTINUE);
  EXPECT_EQ(hb->deadline, clock_.Now() + absl::Seconds(30));
  EXPECT_DOUBLE_EQ(store_->GetJob(id)->job.progress().fraction(), 0.5);
  EXPECT_EQ(store_->GetJob(id)->lease_deadline, clock_.Now() + absl::Seconds(30));
  // 20 s later the original deadline (t0 + 30) has passed but the extended one has not.
  clock_.Advance(absl::Seconds(20));
  sched_->ProcessTimers();
  EXPECT_EQ(StoredState(id), v1::JOB_STATE_RUNNING);
  // Wrong attempt or worker: ABORT.
  EXPECT_EQ(sched_->Heartbeat(id, 2, "w1", progress)->action, v1::HEARTBEAT_ACTION_ABORT);
  EXPECT_EQ(sched_->Heartbeat(id, 1, "w9", progress)->action, v1::HEARTBEAT_ACTION_ABORT);
}

TEST_F(SchedulerTest, ExpiredLeaseRequeuesWithBackoffAndFencesTheOldAttempt) {
  const std::string id = Submit("a");
  ASSERT_TRUE(LeaseNow("w1").has_value());
  clock_.Advance(absl::Seconds(31));
  sched_->ProcessTimers();
  auto rec = store_->GetJob(id);
  EXPECT_EQ(rec->job.state(), v1::JOB_STATE_QUEUED);
  ASSERT_EQ(rec->job.attempts_size(), 1);
  EXPECT_EQ(rec->job.attempts(0).failure_kind(), v1::FAILURE_KIND_LEASE_EXPIRED);
  EXPECT_EQ(FromProtoTime(rec->job.not_before_time()), clock_.Now() + absl::Seconds(1));
  // Back-off: not leasable yet.
  EXPECT_FALSE(LeaseNow("w2").has_value());
  clock_.Advance(absl::Seconds(1));
  sched_->ProcessTimers();
  auto second = LeaseNow("w2");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->job.attempt(), 2u);
  // The first worker comes back: it can neither heartbeat nor complete.
  EXPECT_EQ(sched_->Heartbeat(id, 1, "w1", {})->action, v1::HEARTBEAT_ACTION_ABORT);
  auto stale = sched_->Complete(id, 1, "w1", {}, {});
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(std::string(stale.status().message()), HasSubstr("attempt 1"));
  EXPECT_EQ(sched_->CheckLease(id, 1).status().code(), absl::StatusCode::kAborted);
  // The second attempt completes, once; a repeat is OK, a stale one still ABORTED.
  v1::ArtifactRef art;
  art.set_kind(v1::ARTIFACT_KIND_MODEL);
  art.set_size_bytes(10);
  auto done = sched_->Complete(id, 2, "w2", {art}, {});
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(StoredState(id), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(store_->GetJob(id)->job.artifacts_size(), 1);
  EXPECT_TRUE(sched_->Complete(id, 2, "w2", {art}, {}).ok());
  EXPECT_EQ(sched_->Complete(id, 1, "w1", {}, {}).status().code(), absl::StatusCode::kAborted);
}

TEST_F(SchedulerTest, BackoffDoubles) {
  options_.max_attempts = 5;
  sched_ = std::make_unique<Scheduler>(store_.get(), &clock_, options_, nullptr);
  const std::string id = Submit("a");
  absl::Duration expected = absl::Seconds(1);
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_TRUE(LeaseNow().has_value()) << attempt;
    ASSERT_EQ(sched_->Fail(id, attempt, "w1", v1::FAILURE_KIND_INTERNAL, "io", true).value(),
              v1::JOB_STATE_QUEUED);
    EXPECT_EQ(FromProtoTime(store_->GetJob(id)->job.not_before_time()), clock_.Now() + expected);
    clock_.Advance(expected);
    sched_->ProcessTimers();
    expected *= 2;
  }
}

TEST_F(SchedulerTest, FailsAfterMaxAttemptsWithEveryReason) {
  const std::string id = Submit("a");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto lease = LeaseNow("w" + std::to_string(attempt));
    ASSERT_TRUE(lease.has_value()) << attempt;
    EXPECT_EQ(lease->job.attempt(), static_cast<uint32_t>(attempt));
    if (attempt == 2) {
      ASSERT_EQ(sched_->Fail(id, 2, "w2", v1::FAILURE_KIND_CRASHED, "child killed by SIGSEGV",
                             true).value(),
                v1::JOB_STATE_QUEUED);
    } else {
      clock_.Advance(absl::Seconds(31));
      sched_->ProcessTimers();
    }
    clock_.Advance(absl::Seconds(60));
    sched_->ProcessTimers();
  }
  auto rec = store_->GetJob(id);
  EXPECT_EQ(rec->job.state(), v1::JOB_STATE_FAILED);
  EXPECT_EQ(rec->job.failure_kind(), v1::FAILURE_KIND_LEASE_EXPIRED);
  const std::string msg = rec->job.failure_message();
  EXPECT_THAT(msg, HasSubstr("failed after 3 attempts"));
  EXPECT_THAT(msg, HasSubstr("attempt 1 (worker w1): FAILURE_KIND_LEASE_EXPIRED"));
  EXPECT_THAT(msg, HasSubstr("attempt 2 (worker w2): FAILURE_KIND_CRASHED: child killed by SIGSEGV"));
  EXPECT_THAT(msg, HasSubstr("attempt 3 (worker w3): FAILURE_KIND_LEASE_EXPIRED"));
  EXPECT_FALSE(LeaseNow().has_value());
}

TEST_F(SchedulerTest, PermanentFailureIsNotRetried) {
  const std::string id = Submit("a");
  ASSERT_TRUE(LeaseNow().has_value());
  auto state = sched_->Fail(id, 1, "w1", v1::FAILURE_KIND_INVALID_INPUT, "bad model",
                            /*retryable=*/true);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, v1::JOB_STATE_FAILED);
  EXPECT_EQ(store_->GetJob(id)->job.failure_kind(), v1::FAILURE_KIND_INVALID_INPUT);
  // Repeating the same FailJob is idempotent.
  EXPECT_EQ(sched_->Fail(id, 1, "w1", v1::FAILURE_KIND_INVALID_INPUT, "bad model", true).value(),
            v1::JOB_STATE_FAILED);
}

TEST_F(SchedulerTest, CancelQueuedAndRunningJobs) {
  const std::string queued = Submit("a");
  auto c = sched_->Cancel(queued, "not needed");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->state(), v1::JOB_STATE_CANCELLED);
  EXPECT_EQ(c->failure_message(), "cancelled: not needed");
  EXPECT_EQ(StoredState(queued), v1::JOB_STATE_CANCELLED);
  EXPECT_FALSE(LeaseNow().has_value());
  // Cancelling again returns it unchanged.
  EXPECT_EQ(sched_->Cancel(queued, "")->state(), v1::JOB_STATE_CANCELLED);

  const std::string running = Submit("a");
  ASSERT_TRUE(LeaseNow().has_value());
  ASSERT_TRUE(sched_->Cancel(running, "").ok());
  EXPECT_EQ(sched_->Heartbeat(running, 1, "w1", {})->action, v1::HEARTBEAT_ACTION_CANCEL);
  EXPECT_EQ(sched_->Complete(running, 1, "w1", {}, {}).status().code(),
            absl::StatusCode::kFailedPrecondition);

  const std::string done = Submit("a");
  ASSERT_TRUE(LeaseNow().has_value());
  ASSERT_TRUE(sched_->Complete(done, 1, "w1", {}, {}).ok());
  EXPECT_EQ(sched_->Cancel(done, "").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(sched_->Cancel("j-missing", "").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SchedulerTest, WatchSeesEveryTransitionInOrder) {
  const std::string id = Submit("a");
  std::vector<v1::JobState> seen;
  auto w = sched_->Watch(id, [&](const v1::Job& job) { seen.push_back(job.state()); });
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->second.state(), v1::JOB_STATE_QUEUED);
  ASSERT_TRUE(LeaseNow().has_value());
  ASSERT_TRUE(sched_->Heartbeat(id, 1, "w1", {}).ok());
  ASSERT_TRUE(sched_->Complete(id, 1, "w1", {}, {}).ok());
  EXPECT_THAT(seen, ::testing::ElementsAre(v1::JOB_STATE_RUNNING, v1::JOB_STATE_RUNNING,
                                           v1::JOB_STATE_SUCCEEDED));
  sched_->Unwatch(w->first);
}

TEST_F(SchedulerTest, RecoverRestoresQueueAndRunningLeasesAfterRestart) {
  const std::string running = Submit("a");
  ASSERT_TRUE(LeaseNow("w1").has_value());
  const std::string queued = Submit("a");
  // "Crash": drop the scheduler without any shutdown step; the store is all that remains.
  sched_.reset();
  clock_.Advance(absl::Seconds(100));  // longer than the lease
  sched_ = std::make_unique<Scheduler>(store_.get(), &clock_, options_, nullptr);
  ASSERT_TRUE(sched_->Recover().ok());
  // The surviving worker may still heartbeat: running leases get a fresh grace period.
  EXPECT_EQ(sched_->Heartbeat(running, 1, "w1", {})->action, v1::HEARTBEAT_ACTION_CONTINUE);
  auto next = LeaseNow("w2");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->job.job_id(), queued);
  EXPECT_FALSE(LeaseNow("w2").has_value());
}

TEST_F(SchedulerTest, StoreFailureIsNotAcknowledged) {
  ::testing::NiceMock<MockJobStore> mock;
  Scheduler sched(&mock, &clock_, options_, nullptr);
  JobRecord r;
  r.job.set_job_id("j-x");
  r.job.set_tenant("a");
  EXPECT_CALL(mock, CreateJob)
      .WillOnce([](const JobRecord& rec, const CreateJobOptions&) -> absl::StatusOr<CreateJobResult> {
        return CreateJobResult{rec, true};
      });
  ASSERT_TRUE(sched.Submit(r, {}).ok());
  // Persisting the lease fails: the waiting worker is not told about a lease.
  EXPECT_CALL(mock, UpdateJob).WillOnce(::testing::Return(absl::UnavailableError("disk busy")));
  bool called = false;
  sched.LeaseAsync({"w1", 0, 0}, clock_.Now() + absl::Seconds(5),
                   [&](absl::StatusOr<std::optional<JobRecord>>) { called = true; });
  EXPECT_FALSE(called);
  EXPECT_EQ(sched.QueueDepth(), 1);  // still queued
  // The next attempt to persist succeeds and the waiter gets the job.
  EXPECT_CALL(mock, UpdateJob).WillOnce(::testing::Return(absl::OkStatus()));
  sched.ProcessTimers();
  EXPECT_TRUE(called);
  sched.Stop();
}

TEST_F(SchedulerTest, LongPollWakesWithinMillisecondsOfSubmit) {
  sched_ = std::make_unique<Scheduler>(store_.get(), RealClock::Get(), options_, nullptr);
  sched_->Start();
  std::promise<std::chrono::steady_clock::time_point> woke;
  sched_->LeaseAsync({"w1", 0, 0}, absl::Now() + absl::Seconds(10),
                     [&](absl::StatusOr<std::optional<JobRecord>> r) {
                       woke.set_value(std::chrono::steady_clock::now());
                     });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto submitted = std::chrono::steady_clock::now();
  JobRecord r;
  r.job.set_job_id("j-fast");
  r.job.set_tenant("a");
  ASSERT_TRUE(sched_->Submit(r, {}).ok());
  auto f = woke.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  const auto latency =
      std::chrono::duration_cast<std::chrono::milliseconds>(f.get() - submitted).count();
  EXPECT_LT(latency, 100);  // two fsynced commits; typically a few ms
  sched_->Stop();
}

TEST_F(SchedulerTest, StopEndsWaitsWithUnavailable) {
  absl::StatusCode code = absl::StatusCode::kOk;
  sched_->LeaseAsync({"w1", 0, 0}, clock_.Now() + absl::Seconds(10),
                     [&](absl::StatusOr<std::optional<JobRecord>> r) { code = r.status().code(); });
  sched_->Stop();
  EXPECT_EQ(code, absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace compressd::server
