// The Scheduler owns the job state machine (QUEUED → RUNNING → SUCCEEDED/FAILED/CANCELLED, see
// proto/compressd/v1/job.proto): the ready queue (JobQueue), delayed retries (back-off), leases
// with deadlines extended by heartbeats and fenced by the attempt number, long-poll waiters, and
// watchers of job changes.
//
// Durability: every transition is written to the JobStore (a durable commit) before the method
// that caused it returns or any callback reports it; when the write fails, the in-memory state is
// left unchanged and the error is returned.
//
// Thread safety: all public methods are thread-safe (one mutex). Callbacks given to LeaseAsync run
// without the mutex held (possibly inline, before LeaseAsync returns, or on the thread of the
// Submit that supplied the job). JobListeners run with the mutex held, in transition order: they
// must be quick and must not call the Scheduler.
//
// Time: all deadlines use the injected Clock. Start() runs a timer thread that calls
// ProcessTimers() when the next deadline is due (real time); tests with a FakeClock call
// ProcessTimers() themselves.
#ifndef COMPRESSD_SERVER_SCHEDULER_SCHEDULER_H_
#define COMPRESSD_SERVER_SCHEDULER_SCHEDULER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "compressd/v1/worker_service.pb.h"
#include "server/scheduler/job_queue.h"
#include "server/store/job_store.h"
#include "server/util/clock.h"

namespace compressd::server {

struct SchedulerOptions {
  // Attempts before a job fails (each lease is one attempt).
  int max_attempts = 3;
  // Length of a lease and of each heartbeat extension.
  absl::Duration lease_duration = absl::Seconds(30);
  // Suggested heartbeat period (0: lease_duration / 3).
  absl::Duration heartbeat_interval = absl::ZeroDuration();
  // Back-off before retry n (n = 1, 2, ...): backoff_initial * 2^(n-1), at most backoff_max.
  absl::Duration backoff_initial = absl::Seconds(1);
  absl::Duration backoff_max = absl::Seconds(60);
  // A worker counts as connected while its last call is at most this old.
  absl::Duration worker_presence = absl::Seconds(60);
};

// What a worker can run (from LeaseJobRequest).
struct WorkerInfo {
  std::string worker_id;
  uint32_t target_mask = 0;  // bits (1 << EvaluationTarget); 0 means HOST only
  uint64_t memory_bytes = 0;  // 0: unknown, takes any job
};

// Bit mask of evaluation targets; an empty list means EVALUATION_TARGET_HOST.
uint32_t TargetMask(const google::protobuf::RepeatedField<int>& targets);

// Hooks for metrics and logs. Called with the scheduler's mutex held: keep them quick.
class SchedulerObserver {
 public:
  virtual ~SchedulerObserver() = default;
  // `from` is JOB_STATE_UNSPECIFIED for a new job.
  virtual void OnTransition(const v1::Job& job, v1::JobState from, v1::JobState to) {}
  virtual void OnLeased(const v1::Job& job, absl::Duration queue_wait) {}
  // An attempt ended (any outcome) after running for `run_time`.
  virtual void OnAttemptEnded(const v1::Job& job, absl::Duration run_time,
                              v1::FailureKind failure) {}
  virtual void OnQueueDepth(int64_t depth) {}
  virtual void OnConnectedWorkers(int64_t count) {}
};

struct HeartbeatResult {
  v1::HeartbeatAction action = v1::HEARTBEAT_ACTION_UNSPECIFIED;
  absl::Time deadline;  // CONTINUE only
};

class Scheduler {
 public:
  // Called once with: a leased job (RUNNING, job.attempt is the fencing token), std::nullopt when
  // the wait ended without a job, or an error (CANCELLED after CancelWait, UNAVAILABLE at Stop).
  using LeaseCallback = std::function<void(absl::StatusOr<std::optional<JobRecord>>)>;
  using JobListener = std::function<void(const v1::Job&)>;

  // `store`, `clock` and `observer` (may be null) must outlive the Scheduler.
  Scheduler(JobStore* store, const Clock* clock, SchedulerOptions options,
            SchedulerObserver* observer);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  const SchedulerOptions& options() const { return options_; }

  // Loads QUEUED and RUNNING jobs from the store (call once, before serving). Running jobs keep
  // their lease, extended to at least now + lease_duration so that workers that survived a server
  // restart can heartbeat again.
  absl::Status Recover();
  void Start();
  // Stops the timer thread and ends every pending wait with UNAVAILABLE. Idempotent.
  void Stop();

  // Persists a new job (record.job: job_id, tenant, spec, priority, create_time set; state, attempt
  // and max_attempts are filled here) and queues it, waking a waiting worker. Idempotency and the
  // concurrent-job limit as JobStore::CreateJob.
  absl::StatusOr<CreateJobResult> Submit(JobRecord record, const CreateJobOptions& options);

