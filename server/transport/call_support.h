// Shared plumbing of the gRPC handlers: authentication from call metadata, the unary-call
// helper, and reactors for client-streaming and server-streaming byte transfers. All blocking work
// runs on the Executor; gRPC's threads only hand over.
//
// Lifetime rules (gRPC callback API): a reactor is deleted after OnDone; nothing touches it after
// it called Finish, so Finish is always the last thing a task does with it.
#ifndef COMPRESSD_SERVER_TRANSPORT_CALL_SUPPORT_H_
#define COMPRESSD_SERVER_TRANSPORT_CALL_SUPPORT_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "server/api/compression_api.h"
#include "server/api/worker_api.h"
#include "server/auth/auth.h"
#include "server/metrics/server_metrics.h"
#include "server/store/blob_store.h"
#include "server/transport/grpc_status.h"
#include "server/transport/transport_deps.h"
#include "server/util/executor.h"
#include "server/util/logger.h"

namespace compressd::server {

enum class ServiceKind { kPublic, kWorker };

// The value of the call's "authorization" metadata ("" when absent).
std::string AuthorizationOf(const grpc::CallbackServerContext* ctx);

// Authenticates and checks access to the service.
absl::StatusOr<Principal> Authorize(const TransportDeps& deps, const std::string& authorization,
                                    ServiceKind service);

// Records and logs the outcome of an RPC, and converts it.
grpc::Status Conclude(const TransportDeps& deps, const char* method, const absl::Status& status);

// Runs fn(principal) on the executor and finishes the call with its status.
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* ctx, const TransportDeps& deps,
                                   const char* method, ServiceKind service,
                                   std::function<absl::Status(const Principal&)> fn);

// Reads a client stream message by message on the executor. Subclasses implement Message (called
// for each message in order; `first` for the first) and End (after the client's last message,
// fills the response).
template <typename Req, typename Resp>
class ClientStreamReactor : public grpc::ServerReadReactor<Req> {
 public:
  ClientStreamReactor(grpc::CallbackServerContext* ctx, Resp* resp, const TransportDeps& deps,
                      const char* method, ServiceKind service)
      : ctx_(ctx),
        resp_(resp),
        deps_(deps),
        method_(method),
        service_(service),
        authorization_(AuthorizationOf(ctx)) {}

  void Begin() { this->StartRead(&req_); }

  void OnReadDone(bool ok) override {
    if (!ok) {
      deps_.executor->Submit([this] {
        if (ctx_->IsCancelled()) {
          Done(absl::CancelledError("the client cancelled the stream"));
          return;
        }
        if (first_) {
          Done(absl::InvalidArgumentError(
              "the stream is empty: the first message must carry the header/metadata"));
          return;
        }
        Done(End(resp_));
      });
      return;
    }
    deps_.executor->Submit([this] {
      absl::Status s;
      if (first_) {
        absl::StatusOr<Principal> p = Authorize(deps_, authorization_, service_);
        if (!p.ok()) {
          Done(p.status());
          return;
        }
        principal_ = std::move(*p);
      }
      s = Message(req_, first_);
      first_ = false;
      if (!s.ok()) {
        Done(s);
        return;
      }
      this->StartRead(&req_);
    });
  }

  void OnDone() override {
    // Destructors of sessions may do I/O (fsync): run them on the executor.
    auto* self = this;
    deps_.executor->Submit([self] { delete self; });
  }

 protected:
  virtual absl::Status Message(const Req& req, bool first) = 0;
  virtual absl::Status End(Resp* resp) = 0;
  // Frees what the stream holds (e.g. an upload session, which records its progress and releases
  // its lock) before the client sees the status, so that an immediate retry finds it released.
  virtual void Release() {}
  const Principal& principal() const { return principal_; }
  const TransportDeps& deps() const { return deps_; }

 private:
  void Done(const absl::Status& s) {
    Release();
    this->Finish(Conclude(deps_, method_, s));
  }

  grpc::CallbackServerContext* ctx_;
  Resp* resp_;
  TransportDeps deps_;
  const char* method_;
  ServiceKind service_;
  std::string authorization_;
  Principal principal_;
  Req req_;
  bool first_ = true;
};

// Streams a blob in chunks of at most 1 MiB. The opener (run on the executor) authenticates,
// opens the reader and fills the first message's header fields.
struct OpenedBlob {
  std::unique_ptr<BlobReader> reader;
  uint64_t offset = 0;
};

template <typename Resp>
class BlobStreamReactor : public grpc::ServerWriteReactor<Resp> {
 public:
  // opener(principal, &first_message) → the reader.
  using Opener = std::function<absl::StatusOr<OpenedBlob>(const Principal&, Resp*)>;

  BlobStreamReactor(grpc::CallbackServerContext* ctx, const TransportDeps& deps,
                    const char* method, ServiceKind service, Opener opener)
      : deps_(deps), method_(method), opener_(std::move(opener)) {
    const std::string authorization = AuthorizationOf(ctx);
    deps_.executor->Submit([this, authorization, service] {
      absl::StatusOr<Principal> p = Authorize(deps_, authorization, service);
      if (!p.ok()) {
        Done(p.status());
        return;
      }
      absl::StatusOr<OpenedBlob> opened = opener_(*p, &resp_);
      if (!opened.ok()) {
        Done(opened.status());
        return;
      }
      reader_ = std::move(opened->reader);
      offset_ = opened->offset;
      WriteNext(/*first=*/true);
    });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      deps_.executor->Submit([this] { Done(absl::CancelledError("the client went away")); });
      return;
    }
    deps_.executor->Submit([this] { WriteNext(/*first=*/false); });
  }

  void OnDone() override { delete this; }

 private:
  static constexpr size_t kChunk = 1 << 20;

  void WriteNext(bool first) {
    if (!first) resp_.Clear();
    v1::DataChunk* chunk = resp_.mutable_chunk();
    chunk->set_offset(offset_);
    std::string* data = chunk->mutable_data();
    const uint64_t left = reader_->size() > offset_ ? reader_->size() - offset_ : 0;
    data->resize(static_cast<size_t>(std::min<uint64_t>(kChunk, left)));
    size_t filled = 0;
    while (filled < data->size()) {
      absl::StatusOr<size_t> n = reader_->ReadAt(
          offset_ + filled,
          std::span<uint8_t>(reinterpret_cast<uint8_t*>(data->data()) + filled,
                             data->size() - filled));
      if (!n.ok()) {
        Done(n.status());
        return;
      }
      if (*n == 0) {
        Done(absl::DataLossError("stored blob is shorter than recorded"));
        return;
      }
      filled += *n;
    }
    if (filled == 0 && !first) {
      Done(absl::OkStatus());
      return;
    }
    offset_ += filled;
    this->StartWrite(&resp_);
  }

  void Done(const absl::Status& s) { this->Finish(Conclude(deps_, method_, s)); }

  TransportDeps deps_;
  const char* method_;
  Opener opener_;
  std::unique_ptr<BlobReader> reader_;
  uint64_t offset_ = 0;
  Resp resp_;
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_TRANSPORT_CALL_SUPPORT_H_
