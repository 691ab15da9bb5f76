#include "server/transport/service_handlers.h"

#include <deque>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace compressd::server {
namespace {

bool IsTerminal(v1::JobState s) {
  return s == v1::JOB_STATE_SUCCEEDED || s == v1::JOB_STATE_FAILED ||
         s == v1::JOB_STATE_CANCELLED;
}

// --- Uploads ---------------------------------------------------------------------------------

class UploadModelReactor final
    : public ClientStreamReactor<v1::UploadModelRequest, v1::UploadModelResponse> {
 public:
  using ClientStreamReactor::ClientStreamReactor;

 protected:
  absl::Status Message(const v1::UploadModelRequest& req, bool first) override {
    if (first) {
      if (!req.has_metadata()) {
        return absl::InvalidArgumentError("metadata: the first message must carry metadata");
      }
      absl::StatusOr<std::unique_ptr<UploadSession>> s =
          deps().api->StartModelUpload(principal(), req.metadata());
      if (!s.ok()) return s.status();
      session_ = std::move(*s);
      return absl::OkStatus();
    }
    if (req.has_trailer()) return session_->SetTrailer(req.trailer());
    if (!req.has_chunk()) {
      return absl::InvalidArgumentError("metadata: only the first message carries metadata");
    }
    return session_->Append(req.chunk());
  }
  absl::Status End(v1::UploadModelResponse* resp) override {
    absl::StatusOr<v1::ModelRef> ref = session_->FinishModel();
    if (!ref.ok()) return ref.status();
    *resp->mutable_model() = std::move(*ref);
    return absl::OkStatus();
  }
  void Release() override { session_.reset(); }

 private:
  std::unique_ptr<UploadSession> session_;
};

class UploadDatasetReactor final
    : public ClientStreamReactor<v1::UploadDatasetRequest, v1::UploadDatasetResponse> {
 public:
  using ClientStreamReactor::ClientStreamReactor;

 protected:
  absl::Status Message(const v1::UploadDatasetRequest& req, bool first) override {
    if (first) {
      if (!req.has_metadata()) {
        return absl::InvalidArgumentError("metadata: the first message must carry metadata");
      }
      absl::StatusOr<std::unique_ptr<UploadSession>> s =
          deps().api->StartDatasetUpload(principal(), req.metadata());
      if (!s.ok()) return s.status();
      session_ = std::move(*s);
      return absl::OkStatus();
    }
    if (req.has_trailer()) return session_->SetTrailer(req.trailer());
    if (!req.has_chunk()) {
      return absl::InvalidArgumentError("metadata: only the first message carries metadata");
    }
    return session_->Append(req.chunk());
  }
  absl::Status End(v1::UploadDatasetResponse* resp) override {
    absl::StatusOr<v1::DatasetRef> ref = session_->FinishDataset();
    if (!ref.ok()) return ref.status();
    *resp->mutable_dataset() = std::move(*ref);
    return absl::OkStatus();
  }
  void Release() override { session_.reset(); }

 private:
  std::unique_ptr<UploadSession> session_;
};

class CompleteJobReactor final
    : public ClientStreamReactor<v1::CompleteJobRequest, v1::CompleteJobResponse> {
 public:
  using ClientStreamReactor::ClientStreamReactor;

 protected:
  absl::Status Message(const v1::CompleteJobRequest& req, bool first) override {
    if (first) {
      if (!req.has_header()) {
        return absl::InvalidArgumentError("header: the first message must carry the header");
      }
      absl::StatusOr<std::unique_ptr<CompleteSession>> s =
          deps().worker_api->StartComplete(principal(), req.header());
      if (!s.ok()) return s.status();
      session_ = std::move(*s);
      return absl::OkStatus();
    }
    if (!req.has_chunk()) {
      return absl::InvalidArgumentError("header: only the first message carries the header");
    }
    return session_->Append(req.chunk());
  }
  absl::Status End(v1::CompleteJobResponse* resp) override { return session_->Finish(); }
  void Release() override { session_.reset(); }

 private:
  std::unique_ptr<CompleteSession> session_;
};

// --- LeaseJob (long poll) --------------------------------------------------------------------

struct LeaseState {
  std::mutex mu;
  uint64_t waiter = 0;
  bool done = false;
  bool cancelled = false;
};

class LeaseReactor final : public grpc::ServerUnaryReactor {
 public:
  LeaseReactor(grpc::CallbackServerContext* ctx, const v1::LeaseJobRequest* req,
               v1::LeaseJobResponse* resp, const TransportDeps& deps)
      : deps_(deps), state_(std::make_shared<LeaseState>()) {
    std::string authorization = AuthorizationOf(ctx);
    deps_.executor->Submit([this, req, resp, authorization = std::move(authorization)] {
      // Copies: once the callback below finished the call, `this` may be gone.
      const TransportDeps deps = deps_;
      std::shared_ptr<LeaseState> state = state_;
      absl::StatusOr<Principal> p = Authorize(deps, authorization, ServiceKind::kWorker);
      if (!p.ok()) {
        Complete(p.status());
        return;
      }
      const uint64_t id = deps.worker_api->LeaseAsync(
          *p, *req, [this, resp, state](absl::StatusOr<v1::LeaseJobResponse> r) {
            {
              std::lock_guard<std::mutex> lock(state->mu);
              if (state->done) return;
              state->done = true;
            }
            if (r.ok()) *resp = std::move(*r);
            this->Finish(Conclude(deps_, "LeaseJob", r.status()));
          });
      bool cancel_now = false;
      {
        std::lock_guard<std::mutex> lock(state->mu);
        state->waiter = id;
        cancel_now = state->cancelled && !state->done;
      }
      if (cancel_now) deps.worker_api->CancelLease(id);
    });
  }

