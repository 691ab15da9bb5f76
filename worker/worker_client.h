// The worker's side of WorkerService (proto/compressd/v1/worker_service.proto): one method per
// RPC, each with a deadline, the worker token, and retries with back-off on UNAVAILABLE where a
// retry is safe (Heartbeat is not retried: the next period sends a fresh one).
//
// Thread safety: all methods may be called concurrently (the lease loop, the heartbeat thread and
// the job thread use one client). CancelLease may be called from any thread, e.g. a signal
// handling thread.
#ifndef COMPRESSD_WORKER_WORKER_CLIENT_H_
#define COMPRESSD_WORKER_WORKER_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/remote/connection.h"
#include "compressd/v1/worker_service.grpc.pb.h"

namespace compressd::worker {

// One artifact to upload with CompleteJob: its manifest entry and the file holding its bytes.
struct ArtifactFile {
  v1::ArtifactRef ref;  // kind, name, size_bytes, sha256
  std::string path;
};

class WorkerClient {
 public:
  static absl::StatusOr<std::unique_ptr<WorkerClient>> Create(
      const client::ConnectionOptions& options, const client::RetryPolicy& retry);

  // Long poll (wait_ms) for a lease; std::nullopt when none arrived. CANCELLED after
  // CancelLease().
  absl::StatusOr<std::optional<v1::Lease>> Lease(const v1::LeaseJobRequest& request);
  // Ends a Lease call in flight (drain on SIGTERM).
  void CancelLease();

  // One attempt with deadline `timeout`.
  absl::StatusOr<v1::HeartbeatResponse> Heartbeat(const v1::HeartbeatRequest& request,
                                                  absl::Duration timeout);

  // Downloads an input of a leased job to `dest_path` (atomically). Verifies the size and SHA-256
  // the server announces against `expected_sha256` / `expected_size` (when non-empty / non-zero)
  // and against the bytes received. Resumes after UNAVAILABLE. `keep_going` ends retries early.
  absl::Status DownloadInput(const std::string& job_id, uint32_t attempt, v1::InputKind kind,
                             const std::string& expected_sha256, uint64_t expected_size,
                             const std::string& dest_path,
                             const std::function<bool()>& keep_going = {});

  // Streams the header and the artifacts (1 MiB chunks); retried as a whole on UNAVAILABLE.
  absl::Status CompleteJob(const v1::CompleteJobHeader& header,
                           const std::vector<ArtifactFile>& artifacts,
                           const std::function<bool()>& keep_going = {});

  absl::StatusOr<v1::FailJobResponse> FailJob(const v1::FailJobRequest& request);

  const client::ConnectionOptions& options() const { return options_; }

 private:
  WorkerClient(client::ConnectionOptions options, client::RetryPolicy retry,
               std::shared_ptr<grpc::Channel> channel);

  absl::Status CompleteOnce(const v1::CompleteJobHeader& header,
                            const std::vector<ArtifactFile>& artifacts);

  client::ConnectionOptions options_;
  client::RetryPolicy retry_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::WorkerService::Stub> stub_;
  std::mutex lease_mu_;
  grpc::ClientContext* lease_ctx_ = nullptr;  // the Lease call in flight, guarded by lease_mu_
  bool lease_cancelled_ = false;              // guarded by lease_mu_; sticky
};

}  // namespace compressd::worker

#endif  // COMPRESSD_WORKER_WORKER_CLIENT_H_
