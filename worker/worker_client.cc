#include "worker/worker_client.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "client/remote/atomic_file.h"
#include "client/remote/sha256.h"

namespace compressd::worker {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

absl::Duration TransferTimeout(const client::ConnectionOptions& o, uint64_t bytes) {
  return o.rpc_timeout + absl::Seconds(static_cast<double>(bytes) / (1 << 20));
}

}  // namespace

absl::StatusOr<std::unique_ptr<WorkerClient>> WorkerClient::Create(
    const client::ConnectionOptions& options, const client::RetryPolicy& retry) {
  auto channel = client::CreateChannel(options);
  if (!channel.ok()) return channel.status();
  return std::unique_ptr<WorkerClient>(new WorkerClient(options, retry, std::move(*channel)));
}

WorkerClient::WorkerClient(client::ConnectionOptions options, client::RetryPolicy retry,
                           std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)),
      retry_(retry),
      channel_(std::move(channel)),
      stub_(v1::WorkerService::NewStub(channel_)) {}

absl::StatusOr<std::optional<v1::Lease>> WorkerClient::Lease(const v1::LeaseJobRequest& request) {
  grpc::ClientContext ctx;
  client::PrepareContext(ctx, options_,
                         absl::Milliseconds(request.wait_ms()) + options_.rpc_timeout);
  {
    std::lock_guard<std::mutex> lock(lease_mu_);
    if (lease_cancelled_) return absl::CancelledError("lease polling stopped");
    lease_ctx_ = &ctx;
  }
  v1::LeaseJobResponse resp;
  grpc::Status s = stub_->LeaseJob(&ctx, request, &resp);
  {
    std::lock_guard<std::mutex> lock(lease_mu_);
    lease_ctx_ = nullptr;
    if (lease_cancelled_ && !resp.has_lease()) {
      return absl::CancelledError("lease polling stopped");
    }
  }
  if (!s.ok()) return client::FromGrpcStatus(s, "LeaseJob");
  if (!resp.has_lease()) return std::optional<v1::Lease>();
  return std::optional<v1::Lease>(std::move(*resp.mutable_lease()));
}

void WorkerClient::CancelLease() {
  std::lock_guard<std::mutex> lock(lease_mu_);
  lease_cancelled_ = true;
  if (lease_ctx_ != nullptr) lease_ctx_->TryCancel();
}

absl::StatusOr<v1::HeartbeatResponse> WorkerClient::Heartbeat(const v1::HeartbeatRequest& request,
                                                              absl::Duration timeout) {
  grpc::ClientContext ctx;
  client::PrepareContext(ctx, options_, timeout);
  v1::HeartbeatResponse resp;
  absl::Status s = client::FromGrpcStatus(stub_->Heartbeat(&ctx, request, &resp), "Heartbeat");
  if (!s.ok()) return s;
  return resp;
}