  void OnCancel() override {
    uint64_t id = 0;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      state_->cancelled = true;
      id = state_->waiter;
    }
    if (id != 0) {
      WorkerApi* api = deps_.worker_api;
      deps_.executor->Submit([api, id] { api->CancelLease(id); });
    }
  }

  void OnDone() override { delete this; }

 private:
  void Complete(const absl::Status& s) {
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      if (state_->done) return;
      state_->done = true;
    }
    this->Finish(Conclude(deps_, "LeaseJob", s));
  }

  TransportDeps deps_;
  std::shared_ptr<LeaseState> state_;
};

}  // namespace

// --- WatchJob --------------------------------------------------------------------------------

struct WatchState {
  std::mutex mu;
  grpc::ServerWriteReactor<v1::WatchJobResponse>* reactor = nullptr;
  std::deque<v1::Job> pending;
  v1::WatchJobResponse resp;  // being written
  uint64_t watch_id = 0;
  bool initialized = false;
  bool in_flight = false;
  bool terminal_sent = false;
  bool finished = false;
  std::optional<absl::Status> end_with;  // finish with this after the write in flight
  TransportDeps deps;

  void FinishLocked(const absl::Status& s) {
    if (finished) return;
    finished = true;
    reactor->Finish(Conclude(deps, "WatchJob", s));
  }

  void MaybeWriteLocked() {
    if (finished || in_flight || !initialized) return;
    if (end_with) {
      FinishLocked(*end_with);
      return;
    }
    if (terminal_sent) {
      FinishLocked(absl::OkStatus());
      return;
    }
    if (pending.empty()) return;
    *resp.mutable_job() = std::move(pending.front());
    pending.pop_front();
    in_flight = true;
    terminal_sent = IsTerminal(resp.job().state());
    reactor->StartWrite(&resp);
  }

  void Push(const v1::Job& job) {
    std::lock_guard<std::mutex> lock(mu);
    if (finished) return;
    // Coalesce consecutive updates of the same state (progress).
    if (!pending.empty() && pending.back().state() == job.state()) {
      pending.back() = job;
    } else {
      pending.push_back(job);
    }
    MaybeWriteLocked();
  }
};

