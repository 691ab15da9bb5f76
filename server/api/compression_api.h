// The logic of CompressionService without any gRPC: each method takes the authenticated
// principal and a request message and returns the response or an absl::Status (codes as
// documented in proto/compressd/v1/compression_service.proto). The transport's handlers only
// convert.
//
// Thread safety: all methods are thread-safe. They may block (SQLite commits, file I/O, model
// validation): call them from your own threads, not from gRPC reactor callbacks.
#ifndef COMPRESSD_SERVER_API_COMPRESSION_API_H_
#define COMPRESSD_SERVER_API_COMPRESSION_API_H_

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "compressd/v1/compression_service.pb.h"
#include "server/api/api_context.h"
#include "server/auth/auth.h"

namespace compressd::server {

class CompressionApi;

// One upload stream (UploadModel / UploadDataset). Created by StartUpload; used by one thread at a
// time. Two modes:
//  - digest up front (metadata.sha256 set): a resumable session keyed by (tenant, kind, sha256,
//    size); destroying it without Finish() keeps the durable prefix for a resume;
//  - streamed hash (metadata.sha256 empty): the digest arrives in the trailer; the bytes go to an
//    anonymous blob writer with no session record and no periodic sync, and anything short of a
//    successful Finish() deletes them (nothing to resume).
class UploadSession {
 public:
  ~UploadSession();
  // Appends the next chunk (its offset must be where the previous one ended; none after the
  // trailer).
  absl::Status Append(const v1::DataChunk& chunk);
  // Records the trailer's digest: INVALID_ARGUMENT when malformed, repeated, or different from
  // metadata.sha256.
  absl::Status SetTrailer(const v1::UploadTrailer& trailer);
  // Verifies size and hash, validates the content, stores it and returns its reference (model or
  // dataset, by kind). The session is over afterwards, whatever the result.
  absl::StatusOr<v1::ModelRef> FinishModel();
  absl::StatusOr<v1::DatasetRef> FinishDataset();
  uint64_t offset() const;

 private:
  friend class CompressionApi;
  UploadSession() = default;
  bool streamed() const { return record_.sha256.empty(); }
  absl::Status SyncProgress();
  // Drops the partial data and the session record (after a fatal content error).
  void DiscardAll();
  // Size and digest check before Finish stores anything: OK, or the error after keeping (digest up
  // front, incomplete: resumable) or discarding the bytes (the session is then finished).
  absl::Status VerifyForFinish();

  CompressionApi* api_ = nullptr;
  Principal principal_;
  UploadSessionRecord record_;  // sha256 empty in streamed-hash mode
  std::unique_ptr<BlobWriter> writer_;
  uint64_t synced_offset_ = 0;
  uint32_t format_ = 0;
  bool finished_ = false;
  std::string trailer_sha256_;  // set by SetTrailer
};

// A download in progress: the artifact's reference and a reader positioned by the caller.
struct ArtifactDownload {
  v1::ArtifactRef artifact;
  std::unique_ptr<BlobReader> reader;
  uint64_t offset = 0;
};

class CompressionApi {
 public:
  explicit CompressionApi(ApiContext ctx) : ctx_(std::move(ctx)) {}

  absl::StatusOr<std::unique_ptr<UploadSession>> StartModelUpload(
      const Principal& p, const v1::UploadModelMetadata& metadata);
  absl::StatusOr<std::unique_ptr<UploadSession>> StartDatasetUpload(
      const Principal& p, const v1::UploadDatasetMetadata& metadata);
  absl::StatusOr<v1::GetUploadStatusResponse> GetUploadStatus(
      const Principal& p, const v1::GetUploadStatusRequest& req);
  absl::StatusOr<v1::ModelRef> GetModel(const Principal& p, const v1::GetModelRequest& req);
  absl::StatusOr<v1::DatasetRef> GetDataset(const Principal& p, const v1::GetDatasetRequest& req);

  absl::StatusOr<v1::Job> SubmitJob(const Principal& p, const v1::SubmitJobRequest& req);
  absl::StatusOr<v1::Job> GetJob(const Principal& p, const v1::GetJobRequest& req);
  absl::StatusOr<v1::ListJobsResponse> ListJobs(const Principal& p, const v1::ListJobsRequest& req);
  absl::StatusOr<v1::Job> CancelJob(const Principal& p, const v1::CancelJobRequest& req);

  // Registers `listener` for changes of a visible job; returns the watch id and the current job
  // (basic view). Listener rules as Scheduler::JobListener. End with Unwatch.
  absl::StatusOr<std::pair<uint64_t, v1::Job>> WatchJob(const Principal& p,
                                                        const v1::WatchJobRequest& req,
                                                        Scheduler::JobListener listener);
  void Unwatch(uint64_t watch_id);

  absl::StatusOr<ArtifactDownload> OpenArtifact(const Principal& p,
                                                const v1::DownloadArtifactRequest& req);

  // Deletes upload sessions (and their partial files) untouched for longer than max_age that are
  // not in progress. Returns how many were removed.
  absl::StatusOr<int> CollectStaleUploads(absl::Duration max_age);

  const ApiContext& context() const { return ctx_; }

 private:
  friend class UploadSession;
  absl::StatusOr<std::unique_ptr<UploadSession>> StartUpload(const Principal& p, UploadKind kind,
                                                             const std::string& name,
                                                             uint64_t size_bytes,
                                                             const std::string& sha256,
                                                             uint64_t offset, uint32_t format);
  // The job if `p` may see it, NOT_FOUND otherwise.
  absl::StatusOr<v1::Job> VisibleJob(const Principal& p, const std::string& job_id);
  absl::Status CheckQuota(const Principal& p, uint64_t more_bytes, const std::string& what);
  void ReleaseSession(const std::string& key);

  ApiContext ctx_;
  std::mutex sessions_mu_;
  std::set<std::string> active_sessions_;  // guarded by sessions_mu_
};

// Name of the partial file of an upload session (derived from its key; [0-9a-f]).
std::string UploadName(const std::string& tenant, UploadKind kind, const std::string& sha256,
                       uint64_t size_bytes);

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_API_COMPRESSION_API_H_
