#include "client/remote/compress_client.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <future>
#include <optional>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/remote/atomic_file.h"
#include "client/remote/sha256.h"
#include "grpcpp/create_channel.h"

namespace compressd::client {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty()) base = "upload";
  if (base.size() > 256) base.resize(256);
  return base;
}

// Sleeps the back-off before retry `retry`; false when the attempts are used up.
bool BackoffOrGiveUp(const RetryPolicy& policy, int& retry) {
  ++retry;
  if (retry >= policy.max_attempts) return false;
  absl::SleepFor(BackoffDelay(policy, retry));
  return true;
}

class File {
 public:
  explicit File(std::FILE* f) : f_(f) {}
  ~File() {
    if (f_) std::fclose(f_);
  }
  std::FILE* get() const { return f_; }

 private:
  std::FILE* f_;
};

}  // namespace

std::string JobStateName(v1::JobState state) {
  std::string name = v1::JobState_Name(state);
  const std::string prefix = "JOB_STATE_";
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  return name.empty() ? absl::StrCat("STATE_", static_cast<int>(state)) : name;
}

bool IsTerminal(v1::JobState state) {
  return state == v1::JOB_STATE_SUCCEEDED || state == v1::JOB_STATE_FAILED ||
         state == v1::JOB_STATE_CANCELLED;
}

absl::StatusOr<std::unique_ptr<CompressClient>> CompressClient::Create(
    const ConnectionOptions& options, const RetryPolicy& retry, const UploadOptions& upload) {
  auto channel = CreateChannel(options);
  if (!channel.ok()) return channel.status();
  return std::unique_ptr<CompressClient>(
      new CompressClient(options, retry, upload, std::move(*channel)));
}

CompressClient::CompressClient(ConnectionOptions options, RetryPolicy retry, UploadOptions upload,
                               std::shared_ptr<grpc::Channel> ch)
    : options_(std::move(options)),
      retry_(retry),
      upload_(upload),
      channel_(std::move(ch)),
      stub_(v1::CompressionService::NewStub(channel_)),
      health_(grpc::health::v1::Health::NewStub(channel_)) {}

absl::Duration CompressClient::TransferTimeout(uint64_t bytes) const {
  // Generous: one second per MiB on top of the unary timeout.
  return options_.rpc_timeout + absl::Seconds(static_cast<double>(bytes) / (1 << 20));
}

// Sends the file's bytes [offset, size) as chunk messages, each read straight into the message
// that is written (Write serializes it before returning, so one message is reused). Returns false
// when the stream broke (the caller learns why from Finish); DATA_LOSS when the file got shorter;
// `after_chunk` runs after each chunk and may stop the stream by returning false.
template <typename Request>
absl::StatusOr<bool> SendChunks(grpc::ClientWriter<Request>& writer, std::FILE* f,
                                const std::string& path, uint64_t offset, uint64_t size,
                                const TransferProgress& progress,
                                const std::function<bool()>& after_chunk = {}) {
  Request msg;
  v1::DataChunk* chunk = msg.mutable_chunk();
  std::string* data = chunk->mutable_data();
  while (offset < size) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kChunkBytes, size - offset));
    data->resize(want);
    const size_t n = std::fread(data->data(), 1, want, f);
    if (n == 0) return absl::DataLossError(absl::StrCat("'", path, "' changed while uploading"));
    data->resize(n);
    chunk->set_offset(offset);
    if (!writer.Write(msg)) return false;
    offset += n;
    if (progress) progress(offset, size);
    if (after_chunk && !after_chunk()) return false;
  }
  return true;
}

template <typename Request>
void SetMetadata(Request& first, const std::string& display, uint64_t size,
                 const std::string& sha256, uint64_t offset) {
  auto* meta = first.mutable_metadata();
  meta->set_name(display);
  if constexpr (std::is_same_v<Request, v1::UploadModelRequest>) {
    meta->set_format(v1::MODEL_FORMAT_TFLITE);
  } else {
    meta->set_format(v1::DATASET_FORMAT_TAR);
  }
  meta->set_size_bytes(size);
  meta->set_sha256(sha256);
  meta->set_offset(offset);
}