absl::Status WorkerClient::DownloadInput(const std::string& job_id, uint32_t attempt,
                                         v1::InputKind kind, const std::string& expected_sha256,
                                         uint64_t expected_size, const std::string& dest_path,
                                         const std::function<bool()>& keep_going) {
  absl::StatusOr<client::AtomicFileWriter> writer = client::AtomicFileWriter::Create(dest_path);
  if (!writer.ok()) return writer.status();
  client::Sha256Hasher hasher;
  uint64_t size = expected_size;
  std::string sha = expected_sha256;
  const std::string what = absl::StrCat("DownloadInput(", v1::InputKind_Name(kind), ")");
  int retries = 0;
  for (;;) {
    v1::DownloadInputRequest req;
    req.set_job_id(job_id);
    req.set_attempt(attempt);
    req.set_kind(kind);
    req.set_offset(writer->size());
    grpc::ClientContext ctx;
    client::PrepareContext(ctx, options_, TransferTimeout(options_, size));
    auto reader = stub_->DownloadInput(&ctx, req);
    v1::DownloadInputResponse resp;
    bool first = true;
    absl::Status local;
    while (reader->Read(&resp)) {
      if (first) {
        first = false;
        if (resp.size_bytes() == 0 || !client::IsSha256Hex(resp.sha256()) ||
            (!sha.empty() && resp.sha256() != sha) || (size != 0 && resp.size_bytes() != size)) {
          local = absl::DataLossError(absl::StrCat(
              what, ": server announced ", resp.size_bytes(), " bytes with SHA-256 '",
              resp.sha256().substr(0, 64), "', expected ", size, " bytes with '", sha, "'"));
          break;
        }
        size = resp.size_bytes();
        sha = resp.sha256();
      }
      const std::string& data = resp.chunk().data();
      if (data.empty()) continue;
      if (resp.chunk().offset() != writer->size() || writer->size() + data.size() > size) {
        local = absl::DataLossError(absl::StrCat(what, ": chunk at offset ",
                                                 resp.chunk().offset(), " does not continue at ",
                                                 writer->size(), " within ", size, " bytes"));
        break;
      }
      hasher.Update(data);
      local = writer->Append(data);
      if (!local.ok()) break;
    }
    if (!local.ok()) {
      ctx.TryCancel();
      reader->Finish();
      return local;
    }
    absl::Status s = client::FromGrpcStatus(reader->Finish(), what);
    if (s.ok() && writer->size() == size && size > 0) break;
    if (s.ok()) s = absl::UnavailableError(absl::StrCat(what, ": stream ended at ", writer->size(),
                                                        " of ", size, " bytes"));
    if (s.code() != absl::StatusCode::kUnavailable) return s;
    if (++retries >= retry_.max_attempts || (keep_going && !keep_going())) return s;
    absl::SleepFor(client::BackoffDelay(retry_, retries));
  }
  const std::string got = hasher.Finish();
  if (got != sha) {
    return absl::DataLossError(
        absl::StrCat(what, ": received bytes have SHA-256 ", got, ", expected ", sha));
  }
  return writer->Commit();
}

absl::Status WorkerClient::CompleteOnce(const v1::CompleteJobHeader& header,
                                        const std::vector<ArtifactFile>& artifacts) {
  uint64_t total = 0;
  for (const ArtifactFile& a : artifacts) total += a.ref.size_bytes();
  grpc::ClientContext ctx;
  client::PrepareContext(ctx, options_, TransferTimeout(options_, total));
  v1::CompleteJobResponse resp;
  auto writer = stub_->CompleteJob(&ctx, &resp);
  v1::CompleteJobRequest first;
  *first.mutable_header() = header;
  bool ok = writer->Write(first);
  std::vector<char> buf(kChunkBytes);
  for (size_t i = 0; ok && i < artifacts.size(); ++i) {
    std::FILE* f = std::fopen(artifacts[i].path.c_str(), "rb");
    if (f == nullptr) {
      ctx.TryCancel();
      writer->Finish();
      return absl::InternalError(absl::StrCat("cannot open artifact '", artifacts[i].path, "'"));
    }
    uint64_t offset = 0;
    while (ok) {
      const size_t n = std::fread(buf.data(), 1, buf.size(), f);
      if (n == 0) break;
      v1::CompleteJobRequest msg;
      msg.mutable_chunk()->set_artifact_index(static_cast<uint32_t>(i));
      msg.mutable_chunk()->mutable_chunk()->set_offset(offset);
      msg.mutable_chunk()->mutable_chunk()->set_data(buf.data(), n);
      ok = writer->Write(msg);
      offset += n;
    }
    std::fclose(f);
  }
  if (ok) writer->WritesDone();
  return client::FromGrpcStatus(writer->Finish(), "CompleteJob");
}

absl::Status WorkerClient::CompleteJob(const v1::CompleteJobHeader& header,
                                       const std::vector<ArtifactFile>& artifacts,
                                       const std::function<bool()>& keep_going) {
  v1::CompleteJobHeader h = header;
  h.clear_artifacts();
  for (const ArtifactFile& a : artifacts) *h.add_artifacts() = a.ref;
  return client::RetryUnavailable(retry_, [&] { return CompleteOnce(h, artifacts); }, keep_going);
}

absl::StatusOr<v1::FailJobResponse> WorkerClient::FailJob(const v1::FailJobRequest& request) {
  return client::RetryUnavailableOr<v1::FailJobResponse>(
      retry_, [&]() -> absl::StatusOr<v1::FailJobResponse> {
        grpc::ClientContext ctx;
        client::PrepareContext(ctx, options_, options_.rpc_timeout);
        v1::FailJobResponse resp;
        absl::Status s = client::FromGrpcStatus(stub_->FailJob(&ctx, request, &resp), "FailJob");
        if (!s.ok()) return s;
        return resp;
      });
}

}  // namespace compressd::worker
