#include "server/scheduler/scheduler.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "server/util/logger.h"
#include "server/util/time_util.h"

namespace compressd::server {
namespace {

constexpr size_t kMaxFailureMessageBytes = 4096;

bool IsTerminal(v1::JobState s) {
  return s == v1::JOB_STATE_SUCCEEDED || s == v1::JOB_STATE_FAILED ||
         s == v1::JOB_STATE_CANCELLED;
}

std::string StateName(v1::JobState s) { return v1::JobState_Name(s); }

std::string Truncate(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  return s.substr(0, max - 3) + "...";
}

bool Eligible(const QueueEntry& e, const WorkerInfo& w) {
  const uint32_t worker_mask =
      w.target_mask != 0 ? w.target_mask : (1u << v1::EVALUATION_TARGET_HOST);
  if ((e.target_mask & ~worker_mask) != 0) return false;
  return w.memory_bytes == 0 || e.memory_bytes <= w.memory_bytes;
}

std::string AttemptsSummary(const v1::Job& job) {
  std::vector<std::string> parts;
  for (const auto& a : job.attempts()) {
    if (a.failure_kind() == v1::FAILURE_KIND_UNSPECIFIED) continue;
    parts.push_back(absl::StrCat("attempt ", a.attempt(), " (worker ", a.worker_id(), "): ",
                                 v1::FailureKind_Name(a.failure_kind()), ": ",
                                 a.failure_message()));
  }
  return absl::StrCat("failed after ", job.attempt(), " attempt", job.attempt() == 1 ? "" : "s",
                      ": ", absl::StrJoin(parts, "; "));
}

}  // namespace

uint32_t TargetMask(const google::protobuf::RepeatedField<int>& targets) {
  if (targets.empty()) return 1u << v1::EVALUATION_TARGET_HOST;
  uint32_t mask = 0;
  for (int t : targets) {
    if (t > 0 && t < 32) mask |= 1u << t;
  }
  return mask;
}

Scheduler::Scheduler(JobStore* store, const Clock* clock, SchedulerOptions options,
                     SchedulerObserver* observer)
    : store_(store), clock_(clock), options_(std::move(options)), observer_(observer) {}

Scheduler::~Scheduler() { Stop(); }

absl::Duration Scheduler::Backoff(uint32_t attempt) const {
  const int exp = static_cast<int>(std::min<uint32_t>(attempt == 0 ? 0 : attempt - 1, 30));
  absl::Duration d = options_.backoff_initial * static_cast<int64_t>(int64_t{1} << exp);
  return std::min(d, options_.backoff_max);
}

QueueEntry Scheduler::EntryFor(const JobRecord& r) const {
  QueueEntry e;
  e.job_id = r.job.job_id();
  e.tenant = r.job.tenant();
  e.priority = r.job.priority();
  e.seq = r.seq;
  e.target_mask = TargetMask(r.job.spec().evaluation_targets());
  e.memory_bytes = r.job.spec().memory_bytes();
  return e;
}

absl::Status Scheduler::Recover() {
  ASSIGN_OR_RETURN(std::vector<JobRecord> records, store_->LoadActiveJobs());
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_->Now();
  for (JobRecord& r : records) {
    const std::string id = r.job.job_id();
    if (r.job.state() == v1::JOB_STATE_RUNNING) {
      r.lease_deadline = std::max(r.lease_deadline, now + options_.lease_duration);
    }
    Active a{std::move(r), now};
    const v1::Job& job = a.record.job;
    if (job.state() == v1::JOB_STATE_QUEUED) {
      const absl::Time not_before = job.has_not_before_time()
                                        ? FromProtoTime(job.not_before_time())
                                        : absl::InfinitePast();
      if (not_before > now) {
        delayed_.emplace(not_before, id);
      } else {
        queue_.Push(EntryFor(a.record));
      }
    }
    active_[id] = std::move(a);
  }
  if (observer_) observer_->OnQueueDepth(static_cast<int64_t>(queue_.size() + delayed_.size()));
  LogInfo("scheduler recovered", {{"active_jobs", absl::StrCat(active_.size())},
                                  {"queued", absl::StrCat(queue_.size() + delayed_.size())}});
  return absl::OkStatus();
}

void Scheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (timer_.joinable() || stopped_) return;
  timer_ = std::thread([this] { TimerLoop(); });
}