template <typename Response>
Response FromStatus(const v1::GetUploadStatusResponse& sresp) {
  Response resp;
  if constexpr (std::is_same_v<Response, v1::UploadModelResponse>) {
    *resp.mutable_model() = sresp.model();
  } else {
    *resp.mutable_dataset() = sresp.dataset();
  }
  return resp;
}

// Whether a failed streamed-hash attempt should be repeated with the digest up front: the stream
// broke (UNAVAILABLE, ABORTED, CANCELLED), the server's answer depends on the digest (the quota
// does not charge objects the tenant holds), or the server predates streamed hashes.
bool FallBackToDigestFirst(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kResourceExhausted:
      return true;
    case absl::StatusCode::kInvalidArgument:
      return s.message().find("metadata.sha256") != absl::string_view::npos;
    default:
      return false;
  }
}

// The first attempt of a large upload: streams the file right away with an empty metadata.sha256
// while a second thread hashes it, and sends the digest in the trailer. As soon as the digest is
// known, GetUploadStatus tells whether the server holds the object already; then the stream is
// cancelled and the stored reference returned. Returns the response, std::nullopt when the
// caller should continue with the digest-up-front protocol (FallBackToDigestFirst), or an error.
template <typename Request, typename Response>
absl::StatusOr<std::optional<Response>> UploadStreamedHash(
    v1::CompressionService::Stub* stub, const ConnectionOptions& options, v1::UploadKind kind,
    const std::string& path, const std::string& display, uint64_t size,
    const TransferProgress& progress, absl::Duration timeout,
    std::unique_ptr<grpc::ClientWriter<Request>> (v1::CompressionService::Stub::*open)(
        grpc::ClientContext*, Response*)) {
  File f(std::fopen(path.c_str(), "rb"));
  if (f.get() == nullptr) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  // Joined before returning (the future's destructor waits): it only reads the file.
  std::future<absl::StatusOr<FileDigest>> hashing =
      std::async(std::launch::async, [path] { return Sha256File(path); });
  grpc::ClientContext ctx;
  PrepareContext(ctx, options, timeout);
  Response resp;
  std::unique_ptr<grpc::ClientWriter<Request>> writer = (stub->*open)(&ctx, &resp);
  Request first;
  SetMetadata(first, display, size, /*sha256=*/"", /*offset=*/0);
  bool stream_ok = writer->Write(first);

  // The dedup probe, once the digest is ready.
  std::optional<absl::StatusOr<FileDigest>> digest;
  std::optional<Response> stored;
  const auto probe = [&]() -> bool {
    if (digest || hashing.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      return true;
    }
    digest = hashing.get();
    if (!digest->ok()) return false;
    v1::GetUploadStatusRequest sreq;
    sreq.set_kind(kind);
    sreq.set_sha256((*digest)->sha256);
    sreq.set_size_bytes((*digest)->size);
    v1::GetUploadStatusResponse sresp;
    grpc::ClientContext sctx;
    PrepareContext(sctx, options, options.rpc_timeout);
    // A failed probe only costs the dedup: the upload goes on.
    if (stub->GetUploadStatus(&sctx, sreq, &sresp).ok() && sresp.complete()) {
      stored = FromStatus<Response>(sresp);
      return false;
    }
    return true;
  };
  absl::Status local;  // a client-side failure that ends the stream
  if (stream_ok) {
    absl::StatusOr<bool> sent = SendChunks(*writer, f.get(), path, 0, size, progress, probe);
    if (!sent.ok()) local = sent.status();
    stream_ok = sent.ok() && *sent;
  }
  if (stream_ok && !digest) digest = hashing.get();
  if (digest && !digest->ok()) local = digest->status();
  if (local.ok() && stream_ok && (*digest)->size != size) {
    local = absl::DataLossError(absl::StrCat("'", path, "' changed while uploading"));
  }
  if (!local.ok() || stored) {
    ctx.TryCancel();
    (void)writer->Finish();
    if (!local.ok()) return local;
    if (progress) progress(size, size);
    return stored;
  }
  if (stream_ok) {
    Request trailer;
    trailer.mutable_trailer()->set_sha256((*digest)->sha256);
    if (writer->Write(trailer)) writer->WritesDone();
  }
  absl::Status s = FromGrpcStatus(writer->Finish(),
                                  kind == v1::UPLOAD_KIND_MODEL ? "UploadModel" : "UploadDataset");
  if (s.ok()) return std::optional<Response>(std::move(resp));
  if (FallBackToDigestFirst(s)) return std::optional<Response>();
  return s;
}

