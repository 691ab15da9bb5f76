#include "worker/worker.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "client/remote/sha256.h"
#include "worker/log.h"
#include "worker/pipeline_child.h"
#include "worker/spec_translation.h"

namespace compressd::worker {
namespace fs = std::filesystem;
namespace {

enum StopReason : int { kNotStopped = 0, kCancelled = 1, kAborted = 2, kGivenBack = 3 };

constexpr uint64_t kMaxLogArtifactBytes = 16u << 20;

// A line of the child's stderr tail for failure messages (the last 512 bytes, one line).
std::string TailForMessage(const std::string& tail) {
  std::string t = tail.size() > 512 ? tail.substr(tail.size() - 512) : tail;
  for (char& c : t) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return t;
}

std::string ArtifactStem(const std::string& model_name) {
  std::string stem = model_name;
  const size_t slash = stem.find_last_of("/\\");
  if (slash != std::string::npos) stem = stem.substr(slash + 1);
  if (stem.size() > 7 && stem.substr(stem.size() - 7) == ".tflite") stem.resize(stem.size() - 7);
  for (char& c : stem) {
    if (static_cast<unsigned char>(c) < 0x20) c = '_';
  }
  if (stem.empty()) stem = "model";
  if (stem.size() > 180) stem.resize(180);
  return stem;
}

bool LeaseLost(const absl::Status& s) {
  return s.code() == absl::StatusCode::kAborted ||
         s.code() == absl::StatusCode::kFailedPrecondition;
}

}  // namespace

struct Worker::JobRun {
  v1::Lease lease;
  std::string job_id;
  uint32_t attempt = 0;
  std::atomic<int> stop{kNotStopped};
  std::mutex mu;
  std::condition_variable cv;
  v1::Progress progress;       // guarded by mu
  bool progress_dirty = false;  // guarded by mu
  bool finished = false;        // guarded by mu
  std::string last_pass;        // child progress bookkeeping (job thread only)
  int pass_index = -1;

  void SetProgress(const std::string& pass, double fraction, const std::string& message) {
    std::lock_guard<std::mutex> lock(mu);
    progress.set_pass_name(pass);
    progress.set_fraction(std::clamp(fraction, 0.0, 1.0));
    progress.set_message(message.substr(0, 1024));
    progress_dirty = true;
    cv.notify_all();
  }
};

Worker::Worker(WorkerOptions options, std::unique_ptr<WorkerClient> client, InputCache cache)
    : options_(std::move(options)), client_(std::move(client)), cache_(std::move(cache)) {}

void Worker::Drain() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!draining_.exchange(true)) drain_started_ = absl::Now();
  }
  client_->CancelLease();
  cv_.notify_all();
}

void Worker::Abort() {
  aborting_ = true;
  Drain();
}

bool Worker::Sleep(absl::Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, absl::ToChronoMilliseconds(d), [&] { return draining_.load(); });
}

absl::Status Worker::Run() {
  v1::LeaseJobRequest req;
  req.set_worker_id(options_.worker_id);
  for (v1::EvaluationTarget t : options_.targets) req.mutable_capabilities()->add_targets(t);
  req.mutable_capabilities()->set_memory_bytes(options_.max_memory_bytes);
  req.mutable_capabilities()->set_version(options_.version);
  req.set_wait_ms(options_.lease_wait_ms);
  Log("INFO", "worker started",
      {{"worker_id", options_.worker_id},
       {"server", client_->options().address},
       {"memory_mib", absl::StrCat(options_.max_memory_bytes >> 20)},
       {"test_hooks", options_.test_hooks ? "on" : "off"}});
  int errors = 0;
  while (!draining_) {
    absl::StatusOr<std::optional<v1::Lease>> lease = client_->Lease(req);
    if (!lease.ok()) {
      if (draining_) break;
      const absl::StatusCode code = lease.status().code();
      if (code == absl::StatusCode::kUnauthenticated ||
          code == absl::StatusCode::kPermissionDenied ||
          code == absl::StatusCode::kInvalidArgument) {
        return lease.status();
      }
      ++errors;
      if (errors == 1 || errors % 20 == 0) {
        Log("WARN", "cannot lease jobs; retrying",
            {{"error", std::string(lease.status().message())},
             {"attempts", absl::StrCat(errors)}});
      }
      client::RetryPolicy backoff;
      backoff.max_backoff = absl::Seconds(10);
      Sleep(client::BackoffDelay(backoff, std::min(errors, 10)));
      continue;
    }
    if (errors > 0) Log("INFO", "server reachable again");
    errors = 0;
    if (!lease->has_value()) continue;
    RunJob(**lease);
    ++jobs_done_;
    if (options_.max_jobs > 0 && jobs_done_ >= options_.max_jobs) break;
  }
  Log("INFO", "worker stopped", {{"jobs", absl::StrCat(jobs_done_.load())}});
  return absl::OkStatus();
}