void Scheduler::Stop() {
  std::vector<Completion> completions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    timer_stop_ = true;
    for (Waiter& w : waiters_) {
      completions.emplace_back(std::move(w.done),
                               absl::UnavailableError("server is shutting down; retry"));
    }
    waiters_.clear();
  }
  timer_cv_.notify_all();
  if (timer_.joinable() && timer_.get_id() != std::this_thread::get_id()) timer_.join();
  RunCompletions(completions);
}

void Scheduler::RunCompletions(std::vector<Completion>& completions) {
  for (auto& [done, result] : completions) done(std::move(result));
  completions.clear();
}

void Scheduler::NotifyLocked(const v1::Job& job) {
  auto it = watchers_.find(job.job_id());
  if (it == watchers_.end()) return;
  for (auto& [id, listener] : it->second) listener(job);
}

void Scheduler::TransitionedLocked(const v1::Job& job, v1::JobState from) {
  if (observer_) {
    observer_->OnTransition(job, from, job.state());
    observer_->OnQueueDepth(static_cast<int64_t>(queue_.size() + delayed_.size()));
  }
  LogInfo(absl::StrCat("job ", StateName(job.state())),
          {{"job_id", job.job_id()},
           {"tenant", job.tenant()},
           {"from", StateName(from)},
           {"attempt", absl::StrCat(job.attempt())}});
  NotifyLocked(job);
}

void Scheduler::SeenWorkerLocked(const std::string& worker_id) {
  workers_seen_[worker_id] = clock_->Now();
}

absl::StatusOr<CreateJobResult> Scheduler::Submit(JobRecord record,
                                                  const CreateJobOptions& options) {
  const absl::Time now = clock_->Now();
  v1::Job& job = record.job;
  job.set_state(v1::JOB_STATE_QUEUED);
  job.set_attempt(0);
  job.set_max_attempts(static_cast<uint32_t>(std::max(1, options_.max_attempts)));
  *job.mutable_update_time() = ToProtoTime(now);
  if (!job.has_create_time()) *job.mutable_create_time() = ToProtoTime(now);
  record.lease_deadline = absl::InfinitePast();
  record.worker_id.clear();

  std::vector<Completion> completions;
  absl::StatusOr<CreateJobResult> result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return absl::UnavailableError("server is shutting down; retry");
    result = store_->CreateJob(record, options);
    if (!result.ok() || !result->created) return result;
    const std::string id = result->record.job.job_id();
    active_[id] = Active{result->record, now};
    queue_.Push(EntryFor(result->record));
    TransitionedLocked(result->record.job, v1::JOB_STATE_UNSPECIFIED);
    DispatchLocked(&completions);
  }
  RunCompletions(completions);
  return result;
}

uint64_t Scheduler::LeaseAsync(const WorkerInfo& worker, absl::Time wait_until,
                               LeaseCallback done) {
  std::vector<Completion> completions;
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) {
      completions.emplace_back(std::move(done),
                               absl::UnavailableError("server is shutting down; retry"));
    } else {
      SeenWorkerLocked(worker.worker_id);
      id = next_id_++;
      waiters_.push_back(Waiter{id, worker, wait_until, std::move(done)});
      DispatchLocked(&completions);
      // Still waiting with no time left: answer now.
      if (!waiters_.empty() && waiters_.back().id == id && wait_until <= clock_->Now()) {
        completions.emplace_back(std::move(waiters_.back().done), std::optional<JobRecord>());
        waiters_.pop_back();
      }
    }
  }
  timer_cv_.notify_all();
  RunCompletions(completions);
  return id;
}