// Uploads for models and datasets differ only in their message types. Files of at least
// upload.streamed_hash_min_bytes start with UploadStreamedHash; smaller files, and every retry,
// hash first: probe GetUploadStatus, then stream from the committed offset (resumable).
template <typename Request, typename Response>
absl::StatusOr<Response> UploadFile(
    v1::CompressionService::Stub* stub, const ConnectionOptions& options,
    const RetryPolicy& retry, const UploadOptions& upload, v1::UploadKind kind,
    const std::string& path, const std::string& name, const TransferProgress& progress,
    absl::Duration timeout_base,
    std::unique_ptr<grpc::ClientWriter<Request>> (v1::CompressionService::Stub::*open)(
        grpc::ClientContext*, Response*)) {
  const std::string display = name.empty() ? BaseName(path) : name;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  }
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  if (file_size == 0) return absl::InvalidArgumentError(absl::StrCat("'", path, "' is empty"));
  if (file_size >= upload.streamed_hash_min_bytes) {
    absl::StatusOr<std::optional<Response>> r = UploadStreamedHash<Request, Response>(
        stub, options, kind, path, display, file_size, progress,
        timeout_base + absl::Seconds(static_cast<double>(file_size) / (1 << 20)), open);
    if (!r.ok()) return r.status();
    if (*r) return std::move(**r);
  }
  absl::StatusOr<FileDigest> digest = Sha256File(path);
  if (!digest.ok()) return digest.status();
  if (digest->size == 0) return absl::InvalidArgumentError(absl::StrCat("'", path, "' is empty"));
  int retries = 0;
  for (;;) {
    // Where to start (and whether the server has the object already).
    v1::GetUploadStatusRequest sreq;
    sreq.set_kind(kind);
    sreq.set_sha256(digest->sha256);
    sreq.set_size_bytes(digest->size);
    v1::GetUploadStatusResponse sresp;
    absl::Status s = RetryUnavailable(retry, [&] {
      grpc::ClientContext ctx;
      PrepareContext(ctx, options, options.rpc_timeout);
      return FromGrpcStatus(stub->GetUploadStatus(&ctx, sreq, &sresp), "GetUploadStatus");
    });
    if (!s.ok()) return s;
    if (sresp.complete()) {
      if (progress) progress(digest->size, digest->size);
      return FromStatus<Response>(sresp);
    }
    Response resp;
    const uint64_t offset = std::min<uint64_t>(sresp.committed_offset(), digest->size);
    File f(std::fopen(path.c_str(), "rb"));
    if (f.get() == nullptr) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
    if (std::fseek(f.get(), static_cast<long>(offset), SEEK_SET) != 0) {
      return absl::InternalError(absl::StrCat("cannot seek in '", path, "'"));
    }
    grpc::ClientContext ctx;
    PrepareContext(ctx, options, timeout_base + absl::Seconds(
                                                    static_cast<double>(digest->size - offset) /
                                                    (1 << 20)));
    std::unique_ptr<grpc::ClientWriter<Request>> writer = (stub->*open)(&ctx, &resp);
    Request first;
    SetMetadata(first, display, digest->size, digest->sha256, offset);
    bool stream_ok = writer->Write(first);
    if (stream_ok) {
      absl::StatusOr<bool> sent =
          SendChunks(*writer, f.get(), path, offset, digest->size, progress);
      if (!sent.ok()) {
        ctx.TryCancel();
        (void)writer->Finish();
        return sent.status();
      }
      stream_ok = *sent;
    }
    if (stream_ok) writer->WritesDone();
    s = FromGrpcStatus(writer->Finish(),
                       kind == v1::UPLOAD_KIND_MODEL ? "UploadModel" : "UploadDataset");
    if (s.ok()) return resp;
    // ABORTED: the server still holds the session of our previous (broken) stream.
    const bool retryable = s.code() == absl::StatusCode::kUnavailable ||
                           s.code() == absl::StatusCode::kAborted;
    if (!retryable || !BackoffOrGiveUp(retry, retries)) return s;
  }
}