void Worker::RunJob(const v1::Lease& lease) {
  JobRun run;
  run.lease = lease;
  run.job_id = lease.job().job_id();
  run.attempt = lease.attempt();
  run.progress.set_pass_count(static_cast<uint32_t>(lease.job().spec().passes_size()));
  Log("INFO", "leased job",
      {{"job_id", run.job_id}, {"attempt", absl::StrCat(run.attempt)},
       {"model", lease.model().name()}});
  run.SetProgress("download", 0.0, "fetching inputs");
  std::thread heartbeat([&] { HeartbeatLoop(run); });
  Execute(run);
  {
    std::lock_guard<std::mutex> lock(run.mu);
    run.finished = true;
  }
  run.cv.notify_all();
  heartbeat.join();
}

void Worker::HeartbeatLoop(JobRun& run) {
  const auto interval = std::chrono::milliseconds(
      std::max<uint32_t>(100, run.lease.heartbeat_interval_ms()));
  const auto min_gap = std::min<std::chrono::milliseconds>(std::chrono::milliseconds(1000), interval);
  const absl::Duration timeout =
      std::min(client_->options().rpc_timeout,
               absl::Seconds(std::max<uint32_t>(1, run.lease.lease_seconds())));
  auto last_sent = std::chrono::steady_clock::now() - interval;
  for (;;) {
    v1::HeartbeatRequest req;
    {
      std::unique_lock<std::mutex> lock(run.mu);
      for (;;) {
        if (run.finished) return;
        // Every interval, and sooner (at most once per min_gap) when progress changed.
        const auto due = run.progress_dirty ? last_sent + min_gap : last_sent + interval;
        if (std::chrono::steady_clock::now() >= due) break;
        run.cv.wait_until(lock, due);
      }
      req.set_job_id(run.job_id);
      req.set_attempt(run.attempt);
      req.set_worker_id(options_.worker_id);
      *req.mutable_progress() = run.progress;
      run.progress_dirty = false;
    }
    last_sent = std::chrono::steady_clock::now();
    absl::StatusOr<v1::HeartbeatResponse> resp = client_->Heartbeat(req, timeout);
    if (!resp.ok()) {
      if (LeaseLost(resp.status()) || resp.status().code() == absl::StatusCode::kNotFound) {
        Log("WARN", "lease lost; stopping the job",
            {{"job_id", run.job_id}, {"error", std::string(resp.status().message())}});
        run.stop = kAborted;
        return;
      }
      Log("WARN", "heartbeat failed; retrying at the next period",
          {{"job_id", run.job_id}, {"error", std::string(resp.status().message())}});
      continue;
    }
    if (resp->action() == v1::HEARTBEAT_ACTION_CANCEL) {
      Log("INFO", "job cancelled; stopping the pipeline", {{"job_id", run.job_id}});
      run.stop = kCancelled;
      return;
    }
    if (resp->action() == v1::HEARTBEAT_ACTION_ABORT) {
      Log("WARN", "server aborted the attempt (lease lost); stopping",
          {{"job_id", run.job_id}, {"attempt", absl::StrCat(run.attempt)}});
      run.stop = kAborted;
      return;
    }
  }
}

