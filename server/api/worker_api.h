// The logic of WorkerService without gRPC (see proto/compressd/v1/worker_service.proto).
//
// Thread safety: all methods are thread-safe; they may block on the store (call them from your
// own threads). LeaseAsync's callback runs on whichever thread produced the lease (a Submit, the
// scheduler's timer, or inline).
#ifndef COMPRESSD_SERVER_API_WORKER_API_H_
#define COMPRESSD_SERVER_API_WORKER_API_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compressd/v1/worker_service.pb.h"
#include "server/api/api_context.h"
#include "server/auth/auth.h"

namespace compressd::server {

class WorkerApi;

// Receives the artifacts of one CompleteJob stream. Used by one thread at a time.
class CompleteSession {
 public:
  absl::Status Append(const v1::ArtifactChunk& chunk);
  // Verifies every artifact, stores the report and marks the job SUCCEEDED.
  absl::Status Finish();

 private:
  friend class WorkerApi;
  CompleteSession() = default;
  // Verifies and commits artifact `index` (all earlier ones are done).
  absl::Status Seal(int index);

  WorkerApi* api_ = nullptr;
  v1::CompleteJobHeader header_;
  int current_ = 0;
  std::unique_ptr<BlobWriter> writer_;  // of artifact current_
  std::vector<v1::ArtifactRef> stored_;
  bool failed_ = false;
};

struct InputDownload {
  uint64_t size_bytes = 0;
  std::string sha256;
  std::unique_ptr<BlobReader> reader;
  uint64_t offset = 0;
};

class WorkerApi {
 public:
  using LeaseCallback = std::function<void(absl::StatusOr<v1::LeaseJobResponse>)>;

  explicit WorkerApi(ApiContext ctx) : ctx_(std::move(ctx)) {}

  // Validates, then waits (without blocking the caller) for a lease; `done` is called exactly
  // once. Returns a waiter id for CancelLease (0 when `done` was already called).
  uint64_t LeaseAsync(const Principal& p, const v1::LeaseJobRequest& req, LeaseCallback done);
  void CancelLease(uint64_t waiter_id);

  absl::StatusOr<v1::HeartbeatResponse> Heartbeat(const Principal& p,
                                                  const v1::HeartbeatRequest& req);
  absl::StatusOr<InputDownload> OpenInput(const Principal& p, const v1::DownloadInputRequest& req);
  absl::StatusOr<std::unique_ptr<CompleteSession>> StartComplete(
      const Principal& p, const v1::CompleteJobHeader& header);
  absl::StatusOr<v1::FailJobResponse> FailJob(const Principal& p, const v1::FailJobRequest& req);

  // Builds the Lease message for a leased job (model and dataset references from the store).
  absl::StatusOr<v1::Lease> MakeLease(const JobRecord& record);

 private:
  friend class CompleteSession;
  ApiContext ctx_;
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_API_WORKER_API_H_