void Scheduler::CancelWait(uint64_t waiter_id) {
  std::vector<Completion> completions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
      if (it->id == waiter_id) {
        completions.emplace_back(std::move(it->done),
                                 absl::CancelledError("lease wait cancelled by the caller"));
        waiters_.erase(it);
        break;
      }
    }
  }
  RunCompletions(completions);
}

void Scheduler::DispatchLocked(std::vector<Completion>* out) {
  for (auto it = waiters_.begin(); it != waiters_.end() && queue_.size() > 0;) {
    const WorkerInfo& worker = it->worker;
    std::optional<QueueEntry> entry =
        queue_.PopNext([&](const QueueEntry& e) { return Eligible(e, worker); });
    if (!entry) {
      ++it;
      continue;
    }
    absl::StatusOr<JobRecord> leased = LeaseLocked(*entry, worker);
    if (!leased.ok()) {
      LogError("cannot persist lease; will retry", {{"job_id", entry->job_id},
                                                    {"error", leased.status().ToString()}});
      break;
    }
    out->emplace_back(std::move(it->done), std::optional<JobRecord>(std::move(*leased)));
    it = waiters_.erase(it);
  }
}

absl::StatusOr<JobRecord> Scheduler::LeaseLocked(const QueueEntry& entry,
                                                 const WorkerInfo& worker) {
  auto it = active_.find(entry.job_id);
  if (it == active_.end()) return absl::InternalError("queued job is not active");
  Active& a = it->second;
  const absl::Time now = clock_->Now();
  JobRecord updated = a.record;
  v1::Job& job = updated.job;
  job.set_state(v1::JOB_STATE_RUNNING);
  job.set_attempt(job.attempt() + 1);
  *job.mutable_start_time() = ToProtoTime(now);
  *job.mutable_update_time() = ToProtoTime(now);
  job.clear_not_before_time();
  job.clear_progress();
  v1::AttemptRecord* rec = job.add_attempts();
  rec->set_attempt(job.attempt());
  rec->set_worker_id(worker.worker_id);
  *rec->mutable_start_time() = ToProtoTime(now);
  updated.lease_deadline = now + options_.lease_duration;
  updated.worker_id = worker.worker_id;
  absl::Status s = store_->UpdateJob(updated);
  if (!s.ok()) {
    queue_.Push(entry);
    return s;
  }
  const absl::Duration waited = now - a.queued_since;
  a.record = std::move(updated);
  if (observer_) observer_->OnLeased(a.record.job, waited);
  TransitionedLocked(a.record.job, v1::JOB_STATE_QUEUED);
  return a.record;
}

absl::Status Scheduler::EndAttemptWithFailureLocked(Active& a, v1::FailureKind kind,
                                                    const std::string& message, bool retryable) {
  const absl::Time now = clock_->Now();
  JobRecord updated = a.record;
  v1::Job& job = updated.job;
  absl::Duration run_time = absl::ZeroDuration();
  if (job.attempts_size() > 0) {
    v1::AttemptRecord* last = job.mutable_attempts(job.attempts_size() - 1);
    *last->mutable_end_time() = ToProtoTime(now);
    last->set_failure_kind(kind);
    last->set_failure_message(Truncate(message, kMaxFailureMessageBytes));
    run_time = now - FromProtoTime(last->start_time());
  }
  updated.lease_deadline = absl::InfinitePast();
  updated.worker_id.clear();
  *job.mutable_update_time() = ToProtoTime(now);
  const uint32_t max_attempts =
      job.max_attempts() > 0 ? job.max_attempts() : static_cast<uint32_t>(options_.max_attempts);
  absl::Time not_before;
  if (retryable && job.attempt() < max_attempts) {
    job.set_state(v1::JOB_STATE_QUEUED);
    not_before = now + Backoff(job.attempt());
    *job.mutable_not_before_time() = ToProtoTime(not_before);
  } else {
    job.set_state(v1::JOB_STATE_FAILED);
    *job.mutable_end_time() = ToProtoTime(now);
    job.set_failure_kind(kind);
    job.set_failure_message(Truncate(AttemptsSummary(job), 4 * kMaxFailureMessageBytes));
  }
  RETURN_IF_ERROR(store_->UpdateJob(updated));
  const std::string id = job.job_id();
  a.record = std::move(updated);
  a.queued_since = now;
  if (observer_) observer_->OnAttemptEnded(a.record.job, run_time, kind);
  if (a.record.job.state() == v1::JOB_STATE_QUEUED) {
    delayed_.emplace(not_before, id);
    timer_cv_.notify_all();
  }
  const v1::Job snapshot = a.record.job;
  if (snapshot.state() == v1::JOB_STATE_FAILED) active_.erase(id);  // `a` dies here
  TransitionedLocked(snapshot, v1::JOB_STATE_RUNNING);
  return absl::OkStatus();
}