void Worker::Fail(JobRun& run, v1::FailureKind kind, const std::string& message,
                  bool retryable) {
  if (run.stop == kCancelled || run.stop == kAborted) return;  // the server knows already
  v1::FailJobRequest req;
  req.set_job_id(run.job_id);
  req.set_attempt(run.attempt);
  req.set_worker_id(options_.worker_id);
  req.set_kind(kind);
  req.set_message(message.substr(0, 4096));
  req.set_retryable(retryable);
  absl::StatusOr<v1::FailJobResponse> resp = client_->FailJob(req);
  if (!resp.ok()) {
    Log("WARN", "FailJob failed (the lease will expire instead)",
        {{"job_id", run.job_id}, {"error", std::string(resp.status().message())}});
    return;
  }
  Log("INFO", "job attempt failed",
      {{"job_id", run.job_id},
       {"attempt", absl::StrCat(run.attempt)},
       {"kind", v1::FailureKind_Name(kind)},
       {"state", v1::JobState_Name(resp->state())},
       {"reason", message.substr(0, 300)}});
}

void Worker::Execute(JobRun& run) {
  const v1::Job& job = run.lease.job();
  const v1::JobSpec& spec = job.spec();
  // Whether the job should stop now; turns a drain past its timeout (or Abort) into a give-back.
  auto stopped = [&] {
    if (run.stop != kNotStopped) return true;
    bool give_back = aborting_.load();
    if (!give_back && draining_) {
      std::lock_guard<std::mutex> lock(mu_);
      give_back = absl::Now() > drain_started_ + options_.drain_timeout;
    }
    if (give_back) run.stop = kGivenBack;
    return give_back;
  };
  auto keep_going = [&] { return !stopped(); };
  auto report_stop = [&] {
    switch (run.stop.load()) {
      case kGivenBack:
        Fail(run, v1::FAILURE_KIND_INTERNAL,
             absl::StrCat("worker ", options_.worker_id,
                          " shut down before the job finished; the job was given back"),
             true);
        break;
      case kCancelled: Log("INFO", "job stopped after cancellation", {{"job_id", run.job_id}}); break;
      case kAborted: Log("INFO", "attempt discarded (lease lost)", {{"job_id", run.job_id}}); break;
      default: break;
    }
  };

  // Test hooks only on workers started with --test-hooks; a label alone never enables them.
  std::string hook;
  if (auto it = spec.labels().find(kTestHookLabel); it != spec.labels().end()) {
    if (options_.test_hooks) {
      hook = it->second;
    } else {
      Log("WARN", "ignoring the test-hook label (worker runs without --test-hooks)",
          {{"job_id", run.job_id}});
    }
  }

  // Reject what the pipeline cannot run before fetching anything (placeholders stand in for the
  // datasets, which are fetched below).
  DatasetPaths placeholder;
  if (spec.has_calibration()) placeholder.calibration = {"calibration"};
  if (spec.has_evaluation()) placeholder.evaluation = {"evaluation"};
  if (absl::StatusOr<pipeline::PipelineSpec> check = TranslateJobSpec(spec, placeholder);
      !check.ok()) {
    Fail(run, v1::FAILURE_KIND_INVALID_INPUT, std::string(check.status().message()), false);
    return;
  }

  absl::StatusOr<std::string> work_dir =
      cache_.MakeWorkDir(absl::StrCat("job-", run.job_id, "-", run.attempt));
  if (!work_dir.ok()) {
    Fail(run, v1::FAILURE_KIND_INTERNAL, std::string(work_dir.status().message()), true);
    return;
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{*work_dir};

  // Inputs. A failed download after the lease was lost is not reported (the server moved on).
  auto fetch = [&](v1::InputKind kind, const std::string& sha,
                   uint64_t size) -> absl::StatusOr<std::string> {
    return cache_.GetBlob(sha, size, [&](const std::string& dest) {
      return client_->DownloadInput(run.job_id, run.attempt, kind, sha, size, dest, keep_going);
    });
  };
  auto input_failed = [&](const absl::Status& s, const std::string& what) {
    if (stopped()) return report_stop();
    if (LeaseLost(s)) {
      Log("WARN", "lease lost while fetching inputs",
          {{"job_id", run.job_id}, {"error", std::string(s.message())}});
      return;
    }
    const bool bad_input = s.code() == absl::StatusCode::kInvalidArgument;
    Fail(run, bad_input ? v1::FAILURE_KIND_INVALID_INPUT : v1::FAILURE_KIND_INTERNAL,
         absl::StrCat(what, ": ", s.message()), !bad_input);
  };
  run.SetProgress("download", 0.0,
                  absl::StrCat("fetching the model (", run.lease.model().size_bytes(), " bytes)"));
  absl::StatusOr<std::string> model_path =
      fetch(v1::INPUT_KIND_MODEL, job.model_id(), run.lease.model().size_bytes());
  if (!model_path.ok()) return input_failed(model_path.status(), "fetching the model");
  DatasetPaths paths;
  struct DatasetSlot {
    bool present;
    v1::InputKind kind;
    const v1::DatasetInput* input;
    const v1::DatasetRef* ref;
    std::vector<std::string>* out;
    const char* what;
  };
  for (const DatasetSlot& d :
       {DatasetSlot{spec.has_calibration(), v1::INPUT_KIND_CALIBRATION_DATASET,
                    &spec.calibration(), &run.lease.calibration(), &paths.calibration,
                    "calibration dataset"},
        DatasetSlot{spec.has_evaluation(), v1::INPUT_KIND_EVALUATION_DATASET, &spec.evaluation(),
                    &run.lease.evaluation(), &paths.evaluation, "evaluation dataset"}}) {
    if (!d.present) continue;
    run.SetProgress("download", 0.0, absl::StrCat("fetching the ", d.what));
    absl::StatusOr<std::string> archive =
        fetch(d.kind, d.input->dataset_id(), d.ref->size_bytes());
    if (!archive.ok()) return input_failed(archive.status(), absl::StrCat("fetching the ", d.what));
    absl::StatusOr<std::vector<std::string>> samples =
        cache_.GetDataset(d.input->dataset_id(), *archive);
    if (!samples.ok()) return input_failed(samples.status(), absl::StrCat("unpacking the ", d.what));
    *d.out = std::move(*samples);
  }
  if (stopped()) return report_stop();

  RunnerRequest request;
  request.job_spec = spec.SerializeAsString();
  request.model_path = *model_path;
  request.calibration_paths = paths.calibration;
  request.evaluation_paths = paths.evaluation;
  request.output_path = *work_dir + "/output.tflite";
  request.threads = options_.threads;
  request.test_hook = hook;
  ChildLimits limits;
  limits.memory_bytes = options_.max_memory_bytes;
  limits.cpu_seconds = options_.max_cpu_seconds;
  limits.wall_seconds = spec.timeout_seconds() > 0 ? spec.timeout_seconds()
                                                   : options_.default_wall_seconds;
  ChildCallbacks callbacks;
  const std::set<std::string> phases = {"load", "download", "write", "evaluate", "calibrate",
                                        "done", "test", "test-slow"};
  callbacks.on_progress = [&](const RunnerProgress& p) {
    if (p.pass != run.last_pass && !phases.count(p.pass)) ++run.pass_index;
    run.last_pass = p.pass;
    {
      std::lock_guard<std::mutex> lock(run.mu);
      run.progress.set_pass_index(static_cast<uint32_t>(std::max(0, run.pass_index)));
    }
    run.SetProgress(p.pass, p.fraction, p.message);
  };
  callbacks.should_stop = stopped;
  const std::string log_path = *work_dir + "/pipeline.log";
  absl::StatusOr<ChildOutcome> outcome =
      RunPipelineChild(options_.runner_path, request, limits, log_path, callbacks);
  if (!outcome.ok()) {
    Fail(run, v1::FAILURE_KIND_INTERNAL,
         absl::StrCat("cannot start the pipeline child: ", outcome.status().message()), true);
    return;
  }
  const std::string tail = TailForMessage(outcome->stderr_tail);
  const std::string with_tail =
      tail.empty() ? outcome->message : absl::StrCat(outcome->message, "; stderr: ", tail);
  switch (outcome->kind) {
    case ChildOutcome::Kind::kStopped:
      return report_stop();
    case ChildOutcome::Kind::kResourceLimit:
      return Fail(run, v1::FAILURE_KIND_RESOURCE_LIMIT, outcome->message, false);
    case ChildOutcome::Kind::kCrashed:
    case ChildOutcome::Kind::kProtocolError:
      return Fail(run, v1::FAILURE_KIND_CRASHED, with_tail, false);
    case ChildOutcome::Kind::kPipelineError: {
      const absl::Status& s = outcome->pipeline_status;
      switch (s.code()) {
        case absl::StatusCode::kInvalidArgument:
        case absl::StatusCode::kNotFound:
        case absl::StatusCode::kOutOfRange:
        case absl::StatusCode::kFailedPrecondition:
        case absl::StatusCode::kAlreadyExists:
          return Fail(run, v1::FAILURE_KIND_INVALID_INPUT, std::string(s.message()), false);
        case absl::StatusCode::kUnimplemented:
          return Fail(run, v1::FAILURE_KIND_UNSUPPORTED, std::string(s.message()), false);
        case absl::StatusCode::kResourceExhausted:
          return Fail(run, v1::FAILURE_KIND_RESOURCE_LIMIT, std::string(s.message()), false);
        case absl::StatusCode::kCancelled:
          return report_stop();
        default:
          return Fail(run, v1::FAILURE_KIND_INTERNAL, std::string(s.message()), true);
      }
    }
    case ChildOutcome::Kind::kSucceeded:
      Log("INFO", "pipeline finished",
          {{"job_id", run.job_id},
           {"attempt", absl::StrCat(run.attempt)},
           {"seconds", absl::StrCat(outcome->wall_seconds)}});
      break;
  }

  // Success: upload the model (and the child's log) with the report.
  v1::CompleteJobHeader header;
  header.set_job_id(run.job_id);
  header.set_attempt(run.attempt);
  header.set_worker_id(options_.worker_id);
  if (!header.mutable_report()->ParseFromString(outcome->result.report)) {
    return Fail(run, v1::FAILURE_KIND_CRASHED, "pipeline child returned an unreadable report",
                false);
  }
  std::vector<ArtifactFile> artifacts;
  absl::StatusOr<client::FileDigest> model = client::Sha256File(outcome->result.output_path);
  if (!model.ok() || model->size == 0) {
    return Fail(run, v1::FAILURE_KIND_CRASHED,
                "pipeline child reported success but wrote no model", false);
  }
  ArtifactFile m;
  m.ref.set_kind(v1::ARTIFACT_KIND_MODEL);
  m.ref.set_name(absl::StrCat(ArtifactStem(run.lease.model().name()), ".",
                              hook.empty() ? PassesShortName(spec) : "test-" + hook.substr(0, 16),
                              ".tflite"));
  for (char& c : *m.ref.mutable_name()) {
    if (c == '/' || c == ':') c = '_';
  }
  m.ref.set_size_bytes(model->size);
  m.ref.set_sha256(model->sha256);
  m.path = outcome->result.output_path;
  artifacts.push_back(std::move(m));
  if (absl::StatusOr<client::FileDigest> log = client::Sha256File(log_path);
      log.ok() && log->size > 0 && log->size <= kMaxLogArtifactBytes) {
    ArtifactFile l;
    l.ref.set_kind(v1::ARTIFACT_KIND_LOG);
    l.ref.set_name("pipeline.log");
    l.ref.set_size_bytes(log->size);
    l.ref.set_sha256(log->sha256);
    l.path = log_path;
    artifacts.push_back(std::move(l));
  }
  run.SetProgress("upload", 1.0, absl::StrCat("uploading ", artifacts[0].ref.size_bytes(),
                                              " bytes"));
  absl::Status s = client_->CompleteJob(header, artifacts, keep_going);
  if (s.ok()) {
    Log("INFO", "job succeeded",
        {{"job_id", run.job_id},
         {"attempt", absl::StrCat(run.attempt)},
         {"artifact", artifacts[0].ref.name()},
         {"bytes", absl::StrCat(artifacts[0].ref.size_bytes())},
         {"seconds", absl::StrCat(outcome->wall_seconds)}});
    return;
  }
  if (LeaseLost(s)) {
    Log("WARN", "CompleteJob rejected: the attempt no longer owns the job",
        {{"job_id", run.job_id}, {"error", std::string(s.message())}});
    return;
  }
  if (stopped()) return report_stop();
  if (s.code() == absl::StatusCode::kResourceExhausted) {
    // A server limit (artifact size, storage quota): another attempt would hit it again.
    return Fail(run, v1::FAILURE_KIND_RESOURCE_LIMIT,
                absl::StrCat("uploading the result: ", s.message()), false);
  }
  Fail(run, v1::FAILURE_KIND_INTERNAL, absl::StrCat("uploading the result: ", s.message()), true);
}

}  // namespace compressd::worker