absl::StatusOr<v1::ModelRef> CompressClient::UploadModel(const std::string& path,
                                                         const std::string& name,
                                                         const TransferProgress& progress) {
  auto r = UploadFile<v1::UploadModelRequest, v1::UploadModelResponse>(
      stub_.get(), options_, retry_, upload_, v1::UPLOAD_KIND_MODEL, path, name, progress,
      options_.rpc_timeout, &v1::CompressionService::Stub::UploadModel);
  if (!r.ok()) return r.status();
  return r->model();
}

absl::StatusOr<v1::DatasetRef> CompressClient::UploadDataset(const std::string& path,
                                                             const std::string& name,
                                                             const TransferProgress& progress) {
  auto r = UploadFile<v1::UploadDatasetRequest, v1::UploadDatasetResponse>(
      stub_.get(), options_, retry_, upload_, v1::UPLOAD_KIND_DATASET, path, name, progress,
      options_.rpc_timeout, &v1::CompressionService::Stub::UploadDataset);
  if (!r.ok()) return r.status();
  return r->dataset();
}

absl::StatusOr<v1::Job> CompressClient::SubmitJob(const v1::SubmitJobRequest& request) {
  RetryPolicy policy = retry_;
  if (request.idempotency_key().empty()) policy.max_attempts = 1;
  return RetryUnavailableOr<v1::Job>(policy, [&]() -> absl::StatusOr<v1::Job> {
    grpc::ClientContext ctx;
    PrepareContext(ctx, options_, options_.rpc_timeout);
    v1::Job job;
    absl::Status s = FromGrpcStatus(stub_->SubmitJob(&ctx, request, &job), "SubmitJob");
    if (!s.ok()) return s;
    return job;
  });
}

absl::StatusOr<v1::Job> CompressClient::GetJob(const std::string& job_id, v1::JobView view) {
  v1::GetJobRequest req;
  req.set_job_id(job_id);
  req.set_view(view);
  return RetryUnavailableOr<v1::Job>(retry_, [&]() -> absl::StatusOr<v1::Job> {
    grpc::ClientContext ctx;
    PrepareContext(ctx, options_, options_.rpc_timeout);
    v1::Job job;
    absl::Status s = FromGrpcStatus(stub_->GetJob(&ctx, req, &job), "GetJob");
    if (!s.ok()) return s;
    return job;
  });
}

absl::StatusOr<v1::ListJobsResponse> CompressClient::ListJobs(const v1::ListJobsRequest& request) {
  return RetryUnavailableOr<v1::ListJobsResponse>(
      retry_, [&]() -> absl::StatusOr<v1::ListJobsResponse> {
        grpc::ClientContext ctx;
        PrepareContext(ctx, options_, options_.rpc_timeout);
        v1::ListJobsResponse resp;
        absl::Status s = FromGrpcStatus(stub_->ListJobs(&ctx, request, &resp), "ListJobs");
        if (!s.ok()) return s;
        return resp;
      });
}