bool Scheduler::MaybeExpireLocked(const std::string& job_id) {
  auto it = active_.find(job_id);
  if (it == active_.end()) return false;
  Active& a = it->second;
  if (a.record.job.state() != v1::JOB_STATE_RUNNING) return false;
  const absl::Time now = clock_->Now();
  if (a.record.lease_deadline >= now) return false;
  const std::string message = absl::StrCat(
      "lease expired at ", absl::FormatTime(absl::RFC3339_full, a.record.lease_deadline,
                                            absl::UTCTimeZone()),
      ": worker ", a.record.worker_id, " sent no heartbeat");
  LogWarning("lease expired", {{"job_id", job_id},
                               {"worker", a.record.worker_id},
                               {"attempt", absl::StrCat(a.record.job.attempt())}});
  absl::Status s = EndAttemptWithFailureLocked(a, v1::FAILURE_KIND_LEASE_EXPIRED, message, true);
  if (!s.ok()) {
    LogError("cannot persist lease expiry; will retry",
             {{"job_id", job_id}, {"error", s.ToString()}});
    return false;
  }
  return true;
}

absl::StatusOr<HeartbeatResult> Scheduler::Heartbeat(const std::string& job_id, uint32_t attempt,
                                                     const std::string& worker_id,
                                                     const v1::Progress& progress) {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_->Now();
  SeenWorkerLocked(worker_id);
  MaybeExpireLocked(job_id);
  auto it = active_.find(job_id);
  if (it != active_.end() && it->second.record.job.state() == v1::JOB_STATE_RUNNING &&
      it->second.record.job.attempt() == attempt && it->second.record.worker_id == worker_id) {
    JobRecord updated = it->second.record;
    updated.lease_deadline = now + options_.lease_duration;
    *updated.job.mutable_progress() = progress;
    *updated.job.mutable_progress()->mutable_update_time() = ToProtoTime(now);
    *updated.job.mutable_update_time() = ToProtoTime(now);
    RETURN_IF_ERROR(store_->UpdateJob(updated));
    it->second.record = std::move(updated);
    NotifyLocked(it->second.record.job);
    return HeartbeatResult{v1::HEARTBEAT_ACTION_CONTINUE, it->second.record.lease_deadline};
  }
  v1::Job job;
  if (it != active_.end()) {
    job = it->second.record.job;
  } else {
    ASSIGN_OR_RETURN(JobRecord r, store_->GetJob(job_id));
    job = std::move(r.job);
  }
  if (job.state() == v1::JOB_STATE_CANCELLED && job.attempt() == attempt) {
    return HeartbeatResult{v1::HEARTBEAT_ACTION_CANCEL, absl::InfinitePast()};
  }
  return HeartbeatResult{v1::HEARTBEAT_ACTION_ABORT, absl::InfinitePast()};
}

