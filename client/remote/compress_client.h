// A client of compressd's public API (CompressionService) and of grpc.health.v1: what compressctl's
// remote commands are built on. Proto and gRPC only (no core).
//
// Every call has a deadline (ConnectionOptions::rpc_timeout for unary calls; transfers get that
// plus one second per MiB) and is retried with back-off when the server is UNAVAILABLE. Uploads
// and downloads resume where they stopped instead of starting over: uploads ask GetUploadStatus
// for the committed offset, downloads continue from the bytes already written. The first attempt
// of a large upload streams at once and sends the SHA-256 in a trailer (hashed alongside by a
// second thread); it cannot resume, so its retries hash first and resume from then on (see
// UploadOptions). Downloads are
// verified against the artifact's SHA-256 before the file appears at its destination.
//
// Thread safety: a CompressClient may be used from several threads at once (gRPC channels are
// thread-safe; the client holds no other mutable state).
#ifndef COMPRESSD_CLIENT_REMOTE_COMPRESS_CLIENT_H_
#define COMPRESSD_CLIENT_REMOTE_COMPRESS_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "client/remote/connection.h"
#include "compressd/v1/compression_service.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace compressd::client {

// Called after each acknowledged/received chunk with (bytes done, total bytes).
using TransferProgress = std::function<void(uint64_t, uint64_t)>;

struct UploadOptions {
  // Files of at least this size start with a streamed-hash attempt (metadata without sha256, the
  // digest in the trailer, computed by a second thread while the bytes stream). As soon as the
  // digest is ready the client asks GetUploadStatus and cancels the stream if the server holds
  // the object already, so a duplicate costs at most the bytes sent meanwhile. Smaller files hash
  // first (exact dedup probe, resumable from the first byte): for them the hash pass is cheap.
  // 0: always stream first; UINT64_MAX: always hash first.
  uint64_t streamed_hash_min_bytes = uint64_t{8} << 20;
};

class CompressClient {
 public:
  // Fails like CreateChannel.
  static absl::StatusOr<std::unique_ptr<CompressClient>> Create(const ConnectionOptions& options,
                                                                const RetryPolicy& retry = {},
                                                                const UploadOptions& upload = {});

  const ConnectionOptions& options() const { return options_; }

  // Uploads a .tflite file (name: the display name, default the file's base name). Already-stored
  // bytes are not sent again (on a streamed-hash attempt: beyond those sent until the digest was
  // ready). Either way the server verifies size and SHA-256 before storing.
  absl::StatusOr<v1::ModelRef> UploadModel(const std::string& path, const std::string& name = "",
                                           const TransferProgress& progress = {});
  // Uploads a dataset archive (a tar, see resources.proto DatasetFormat).
  absl::StatusOr<v1::DatasetRef> UploadDataset(const std::string& path,
                                               const std::string& name = "",
                                               const TransferProgress& progress = {});

  // SubmitJob is retried on UNAVAILABLE only when the request carries an idempotency key (a retry
  // without one could create a second job).
  absl::StatusOr<v1::Job> SubmitJob(const v1::SubmitJobRequest& request);
  absl::StatusOr<v1::Job> GetJob(const std::string& job_id, v1::JobView view = v1::JOB_VIEW_BASIC);
  absl::StatusOr<v1::ListJobsResponse> ListJobs(const v1::ListJobsRequest& request);
  absl::StatusOr<v1::Job> CancelJob(const std::string& job_id, const std::string& reason = "");

  // Streams the job's updates to `on_update` until it reaches a terminal state (then returns the
  // final job) or `timeout` passes (DEADLINE_EXCEEDED). Broken streams are reopened (after
  // back-off) as long as the server comes back within the retry policy.
  absl::StatusOr<v1::Job> WatchJob(const std::string& job_id,
                                   const std::function<void(const v1::Job&)>& on_update,
                                   absl::Duration timeout = absl::InfiniteDuration());

  // Downloads an artifact of a SUCCEEDED job to `out_path` (atomically, hash-verified).
  absl::StatusOr<v1::ArtifactRef> DownloadArtifact(const std::string& job_id,
                                                   v1::ArtifactKind kind,
                                                   const std::string& out_path,
                                                   const TransferProgress& progress = {});
  // The same into memory (for reports), at most `max_bytes`.
  absl::StatusOr<std::string> DownloadArtifactBytes(const std::string& job_id,
                                                    v1::ArtifactKind kind,
                                                    uint64_t max_bytes = 256u << 20);

  // grpc.health.v1.Health/Check for `service` ("" = the whole server).
  absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus> CheckHealth(
      const std::string& service = "");

 private:
  CompressClient(ConnectionOptions options, RetryPolicy retry, UploadOptions upload,
                 std::shared_ptr<grpc::Channel> ch);

  // Reads the artifact stream from `offset`; calls `sink` per chunk. Returns the ArtifactRef.
  absl::StatusOr<v1::ArtifactRef> DownloadFrom(
      const std::string& job_id, v1::ArtifactKind kind, uint64_t offset,
      const std::function<absl::Status(const std::string&)>& sink,
      const TransferProgress& progress);

  absl::Duration TransferTimeout(uint64_t bytes) const;

  ConnectionOptions options_;
  RetryPolicy retry_;
  UploadOptions upload_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CompressionService::Stub> stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

// "QUEUED", "RUNNING", ... (JobState without the prefix).
std::string JobStateName(v1::JobState state);
bool IsTerminal(v1::JobState state);

}  // namespace compressd::client

#endif  // COMPRESSD_CLIENT_REMOTE_COMPRESS_CLIENT_H_