class WatchReactor final : public grpc::ServerWriteReactor<v1::WatchJobResponse> {
 public:
  WatchReactor(grpc::CallbackServerContext* ctx, const v1::WatchJobRequest* req,
               CompressionServiceHandler* handler, const TransportDeps& deps)
      : handler_(handler), deps_(deps), state_(std::make_shared<WatchState>()) {
    state_->reactor = this;
    state_->deps = deps;
    {
      std::lock_guard<std::mutex> lock(handler_->mu_);
      if (handler_->ending_) {
        std::lock_guard<std::mutex> slock(state_->mu);
        state_->FinishLocked(absl::UnavailableError("server is shutting down; retry"));
        return;
      }
      handler_->watches_.insert(state_);
    }
    std::string authorization = AuthorizationOf(ctx);
    const v1::WatchJobRequest request = *req;
    std::shared_ptr<WatchState> state = state_;
    deps_.executor->Submit([deps, state, request, authorization = std::move(authorization)] {
      absl::StatusOr<Principal> p = Authorize(deps, authorization, ServiceKind::kPublic);
      if (!p.ok()) {
        std::lock_guard<std::mutex> lock(state->mu);
        state->FinishLocked(p.status());
        return;
      }
      absl::StatusOr<std::pair<uint64_t, v1::Job>> w = deps.api->WatchJob(
          *p, request, [state](const v1::Job& job) {
            v1::Job copy = job;
            copy.clear_report();
            state->Push(copy);
          });
      std::lock_guard<std::mutex> lock(state->mu);
      if (!w.ok()) {
        state->FinishLocked(w.status());
        return;
      }
      state->watch_id = w->first;
      state->pending.push_front(std::move(w->second));
      state->initialized = true;
      state->MaybeWriteLocked();
    });
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->in_flight = false;
    if (!ok) {
      state_->FinishLocked(absl::CancelledError("the client went away"));
      return;
    }
    state_->MaybeWriteLocked();
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->in_flight) state_->FinishLocked(absl::CancelledError("cancelled by the client"));
  }

  void OnDone() override {
    std::shared_ptr<WatchState> state = state_;
    CompressionServiceHandler* handler = handler_;
    CompressionApi* api = deps_.api;
    deps_.executor->Submit([this, state, handler, api] {
      uint64_t id;
      {
        std::lock_guard<std::mutex> lock(state->mu);
        id = state->watch_id;
        state->watch_id = 0;
      }
      if (id != 0) api->Unwatch(id);
      handler->Forget(state);
      delete this;
    });
  }

 private:
  CompressionServiceHandler* handler_;
  TransportDeps deps_;
  std::shared_ptr<WatchState> state_;
};

CompressionServiceHandler::~CompressionServiceHandler() = default;

void CompressionServiceHandler::Forget(const std::shared_ptr<WatchState>& state) {
  std::lock_guard<std::mutex> lock(mu_);
  watches_.erase(state);
}

void CompressionServiceHandler::EndWatches() {
  std::set<std::shared_ptr<WatchState>> watches;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ending_ = true;
    watches = watches_;
  }
  const absl::Status end = absl::UnavailableError("server is shutting down; watch again");
  for (const auto& w : watches) {
    std::lock_guard<std::mutex> lock(w->mu);
    if (w->finished) continue;
    if (w->in_flight) {
      w->end_with = end;
    } else {
      w->FinishLocked(end);
    }
  }
}

// --- CompressionService ----------------------------------------------------------------------

grpc::ServerReadReactor<v1::UploadModelRequest>* CompressionServiceHandler::UploadModel(
    grpc::CallbackServerContext* ctx, v1::UploadModelResponse* resp) {
  auto* r = new UploadModelReactor(ctx, resp, deps_, "UploadModel", ServiceKind::kPublic);
  r->Begin();
  return r;
}

grpc::ServerReadReactor<v1::UploadDatasetRequest>* CompressionServiceHandler::UploadDataset(
    grpc::CallbackServerContext* ctx, v1::UploadDatasetResponse* resp) {
  auto* r = new UploadDatasetReactor(ctx, resp, deps_, "UploadDataset", ServiceKind::kPublic);
  r->Begin();
  return r;
}