absl::StatusOr<JobRecord> Scheduler::CheckLease(const std::string& job_id, uint32_t attempt) {
  std::lock_guard<std::mutex> lock(mu_);
  MaybeExpireLocked(job_id);
  auto it = active_.find(job_id);
  if (it != active_.end() && it->second.record.job.state() == v1::JOB_STATE_RUNNING &&
      it->second.record.job.attempt() == attempt) {
    return it->second.record;
  }
  v1::Job job;
  if (it != active_.end()) {
    job = it->second.record.job;
  } else {
    ASSIGN_OR_RETURN(JobRecord r, store_->GetJob(job_id));
    job = std::move(r.job);
  }
  if (job.state() == v1::JOB_STATE_CANCELLED) {
    return absl::FailedPreconditionError(absl::StrCat("job ", job_id, " was cancelled"));
  }
  return absl::AbortedError(absl::StrCat("attempt ", attempt, " of job ", job_id,
                                         " no longer holds a lease (job is ",
                                         StateName(job.state()), " at attempt ", job.attempt(),
                                         ")"));
}

absl::StatusOr<v1::Job> Scheduler::Complete(const std::string& job_id, uint32_t attempt,
                                            const std::string& worker_id,
                                            const std::vector<v1::ArtifactRef>& artifacts,
                                            const v1::CompressionReport& report) {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_->Now();
  MaybeExpireLocked(job_id);
  auto it = active_.find(job_id);
  if (it == active_.end() || it->second.record.job.state() != v1::JOB_STATE_RUNNING ||
      it->second.record.job.attempt() != attempt || it->second.record.worker_id != worker_id) {
    v1::Job job;
    if (it != active_.end()) {
      job = it->second.record.job;
    } else {
      ASSIGN_OR_RETURN(JobRecord r, store_->GetJob(job_id));
      job = std::move(r.job);
    }
    if (job.state() == v1::JOB_STATE_SUCCEEDED && job.attempt() == attempt) return job;
    if (job.state() == v1::JOB_STATE_CANCELLED) {
      return absl::FailedPreconditionError(absl::StrCat("job ", job_id, " was cancelled"));
    }
    return absl::AbortedError(absl::StrCat("attempt ", attempt, " of job ", job_id,
                                           " no longer holds a lease (job is ",
                                           StateName(job.state()), " at attempt ", job.attempt(),
                                           ")"));
  }
  Active& a = it->second;
  JobRecord updated = a.record;
  v1::Job& job = updated.job;
  job.set_state(v1::JOB_STATE_SUCCEEDED);
  *job.mutable_end_time() = ToProtoTime(now);
  *job.mutable_update_time() = ToProtoTime(now);
  job.clear_artifacts();
  for (const auto& art : artifacts) *job.add_artifacts() = art;
  *job.mutable_report() = report;
  job.mutable_progress()->set_fraction(1.0);
  absl::Duration run_time = absl::ZeroDuration();
  if (job.attempts_size() > 0) {
    v1::AttemptRecord* last = job.mutable_attempts(job.attempts_size() - 1);
    *last->mutable_end_time() = ToProtoTime(now);
    run_time = now - FromProtoTime(last->start_time());
  }
  updated.lease_deadline = absl::InfinitePast();
  RETURN_IF_ERROR(store_->UpdateJob(updated));
  const v1::Job snapshot = job;
  active_.erase(it);
  if (observer_) observer_->OnAttemptEnded(snapshot, run_time, v1::FAILURE_KIND_UNSPECIFIED);
  TransitionedLocked(snapshot, v1::JOB_STATE_RUNNING);
  return snapshot;
}

