#include "server/api/compression_api.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/base/status_macros.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/api/validation.h"
#include "server/util/ids.h"
#include "server/util/logger.h"
#include "server/util/sha256.h"
#include "server/util/time_util.h"

namespace compressd::server {
namespace {

const char* KindName(UploadKind kind) { return kind == UploadKind::kModel ? "model" : "dataset"; }

std::string SessionKey(const std::string& tenant, UploadKind kind, const std::string& sha256,
                       uint64_t size) {
  return absl::StrCat(tenant, "\n", static_cast<int>(kind), "\n", sha256, "\n", size);
}

absl::Status NotFoundJob(const std::string& job_id) {
  return absl::NotFoundError(absl::StrCat("job ", job_id, " not found"));
}

// A read-only memory map of a whole file (the model is validated without a copy).
class MappedFile {
 public:
  static absl::StatusOr<MappedFile> Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return absl::InternalError(absl::StrCat("open ", path, ": ", std::strerror(errno)));
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return absl::InternalError(absl::StrCat("stat ", path, ": ", std::strerror(errno)));
    }
    MappedFile f;
    f.size_ = static_cast<size_t>(st.st_size);
    if (f.size_ > 0) {
      // No MAP_POPULATE: the validator reads the flatbuffer tables and the few buffers its
      // checks look at (strings), not the constant weights, so most pages are never touched.
      void* p = ::mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        ::close(fd);
        return absl::ResourceExhaustedError(
            absl::StrCat("mmap ", path, ": ", std::strerror(errno)));
      }
      f.data_ = static_cast<const uint8_t*>(p);
    }
    ::close(fd);
    return f;
  }
  MappedFile(MappedFile&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; }
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
  }
  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  MappedFile() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

std::string FilterHash(const v1::ListJobsRequest& req, const Principal& p) {
  v1::ListJobsRequest copy = req;
  copy.clear_page_token();
  copy.clear_page_size();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    copy.SerializeToCodedStream(&coded);
  }
  return Sha256Hex(absl::StrCat(p.VisibleTenant(), "\n", bytes)).substr(0, 16);
}

}  // namespace

std::string UploadName(const std::string& tenant, UploadKind kind, const std::string& sha256,
                       uint64_t size_bytes) {
  return Sha256Hex(SessionKey(tenant, kind, sha256, size_bytes)).substr(0, 40);
}

// ---------------------------------------------------------------------------------------------
// Uploads

absl::Status CompressionApi::CheckQuota(const Principal& p, uint64_t more_bytes,
                                        const std::string& what) {
  if (p.limits.storage_quota_bytes <= 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(int64_t used, ctx_.store->TenantStorageBytes(p.tenant));
  if (used + static_cast<int64_t>(more_bytes) > p.limits.storage_quota_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "tenant '", p.tenant, "': limit storage_quota_bytes=", p.limits.storage_quota_bytes,
        " would be exceeded: ", used, " bytes used + ", more_bytes, " bytes for this ", what));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<UploadSession>> CompressionApi::StartModelUpload(
    const Principal& p, const v1::UploadModelMetadata& m) {
  RETURN_IF_ERROR(ValidateUploadMetadata(m.name(), m.size_bytes(), m.sha256(), m.offset()));
  if (!v1::ModelFormat_IsValid(m.format())) {
    return absl::InvalidArgumentError(absl::StrCat("metadata.format: unknown value ", m.format()));
  }
  if (p.limits.max_model_bytes > 0 &&
      m.size_bytes() > static_cast<uint64_t>(p.limits.max_model_bytes)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "tenant '", p.tenant, "': model of ", m.size_bytes(),
        " bytes exceeds the limit max_model_bytes=", p.limits.max_model_bytes));
  }
  return StartUpload(p, UploadKind::kModel, m.name(), m.size_bytes(), m.sha256(), m.offset(),
                     m.format());
}