grpc::ServerUnaryReactor* CompressionServiceHandler::GetUploadStatus(
    grpc::CallbackServerContext* ctx, const v1::GetUploadStatusRequest* req,
    v1::GetUploadStatusResponse* resp) {
  CompressionApi* api = deps_.api;
  return RunUnary(ctx, deps_, "GetUploadStatus", ServiceKind::kPublic,
                  [api, req, resp](const Principal& p) -> absl::Status {
                    auto r = api->GetUploadStatus(p, *req);
                    if (r.ok()) *resp = std::move(*r);
                    return r.status();
                  });
}

grpc::ServerUnaryReactor* CompressionServiceHandler::GetModel(grpc::CallbackServerContext* ctx,
                                                              const v1::GetModelRequest* req,
                                                              v1::ModelRef* resp) {
  CompressionApi* api = deps_.api;
  return RunUnary(ctx, deps_, "GetModel", ServiceKind::kPublic,
                  [api, req, resp](const Principal& p) -> absl::Status {
                    auto r = api->GetModel(p, *req);
                    if (r.ok()) *resp = std::move(*r);
                    return r.status();
                  });
}

grpc::ServerUnaryReactor* CompressionServiceHandler::GetDataset(grpc::CallbackServerContext* ctx,
                                                                const v1::GetDatasetRequest* req,
                                                                v1::DatasetRef* resp) {
  CompressionApi* api = deps_.api;
  return RunUnary(ctx, deps_, "GetDataset", ServiceKind::kPublic,
                  [api, req, resp](const Principal& p) -> absl::Status {
                    auto r = api->GetDataset(p, *req);
                    if (r.ok()) *resp = std::move(*r);
                    return r.status();
                  });
}

grpc::ServerUnaryReactor* CompressionServiceHandler::SubmitJob(grpc::CallbackServerContext* ctx,
                                                               const v1::SubmitJobRequest* req,
                                                               v1::Job* resp) {
  CompressionApi* api = deps_.api;
  return RunUnary(ctx, deps_, "SubmitJob", ServiceKind::kPublic,
                  [api, req, resp](const Principal& p) -> absl::Status {
                    auto r = api->SubmitJob(p, *req);
                    if (r.ok()) *resp = std::move(*r);
                    return r.status();
                  });
}

grpc::ServerUnaryReactor* CompressionServiceHandler::GetJob(grpc::CallbackServerContext* ctx,
                                                            const v1::GetJobRequest* req,
                                                            v1::Job* resp) {
  CompressionApi* api = deps_.api;
  return RunUnary(ctx, deps_, "GetJob", ServiceKind::kPublic,
                  [api, req, resp](const Principal& p) -> absl::Status {
                    auto r = api->GetJob(p, *req);
                    if (r.ok()) *resp = std::move(*r);
                    return r.status();
                  });
}

grpc::ServerUnaryReactor* CompressionServiceHandler::ListJobs(grpc::CallbackServerContext* ctx,
                                                              const v1::ListJobsRequest* req,
                                                              v1::ListJobsResponse* resp) {
  CompressionApi* api = deps_.api;
  return RunUnary(ctx, deps_, "ListJobs", ServiceKind::kPublic,
                  [api, req, resp](const Principal& p) -> absl::Status {
                    auto r = api->ListJobs(p, *req);
                    if (r.ok()) *resp = std::move(*r);
                    return r.status();
                  });
}

grpc::ServerUnaryReactor* CompressionServiceHandler::CancelJob(grpc::CallbackServerContext* ctx,
                                                               const v1::CancelJobRequest* req,
                                                               v1::Job* resp) {
  CompressionApi* api = deps_.api;
  return RunUnary(ctx, deps_, "CancelJob", ServiceKind::kPublic,
                  [api, req, resp](const Principal& p) -> absl::Status {
                    auto r = api->CancelJob(p, *req);
                    if (r.ok()) *resp = std::move(*r);
                    return r.status();
                  });
}

