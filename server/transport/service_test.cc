// In-process end-to-end test of the gRPC services on loopback: real stores in a temporary
// directory, a fake clock for leases, a fake model loader, and generated client stubs.
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <future>
#include <thread>

#include "compressd/v1/compression_service.grpc.pb.h"
#include "compressd/v1/worker_service.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/api/compression_api.h"
#include "server/api/worker_api.h"
#include "server/dataset/testing/tar_builder.h"
#include "server/metrics/server_metrics.h"
#include "server/scheduler/scheduler.h"
#include "server/store/fs_blob_store.h"
#include "server/store/sqlite_job_store.h"
#include "server/transport/grpc_server.h"
#include "server/util/sha256.h"

namespace compressd::server {
namespace {

using ::testing::HasSubstr;
using testing::TarBuilder;

constexpr char kTokenA[] = "token-of-tenant-a-0001";
constexpr char kTokenB[] = "token-of-tenant-b-0001";
constexpr char kAdmin[] = "token-of-the-admin-001";
constexpr char kWorker[] = "token-of-a-worker-0001";
constexpr size_t kMiB = 1 << 20;

std::string Config() {
  return absl::StrCat(
      "tenant team-a max_model_bytes=4MiB storage_quota_bytes=7MiB max_concurrent_jobs=3\n"
      "tenant team-b\n"
      "token team-a sha256:", Sha256Hex(std::string_view(kTokenA)), "\n",
      "token team-b plain:", kTokenB, "\n",
      "admin-token team-b plain:", kAdmin, "\n",
      "worker-token pool plain:", kWorker, "\n");
}

// A "model": TFL3 identifier at byte 4 plus deterministic filler.
std::string FakeModel(size_t size, char seed) {
  std::string m(size, '\0');
  for (size_t i = 0; i < size; ++i) m[i] = static_cast<char>(seed + i * 7);
  std::memcpy(&m[4], "TFL3", 4);
  return m;
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/service_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = std::move(SqliteJobStore::Open(dir_ + "/db").value());
    blobs_ = std::move(FsBlobStore::Create(dir_).value());
    SchedulerOptions so;
    so.max_attempts = 3;
    so.lease_duration = absl::Seconds(30);
    so.backoff_initial = absl::Seconds(1);
    scheduler_ = std::make_unique<Scheduler>(store_.get(), &clock_, so, &metrics_);
    validator_ = std::make_unique<FunctionModelValidator>(
        [](std::span<const uint8_t> b) -> absl::StatusOr<v1::ModelSummary> {
          if (b.size() < 8 || std::memcmp(b.data() + 4, "TFL3", 4) != 0) {
            return absl::InvalidArgumentError("fake loader: bad identifier");
          }
          v1::ModelSummary s;
          s.set_operator_count(7);
          s.add_inputs()->set_name("input");
          return s;
        });
    TenantLimits defaults;
    defaults.max_model_bytes = 64 << 20;
    auth_ = std::make_unique<Authenticator>(Authenticator::FromText(Config(), defaults).value());
    executor_ = std::make_unique<Executor>(4);
    ApiContext ctx;
    ctx.store = store_.get();
    ctx.blobs = blobs_.get();
    ctx.scheduler = scheduler_.get();
    ctx.validator = validator_.get();
    ctx.metrics = &metrics_;
    ctx.clock = &clock_;
    ctx.options.upload_sync_bytes = kMiB;
    api_ = std::make_unique<CompressionApi>(ctx);
    worker_api_ = std::make_unique<WorkerApi>(ctx);
    GrpcServerOptions go;
    go.listen_address = "127.0.0.1:0";
    server_ = std::move(GrpcServer::Start(go, {api_.get(), worker_api_.get(), auth_.get(),
                                              &metrics_, executor_.get()})
                            .value());
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    public_ = v1::CompressionService::NewStub(channel_);
    worker_ = v1::WorkerService::NewStub(channel_);
  }

  void TearDown() override {
    scheduler_->Stop();
    server_->Shutdown(absl::Seconds(2));
    executor_->Shutdown();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    return ctx;
  }