absl::StatusOr<v1::Job> CompressClient::CancelJob(const std::string& job_id,
                                                  const std::string& reason) {
  v1::CancelJobRequest req;
  req.set_job_id(job_id);
  req.set_reason(reason);
  // Cancelling twice is harmless (a CANCELLED job is returned unchanged), so retrying is safe.
  return RetryUnavailableOr<v1::Job>(retry_, [&]() -> absl::StatusOr<v1::Job> {
    grpc::ClientContext ctx;
    PrepareContext(ctx, options_, options_.rpc_timeout);
    v1::Job job;
    absl::Status s = FromGrpcStatus(stub_->CancelJob(&ctx, req, &job), "CancelJob");
    if (!s.ok()) return s;
    return job;
  });
}

absl::StatusOr<v1::Job> CompressClient::WatchJob(
    const std::string& job_id, const std::function<void(const v1::Job&)>& on_update,
    absl::Duration timeout) {
  const absl::Time deadline =
      timeout == absl::InfiniteDuration() ? absl::InfiniteFuture() : absl::Now() + timeout;
  v1::WatchJobRequest req;
  req.set_job_id(job_id);
  int retries = 0;
  for (;;) {
    grpc::ClientContext ctx;
    PrepareContext(ctx, options_,
                   deadline == absl::InfiniteFuture() ? absl::InfiniteDuration()
                                                      : deadline - absl::Now());
    std::unique_ptr<grpc::ClientReader<v1::WatchJobResponse>> reader =
        stub_->WatchJob(&ctx, req);
    v1::WatchJobResponse resp;
    while (reader->Read(&resp)) {
      retries = 0;  // the server is there: a later break gets the full retry budget again
      if (on_update) on_update(resp.job());
      if (IsTerminal(resp.job().state())) {
        ctx.TryCancel();
        reader->Finish();
        return resp.job();
      }
    }
    absl::Status s = FromGrpcStatus(reader->Finish(), "WatchJob");
    if (s.ok()) continue;  // ended without a terminal state (should not happen): watch again
    if (s.code() == absl::StatusCode::kUnavailable && absl::Now() < deadline &&
        BackoffOrGiveUp(retry_, retries)) {
      continue;
    }
    return s;
  }
}

absl::StatusOr<v1::ArtifactRef> CompressClient::DownloadFrom(
    const std::string& job_id, v1::ArtifactKind kind, uint64_t offset,
    const std::function<absl::Status(const std::string&)>& sink,
    const TransferProgress& progress) {
  // The size is known from the job; it bounds the deadline and the bytes we accept.
  absl::StatusOr<v1::Job> job = GetJob(job_id);
  if (!job.ok()) return job.status();
  uint64_t expected_size = 0;
  for (const v1::ArtifactRef& a : job->artifacts()) {
    if (a.kind() == kind) expected_size = a.size_bytes();
  }
  v1::DownloadArtifactRequest req;
  req.set_job_id(job_id);
  req.set_kind(kind);
  req.set_offset(offset);
  grpc::ClientContext ctx;
  PrepareContext(ctx, options_, TransferTimeout(expected_size));
  std::unique_ptr<grpc::ClientReader<v1::DownloadArtifactResponse>> reader =
      stub_->DownloadArtifact(&ctx, req);
  v1::DownloadArtifactResponse resp;
  v1::ArtifactRef ref;
  bool first = true;
  absl::Status sink_status;
  while (reader->Read(&resp)) {
    if (first) {
      if (!resp.has_artifact()) {
        sink_status = absl::DataLossError("DownloadArtifact: first message without artifact");
        break;
      }
      ref = resp.artifact();
      first = false;
    }
    const std::string& data = resp.chunk().data();
    if (data.empty()) continue;
    if (resp.chunk().offset() != offset || offset + data.size() > ref.size_bytes()) {
      sink_status = absl::DataLossError(absl::StrCat(
          "DownloadArtifact: chunk at offset ", resp.chunk().offset(), " with ", data.size(),
          " bytes does not continue at ", offset, " within ", ref.size_bytes(), " bytes"));
      break;
    }
    sink_status = sink(data);
    if (!sink_status.ok()) break;
    offset += data.size();
    if (progress) progress(offset, ref.size_bytes());
  }
  if (!sink_status.ok()) {
    ctx.TryCancel();
    reader->Finish();
    return sink_status;
  }
  absl::Status s = FromGrpcStatus(reader->Finish(), "DownloadArtifact");
  if (!s.ok()) return s;
  if (first) return absl::DataLossError("DownloadArtifact: empty stream");
  return ref;
}