absl::StatusOr<v1::JobState> Scheduler::Fail(const std::string& job_id, uint32_t attempt,
                                             const std::string& worker_id, v1::FailureKind kind,
                                             const std::string& message, bool retryable) {
  std::lock_guard<std::mutex> lock(mu_);
  MaybeExpireLocked(job_id);
  auto it = active_.find(job_id);
  if (it == active_.end() || it->second.record.job.state() != v1::JOB_STATE_RUNNING ||
      it->second.record.job.attempt() != attempt || it->second.record.worker_id != worker_id) {
    v1::Job job;
    if (it != active_.end()) {
      job = it->second.record.job;
    } else {
      ASSIGN_OR_RETURN(JobRecord r, store_->GetJob(job_id));
      job = std::move(r.job);
    }
    // A repeated FailJob for the attempt that was already recorded as failed.
    for (const auto& a : job.attempts()) {
      if (a.attempt() == attempt && a.worker_id() == worker_id && a.failure_kind() == kind &&
          kind != v1::FAILURE_KIND_UNSPECIFIED && job.attempt() == attempt) {
        return job.state();
      }
    }
    if (job.state() == v1::JOB_STATE_CANCELLED) {
      return absl::FailedPreconditionError(absl::StrCat("job ", job_id, " was cancelled"));
    }
    return absl::AbortedError(absl::StrCat("attempt ", attempt, " of job ", job_id,
                                           " no longer holds a lease (job is ",
                                           StateName(job.state()), " at attempt ", job.attempt(),
                                           ")"));
  }
  if (kind == v1::FAILURE_KIND_INVALID_INPUT || kind == v1::FAILURE_KIND_UNSUPPORTED) {
    retryable = false;
  }
  RETURN_IF_ERROR(EndAttemptWithFailureLocked(it->second, kind, message, retryable));
  auto again = active_.find(job_id);
  return again == active_.end() ? v1::JOB_STATE_FAILED : again->second.record.job.state();
}

absl::StatusOr<v1::Job> Scheduler::Cancel(const std::string& job_id, const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_->Now();
  auto it = active_.find(job_id);
  if (it == active_.end()) {
    ASSIGN_OR_RETURN(JobRecord r, store_->GetJob(job_id));
    if (r.job.state() == v1::JOB_STATE_CANCELLED) return r.job;
    if (IsTerminal(r.job.state())) {
      return absl::FailedPreconditionError(absl::StrCat("job ", job_id, " is already ",
                                                        StateName(r.job.state())));
    }
    return absl::InternalError(absl::StrCat("job ", job_id, " is ", StateName(r.job.state()),
                                            " in the store but not scheduled"));
  }
  Active& a = it->second;
  const v1::JobState from = a.record.job.state();
  JobRecord updated = a.record;
  v1::Job& job = updated.job;
  job.set_state(v1::JOB_STATE_CANCELLED);
  *job.mutable_end_time() = ToProtoTime(now);
  *job.mutable_update_time() = ToProtoTime(now);
  job.set_failure_kind(v1::FAILURE_KIND_UNSPECIFIED);
  job.set_failure_message(reason.empty() ? "cancelled" : Truncate("cancelled: " + reason, 1024));
  absl::Duration run_time = absl::ZeroDuration();
  if (from == v1::JOB_STATE_RUNNING && job.attempts_size() > 0) {
    v1::AttemptRecord* last = job.mutable_attempts(job.attempts_size() - 1);
    *last->mutable_end_time() = ToProtoTime(now);
    run_time = now - FromProtoTime(last->start_time());
  }
  updated.lease_deadline = absl::InfinitePast();
  RETURN_IF_ERROR(store_->UpdateJob(updated));
  if (from == v1::JOB_STATE_QUEUED) {
    queue_.Remove(job_id);
    for (auto d = delayed_.begin(); d != delayed_.end(); ++d) {
      if (d->second == job_id) {
        delayed_.erase(d);
        break;
      }
    }
  }
  const v1::Job snapshot = job;
  active_.erase(it);
  if (from == v1::JOB_STATE_RUNNING && observer_) {
    observer_->OnAttemptEnded(snapshot, run_time, v1::FAILURE_KIND_UNSPECIFIED);
  }
  TransitionedLocked(snapshot, from);
  return snapshot;
}