  // Uploads data[start, end) of a model declared as (size, sha).
  grpc::Status Upload(const std::string& token, const std::string& data, size_t start, size_t end,
                      v1::UploadModelResponse* resp, std::string sha = "",
                      uint64_t size = 0) {
    if (sha.empty()) sha = Sha256Hex(data);
    if (size == 0) size = data.size();
    auto ctx = Ctx(token);
    auto writer = public_->UploadModel(ctx.get(), resp);
    v1::UploadModelRequest req;
    auto* m = req.mutable_metadata();
    m->set_name("model.tflite");
    m->set_size_bytes(size);
    m->set_sha256(sha);
    m->set_offset(start);
    writer->Write(req);
    for (size_t off = start; off < end; off += kMiB) {
      v1::UploadModelRequest c;
      c.mutable_chunk()->set_offset(off);
      c.mutable_chunk()->set_data(data.substr(off, std::min(kMiB, end - off)));
      if (!writer->Write(c)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  // A streamed-hash upload: metadata without sha256, data[0, end) in chunks, then (unless
  // `trailer` is empty) a trailer with that digest.
  grpc::Status StreamedUpload(const std::string& token, const std::string& data, size_t end,
                              const std::string& trailer, v1::UploadModelResponse* resp) {
    auto ctx = Ctx(token);
    auto writer = public_->UploadModel(ctx.get(), resp);
    v1::UploadModelRequest req;
    req.mutable_metadata()->set_name("model.tflite");
    req.mutable_metadata()->set_size_bytes(data.size());
    writer->Write(req);
    for (size_t off = 0; off < end; off += kMiB) {
      v1::UploadModelRequest c;
      c.mutable_chunk()->set_offset(off);
      c.mutable_chunk()->set_data(data.substr(off, std::min(kMiB, end - off)));
      if (!writer->Write(c)) break;
    }
    if (!trailer.empty()) {
      v1::UploadModelRequest t;
      t.mutable_trailer()->set_sha256(trailer);
      writer->Write(t);
    }
    writer->WritesDone();
    return writer->Finish();
  }

  // Files under the blob store's tmp/ and uploads/ directories (partial data of any kind).
  size_t PartialFiles() const {
    size_t n = 0;
    for (const char* sub : {"/tmp", "/uploads"}) {
      for (const auto& e : std::filesystem::directory_iterator(dir_ + sub)) {
        (void)e;
        ++n;
      }
    }
    return n;
  }

  uint64_t CommittedOffset(const std::string& token, const std::string& data) {
    v1::GetUploadStatusRequest st;
    st.set_kind(v1::UPLOAD_KIND_MODEL);
    st.set_sha256(Sha256Hex(data));
    st.set_size_bytes(data.size());
    v1::GetUploadStatusResponse status;
    auto ctx = Ctx(token);
    EXPECT_TRUE(public_->GetUploadStatus(ctx.get(), st, &status).ok());
    return status.committed_offset();
  }

  std::string UploadOk(const std::string& token, const std::string& data) {
    v1::UploadModelResponse resp;
    grpc::Status s = Upload(token, data, 0, data.size(), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.model().model_id();
  }

  grpc::Status UploadTar(const std::string& token, const std::string& tar,
                         v1::UploadDatasetResponse* resp) {
    auto ctx = Ctx(token);
    auto writer = public_->UploadDataset(ctx.get(), resp);
    v1::UploadDatasetRequest req;
    req.mutable_metadata()->set_name("calib.tar");
    req.mutable_metadata()->set_size_bytes(tar.size());
    req.mutable_metadata()->set_sha256(Sha256Hex(tar));
    writer->Write(req);
    v1::UploadDatasetRequest c;
    c.mutable_chunk()->set_offset(0);
    c.mutable_chunk()->set_data(tar);
    writer->Write(c);
    writer->WritesDone();
    return writer->Finish();
  }

  static v1::SubmitJobRequest DynamicJob(const std::string& model_id, const std::string& key = "") {
    v1::SubmitJobRequest req;
    req.set_model_id(model_id);
    req.set_idempotency_key(key);
    req.mutable_spec()->add_passes()->mutable_quantize()->set_mode(v1::QUANTIZATION_MODE_DYNAMIC);
    return req;
  }

  grpc::Status Submit(const std::string& token, const v1::SubmitJobRequest& req, v1::Job* job) {
    auto ctx = Ctx(token);
    return public_->SubmitJob(ctx.get(), req, job);
  }

  grpc::Status Lease(v1::LeaseJobResponse* resp, uint32_t wait_ms = 0,
                     const std::string& worker_id = "w1") {
    v1::LeaseJobRequest req;
    req.set_worker_id(worker_id);
    req.set_wait_ms(wait_ms);
    auto ctx = Ctx(kWorker);
    return worker_->LeaseJob(ctx.get(), req, resp);
  }

  grpc::Status Complete(const std::string& job_id, uint32_t attempt, const std::string& bytes,
                        const std::string& declared_sha, const std::string& worker_id = "w1") {
    auto ctx = Ctx(kWorker);
    v1::CompleteJobResponse resp;
    auto writer = worker_->CompleteJob(ctx.get(), &resp);
    v1::CompleteJobRequest h;
    auto* header = h.mutable_header();
    header->set_job_id(job_id);
    header->set_attempt(attempt);
    header->set_worker_id(worker_id);
    header->mutable_report()->mutable_size()->set_bytes_before(1000);
    header->mutable_report()->mutable_size()->set_bytes_after(bytes.size());
    header->mutable_report()->set_compressd_version("test");
    auto* art = header->add_artifacts();
    art->set_kind(v1::ARTIFACT_KIND_MODEL);
    art->set_name("model.dynamic.tflite");
    art->set_size_bytes(bytes.size());
    art->set_sha256(declared_sha);
    writer->Write(h);
    v1::CompleteJobRequest c;
    c.mutable_chunk()->set_artifact_index(0);
    c.mutable_chunk()->mutable_chunk()->set_offset(0);
    c.mutable_chunk()->mutable_chunk()->set_data(bytes);
    writer->Write(c);
    writer->WritesDone();
    return writer->Finish();
  }

  v1::Job GetJob(const std::string& token, const std::string& id,
                 v1::JobView view = v1::JOB_VIEW_BASIC, grpc::Status* status = nullptr) {
    v1::GetJobRequest req;
    req.set_job_id(id);
    req.set_view(view);
    v1::Job job;
    auto ctx = Ctx(token);
    grpc::Status s = public_->GetJob(ctx.get(), req, &job);
    if (status) *status = s;
    return job;
  }

  std::string Download(const std::string& token, const std::string& job_id, v1::ArtifactKind kind,
                       grpc::Status* status, v1::ArtifactRef* ref = nullptr) {
    v1::DownloadArtifactRequest req;
    req.set_job_id(job_id);
    req.set_kind(kind);
    auto ctx = Ctx(token);
    auto reader = public_->DownloadArtifact(ctx.get(), req);
    v1::DownloadArtifactResponse msg;
    std::string out;
    while (reader->Read(&msg)) {
      if (msg.has_artifact() && ref) *ref = msg.artifact();
      EXPECT_EQ(msg.chunk().offset(), out.size());
      out += msg.chunk().data();
    }
    *status = reader->Finish();
    return out;
  }

  std::string dir_;
  FakeClock clock_;
  ServerMetrics metrics_;
  std::unique_ptr<SqliteJobStore> store_;
  std::unique_ptr<FsBlobStore> blobs_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<ModelValidator> validator_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<CompressionApi> api_;
  std::unique_ptr<WorkerApi> worker_api_;
  std::unique_ptr<GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CompressionService::Stub> public_;
  std::unique_ptr<v1::WorkerService::Stub> worker_;
};

TEST_F(ServiceTest, UploadIsContentAddressedAndDeduplicated) {
  const std::string model = FakeModel(2 * kMiB + 12345, 1);
  v1::UploadModelResponse resp;
  grpc::Status s = Upload(kTokenA, model, 0, model.size(), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.model().model_id(), Sha256Hex(model));
  EXPECT_EQ(resp.model().size_bytes(), model.size());
  EXPECT_EQ(resp.model().summary().operator_count(), 7u);
  const int64_t stored = blobs_->TotalBytes();
  EXPECT_EQ(stored, static_cast<int64_t>(model.size()));
  // Same bytes again (and by another tenant): same id, no second copy.
  EXPECT_EQ(UploadOk(kTokenA, model), resp.model().model_id());
  EXPECT_EQ(UploadOk(kTokenB, model), resp.model().model_id());
  EXPECT_EQ(blobs_->TotalBytes(), stored);
  // GetUploadStatus says there is nothing to upload.
  v1::GetUploadStatusRequest st;
  st.set_kind(v1::UPLOAD_KIND_MODEL);
  st.set_sha256(Sha256Hex(model));
  st.set_size_bytes(model.size());
  v1::GetUploadStatusResponse status;
  auto ctx = Ctx(kTokenA);
  ASSERT_TRUE(public_->GetUploadStatus(ctx.get(), st, &status).ok());
  EXPECT_TRUE(status.complete());
  EXPECT_EQ(status.model().model_id(), Sha256Hex(model));
}

TEST_F(ServiceTest, InterruptedUploadResumesFromTheCommittedOffset) {
  const std::string model = FakeModel(3 * kMiB + 7, 2);
  v1::UploadModelResponse resp;
  // The stream ends after two chunks: incomplete, but the bytes are kept.
  grpc::Status s = Upload(kTokenA, model, 0, 2 * kMiB, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("metadata.size_bytes: declared"));
  v1::GetUploadStatusRequest st;
  st.set_kind(v1::UPLOAD_KIND_MODEL);
  st.set_sha256(Sha256Hex(model));
  st.set_size_bytes(model.size());
  v1::GetUploadStatusResponse status;
  {
    auto ctx = Ctx(kTokenA);
    ASSERT_TRUE(public_->GetUploadStatus(ctx.get(), st, &status).ok());
  }
  EXPECT_FALSE(status.complete());
  EXPECT_EQ(status.committed_offset(), 2 * kMiB);
  // Another tenant's session is separate.
  {
    v1::GetUploadStatusResponse other;
    auto ctx = Ctx(kTokenB);
    ASSERT_TRUE(public_->GetUploadStatus(ctx.get(), st, &other).ok());
    EXPECT_EQ(other.committed_offset(), 0u);
  }
  // Resuming beyond the committed offset is refused; resuming at it completes the model.
  s = Upload(kTokenA, model, 3 * kMiB, model.size(), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("committed offset 2097152"));
  s = Upload(kTokenA, model, status.committed_offset(), model.size(), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.model().model_id(), Sha256Hex(model));
  EXPECT_EQ(blobs_->TotalBytes(), static_cast<int64_t>(model.size()));
}

TEST_F(ServiceTest, CancelledUploadKeepsItsDurablePrefix) {
  const std::string model = FakeModel(3 * kMiB, 3);
  {
    auto ctx = Ctx(kTokenA);
    v1::UploadModelResponse resp;
    auto writer = public_->UploadModel(ctx.get(), &resp);
    v1::UploadModelRequest req;
    req.mutable_metadata()->set_name("m");
    req.mutable_metadata()->set_size_bytes(model.size());
    req.mutable_metadata()->set_sha256(Sha256Hex(model));
    ASSERT_TRUE(writer->Write(req));
    v1::UploadModelRequest c;
    c.mutable_chunk()->set_offset(0);
    c.mutable_chunk()->set_data(model.substr(0, kMiB));
    ASSERT_TRUE(writer->Write(c));
    // Wait until the server has stored the chunk, then drop the call.
    for (int i = 0; i < 200; ++i) {
      auto got = store_->GetUpload("team-a", UploadKind::kModel, Sha256Hex(model), model.size());
      if (got.ok() && got->has_value() && blobs_->UploadSize((*got)->upload_name).value() == kMiB) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ctx->TryCancel();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  v1::GetUploadStatusRequest st;
  st.set_kind(v1::UPLOAD_KIND_MODEL);
  st.set_sha256(Sha256Hex(model));
  st.set_size_bytes(model.size());
  uint64_t committed = 0;
  for (int i = 0; i < 200 && committed != kMiB; ++i) {
    v1::GetUploadStatusResponse status;
    auto ctx = Ctx(kTokenA);
    ASSERT_TRUE(public_->GetUploadStatus(ctx.get(), st, &status).ok());
    committed = status.committed_offset();
    if (committed != kMiB) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(committed, kMiB);
  v1::UploadModelResponse resp;
  // The cancelled stream records its offset just before it releases the session, so a resume in
  // between gets the documented ABORTED (clients retry it).
  grpc::Status s = Upload(kTokenA, model, committed, model.size(), &resp);
  for (int i = 0; i < 200 && s.error_code() == grpc::StatusCode::ABORTED; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    s = Upload(kTokenA, model, committed, model.size(), &resp);
  }
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.model().model_id(), Sha256Hex(model));
}

TEST_F(ServiceTest, UploadRejectsHashMismatchInvalidModelsAndLimits) {
  const std::string model = FakeModel(100000, 4);
  v1::UploadModelResponse resp;
  grpc::Status s = Upload(kTokenA, model, 0, model.size(), &resp, std::string(64, '0'));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("metadata.sha256: declared 0000"));
  EXPECT_THAT(s.error_message(), HasSubstr(Sha256Hex(model)));
  EXPECT_EQ(blobs_->TotalBytes(), 0);

  std::string bad = model;
  bad[5] = 'X';
  s = Upload(kTokenA, bad, 0, bad.size(), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "model rejected: fake loader: bad identifier");

  // team-a may upload models of at most 4 MiB.
  s = Upload(kTokenA, model, 0, 0, &resp, Sha256Hex(model), 5 * kMiB);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("max_model_bytes=4194304"));

  // Storage quota of 7 MiB: two 3 MiB models fit, a third does not.
  UploadOk(kTokenA, FakeModel(3 * kMiB, 5));
  UploadOk(kTokenA, FakeModel(3 * kMiB, 6));
  const std::string third = FakeModel(3 * kMiB, 7);
  s = Upload(kTokenA, third, 0, third.size(), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("storage_quota_bytes=7340032"));

  // Chunk discipline.
  {
    auto ctx = Ctx(kTokenA);
    auto writer = public_->UploadModel(ctx.get(), &resp);
    v1::UploadModelRequest req;
    req.mutable_metadata()->set_name("m");
    req.mutable_metadata()->set_size_bytes(model.size());
    req.mutable_metadata()->set_sha256(Sha256Hex(model));
    writer->Write(req);
    v1::UploadModelRequest c;
    c.mutable_chunk()->set_offset(5);
    c.mutable_chunk()->set_data("abc");
    writer->Write(c);
    writer->WritesDone();
    s = writer->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(s.error_message(), "chunk.offset: expected 0, got 5");
  }
}

TEST_F(ServiceTest, StreamedHashUploadIsVerifiedAgainstTheTrailer) {
  const std::string model = FakeModel(2 * kMiB + 999, 11);
  const std::string sha = Sha256Hex(model);
  v1::UploadModelResponse resp;
  // A wrong trailing digest: rejected, nothing stored, no partial file or session left.
  grpc::Status s = StreamedUpload(kTokenA, model, model.size(), std::string(64, 'e'), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("trailer.sha256: declared eeee"));
  EXPECT_THAT(s.error_message(), HasSubstr(sha));
  EXPECT_EQ(blobs_->TotalBytes(), 0);
  EXPECT_FALSE(blobs_->Exists(sha));
  EXPECT_EQ(PartialFiles(), 0u);
  EXPECT_EQ(CommittedOffset(kTokenA, model), 0u);
  // No trailer at all.
  s = StreamedUpload(kTokenA, model, model.size(), "", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("trailer: required when metadata.sha256 is empty"));
  // Fewer bytes than declared: not resumable, so nothing is kept.
  s = StreamedUpload(kTokenA, model, kMiB, sha, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("metadata.size_bytes: declared"));
  EXPECT_EQ(blobs_->TotalBytes(), 0);
  EXPECT_EQ(PartialFiles(), 0u);
  EXPECT_EQ(CommittedOffset(kTokenA, model), 0u);
  // An invalid model with a correct digest is rejected by the validator.
  std::string bad = model;
  bad[5] = 'X';
  s = StreamedUpload(kTokenA, bad, bad.size(), Sha256Hex(bad), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "model rejected: fake loader: bad identifier");
  EXPECT_EQ(PartialFiles(), 0u);

  // The right digest: stored under it, like an upload with the digest up front.
  s = StreamedUpload(kTokenA, model, model.size(), sha, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.model().model_id(), sha);
  EXPECT_EQ(resp.model().size_bytes(), model.size());
  EXPECT_EQ(resp.model().summary().operator_count(), 7u);
  EXPECT_EQ(blobs_->TotalBytes(), static_cast<int64_t>(model.size()));
  EXPECT_EQ(PartialFiles(), 0u);
  // Same bytes again, streamed or not, by either tenant: same id, one copy.
  v1::UploadModelResponse again;
  ASSERT_TRUE(StreamedUpload(kTokenB, model, model.size(), sha, &again).ok());
  EXPECT_EQ(again.model().model_id(), sha);
  EXPECT_EQ(UploadOk(kTokenA, model), sha);
  EXPECT_EQ(blobs_->TotalBytes(), static_cast<int64_t>(model.size()));
  EXPECT_EQ(PartialFiles(), 0u);
}

TEST_F(ServiceTest, StreamedHashUploadRules) {
  const std::string model = FakeModel(kMiB + 3, 12);
  const std::string sha = Sha256Hex(model);
  v1::UploadModelResponse resp;
  // Without a digest there is no session to resume: offset must be 0.
  {
    auto ctx = Ctx(kTokenA);
    auto writer = public_->UploadModel(ctx.get(), &resp);
    v1::UploadModelRequest req;
    req.mutable_metadata()->set_name("m");
    req.mutable_metadata()->set_size_bytes(model.size());
    req.mutable_metadata()->set_offset(1);
    writer->Write(req);
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("metadata.offset: must be 0 when sha256 is empty"));
  }
  // No chunk after the trailer, at most one trailer, and a malformed one is refused.
  for (const int variant : {0, 1, 2}) {
    auto ctx = Ctx(kTokenA);
    auto writer = public_->UploadModel(ctx.get(), &resp);
    v1::UploadModelRequest req;
    req.mutable_metadata()->set_name("m");
    req.mutable_metadata()->set_size_bytes(model.size());
    writer->Write(req);
    v1::UploadModelRequest c;
    c.mutable_chunk()->set_offset(0);
    c.mutable_chunk()->set_data(model.substr(0, kMiB));
    writer->Write(c);
    v1::UploadModelRequest t;
    t.mutable_trailer()->set_sha256(variant == 2 ? "ABC" : sha);
    writer->Write(t);
    if (variant == 0) {
      c.mutable_chunk()->set_offset(kMiB);
      c.mutable_chunk()->set_data(model.substr(kMiB));
      writer->Write(c);
    } else if (variant == 1) {
      writer->Write(t);
    }
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << variant;
    const char* want[] = {"chunk: no chunk may follow the trailer",
                          "trailer: at most one trailer per stream",
                          "trailer.sha256: must be 64 lowercase hex characters"};
    EXPECT_EQ(s.error_message(), want[variant]);
  }
  EXPECT_EQ(blobs_->TotalBytes(), 0);
  EXPECT_EQ(PartialFiles(), 0u);
  // With the digest up front a trailer is optional but must agree with it.
  {
    auto ctx = Ctx(kTokenA);
    auto writer = public_->UploadModel(ctx.get(), &resp);
    v1::UploadModelRequest req;
    req.mutable_metadata()->set_name("m");
    req.mutable_metadata()->set_size_bytes(model.size());
    req.mutable_metadata()->set_sha256(sha);
    writer->Write(req);
    v1::UploadModelRequest t;
    t.mutable_trailer()->set_sha256(std::string(64, 'a'));
    writer->Write(t);
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("trailer.sha256: aaaa"));
    EXPECT_THAT(s.error_message(), HasSubstr("differs from metadata.sha256"));
  }
  // The quota is charged in full up front (the object is unknown until the trailer): team-a's
  // 7 MiB quota holds two 3 MiB models, then even a copy of one of them is refused when streamed
  // (the client then retries with the digest up front, which is not charged).
  const std::string three = FakeModel(3 * kMiB, 13);
  UploadOk(kTokenA, three);
  UploadOk(kTokenA, FakeModel(3 * kMiB, 14));
  grpc::Status s = StreamedUpload(kTokenA, three, three.size(), Sha256Hex(three), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(UploadOk(kTokenA, three), Sha256Hex(three));
}

TEST_F(ServiceTest, CancelledStreamedHashUploadLeavesNothing) {
  const std::string model = FakeModel(3 * kMiB, 15);
  {
    auto ctx = Ctx(kTokenA);
    v1::UploadModelResponse resp;
    auto writer = public_->UploadModel(ctx.get(), &resp);
    v1::UploadModelRequest req;
    req.mutable_metadata()->set_name("m");
    req.mutable_metadata()->set_size_bytes(model.size());
    ASSERT_TRUE(writer->Write(req));
    v1::UploadModelRequest c;
    c.mutable_chunk()->set_offset(0);
    c.mutable_chunk()->set_data(model.substr(0, kMiB));
    ASSERT_TRUE(writer->Write(c));
    // Wait until the server has opened its anonymous writer (tmp/), then drop the call.
    for (int i = 0; i < 200 && PartialFiles() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(PartialFiles(), 1u);
    ctx->TryCancel();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  for (int i = 0; i < 200 && PartialFiles() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(PartialFiles(), 0u);
  EXPECT_EQ(CommittedOffset(kTokenA, model), 0u);
  EXPECT_EQ(blobs_->TotalBytes(), 0);
}

TEST_F(ServiceTest, CredentialsAreChecked) {
  v1::GetModelRequest req;
  req.set_model_id(std::string(64, 'a'));
  v1::ModelRef ref;
  auto none = Ctx("");
  EXPECT_EQ(public_->GetModel(none.get(), req, &ref).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  auto wrong = Ctx("not-a-real-token-at-all");
  EXPECT_EQ(public_->GetModel(wrong.get(), req, &ref).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  auto worker = Ctx(kWorker);
  EXPECT_EQ(public_->GetModel(worker.get(), req, &ref).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::LeaseJobRequest lease;
  lease.set_worker_id("w1");
  v1::LeaseJobResponse lr;
  auto tenant = Ctx(kTokenA);
  EXPECT_EQ(worker_->LeaseJob(tenant.get(), lease, &lr).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  auto missing = Ctx("");
  EXPECT_EQ(worker_->LeaseJob(missing.get(), lease, &lr).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Streams check too.
  v1::UploadModelResponse resp;
  EXPECT_EQ(Upload("", FakeModel(100, 1), 0, 100, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(metrics_.TextExposition(), HasSubstr("code=\"UNAUTHENTICATED\""));
}

TEST_F(ServiceTest, TenantsSeeOnlyTheirOwnObjects) {
  const std::string model_id = UploadOk(kTokenA, FakeModel(5000, 8));
  v1::Job job;
  ASSERT_TRUE(Submit(kTokenA, DynamicJob(model_id), &job).ok());
  // team-b: the model and the job do not exist.
  v1::GetModelRequest gm;
  gm.set_model_id(model_id);
  v1::ModelRef ref;
  auto b1 = Ctx(kTokenB);
  EXPECT_EQ(public_->GetModel(b1.get(), gm, &ref).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::Status s;
  GetJob(kTokenB, job.job_id(), v1::JOB_VIEW_BASIC, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "job " + job.job_id() + " not found");
  v1::CancelJobRequest cr;
  cr.set_job_id(job.job_id());
  v1::Job cancelled;
  auto b2 = Ctx(kTokenB);
  EXPECT_EQ(public_->CancelJob(b2.get(), cr, &cancelled).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::Job other;
  s = Submit(kTokenB, DynamicJob(model_id), &other);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("model_id: model"));
  Download(kTokenB, job.job_id(), v1::ARTIFACT_KIND_MODEL, &s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  {
    v1::WatchJobRequest wr;
    wr.set_job_id(job.job_id());
    auto ctx = Ctx(kTokenB);
    auto reader = public_->WatchJob(ctx.get(), wr);
    v1::WatchJobResponse msg;
    EXPECT_FALSE(reader->Read(&msg));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
  }
  v1::ListJobsRequest lr;
  v1::ListJobsResponse list;
  auto b3 = Ctx(kTokenB);
  ASSERT_TRUE(public_->ListJobs(b3.get(), lr, &list).ok());
  EXPECT_EQ(list.jobs_size(), 0);
  // The admin sees everything.
  GetJob(kAdmin, job.job_id(), v1::JOB_VIEW_BASIC, &s);
  EXPECT_TRUE(s.ok());
  auto adm = Ctx(kAdmin);
  ASSERT_TRUE(public_->ListJobs(adm.get(), lr, &list).ok());
  ASSERT_EQ(list.jobs_size(), 1);
  EXPECT_EQ(list.jobs(0).tenant(), "team-a");
}

TEST_F(ServiceTest, SubmitIsIdempotentAndValidated) {
  const std::string model_id = UploadOk(kTokenA, FakeModel(5000, 9));
  v1::Job first, again, conflict;
  ASSERT_TRUE(Submit(kTokenA, DynamicJob(model_id, "build-77"), &first).ok());
  EXPECT_EQ(first.state(), v1::JOB_STATE_QUEUED);
  EXPECT_EQ(first.tenant(), "team-a");
  EXPECT_EQ(first.max_attempts(), 3u);
  ASSERT_TRUE(Submit(kTokenA, DynamicJob(model_id, "build-77"), &again).ok());
  EXPECT_EQ(again.job_id(), first.job_id());
  v1::SubmitJobRequest different = DynamicJob(model_id, "build-77");
  different.set_priority(9);
  grpc::Status s = Submit(kTokenA, different, &conflict);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr(first.job_id()));

  v1::SubmitJobRequest bad = DynamicJob(model_id);
  bad.mutable_spec()->mutable_passes(0)->mutable_quantize()->set_mode(
      v1::QUANTIZATION_MODE_UNSPECIFIED);
  s = Submit(kTokenA, bad, &conflict);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("spec.passes[0].quantize.mode: required"));

  v1::SubmitJobRequest int8 = DynamicJob(model_id);
  int8.mutable_spec()->mutable_passes(0)->mutable_quantize()->set_mode(v1::QUANTIZATION_MODE_INT8);
  int8.mutable_spec()->mutable_calibration()->set_dataset_id(std::string(64, 'd'));
  s = Submit(kTokenA, int8, &conflict);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("spec.calibration.dataset_id: dataset"));

  // team-a may have 3 queued or running jobs; two more fit (first is one), the next does not.
  v1::Job j;
  ASSERT_TRUE(Submit(kTokenA, DynamicJob(model_id), &j).ok());
  ASSERT_TRUE(Submit(kTokenA, DynamicJob(model_id), &j).ok());
  s = Submit(kTokenA, DynamicJob(model_id), &j);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("max_concurrent_jobs=3"));
}

TEST_F(ServiceTest, JobRunsThroughLeaseHeartbeatCompleteAndDownload) {
  const std::string model = FakeModel(1500000, 10);
  const std::string model_id = UploadOk(kTokenA, model);
  // A worker waits first; the submission wakes it.
  std::promise<std::pair<grpc::Status, v1::LeaseJobResponse>> leased;
  std::thread waiter([&] {
    v1::LeaseJobResponse resp;
    grpc::Status s = Lease(&resp, 10000);
    leased.set_value({s, resp});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  v1::Job job;
  v1::SubmitJobRequest req = DynamicJob(model_id);
  (*req.mutable_spec()->mutable_labels())["build"] = "77";
  ASSERT_TRUE(Submit(kTokenA, req, &job).ok());
  auto [ls, lease_resp] = leased.get_future().get();
  waiter.join();
  ASSERT_TRUE(ls.ok()) << ls.error_message();
  ASSERT_TRUE(lease_resp.has_lease());
  const v1::Lease& lease = lease_resp.lease();
  EXPECT_EQ(lease.job().job_id(), job.job_id());
  EXPECT_EQ(lease.attempt(), 1u);
  EXPECT_EQ(lease.lease_seconds(), 30u);
  EXPECT_EQ(lease.heartbeat_interval_ms(), 10000u);
  EXPECT_EQ(lease.model().sha256(), Sha256Hex(model));

  // Watch from here on.
  std::vector<v1::JobState> watched;
  grpc::Status watch_status;
  auto watch_ctx = Ctx(kTokenA);
  v1::WatchJobRequest wr;
  wr.set_job_id(job.job_id());
  auto watch = public_->WatchJob(watch_ctx.get(), wr);
  v1::WatchJobResponse first_msg;
  ASSERT_TRUE(watch->Read(&first_msg));
  EXPECT_EQ(first_msg.job().state(), v1::JOB_STATE_RUNNING);
  std::thread watcher([&] {
    v1::WatchJobResponse msg;
    while (watch->Read(&msg)) watched.push_back(msg.job().state());
    watch_status = watch->Finish();
  });

  // The worker fetches the model.
  {
    v1::DownloadInputRequest dr;
    dr.set_job_id(job.job_id());
    dr.set_attempt(1);
    dr.set_kind(v1::INPUT_KIND_MODEL);
    auto ctx = Ctx(kWorker);
    auto reader = worker_->DownloadInput(ctx.get(), dr);
    v1::DownloadInputResponse msg;
    std::string got;
    std::string sha;
    while (reader->Read(&msg)) {
      if (!msg.sha256().empty()) sha = msg.sha256();
      got += msg.chunk().data();
    }
    ASSERT_TRUE(reader->Finish().ok());
    EXPECT_EQ(got, model);
    EXPECT_EQ(sha, Sha256Hex(model));
  }
  // Heartbeat with progress.
  {
    v1::HeartbeatRequest hb;
    hb.set_job_id(job.job_id());
    hb.set_attempt(1);
    hb.set_worker_id("w1");
    hb.mutable_progress()->set_pass_name("quantize");
    hb.mutable_progress()->set_fraction(0.4);
    v1::HeartbeatResponse hr;
    auto ctx = Ctx(kWorker);
    ASSERT_TRUE(worker_->Heartbeat(ctx.get(), hb, &hr).ok());
    EXPECT_EQ(hr.action(), v1::HEARTBEAT_ACTION_CONTINUE);
    EXPECT_DOUBLE_EQ(GetJob(kTokenA, job.job_id()).progress().fraction(), 0.4);
  }
  const std::string output = "compressed-model-bytes";
  grpc::Status cs = Complete(job.job_id(), 1, output, Sha256Hex(output));
  ASSERT_TRUE(cs.ok()) << cs.error_message();
  watcher.join();
  EXPECT_TRUE(watch_status.ok()) << watch_status.error_message();
  ASSERT_FALSE(watched.empty());
  EXPECT_EQ(watched.back(), v1::JOB_STATE_SUCCEEDED);

  v1::Job full = GetJob(kTokenA, job.job_id(), v1::JOB_VIEW_FULL);
  EXPECT_EQ(full.state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_EQ(full.report().compressd_version(), "test");
  EXPECT_FALSE(GetJob(kTokenA, job.job_id()).has_report());
  grpc::Status ds;
  v1::ArtifactRef ref;
  EXPECT_EQ(Download(kTokenA, job.job_id(), v1::ARTIFACT_KIND_MODEL, &ds, &ref), output);
  ASSERT_TRUE(ds.ok()) << ds.error_message();
  EXPECT_EQ(ref.sha256(), Sha256Hex(output));
  EXPECT_EQ(ref.name(), "model.dynamic.tflite");
  v1::CompressionReport report;
  ASSERT_TRUE(report.ParseFromString(Download(kTokenA, job.job_id(), v1::ARTIFACT_KIND_REPORT, &ds)));
  EXPECT_EQ(report.size().bytes_after(), output.size());
  Download(kTokenA, job.job_id(), v1::ARTIFACT_KIND_LOG, &ds);
  EXPECT_EQ(ds.error_code(), grpc::StatusCode::NOT_FOUND);

  // Filtered listing with pagination.
  v1::ListJobsRequest lr;
  lr.mutable_labels()->insert({"build", "77"});
  lr.add_states(v1::JOB_STATE_SUCCEEDED);
  v1::ListJobsResponse list;
  auto lctx = Ctx(kTokenA);
  ASSERT_TRUE(public_->ListJobs(lctx.get(), lr, &list).ok());
  ASSERT_EQ(list.jobs_size(), 1);
  EXPECT_EQ(list.jobs(0).job_id(), job.job_id());
  EXPECT_FALSE(list.jobs(0).has_report());
  EXPECT_THAT(metrics_.TextExposition(), HasSubstr("compressd_compression_ratio_count 1"));
}

TEST_F(ServiceTest, ExpiredLeaseIsFencedAndHashesAreChecked) {
  const std::string model_id = UploadOk(kTokenA, FakeModel(5000, 11));
  v1::Job job;
  ASSERT_TRUE(Submit(kTokenA, DynamicJob(model_id), &job).ok());
  v1::LeaseJobResponse first;
  ASSERT_TRUE(Lease(&first, 0, "w1").ok());
  ASSERT_TRUE(first.has_lease());
  clock_.Advance(absl::Seconds(31));
  scheduler_->ProcessTimers();
  EXPECT_EQ(GetJob(kTokenA, job.job_id()).state(), v1::JOB_STATE_QUEUED);
  // The old holder is told to abort and cannot complete.
  {
    v1::HeartbeatRequest hb;
    hb.set_job_id(job.job_id());
    hb.set_attempt(1);
    hb.set_worker_id("w1");
    v1::HeartbeatResponse hr;
    auto ctx = Ctx(kWorker);
    ASSERT_TRUE(worker_->Heartbeat(ctx.get(), hb, &hr).ok());
    EXPECT_EQ(hr.action(), v1::HEARTBEAT_ACTION_ABORT);
  }
  const std::string out = "out";
  grpc::Status s = Complete(job.job_id(), 1, out, Sha256Hex(out));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  clock_.Advance(absl::Seconds(2));
  scheduler_->ProcessTimers();
  v1::LeaseJobResponse second;
  ASSERT_TRUE(Lease(&second, 0, "w2").ok());
  ASSERT_TRUE(second.has_lease());
  EXPECT_EQ(second.lease().attempt(), 2u);
  // A corrupted artifact is refused and the job keeps running.
  s = Complete(job.job_id(), 2, out, Sha256Hex(std::string("other")), "w2");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("header.artifacts[0].sha256"));
  EXPECT_EQ(GetJob(kTokenA, job.job_id()).state(), v1::JOB_STATE_RUNNING);
  s = Complete(job.job_id(), 2, out, Sha256Hex(out), "w2");
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::Job done = GetJob(kTokenA, job.job_id());
  EXPECT_EQ(done.state(), v1::JOB_STATE_SUCCEEDED);
  ASSERT_EQ(done.attempts_size(), 2);
  EXPECT_EQ(done.attempts(0).failure_kind(), v1::FAILURE_KIND_LEASE_EXPIRED);
}

TEST_F(ServiceTest, CancelQueuedAndRunningJobs) {
  const std::string model_id = UploadOk(kTokenA, FakeModel(5000, 12));
  v1::Job running, queued;
  ASSERT_TRUE(Submit(kTokenA, DynamicJob(model_id), &running).ok());
  v1::LeaseJobResponse lease;
  ASSERT_TRUE(Lease(&lease).ok());
  ASSERT_EQ(lease.lease().job().job_id(), running.job_id());
  ASSERT_TRUE(Submit(kTokenA, DynamicJob(model_id), &queued).ok());
  for (const v1::Job* j : {&queued, &running}) {
    v1::CancelJobRequest cr;
    cr.set_job_id(j->job_id());
    cr.set_reason("superseded");
    v1::Job out;
    auto ctx = Ctx(kTokenA);
    ASSERT_TRUE(public_->CancelJob(ctx.get(), cr, &out).ok());
    EXPECT_EQ(out.state(), v1::JOB_STATE_CANCELLED);
    EXPECT_EQ(out.failure_message(), "cancelled: superseded");
  }
  v1::HeartbeatRequest hb;
  hb.set_job_id(running.job_id());
  hb.set_attempt(1);
  hb.set_worker_id("w1");
  v1::HeartbeatResponse hr;
  auto ctx = Ctx(kWorker);
  ASSERT_TRUE(worker_->Heartbeat(ctx.get(), hb, &hr).ok());
  EXPECT_EQ(hr.action(), v1::HEARTBEAT_ACTION_CANCEL);
  v1::LeaseJobResponse none;
  ASSERT_TRUE(Lease(&none).ok());
  EXPECT_FALSE(none.has_lease());
}

TEST_F(ServiceTest, DatasetUploadRejectsPathTraversalAndAcceptsSamples) {
  v1::UploadDatasetResponse resp;
  grpc::Status s = UploadTar(kTokenA, TarBuilder().File("../../etc/x.npy", TarBuilder::Npy()).Build(),
                             &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("'..' components are not allowed"));
  const std::string tar = TarBuilder()
                              .File("a.npy", TarBuilder::Npy())
                              .File("img/b.png", TarBuilder::Png())
                              .File("labels.txt", "cat\n")
                              .Build();
  s = UploadTar(kTokenA, tar, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.dataset().dataset_id(), Sha256Hex(tar));
  EXPECT_EQ(resp.dataset().npy_files(), 1u);
  EXPECT_EQ(resp.dataset().image_files(), 1u);
  EXPECT_TRUE(resp.dataset().has_labels());
  // An int8 job can use it, and the worker can fetch it.
  const std::string model_id = UploadOk(kTokenA, FakeModel(5000, 13));
  v1::SubmitJobRequest req = DynamicJob(model_id);
  req.mutable_spec()->mutable_passes(0)->mutable_quantize()->set_mode(v1::QUANTIZATION_MODE_INT8);
  req.mutable_spec()->mutable_calibration()->set_dataset_id(resp.dataset().dataset_id());
  v1::Job job;
  ASSERT_TRUE(Submit(kTokenA, req, &job).ok());
  v1::LeaseJobResponse lease;
  ASSERT_TRUE(Lease(&lease).ok());
  EXPECT_EQ(lease.lease().calibration().dataset_id(), resp.dataset().dataset_id());
  v1::DownloadInputRequest dr;
  dr.set_job_id(job.job_id());
  dr.set_attempt(1);
  dr.set_kind(v1::INPUT_KIND_CALIBRATION_DATASET);
  auto ctx = Ctx(kWorker);
  auto reader = worker_->DownloadInput(ctx.get(), dr);
  v1::DownloadInputResponse msg;
  std::string got;
  while (reader->Read(&msg)) got += msg.chunk().data();
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(got, tar);
  // Another tenant cannot reference it.
  v1::Job other;
  const std::string b_model = UploadOk(kTokenB, FakeModel(5000, 14));
  req.set_model_id(b_model);
  grpc::Status bs = Submit(kTokenB, req, &other);
  EXPECT_EQ(bs.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServiceTest, HealthIsServing) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  req.set_service("compressd.v1.WorkerService");
  grpc::ClientContext ctx2;
  ASSERT_TRUE(health->Check(&ctx2, req, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace compressd::server