  // Long poll for a job `worker` can run, until `wait_until`. Returns an id for CancelWait.
  uint64_t LeaseAsync(const WorkerInfo& worker, absl::Time wait_until, LeaseCallback done);
  // Ends a pending wait with CANCELLED (no-op when it already ended).
  void CancelWait(uint64_t waiter_id);

  // Extends the lease of (job_id, attempt) and records progress; CANCEL when the job was
  // cancelled during this attempt, ABORT when the attempt no longer holds the lease.
  absl::StatusOr<HeartbeatResult> Heartbeat(const std::string& job_id, uint32_t attempt,
                                            const std::string& worker_id,
                                            const v1::Progress& progress);
  // OK with the job when (job_id, attempt) holds a valid lease; ABORTED otherwise
  // (FAILED_PRECONDITION when the job was cancelled).
  absl::StatusOr<JobRecord> CheckLease(const std::string& job_id, uint32_t attempt);
  // Marks the job SUCCEEDED with its artifacts and report. ABORTED for a stale attempt or expired
  // lease, FAILED_PRECONDITION when the job was cancelled; OK again for a repeated completion of
  // the same attempt.
  absl::StatusOr<v1::Job> Complete(const std::string& job_id, uint32_t attempt,
                                   const std::string& worker_id,
                                   const std::vector<v1::ArtifactRef>& artifacts,
                                   const v1::CompressionReport& report);
  // Records a failed attempt: requeued with back-off when retryable and attempts remain, FAILED
  // otherwise. Returns the resulting state.
  absl::StatusOr<v1::JobState> Fail(const std::string& job_id, uint32_t attempt,
                                    const std::string& worker_id, v1::FailureKind kind,
                                    const std::string& message, bool retryable);
  // Cancels a QUEUED or RUNNING job; CANCELLED jobs are returned unchanged; SUCCEEDED/FAILED →
  // FAILED_PRECONDITION.
  absl::StatusOr<v1::Job> Cancel(const std::string& job_id, const std::string& reason);

  // The current job (from memory when active, else from the store).
  absl::StatusOr<v1::Job> GetJob(const std::string& job_id);

  // Registers `listener` for every later change of the job and returns (id, current snapshot)
  // atomically, so no change is missed between the two.
  absl::StatusOr<std::pair<uint64_t, v1::Job>> Watch(const std::string& job_id,
                                                     JobListener listener);
  void Unwatch(uint64_t watch_id);

  // Expires leases past their deadline, releases back-offs that are due, ends waits that timed
  // out, and dispatches. Called by the timer thread, or by tests.
  void ProcessTimers();

  int64_t QueueDepth();
  int64_t ConnectedWorkers();

 private:
  struct Active {
    JobRecord record;
    absl::Time queued_since;  // for the queue-wait histogram
  };
  struct Waiter {
    uint64_t id;
    WorkerInfo worker;
    absl::Time wait_until;
    LeaseCallback done;
  };
  using Completion = std::pair<LeaseCallback, absl::StatusOr<std::optional<JobRecord>>>;

  absl::Duration Backoff(uint32_t attempt) const;
  QueueEntry EntryFor(const JobRecord& r) const;
  void EnqueueLocked(const std::string& job_id);
  void NotifyLocked(const v1::Job& job);
  void TransitionedLocked(const v1::Job& job, v1::JobState from);
  // Leases queued jobs to waiting workers; appends callbacks to run after unlocking.
  void DispatchLocked(std::vector<Completion>* out);
  // Persists QUEUED → RUNNING for the entry; false (and job requeued) when the store failed.
  absl::StatusOr<JobRecord> LeaseLocked(const QueueEntry& entry, const WorkerInfo& worker);
  // Ends the running attempt with a failure; requeues or fails the job. Persists.
  absl::Status EndAttemptWithFailureLocked(Active& active, v1::FailureKind kind,
                                           const std::string& message, bool retryable);
  // If the job's lease is past its deadline, expires it. Returns true when it expired.
  bool MaybeExpireLocked(const std::string& job_id);
  void SeenWorkerLocked(const std::string& worker_id);
  void TimerLoop();
  absl::Time NextDeadlineLocked();
  static void RunCompletions(std::vector<Completion>& completions);

  JobStore* const store_;
  const Clock* const clock_;
  const SchedulerOptions options_;
  SchedulerObserver* const observer_;

  std::mutex mu_;
  absl::flat_hash_map<std::string, Active> active_;   // QUEUED and RUNNING jobs
  JobQueue queue_;                                     // QUEUED jobs that are due
  std::multimap<absl::Time, std::string> delayed_;     // QUEUED jobs in back-off
  std::list<Waiter> waiters_;
  uint64_t next_id_ = 1;
  absl::flat_hash_map<std::string, std::map<uint64_t, JobListener>> watchers_;  // by job id
  absl::flat_hash_map<uint64_t, std::string> watch_jobs_;                     // id → job id
  absl::flat_hash_map<std::string, absl::Time> workers_seen_;
  bool stopped_ = false;

  std::condition_variable timer_cv_;
  std::thread timer_;
  bool timer_stop_ = false;
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_SCHEDULER_SCHEDULER_H_