absl::StatusOr<v1::Job> Scheduler::GetJob(const std::string& job_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = active_.find(job_id);
  if (it != active_.end()) return it->second.record.job;
  ASSIGN_OR_RETURN(JobRecord r, store_->GetJob(job_id));
  return std::move(r.job);
}

absl::StatusOr<std::pair<uint64_t, v1::Job>> Scheduler::Watch(const std::string& job_id,
                                                              JobListener listener) {
  std::lock_guard<std::mutex> lock(mu_);
  v1::Job job;
  auto it = active_.find(job_id);
  if (it != active_.end()) {
    job = it->second.record.job;
  } else {
    ASSIGN_OR_RETURN(JobRecord r, store_->GetJob(job_id));
    job = std::move(r.job);
  }
  const uint64_t id = next_id_++;
  watchers_[job_id].emplace(id, std::move(listener));
  watch_jobs_[id] = job_id;
  return std::make_pair(id, std::move(job));
}

void Scheduler::Unwatch(uint64_t watch_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = watch_jobs_.find(watch_id);
  if (it == watch_jobs_.end()) return;
  auto w = watchers_.find(it->second);
  if (w != watchers_.end()) {
    w->second.erase(watch_id);
    if (w->second.empty()) watchers_.erase(w);
  }
  watch_jobs_.erase(it);
}

void Scheduler::ProcessTimers() {
  std::vector<Completion> completions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const absl::Time now = clock_->Now();
    std::vector<std::string> expired;
    for (const auto& [id, a] : active_) {
      if (a.record.job.state() == v1::JOB_STATE_RUNNING && a.record.lease_deadline < now) {
        expired.push_back(id);
      }
    }
    for (const std::string& id : expired) MaybeExpireLocked(id);
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      const std::string id = delayed_.begin()->second;
      delayed_.erase(delayed_.begin());
      auto it = active_.find(id);
      if (it != active_.end() && it->second.record.job.state() == v1::JOB_STATE_QUEUED &&
          !queue_.Contains(id)) {
        queue_.Push(EntryFor(it->second.record));
      }
    }
    if (!stopped_) DispatchLocked(&completions);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->wait_until <= now) {
        completions.emplace_back(std::move(it->done), std::optional<JobRecord>());
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = workers_seen_.begin(); it != workers_seen_.end();) {
      if (now - it->second > options_.worker_presence) {
        workers_seen_.erase(it++);
      } else {
        ++it;
      }
    }
    if (observer_) {
      observer_->OnConnectedWorkers(static_cast<int64_t>(workers_seen_.size()));
      observer_->OnQueueDepth(static_cast<int64_t>(queue_.size() + delayed_.size()));
    }
  }
  RunCompletions(completions);
}

absl::Time Scheduler::NextDeadlineLocked() {
  const absl::Time now = clock_->Now();
  absl::Time next = now + absl::Seconds(1);
  for (const Waiter& w : waiters_) next = std::min(next, w.wait_until);
  if (!delayed_.empty()) next = std::min(next, delayed_.begin()->first);
  for (const auto& [id, a] : active_) {
    if (a.record.job.state() == v1::JOB_STATE_RUNNING) {
      next = std::min(next, a.record.lease_deadline + absl::Milliseconds(1));
    }
  }
  return next;
}

void Scheduler::TimerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!timer_stop_) {
    const absl::Duration wait = NextDeadlineLocked() - clock_->Now();
    if (wait > absl::ZeroDuration()) {
      timer_cv_.wait_for(lock, absl::ToChronoMilliseconds(
                                   std::max(wait, absl::Milliseconds(1))));
      if (timer_stop_) break;
    }
    lock.unlock();
    ProcessTimers();
    lock.lock();
  }
}

int64_t Scheduler::QueueDepth() {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(queue_.size() + delayed_.size());
}

int64_t Scheduler::ConnectedWorkers() {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_->Now();
  int64_t n = 0;
  for (const auto& [id, t] : workers_seen_) {
    if (now - t <= options_.worker_presence) ++n;
  }
  return n;
}

}  // namespace compressd::server
