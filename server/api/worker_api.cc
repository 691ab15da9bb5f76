#include "server/api/worker_api.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "server/api/validation.h"
#include "server/util/logger.h"
#include "server/util/time_util.h"

namespace compressd::server {

absl::StatusOr<v1::Lease> WorkerApi::MakeLease(const JobRecord& record) {
  v1::Lease lease;
  const v1::Job& job = record.job;
  *lease.mutable_job() = job;
  lease.mutable_job()->clear_report();
  lease.set_attempt(job.attempt());
  *lease.mutable_deadline() = ToProtoTime(record.lease_deadline);
  const SchedulerOptions& so = ctx_.scheduler->options();
  lease.set_lease_seconds(
      static_cast<uint32_t>(std::max<int64_t>(1, absl::ToInt64Seconds(so.lease_duration))));
  const absl::Duration hb = so.heartbeat_interval > absl::ZeroDuration()
                                ? so.heartbeat_interval
                                : so.lease_duration / 3;
  lease.set_heartbeat_interval_ms(
      static_cast<uint32_t>(std::max<int64_t>(1, absl::ToInt64Milliseconds(hb))));
  // The job's tenant's reference, or any tenant's (jobs submitted by an admin).
  auto model = [&](const std::string& id) {
    absl::StatusOr<v1::ModelRef> m = ctx_.store->GetModel(job.tenant(), id);
    return m.ok() || !absl::IsNotFound(m.status()) ? m : ctx_.store->GetModel("", id);
  };
  auto dataset = [&](const std::string& id) {
    absl::StatusOr<v1::DatasetRef> d = ctx_.store->GetDataset(job.tenant(), id);
    return d.ok() || !absl::IsNotFound(d.status()) ? d : ctx_.store->GetDataset("", id);
  };
  ASSIGN_OR_RETURN(*lease.mutable_model(), model(job.model_id()));
  if (!job.spec().calibration().dataset_id().empty()) {
    ASSIGN_OR_RETURN(*lease.mutable_calibration(), dataset(job.spec().calibration().dataset_id()));
  }
  if (!job.spec().evaluation().dataset_id().empty()) {
    ASSIGN_OR_RETURN(*lease.mutable_evaluation(), dataset(job.spec().evaluation().dataset_id()));
  }
  return lease;
}

uint64_t WorkerApi::LeaseAsync(const Principal& p, const v1::LeaseJobRequest& req,
                               LeaseCallback done) {
  if (absl::Status s = Authenticator::RequireWorkerAccess(p); !s.ok()) {
    done(s);
    return 0;
  }
  if (absl::Status s = ValidateLeaseJobRequest(req); !s.ok()) {
    done(s);
    return 0;
  }
  WorkerInfo worker;
  worker.worker_id = req.worker_id();
  worker.target_mask = req.capabilities().targets_size() > 0
                           ? TargetMask(req.capabilities().targets())
                           : 0;
  worker.memory_bytes = req.capabilities().memory_bytes();
  const absl::Time until = ctx_.clock->Now() + absl::Milliseconds(req.wait_ms());
  return ctx_.scheduler->LeaseAsync(
      worker, until, [this, done = std::move(done)](absl::StatusOr<std::optional<JobRecord>> r) {
        if (!r.ok()) {
          done(r.status());
          return;
        }
        v1::LeaseJobResponse resp;
        if (r->has_value()) {
          absl::StatusOr<v1::Lease> lease = MakeLease(**r);
          if (!lease.ok()) {
            // The lease expires and the job is retried.
            LogError("cannot build lease", {{"job_id", (*r)->job.job_id()},
                                            {"error", lease.status().ToString()}});
            done(lease.status());
            return;
          }
          *resp.mutable_lease() = std::move(*lease);
        }
        done(std::move(resp));
      });
}

void WorkerApi::CancelLease(uint64_t waiter_id) {
  if (waiter_id != 0) ctx_.scheduler->CancelWait(waiter_id);
}

absl::StatusOr<v1::HeartbeatResponse> WorkerApi::Heartbeat(const Principal& p,
                                                           const v1::HeartbeatRequest& req) {
  RETURN_IF_ERROR(Authenticator::RequireWorkerAccess(p));
  RETURN_IF_ERROR(ValidateHeartbeatRequest(req));
  ASSIGN_OR_RETURN(HeartbeatResult r, ctx_.scheduler->Heartbeat(req.job_id(), req.attempt(),
                                                                req.worker_id(), req.progress()));
  v1::HeartbeatResponse resp;
  resp.set_action(r.action);
  if (r.action == v1::HEARTBEAT_ACTION_CONTINUE) *resp.mutable_deadline() = ToProtoTime(r.deadline);
  return resp;
}

absl::StatusOr<InputDownload> WorkerApi::OpenInput(const Principal& p,
                                                   const v1::DownloadInputRequest& req) {
  RETURN_IF_ERROR(Authenticator::RequireWorkerAccess(p));
  RETURN_IF_ERROR(ValidateJobId(req.job_id()));
  if (req.attempt() == 0) return absl::InvalidArgumentError("attempt: required (the lease's attempt)");
  ASSIGN_OR_RETURN(JobRecord record, ctx_.scheduler->CheckLease(req.job_id(), req.attempt()));
  const v1::Job& job = record.job;
  std::string sha;
  switch (req.kind()) {
    case v1::INPUT_KIND_MODEL: sha = job.model_id(); break;
    case v1::INPUT_KIND_CALIBRATION_DATASET: sha = job.spec().calibration().dataset_id(); break;
    case v1::INPUT_KIND_EVALUATION_DATASET: sha = job.spec().evaluation().dataset_id(); break;
    default:
      return absl::InvalidArgumentError(absl::StrCat("kind: unknown value ", req.kind()));
  }
  if (sha.empty()) {
    return absl::NotFoundError(absl::StrCat("job ", job.job_id(), " has no ",
                                            v1::InputKind_Name(req.kind())));
  }
  InputDownload d;
  ASSIGN_OR_RETURN(d.reader, ctx_.blobs->Open(sha));
  d.size_bytes = d.reader->size();
  d.sha256 = sha;
  if (req.offset() > d.size_bytes) {
    return absl::OutOfRangeError(
        absl::StrCat("offset: ", req.offset(), " is beyond the input's size ", d.size_bytes));
  }
  d.offset = req.offset();
  return d;
}

absl::StatusOr<std::unique_ptr<CompleteSession>> WorkerApi::StartComplete(
    const Principal& p, const v1::CompleteJobHeader& header) {
  RETURN_IF_ERROR(Authenticator::RequireWorkerAccess(p));
  RETURN_IF_ERROR(ValidateCompleteJobHeader(header));
  for (int i = 0; i < header.artifacts_size(); ++i) {
    if (header.artifacts(i).size_bytes() > static_cast<uint64_t>(ctx_.options.max_artifact_bytes)) {
      return absl::ResourceExhaustedError(
          absl::StrCat("header.artifacts[", i, "].size_bytes: ", header.artifacts(i).size_bytes(),
                       " exceeds the server limit max_artifact_bytes=",
                       ctx_.options.max_artifact_bytes));
    }
  }
  // Reject stale attempts before receiving any bytes.
  RETURN_IF_ERROR(ctx_.scheduler->CheckLease(header.job_id(), header.attempt()).status());
  std::unique_ptr<CompleteSession> s(new CompleteSession());
  s->api_ = this;
  s->header_ = header;
  return s;
}

absl::Status CompleteSession::Seal(int index) {
  const v1::ArtifactRef& want = header_.artifacts(index);
  const std::string field = absl::StrCat("header.artifacts[", index, "]");
  if (!writer_) {
    ASSIGN_OR_RETURN(writer_, api_->ctx_.blobs->NewWriter());
  }
  absl::Status s = writer_->Verify(want.size_bytes(), want.sha256(), field);
  if (!s.ok()) {
    writer_->Discard();
    writer_.reset();
    return s;
  }
  ASSIGN_OR_RETURN(std::string sha, writer_->Commit());
  writer_.reset();
  stored_.push_back(want);
  (void)sha;
  return absl::OkStatus();
}

absl::Status CompleteSession::Append(const v1::ArtifactChunk& chunk) {
  if (failed_) return absl::FailedPreconditionError("complete stream already failed");
  const int index = static_cast<int>(chunk.artifact_index());
  if (chunk.artifact_index() >= static_cast<uint32_t>(header_.artifacts_size())) {
    failed_ = true;
    return absl::InvalidArgumentError(absl::StrCat("chunk.artifact_index: ", chunk.artifact_index(),
                                                   " but the header lists ",
                                                   header_.artifacts_size(), " artifacts"));
  }
  if (index < current_) {
    failed_ = true;
    return absl::InvalidArgumentError(absl::StrCat(
        "chunk.artifact_index: ", index, " after artifact ", current_,
        "; artifacts must be sent in manifest order"));
  }
  while (current_ < index) {
    if (absl::Status s = Seal(current_); !s.ok()) {
      failed_ = true;
      return s;
    }
    ++current_;
  }
  if (!writer_) {
    ASSIGN_OR_RETURN(writer_, api_->ctx_.blobs->NewWriter());
  }
  if (absl::Status s = ValidateChunk(chunk.chunk()); !s.ok()) {
    failed_ = true;
    return s;
  }
  if (chunk.chunk().offset() != writer_->offset()) {
    failed_ = true;
    return absl::InvalidArgumentError(absl::StrCat("chunk.chunk.offset: expected ",
                                                   writer_->offset(), ", got ",
                                                   chunk.chunk().offset()));
  }
  const uint64_t end = writer_->offset() + chunk.chunk().data().size();
  if (end > header_.artifacts(index).size_bytes()) {
    failed_ = true;
    return absl::InvalidArgumentError(absl::StrCat("chunk.chunk.data: artifact ", index,
                                                   " would grow to ", end,
                                                   " bytes, beyond its declared size ",
                                                   header_.artifacts(index).size_bytes()));
  }
  const std::string& data = chunk.chunk().data();
  return writer_->Append(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

absl::Status CompleteSession::Finish() {
  if (failed_) return absl::FailedPreconditionError("complete stream already failed");
  failed_ = true;  // one Finish per session
  while (current_ < header_.artifacts_size()) {
    RETURN_IF_ERROR(Seal(current_));
    ++current_;
  }
  const ApiContext& ctx = api_->ctx_;
  const std::string report_bytes = header_.report().SerializeAsString();
  ASSIGN_OR_RETURN(std::string report_sha,
                   ctx.blobs->Put(std::span<const uint8_t>(
                       reinterpret_cast<const uint8_t*>(report_bytes.data()), report_bytes.size())));
  std::vector<v1::ArtifactRef> artifacts = stored_;
  v1::ArtifactRef report_ref;
  report_ref.set_kind(v1::ARTIFACT_KIND_REPORT);
  report_ref.set_name("report.pb");
  report_ref.set_size_bytes(report_bytes.size());
  report_ref.set_sha256(report_sha);
  artifacts.push_back(report_ref);
  ASSIGN_OR_RETURN(v1::Job job,
                   ctx.scheduler->Complete(header_.job_id(), header_.attempt(),
                                           header_.worker_id(), artifacts, header_.report()));
  if (ctx.metrics) ctx.metrics->SetStoredBytes(ctx.blobs->TotalBytes());
  return absl::OkStatus();
}

absl::StatusOr<v1::FailJobResponse> WorkerApi::FailJob(const Principal& p,
                                                       const v1::FailJobRequest& req) {
  RETURN_IF_ERROR(Authenticator::RequireWorkerAccess(p));
  RETURN_IF_ERROR(ValidateFailJobRequest(req));
  ASSIGN_OR_RETURN(v1::JobState state,
                   ctx_.scheduler->Fail(req.job_id(), req.attempt(), req.worker_id(), req.kind(),
                                        req.message().substr(0, 4096), req.retryable()));
  v1::FailJobResponse resp;
  resp.set_state(state);
  return resp;
}

}  // namespace compressd::server