absl::StatusOr<std::unique_ptr<UploadSession>> CompressionApi::StartDatasetUpload(
    const Principal& p, const v1::UploadDatasetMetadata& m) {
  RETURN_IF_ERROR(ValidateUploadMetadata(m.name(), m.size_bytes(), m.sha256(), m.offset()));
  if (!v1::DatasetFormat_IsValid(m.format())) {
    return absl::InvalidArgumentError(absl::StrCat("metadata.format: unknown value ", m.format()));
  }
  if (m.size_bytes() > static_cast<uint64_t>(ctx_.options.max_dataset_bytes)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "dataset of ", m.size_bytes(), " bytes exceeds the server limit max_dataset_bytes=",
        ctx_.options.max_dataset_bytes));
  }
  return StartUpload(p, UploadKind::kDataset, m.name(), m.size_bytes(), m.sha256(), m.offset(),
                     m.format());
}

absl::StatusOr<std::unique_ptr<UploadSession>> CompressionApi::StartUpload(
    const Principal& p, UploadKind kind, const std::string& name, uint64_t size_bytes,
    const std::string& sha256, uint64_t offset, uint32_t format) {
  if (sha256.empty()) {
    // Streamed hash (offset 0, checked by ValidateUploadMetadata): the object is unknown until
    // the trailer, so the whole size is charged against the quota now. A client refused here
    // retries with the digest up front, which does not charge bytes the tenant already holds.
    RETURN_IF_ERROR(CheckQuota(p, size_bytes, std::string(KindName(kind)) + " upload"));
    std::unique_ptr<UploadSession> session(new UploadSession());
    session->api_ = this;
    session->principal_ = p;
    session->format_ = format;
    UploadSessionRecord& r = session->record_;
    r.tenant = p.tenant;
    r.kind = kind;
    r.size_bytes = size_bytes;
    r.name = name;
    ASSIGN_OR_RETURN(session->writer_, ctx_.blobs->NewWriter());
    return session;
  }
  // Already stored for this tenant: no storage is charged again.
  const bool have = kind == UploadKind::kModel ? ctx_.store->GetModel(p.tenant, sha256).ok()
                                               : ctx_.store->GetDataset(p.tenant, sha256).ok();
  if (!have) RETURN_IF_ERROR(CheckQuota(p, size_bytes, std::string(KindName(kind)) + " upload"));

  const std::string key = SessionKey(p.tenant, kind, sha256, size_bytes);
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    if (!active_sessions_.insert(key).second) {
      return absl::AbortedError(absl::StrCat("another upload of this ", KindName(kind),
                                             " (sha256 ", sha256, ") is in progress"));
    }
  }
  std::unique_ptr<UploadSession> session(new UploadSession());
  session->api_ = this;  // from here on, the destructor releases the key
  session->principal_ = p;
  session->format_ = format;
  UploadSessionRecord& r = session->record_;
  r.tenant = p.tenant;
  r.kind = kind;
  r.sha256 = sha256;
  r.size_bytes = size_bytes;
  r.name = name;
  r.upload_name = UploadName(p.tenant, kind, sha256, size_bytes);

  ASSIGN_OR_RETURN(std::optional<UploadSessionRecord> existing,
                   ctx_.store->GetUpload(p.tenant, kind, sha256, size_bytes));
  uint64_t committed = 0;
  if (existing) {
    ASSIGN_OR_RETURN(uint64_t on_disk, ctx_.blobs->UploadSize(r.upload_name));
    committed = std::min(existing->committed_offset, on_disk);
  }
  if (offset > committed) {
    return absl::FailedPreconditionError(absl::StrCat(
        "metadata.offset: ", offset, " is beyond the committed offset ", committed,
        " of this upload; ask GetUploadStatus where to resume"));
  }
  ASSIGN_OR_RETURN(session->writer_, ctx_.blobs->OpenUpload(r.upload_name, offset));
  r.committed_offset = offset;
  r.update_time = ctx_.clock->Now();
  RETURN_IF_ERROR(ctx_.store->PutUpload(r));
  session->synced_offset_ = offset;
  return session;
}

void CompressionApi::ReleaseSession(const std::string& key) {
  std::lock_guard<std::mutex> lock(sessions_mu_);
  active_sessions_.erase(key);
}