absl::StatusOr<v1::ArtifactRef> CompressClient::DownloadArtifact(
    const std::string& job_id, v1::ArtifactKind kind, const std::string& out_path,
    const TransferProgress& progress) {
  absl::StatusOr<AtomicFileWriter> writer = AtomicFileWriter::Create(out_path);
  if (!writer.ok()) return writer.status();
  Sha256Hasher hasher;
  int retries = 0;
  for (;;) {
    absl::StatusOr<v1::ArtifactRef> ref = DownloadFrom(
        job_id, kind, writer->size(),
        [&](const std::string& data) {
          hasher.Update(data);
          return writer->Append(data);
        },
        progress);
    if (!ref.ok()) {
      if (ref.status().code() == absl::StatusCode::kUnavailable &&
          BackoffOrGiveUp(retry_, retries)) {
        continue;
      }
      return ref.status();
    }
    if (writer->size() != ref->size_bytes()) {
      if (BackoffOrGiveUp(retry_, retries)) continue;  // stream ended early: resume
      return absl::DataLossError(absl::StrCat("DownloadArtifact: got ", writer->size(), " of ",
                                              ref->size_bytes(), " bytes"));
    }
    const std::string sha = hasher.Finish();
    if (sha != ref->sha256()) {
      return absl::DataLossError(absl::StrCat("DownloadArtifact: SHA-256 of the downloaded ",
                                              ref->name(), " is ", sha, ", the server declared ",
                                              ref->sha256()));
    }
    if (absl::Status s = writer->Commit(); !s.ok()) return s;
    return *ref;
  }
}

absl::StatusOr<std::string> CompressClient::DownloadArtifactBytes(const std::string& job_id,
                                                                  v1::ArtifactKind kind,
                                                                  uint64_t max_bytes) {
  std::string out;
  int retries = 0;
  for (;;) {
    absl::StatusOr<v1::ArtifactRef> ref = DownloadFrom(
        job_id, kind, out.size(),
        [&](const std::string& data) {
          if (out.size() + data.size() > max_bytes) {
            return absl::ResourceExhaustedError(
                absl::StrCat("artifact larger than ", max_bytes, " bytes"));
          }
          out += data;
          return absl::OkStatus();
        },
        {});
    if (!ref.ok()) {
      if (ref.status().code() == absl::StatusCode::kUnavailable &&
          BackoffOrGiveUp(retry_, retries)) {
        continue;
      }
      return ref.status();
    }
    if (out.size() != ref->size_bytes() || Sha256Hex(out) != ref->sha256()) {
      if (out.size() < ref->size_bytes() && BackoffOrGiveUp(retry_, retries)) continue;
      return absl::DataLossError(absl::StrCat("DownloadArtifact: ", ref->name(),
                                              " does not match its size or SHA-256"));
    }
    return out;
  }
}

absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus> CompressClient::CheckHealth(
    const std::string& service) {
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(service);
  using Status = grpc::health::v1::HealthCheckResponse::ServingStatus;
  return RetryUnavailableOr<Status>(retry_, [&]() -> absl::StatusOr<Status> {
    grpc::ClientContext ctx;
    PrepareContext(ctx, options_, options_.rpc_timeout);
    grpc::health::v1::HealthCheckResponse resp;
    absl::Status s = FromGrpcStatus(health_->Check(&ctx, req, &resp), "Health.Check");
    if (!s.ok()) return s;
    return resp.status();
  });
}

}  // namespace compressd::client