grpc::ServerWriteReactor<v1::WatchJobResponse>* CompressionServiceHandler::WatchJob(
    grpc::CallbackServerContext* ctx, const v1::WatchJobRequest* req) {
  return new WatchReactor(ctx, req, this, deps_);
}

grpc::ServerWriteReactor<v1::DownloadArtifactResponse>*
CompressionServiceHandler::DownloadArtifact(grpc::CallbackServerContext* ctx,
                                            const v1::DownloadArtifactRequest* req) {
  CompressionApi* api = deps_.api;
  const v1::DownloadArtifactRequest request = *req;
  return new BlobStreamReactor<v1::DownloadArtifactResponse>(
      ctx, deps_, "DownloadArtifact", ServiceKind::kPublic,
      [api, request](const Principal& p,
                     v1::DownloadArtifactResponse* first) -> absl::StatusOr<OpenedBlob> {
        absl::StatusOr<ArtifactDownload> d = api->OpenArtifact(p, request);
        if (!d.ok()) return d.status();
        *first->mutable_artifact() = d->artifact;
        return OpenedBlob{std::move(d->reader), d->offset};
      });
}

// --- WorkerService ---------------------------------------------------------------------------

grpc::ServerUnaryReactor* WorkerServiceHandler::LeaseJob(grpc::CallbackServerContext* ctx,
                                                         const v1::LeaseJobRequest* req,
                                                         v1::LeaseJobResponse* resp) {
  return new LeaseReactor(ctx, req, resp, deps_);
}

grpc::ServerUnaryReactor* WorkerServiceHandler::Heartbeat(grpc::CallbackServerContext* ctx,
                                                          const v1::HeartbeatRequest* req,
                                                          v1::HeartbeatResponse* resp) {
  WorkerApi* api = deps_.worker_api;
  return RunUnary(ctx, deps_, "Heartbeat", ServiceKind::kWorker,
                  [api, req, resp](const Principal& p) -> absl::Status {
                    auto r = api->Heartbeat(p, *req);
                    if (r.ok()) *resp = std::move(*r);
                    return r.status();
                  });
}

grpc::ServerWriteReactor<v1::DownloadInputResponse>* WorkerServiceHandler::DownloadInput(
    grpc::CallbackServerContext* ctx, const v1::DownloadInputRequest* req) {
  WorkerApi* api = deps_.worker_api;
  const v1::DownloadInputRequest request = *req;
  return new BlobStreamReactor<v1::DownloadInputResponse>(
      ctx, deps_, "DownloadInput", ServiceKind::kWorker,
      [api, request](const Principal& p,
                     v1::DownloadInputResponse* first) -> absl::StatusOr<OpenedBlob> {
        absl::StatusOr<InputDownload> d = api->OpenInput(p, request);
        if (!d.ok()) return d.status();
        first->set_size_bytes(d->size_bytes);
        first->set_sha256(d->sha256);
        return OpenedBlob{std::move(d->reader), d->offset};
      });
}

grpc::ServerReadReactor<v1::CompleteJobRequest>* WorkerServiceHandler::CompleteJob(
    grpc::CallbackServerContext* ctx, v1::CompleteJobResponse* resp) {
  auto* r = new CompleteJobReactor(ctx, resp, deps_, "CompleteJob", ServiceKind::kWorker);
  r->Begin();
  return r;
}

grpc::ServerUnaryReactor* WorkerServiceHandler::FailJob(grpc::CallbackServerContext* ctx,
                                                        const v1::FailJobRequest* req,
                                                        v1::FailJobResponse* resp) {
  WorkerApi* api = deps_.worker_api;
  return RunUnary(ctx, deps_, "FailJob", ServiceKind::kWorker,
                  [api, req, resp](const Principal& p) -> absl::Status {
                    auto r = api->FailJob(p, *req);
                    if (r.ok()) *resp = std::move(*r);
                    return r.status();
                  });
}

}  // namespace compressd::server