UploadSession::~UploadSession() {
  if (api_ == nullptr) return;
  if (streamed()) {
    // No session to resume: an unfinished stream leaves nothing behind.
    if (!finished_ && writer_) writer_->Discard();
    return;
  }
  if (!finished_ && writer_) {
    absl::Status s = SyncProgress();
    if (!s.ok()) {
      LogWarning("cannot record upload progress", {{"sha256", record_.sha256},
                                                   {"error", s.ToString()}});
    }
  }
  writer_.reset();
  api_->ReleaseSession(
      SessionKey(record_.tenant, record_.kind, record_.sha256, record_.size_bytes));
}

uint64_t UploadSession::offset() const { return writer_ ? writer_->offset() : 0; }

absl::Status UploadSession::SyncProgress() {
  ASSIGN_OR_RETURN(uint64_t durable, writer_->Sync());
  if (durable == synced_offset_) return absl::OkStatus();
  record_.committed_offset = durable;
  record_.update_time = api_->ctx_.clock->Now();
  RETURN_IF_ERROR(api_->ctx_.store->PutUpload(record_));
  synced_offset_ = durable;
  return absl::OkStatus();
}

void UploadSession::DiscardAll() {
  finished_ = true;
  if (writer_) writer_->Discard();
  if (streamed()) return;
  absl::Status s = api_->ctx_.store->DeleteUpload(record_.tenant, record_.kind, record_.sha256,
                                                  record_.size_bytes);
  if (!s.ok()) LogWarning("cannot delete upload session", {{"error", s.ToString()}});
}

absl::Status UploadSession::Append(const v1::DataChunk& chunk) {
  if (finished_ || !writer_) return absl::FailedPreconditionError("upload is finished");
  if (!trailer_sha256_.empty()) {
    return absl::InvalidArgumentError("chunk: no chunk may follow the trailer");
  }
  RETURN_IF_ERROR(ValidateChunk(chunk));
  if (chunk.offset() != writer_->offset()) {
    return absl::InvalidArgumentError(absl::StrCat("chunk.offset: expected ", writer_->offset(),
                                                   ", got ", chunk.offset()));
  }
  if (writer_->offset() + chunk.data().size() > record_.size_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "chunk.data: ends at ", writer_->offset() + chunk.data().size(),
        ", beyond metadata.size_bytes ", record_.size_bytes));
  }
  RETURN_IF_ERROR(writer_->Append(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(chunk.data().data()), chunk.data().size())));
  if (api_->ctx_.metrics) {
    api_->ctx_.metrics->AddUploadBytes(KindName(record_.kind),
                                       static_cast<int64_t>(chunk.data().size()));
  }
  // Progress is made durable only where it can be resumed; Commit syncs everything at the end.
  if (!streamed() && writer_->offset() - synced_offset_ >= api_->ctx_.options.upload_sync_bytes) {
    RETURN_IF_ERROR(SyncProgress());
  }
  return absl::OkStatus();
}

absl::Status UploadSession::SetTrailer(const v1::UploadTrailer& trailer) {
  if (finished_ || !writer_) return absl::FailedPreconditionError("upload is finished");
  if (!trailer_sha256_.empty()) {
    return absl::InvalidArgumentError("trailer: at most one trailer per stream");
  }
  if (!IsSha256Hex(trailer.sha256())) {
    return absl::InvalidArgumentError("trailer.sha256: must be 64 lowercase hex characters");
  }
  if (!streamed() && trailer.sha256() != record_.sha256) {
    return absl::InvalidArgumentError(absl::StrCat("trailer.sha256: ", trailer.sha256(),
                                                   " differs from metadata.sha256 ",
                                                   record_.sha256));
  }
  trailer_sha256_ = trailer.sha256();
  return absl::OkStatus();
}

