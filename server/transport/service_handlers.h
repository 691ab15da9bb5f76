// gRPC handlers of CompressionService and WorkerService (callback API). Thin: authenticate,
// call CompressionApi / WorkerApi on the executor, convert the status (ToGrpcStatus), record
// metrics. Long polls (LeaseJob) and watches (WatchJob) hold no thread while they wait.
//
// Thread safety: the handlers are called by gRPC from any thread.
#ifndef COMPRESSD_SERVER_TRANSPORT_SERVICE_HANDLERS_H_
#define COMPRESSD_SERVER_TRANSPORT_SERVICE_HANDLERS_H_

#include <memory>
#include <mutex>
#include <set>

#include "compressd/v1/compression_service.grpc.pb.h"
#include "compressd/v1/worker_service.grpc.pb.h"
#include "server/transport/call_support.h"

namespace compressd::server {

struct WatchState;

class CompressionServiceHandler final : public v1::CompressionService::CallbackService {
 public:
  explicit CompressionServiceHandler(TransportDeps deps) : deps_(deps) {}
  ~CompressionServiceHandler() override;

  // Ends every open WatchJob stream with UNAVAILABLE and refuses new ones (graceful shutdown).
  void EndWatches();

  grpc::ServerReadReactor<v1::UploadModelRequest>* UploadModel(
      grpc::CallbackServerContext* ctx, v1::UploadModelResponse* resp) override;
  grpc::ServerReadReactor<v1::UploadDatasetRequest>* UploadDataset(
      grpc::CallbackServerContext* ctx, v1::UploadDatasetResponse* resp) override;
  grpc::ServerUnaryReactor* GetUploadStatus(grpc::CallbackServerContext* ctx,
                                            const v1::GetUploadStatusRequest* req,
                                            v1::GetUploadStatusResponse* resp) override;
  grpc::ServerUnaryReactor* GetModel(grpc::CallbackServerContext* ctx,
                                     const v1::GetModelRequest* req, v1::ModelRef* resp) override;
  grpc::ServerUnaryReactor* GetDataset(grpc::CallbackServerContext* ctx,
                                       const v1::GetDatasetRequest* req,
                                       v1::DatasetRef* resp) override;
  grpc::ServerUnaryReactor* SubmitJob(grpc::CallbackServerContext* ctx,
                                      const v1::SubmitJobRequest* req, v1::Job* resp) override;
  grpc::ServerUnaryReactor* GetJob(grpc::CallbackServerContext* ctx, const v1::GetJobRequest* req,
                                   v1::Job* resp) override;
  grpc::ServerUnaryReactor* ListJobs(grpc::CallbackServerContext* ctx,
                                     const v1::ListJobsRequest* req,
                                     v1::ListJobsResponse* resp) override;
  grpc::ServerUnaryReactor* CancelJob(grpc::CallbackServerContext* ctx,
                                      const v1::CancelJobRequest* req, v1::Job* resp) override;
  grpc::ServerWriteReactor<v1::WatchJobResponse>* WatchJob(
      grpc::CallbackServerContext* ctx, const v1::WatchJobRequest* req) override;
  grpc::ServerWriteReactor<v1::DownloadArtifactResponse>* DownloadArtifact(
      grpc::CallbackServerContext* ctx, const v1::DownloadArtifactRequest* req) override;

 private:
  friend class WatchReactor;
  void Forget(const std::shared_ptr<WatchState>& state);

  TransportDeps deps_;
  std::mutex mu_;
  std::set<std::shared_ptr<WatchState>> watches_;  // guarded by mu_
  bool ending_ = false;                            // guarded by mu_
};

class WorkerServiceHandler final : public v1::WorkerService::CallbackService {
 public:
  explicit WorkerServiceHandler(TransportDeps deps) : deps_(deps) {}

  grpc::ServerUnaryReactor* LeaseJob(grpc::CallbackServerContext* ctx,
                                     const v1::LeaseJobRequest* req,
                                     v1::LeaseJobResponse* resp) override;
  grpc::ServerUnaryReactor* Heartbeat(grpc::CallbackServerContext* ctx,
                                      const v1::HeartbeatRequest* req,
                                      v1::HeartbeatResponse* resp) override;
  grpc::ServerWriteReactor<v1::DownloadInputResponse>* DownloadInput(
      grpc::CallbackServerContext* ctx, const v1::DownloadInputRequest* req) override;
  grpc::ServerReadReactor<v1::CompleteJobRequest>* CompleteJob(
      grpc::CallbackServerContext* ctx, v1::CompleteJobResponse* resp) override;
  grpc::ServerUnaryReactor* FailJob(grpc::CallbackServerContext* ctx,
                                    const v1::FailJobRequest* req,
                                    v1::FailJobResponse* resp) override;

 private:
  TransportDeps deps_;
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_TRANSPORT_SERVICE_HANDLERS_H_