absl::Status UploadSession::VerifyForFinish() {
  if (streamed()) {
    absl::Status s;
    if (writer_->offset() != record_.size_bytes) {
      s = absl::InvalidArgumentError(absl::StrCat("metadata.size_bytes: declared ",
                                                  record_.size_bytes, " bytes but received ",
                                                  writer_->offset()));
    } else if (trailer_sha256_.empty()) {
      s = absl::InvalidArgumentError(
          "trailer: required when metadata.sha256 is empty (streamed hash)");
    } else {
      s = writer_->Verify(record_.size_bytes, trailer_sha256_, "trailer");
    }
    if (!s.ok()) {
      DiscardAll();
      return s;
    }
    return absl::OkStatus();
  }
  if (absl::Status s = writer_->Verify(record_.size_bytes, record_.sha256, "metadata"); !s.ok()) {
    if (writer_->offset() < record_.size_bytes) {
      // Incomplete: keep what arrived so that the client can resume.
      (void)SyncProgress();
      finished_ = true;
      return s;
    }
    DiscardAll();
    return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ModelRef> UploadSession::FinishModel() {
  if (finished_ || !writer_) return absl::FailedPreconditionError("upload is finished");
  if (record_.kind != UploadKind::kModel) return absl::InternalError("not a model upload");
  const ApiContext& ctx = api_->ctx_;
  RETURN_IF_ERROR(VerifyForFinish());
  absl::StatusOr<MappedFile> bytes = MappedFile::Open(writer_->local_path());
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<v1::ModelSummary> summary = ctx.validator->Validate(bytes->bytes());
  if (!summary.ok()) {
    DiscardAll();
    const absl::Status& e = summary.status();
    return absl::Status(e.code(), absl::StrCat("model rejected: ", e.message()));
  }
  ASSIGN_OR_RETURN(std::string sha, writer_->Commit());
  finished_ = true;
  v1::ModelRef ref;
  ref.set_model_id(sha);
  ref.set_sha256(sha);
  ref.set_name(record_.name);
  ref.set_format(v1::MODEL_FORMAT_TFLITE);
  ref.set_size_bytes(record_.size_bytes);
  *ref.mutable_create_time() = ToProtoTime(ctx.clock->Now());
  *ref.mutable_summary() = std::move(*summary);
  RETURN_IF_ERROR(ctx.store->PutModel(record_.tenant, ref));
  if (!streamed()) {
    (void)ctx.store->DeleteUpload(record_.tenant, record_.kind, record_.sha256,
                                  record_.size_bytes);
  }
  if (ctx.metrics) ctx.metrics->SetStoredBytes(ctx.blobs->TotalBytes());
  LogInfo("model stored", {{"model_id", sha},
                           {"tenant", record_.tenant},
                           {"bytes", absl::StrCat(record_.size_bytes)}});
  return ref;
}

absl::StatusOr<v1::DatasetRef> UploadSession::FinishDataset() {
  if (finished_ || !writer_) return absl::FailedPreconditionError("upload is finished");
  if (record_.kind != UploadKind::kDataset) return absl::InternalError("not a dataset upload");
  const ApiContext& ctx = api_->ctx_;
  RETURN_IF_ERROR(VerifyForFinish());
  RETURN_IF_ERROR(writer_->Sync().status());
  absl::StatusOr<TarSummary> summary =
      ExtractTar(writer_->local_path(), /*dest_dir=*/"", ctx.options.tar_limits);
  if (!summary.ok()) {
    DiscardAll();
    return summary.status();
  }
  ASSIGN_OR_RETURN(std::string sha, writer_->Commit());
  finished_ = true;
  v1::DatasetRef ref;
  ref.set_dataset_id(sha);
  ref.set_sha256(sha);
  ref.set_name(record_.name);
  ref.set_format(v1::DATASET_FORMAT_TAR);
  ref.set_size_bytes(record_.size_bytes);
  *ref.mutable_create_time() = ToProtoTime(ctx.clock->Now());
  ref.set_npy_files(static_cast<uint32_t>(summary->npy_files));
  ref.set_image_files(static_cast<uint32_t>(summary->image_files));
  ref.set_has_labels(summary->has_labels);
  ref.set_extracted_bytes(static_cast<uint64_t>(summary->total_bytes));
  RETURN_IF_ERROR(ctx.store->PutDataset(record_.tenant, ref));
  if (!streamed()) {
    (void)ctx.store->DeleteUpload(record_.tenant, record_.kind, record_.sha256,
                                  record_.size_bytes);
  }
  if (ctx.metrics) ctx.metrics->SetStoredBytes(ctx.blobs->TotalBytes());
  LogInfo("dataset stored", {{"dataset_id", sha},
                             {"tenant", record_.tenant},
                             {"files", absl::StrCat(summary->sample_files.size())}});
  return ref;
}

absl::StatusOr<int> CompressionApi::CollectStaleUploads(absl::Duration max_age) {
  ASSIGN_OR_RETURN(std::vector<UploadSessionRecord> stale,
                   ctx_.store->ListStaleUploads(ctx_.clock->Now() - max_age));
  int removed = 0;
  for (const UploadSessionRecord& u : stale) {
    {
      std::lock_guard<std::mutex> lock(sessions_mu_);
      if (active_sessions_.count(SessionKey(u.tenant, u.kind, u.sha256, u.size_bytes))) continue;
    }
    RETURN_IF_ERROR(ctx_.blobs->DeleteUpload(u.upload_name));
    RETURN_IF_ERROR(ctx_.store->DeleteUpload(u.tenant, u.kind, u.sha256, u.size_bytes));
    ++removed;
  }
  return removed;
}

absl::StatusOr<v1::GetUploadStatusResponse> CompressionApi::GetUploadStatus(
    const Principal& p, const v1::GetUploadStatusRequest& req) {
  if (req.kind() != v1::UPLOAD_KIND_MODEL && req.kind() != v1::UPLOAD_KIND_DATASET) {
    return absl::InvalidArgumentError("kind: required (UPLOAD_KIND_MODEL or UPLOAD_KIND_DATASET)");
  }
  if (!IsSha256Hex(req.sha256())) {
    return absl::InvalidArgumentError("sha256: must be 64 lowercase hex characters");
  }
  if (req.size_bytes() == 0) return absl::InvalidArgumentError("size_bytes: required (> 0)");
  const UploadKind kind =
      req.kind() == v1::UPLOAD_KIND_MODEL ? UploadKind::kModel : UploadKind::kDataset;
  v1::GetUploadStatusResponse resp;
  if (kind == UploadKind::kModel) {
    absl::StatusOr<v1::ModelRef> m = ctx_.store->GetModel(p.tenant, req.sha256());
    if (m.ok() && m->size_bytes() == req.size_bytes()) {
      resp.set_complete(true);
      resp.set_committed_offset(m->size_bytes());
      *resp.mutable_model() = std::move(*m);
      return resp;
    }
  } else {
    absl::StatusOr<v1::DatasetRef> d = ctx_.store->GetDataset(p.tenant, req.sha256());
    if (d.ok() && d->size_bytes() == req.size_bytes()) {
      resp.set_complete(true);
      resp.set_committed_offset(d->size_bytes());
      *resp.mutable_dataset() = std::move(*d);
      return resp;
    }
  }
  ASSIGN_OR_RETURN(std::optional<UploadSessionRecord> session,
                   ctx_.store->GetUpload(p.tenant, kind, req.sha256(), req.size_bytes()));
  if (session) {
    ASSIGN_OR_RETURN(uint64_t on_disk, ctx_.blobs->UploadSize(session->upload_name));
    resp.set_committed_offset(std::min(session->committed_offset, on_disk));
  }
  return resp;
}

absl::StatusOr<v1::ModelRef> CompressionApi::GetModel(const Principal& p,
                                                      const v1::GetModelRequest& req) {
  RETURN_IF_ERROR(ValidateContentId(req.model_id(), "model_id"));
  return ctx_.store->GetModel(p.VisibleTenant(), req.model_id());
}

absl::StatusOr<v1::DatasetRef> CompressionApi::GetDataset(const Principal& p,
                                                          const v1::GetDatasetRequest& req) {
  RETURN_IF_ERROR(ValidateContentId(req.dataset_id(), "dataset_id"));
  return ctx_.store->GetDataset(p.VisibleTenant(), req.dataset_id());
}

// ---------------------------------------------------------------------------------------------
// Jobs

absl::StatusOr<v1::Job> CompressionApi::VisibleJob(const Principal& p, const std::string& job_id) {
  absl::StatusOr<v1::Job> job = ctx_.scheduler->GetJob(job_id);
  if (!job.ok()) {
    if (absl::IsNotFound(job.status())) return NotFoundJob(job_id);
    return job.status();
  }
  if (!p.CanSee(job->tenant())) return NotFoundJob(job_id);
  return job;
}

absl::StatusOr<v1::Job> CompressionApi::SubmitJob(const Principal& p,
                                                  const v1::SubmitJobRequest& req) {
  RETURN_IF_ERROR(ValidateSubmitJobRequest(req));
  const std::string visible = p.VisibleTenant();
  if (absl::StatusOr<v1::ModelRef> m = ctx_.store->GetModel(visible, req.model_id()); !m.ok()) {
    if (absl::IsNotFound(m.status())) {
      return absl::NotFoundError(absl::StrCat("model_id: model ", req.model_id(), " not found"));
    }
    return m.status();
  }
  for (const auto& [field, input] :
       {std::pair<const char*, const v1::DatasetInput*>{"spec.calibration", &req.spec().calibration()},
        std::pair<const char*, const v1::DatasetInput*>{"spec.evaluation", &req.spec().evaluation()}}) {
    if (input->dataset_id().empty()) continue;
    absl::StatusOr<v1::DatasetRef> d = ctx_.store->GetDataset(visible, input->dataset_id());
    if (!d.ok()) {
      if (absl::IsNotFound(d.status())) {
        return absl::NotFoundError(absl::StrCat(field, ".dataset_id: dataset ",
                                                input->dataset_id(), " not found"));
      }
      return d.status();
    }
  }
  JobRecord record;
  v1::Job& job = record.job;
  job.set_job_id(NewJobId());
  job.set_tenant(p.tenant);
  job.set_model_id(req.model_id());
  *job.mutable_spec() = req.spec();
  job.set_priority(req.priority());
  job.set_idempotency_key(req.idempotency_key());
  *job.mutable_create_time() = ToProtoTime(ctx_.clock->Now());
  record.request_fingerprint = RequestFingerprint(req);
  CreateJobOptions options;
  options.max_active_jobs_per_tenant = p.limits.max_concurrent_jobs;
  ASSIGN_OR_RETURN(CreateJobResult result, ctx_.scheduler->Submit(std::move(record), options));
  if (!result.created) {
    // The job created by the first request, as it is now.
    ASSIGN_OR_RETURN(v1::Job current, ctx_.scheduler->GetJob(result.record.job.job_id()));
    current.clear_report();
    return current;
  }
  v1::Job out = std::move(result.record.job);
  out.clear_report();
  return out;
}

absl::StatusOr<v1::Job> CompressionApi::GetJob(const Principal& p, const v1::GetJobRequest& req) {
  RETURN_IF_ERROR(ValidateJobId(req.job_id()));
  if (!v1::JobView_IsValid(req.view())) {
    return absl::InvalidArgumentError(absl::StrCat("view: unknown value ", req.view()));
  }
  ASSIGN_OR_RETURN(v1::Job job, VisibleJob(p, req.job_id()));
  if (req.view() != v1::JOB_VIEW_FULL) job.clear_report();
  return job;
}

absl::StatusOr<v1::ListJobsResponse> CompressionApi::ListJobs(const Principal& p,
                                                              const v1::ListJobsRequest& req) {
  RETURN_IF_ERROR(ValidateListJobsRequest(req));
  const std::string filter_hash = FilterHash(req, p);
  JobFilter filter;
  if (!req.page_token().empty()) {
    std::string decoded;
    std::vector<std::string> parts;
    int64_t before = 0;
    if (!absl::WebSafeBase64Unescape(req.page_token(), &decoded) ||
        (parts = absl::StrSplit(decoded, ':')).size() != 2 ||
        !absl::SimpleAtoi(parts[0], &before) || before <= 0) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
    if (parts[1] != filter_hash) {
      return absl::InvalidArgumentError(
          "page_token: was issued for a request with different filters");
    }
    filter.before_seq = before;
  }
  v1::ListJobsResponse resp;
  if (p.role == Role::kAdmin) {
    filter.tenant = req.tenant();
  } else {
    if (!req.tenant().empty() && req.tenant() != p.tenant) return resp;
    filter.tenant = p.tenant;
  }
  for (int s : req.states()) filter.states.push_back(static_cast<v1::JobState>(s));
  for (const auto& [k, v] : req.labels()) filter.labels[k] = v;
  if (req.has_create_time_after()) filter.create_time_after = FromProtoTime(req.create_time_after());
  if (req.has_create_time_before()) {
    filter.create_time_before = FromProtoTime(req.create_time_before());
  }
  const int page_size = static_cast<int>(req.page_size() == 0 ? kDefaultPageSize : req.page_size());
  filter.limit = page_size + 1;
  ASSIGN_OR_RETURN(std::vector<JobRecord> records, ctx_.store->ListJobs(filter));
  const bool more = static_cast<int>(records.size()) > page_size;
  if (more) records.resize(page_size);
  for (JobRecord& r : records) {
    v1::Job* job = resp.add_jobs();
    *job = std::move(r.job);
    job->clear_report();
  }
  if (more && !records.empty()) {
    resp.set_next_page_token(
        absl::WebSafeBase64Escape(absl::StrCat(records.back().seq, ":", filter_hash)));
  }
  return resp;
}

absl::StatusOr<v1::Job> CompressionApi::CancelJob(const Principal& p,
                                                  const v1::CancelJobRequest& req) {
  RETURN_IF_ERROR(ValidateJobId(req.job_id()));
  if (req.reason().size() > 1024) return absl::InvalidArgumentError("reason: at most 1024 bytes");
  RETURN_IF_ERROR(VisibleJob(p, req.job_id()).status());
  ASSIGN_OR_RETURN(v1::Job job, ctx_.scheduler->Cancel(req.job_id(), req.reason()));
  job.clear_report();
  return job;
}

absl::StatusOr<std::pair<uint64_t, v1::Job>> CompressionApi::WatchJob(
    const Principal& p, const v1::WatchJobRequest& req, Scheduler::JobListener listener) {
  RETURN_IF_ERROR(ValidateJobId(req.job_id()));
  RETURN_IF_ERROR(VisibleJob(p, req.job_id()).status());
  absl::StatusOr<std::pair<uint64_t, v1::Job>> watch =
      ctx_.scheduler->Watch(req.job_id(), std::move(listener));
  if (!watch.ok()) return watch.status();
  watch->second.clear_report();
  return watch;
}

void CompressionApi::Unwatch(uint64_t watch_id) { ctx_.scheduler->Unwatch(watch_id); }

absl::StatusOr<ArtifactDownload> CompressionApi::OpenArtifact(
    const Principal& p, const v1::DownloadArtifactRequest& req) {
  RETURN_IF_ERROR(ValidateJobId(req.job_id()));
  if (req.kind() == v1::ARTIFACT_KIND_UNSPECIFIED || !v1::ArtifactKind_IsValid(req.kind())) {
    return absl::InvalidArgumentError(
        "kind: required (ARTIFACT_KIND_MODEL, ARTIFACT_KIND_REPORT or ARTIFACT_KIND_LOG)");
  }
  ASSIGN_OR_RETURN(v1::Job job, VisibleJob(p, req.job_id()));
  if (job.state() != v1::JOB_STATE_SUCCEEDED) {
    return absl::FailedPreconditionError(
        absl::StrCat("job ", job.job_id(), " is ", v1::JobState_Name(job.state()),
                     "; artifacts exist only for JOB_STATE_SUCCEEDED jobs"));
  }
  for (const v1::ArtifactRef& a : job.artifacts()) {
    if (a.kind() != req.kind()) continue;
    if (req.offset() > a.size_bytes()) {
      return absl::OutOfRangeError(absl::StrCat("offset: ", req.offset(),
                                                " is beyond the artifact's size ", a.size_bytes()));
    }
    ArtifactDownload d;
    d.artifact = a;
    ASSIGN_OR_RETURN(d.reader, ctx_.blobs->Open(a.sha256()));
    d.offset = req.offset();
    return d;
  }
  return absl::NotFoundError(absl::StrCat("job ", job.job_id(), " has no ",
                                          v1::ArtifactKind_Name(req.kind()), " artifact"));
}

}  // namespace compressd::server
