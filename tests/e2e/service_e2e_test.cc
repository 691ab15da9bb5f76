// End-to-end tests of the service with real processes on loopback: a compressd server (fresh data
// directory, random port, short leases), compressd-worker processes with --test-hooks, and the
// client library / compressctl. Jobs use the worker's test hooks (job label
// compressd.dev/test-hook) so that they succeed, crash or hang on demand whatever the state of the
// quantization passes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/remote/compress_client.h"
#include "client/remote/sha256.h"
#include "core/base/file_io.h"
#include "core/tflite/model_reader.h"
#include "core/tflite/model_writer.h"
#include "core/tflite/testing/test_models.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"
#include "tests/support/test_data.h"

namespace compressd::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kHookLabel[] = "compressd.dev/test-hook";

class ServiceE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat("compressd_e2e-", ::getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto bytes = tflite::WriteModel(tflite::testing::TinyConvModel());
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    model_bytes_ = *bytes;
    model_path_ = (dir_ / "tiny_conv.tflite").string();
    ASSERT_TRUE(WriteFileAtomic(model_path_, model_bytes_).ok());
    port_ = FreePort();
    ASSERT_GT(port_, 0);
    address_ = absl::StrCat("127.0.0.1:", port_);
    StartServer();
    client::ConnectionOptions o;
    o.address = address_;
    o.rpc_timeout = absl::Seconds(10);
    auto c = client::CompressClient::Create(o);
    ASSERT_TRUE(c.ok()) << c.status();
    client_ = std::move(*c);
    WaitServing();
  }

  void TearDown() override {
    for (auto& [name, w] : workers_) w.Kill();
    if (server_) server_->Kill();
    if (HasFailure()) {
      for (auto& [name, w] : workers_) std::cerr << "---- " << name << " log:\n" << w.Log();
      if (server_) std::cerr << "---- server log (tail):\n" << Tail(server_->Log(), 6000);
    }
    workers_.clear();
    server_.reset();
    fs::remove_all(dir_);
  }

  static std::string Tail(const std::string& s, size_t n) {
    return s.size() > n ? s.substr(s.size() - n) : s;
  }

  void StartServer() {
    auto p = Process::Start({COMPRESSD_SERVER_BIN, "--data-dir", (dir_ / "data").string(),
                             "--listen", address_, "--lease-seconds", "2",
                             "--retry-backoff-seconds", "0.2", "--max-attempts", "3"},
                            (dir_ / "server.log").string());
    ASSERT_TRUE(p.ok()) << p.status();
    server_.emplace(std::move(*p));
  }

  void WaitServing() {
    const absl::Time until = absl::Now() + absl::Seconds(20);
    while (absl::Now() < until) {
      auto s = client_->CheckHealth();
      if (s.ok() && *s == grpc::health::v1::HealthCheckResponse::SERVING) return;
      ASSERT_TRUE(server_->Running()) << "server exited:\n" << server_->Log();
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << "server not serving after 20 s";
  }

  Process& StartWorker(const std::string& name, std::vector<std::string> extra = {},
                       bool test_hooks = true) {
    std::vector<std::string> argv = {COMPRESSD_WORKER_BIN,
                                     "--server", address_,
                                     "--worker-id", name,
                                     "--cache-dir", (dir_ / ("cache-" + name)).string(),
                                     "--lease-wait-ms", "1000",
                                     "--rpc-timeout-seconds", "5",
                                     "--max-memory-mb", "1024"};
    if (test_hooks) argv.push_back("--test-hooks");
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = Process::Start(argv, (dir_ / (name + ".log")).string());
    EXPECT_TRUE(p.ok()) << p.status();
    return workers_.emplace(name, std::move(*p)).first->second;
  }

  std::string UploadModel() {
    auto ref = client_->UploadModel(model_path_);
    EXPECT_TRUE(ref.ok()) << ref.status();
    return ref.ok() ? ref->model_id() : "";
  }

  v1::Job Submit(const std::string& model_id, const std::string& hook, uint32_t timeout = 0,
                 const std::string& key = "",
                 v1::QuantizationMode mode = v1::QUANTIZATION_MODE_FLOAT16) {
    v1::SubmitJobRequest req;
    req.set_model_id(model_id);
    req.mutable_spec()->add_passes()->mutable_quantize()->set_mode(mode);
    if (!hook.empty()) (*req.mutable_spec()->mutable_labels())[kHookLabel] = hook;
    req.mutable_spec()->set_timeout_seconds(timeout);
    req.set_idempotency_key(key);
    auto job = client_->SubmitJob(req);
    EXPECT_TRUE(job.ok()) << job.status();
    return job.ok() ? *job : v1::Job();
  }

  v1::Job WaitDone(const std::string& job_id, absl::Duration timeout = absl::Seconds(40)) {
    auto job = client_->WatchJob(job_id, {}, timeout);
    EXPECT_TRUE(job.ok()) << job.status();
    return job.ok() ? *job : v1::Job();
  }

  // Polls until the job is RUNNING with a test-hook progress message (the child is running).
  v1::Job WaitRunning(const std::string& job_id, absl::Duration timeout = absl::Seconds(20)) {
    const absl::Time until = absl::Now() + timeout;
    v1::Job job;
    while (absl::Now() < until) {
      auto j = client_->GetJob(job_id);
      if (j.ok()) {
        job = *j;
        if (job.state() == v1::JOB_STATE_RUNNING &&
            absl::StrContains(job.progress().message(), "test hook")) {
          return job;
        }
        if (client::IsTerminal(job.state())) break;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    ADD_FAILURE() << "job " << job_id << " not running with progress; last: " << job.DebugString();
    return job;
  }

  bool WaitForLog(Process& p, const std::string& text, absl::Duration timeout) {
    const absl::Time until = absl::Now() + timeout;
    while (absl::Now() < until) {
      if (absl::StrContains(p.Log(), text)) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  fs::path dir_;
  std::vector<uint8_t> model_bytes_;
  std::string model_path_;
  int port_ = 0;
  std::string address_;
  std::optional<Process> server_;
  std::map<std::string, Process> workers_;
  std::unique_ptr<client::CompressClient> client_;
};

TEST_F(ServiceE2eTest, UploadSubmitWatchDownloadWithHashCheck) {
  StartWorker("w1");
  const std::string model_id = UploadModel();
  EXPECT_EQ(model_id, client::Sha256Hex(std::string_view(
                          reinterpret_cast<const char*>(model_bytes_.data()), model_bytes_.size())));
  const v1::Job submitted = Submit(model_id, "roundtrip");
  std::vector<v1::JobState> states;
  auto done = client_->WatchJob(
      submitted.job_id(), [&](const v1::Job& j) { states.push_back(j.state()); },
      absl::Seconds(40));
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->state(), v1::JOB_STATE_SUCCEEDED) << done->failure_message();
  EXPECT_EQ(done->attempt(), 1u);
  EXPECT_EQ(states.back(), v1::JOB_STATE_SUCCEEDED);

  const std::string out = (dir_ / "out.tflite").string();
  auto ref = client_->DownloadArtifact(submitted.job_id(), v1::ARTIFACT_KIND_MODEL, out);
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->name(), "tiny_conv.test-roundtrip.tflite");
  auto digest = client::Sha256File(out);
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(digest->sha256, ref->sha256());
  EXPECT_EQ(digest->size, ref->size_bytes());
  // The round-trip hook wrote the same model back.
  auto original = tflite::ReadModel(model_bytes_);
  auto written = tflite::ReadModelFile(out);
  ASSERT_TRUE(original.ok() && written.ok());
  EXPECT_TRUE(*original == *written);

  auto report_bytes = client_->DownloadArtifactBytes(submitted.job_id(), v1::ARTIFACT_KIND_REPORT);
  ASSERT_TRUE(report_bytes.ok()) << report_bytes.status();
  v1::CompressionReport report;
  ASSERT_TRUE(report.ParseFromString(*report_bytes));
  EXPECT_EQ(report.size().bytes_before(), model_bytes_.size());
  EXPECT_EQ(report.size().bytes_after(), digest->size);
  auto full = client_->GetJob(submitted.job_id(), v1::JOB_VIEW_FULL);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->report().size().bytes_before(), model_bytes_.size());
  // The worker also uploaded the child's log.
  auto log = client_->DownloadArtifactBytes(submitted.job_id(), v1::ARTIFACT_KIND_LOG);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_THAT(*log, HasSubstr("running test hook 'roundtrip'"));
}

// Regular files under `dir` (recursively; 0 when it does not exist).
size_t FileCount(const fs::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) ++n;
  }
  return n;
}

TEST_F(ServiceE2eTest, StreamedHashUploadsStoreOnceAndRejectCorruptModels) {
  client::ConnectionOptions o;
  o.address = address_;
  o.rpc_timeout = absl::Seconds(10);
  client::UploadOptions streamed;
  streamed.streamed_hash_min_bytes = 0;
  auto c = client::CompressClient::Create(o, {}, streamed);
  ASSERT_TRUE(c.ok()) << c.status();
  // A model above the default streamed-hash threshold: the tiny conv plus 12 MiB of unused data.
  ir::Model big = tflite::testing::TinyConvModel();
  std::vector<uint8_t> filler(12 << 20);
  for (size_t i = 0; i < filler.size(); ++i) filler[i] = static_cast<uint8_t>(i * 131 + i / 4099);
  big.AddBuffer(std::move(filler));
  auto big_bytes = tflite::WriteModel(big);
  ASSERT_TRUE(big_bytes.ok()) << big_bytes.status();
  const std::string big_path = (dir_ / "big.tflite").string();
  ASSERT_TRUE(WriteFileAtomic(big_path, *big_bytes).ok());

  for (const std::string& path : {model_path_, big_path}) {
    SCOPED_TRACE(path);
    auto digest = client::Sha256File(path);
    ASSERT_TRUE(digest.ok());
    uint64_t done = 0, total = 0;
    auto ref = (*c)->UploadModel(path, "", [&](uint64_t d, uint64_t t) {
      EXPECT_GE(d, done);
      done = d;
      total = t;
    });
    ASSERT_TRUE(ref.ok()) << ref.status();
    EXPECT_EQ(ref->model_id(), digest->sha256);
    EXPECT_EQ(ref->size_bytes(), digest->size);
    EXPECT_GT(ref->summary().operator_count(), 0u);
    EXPECT_EQ(done, digest->size);
    EXPECT_EQ(total, digest->size);
    // The same bytes again, streamed (dedup probe or server-side dedup) and with the default
    // client: the same id, and still one stored copy.
    auto again = (*c)->UploadModel(path);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->model_id(), digest->sha256);
    auto plain = client_->UploadModel(path);
    ASSERT_TRUE(plain.ok()) << plain.status();
    EXPECT_EQ(plain->model_id(), digest->sha256);
  }
  EXPECT_EQ(FileCount(dir_ / "data" / "blobs"), 2u);

  // A truncated model: the server's validator rejects it and keeps nothing.
  const std::string bad_path = (dir_ / "truncated.tflite").string();
  ASSERT_TRUE(WriteFileAtomic(bad_path, std::vector<uint8_t>(model_bytes_.begin(),
                                                             model_bytes_.begin() +
                                                                 model_bytes_.size() / 2))
                  .ok());
  auto bad = (*c)->UploadModel(bad_path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("model rejected"));
  EXPECT_EQ(FileCount(dir_ / "data" / "blobs"), 2u);
  // A streamed attempt the client cancelled after its dedup probe is discarded by the server's
  // handler when it sees the cancellation, which may come after the client has moved on: wait
  // for that (bounded), then nothing may remain.
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (FileCount(dir_ / "data" / "tmp") != 0 && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(FileCount(dir_ / "data" / "tmp"), 0u);
  EXPECT_EQ(FileCount(dir_ / "data" / "uploads"), 0u);
}

// The streamed-hash attempt charges the whole size against the quota (the server cannot know the
// object yet); the client then retries with the digest up front, which is exact.
TEST_F(ServiceE2eTest, StreamedHashUploadFallsBackToDigestFirstForTheQuota) {
  server_->Kill();
  server_.reset();
  const std::string token = "token-of-the-e2e-tenant-01";
  const std::string config = (dir_ / "auth.conf").string();
  {
    std::ofstream f(config);
    f << "tenant t storage_quota_bytes=" << model_bytes_.size() * 3 / 2 << "\n"
      << "token t plain:" << token << "\n";
  }
  auto p = Process::Start({COMPRESSD_SERVER_BIN, "--data-dir", (dir_ / "data-quota").string(),
                           "--listen", address_, "--auth-config", config},
                          (dir_ / "server-quota.log").string());
  ASSERT_TRUE(p.ok()) << p.status();
  server_.emplace(std::move(*p));
  client::ConnectionOptions o;
  o.address = address_;
  o.token = token;
  o.rpc_timeout = absl::Seconds(10);
  client::UploadOptions streamed;
  streamed.streamed_hash_min_bytes = 0;
  auto c = client::CompressClient::Create(o, {}, streamed);
  ASSERT_TRUE(c.ok()) << c.status();
  const absl::Time until = absl::Now() + absl::Seconds(20);
  for (;;) {
    auto h = (*c)->CheckHealth();
    if (h.ok() && *h == grpc::health::v1::HealthCheckResponse::SERVING) break;
    ASSERT_TRUE(server_->Running()) << server_->Log();
    ASSERT_LT(absl::Now(), until) << "server not serving";
    absl::SleepFor(absl::Milliseconds(50));
  }
  auto first = (*c)->UploadModel(model_path_);
  ASSERT_TRUE(first.ok()) << first.status();
  // Streamed, this copy would exceed the quota; the digest-first retry finds it stored.
  auto second = (*c)->UploadModel(model_path_);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->model_id(), first->model_id());
  // Other bytes of the same size are refused by the quota (checked before any validation),
  // streamed and digest-first alike, naming the limit.
  std::vector<uint8_t> other = model_bytes_;
  other.back() ^= 1;
  const std::string other_path = (dir_ / "other.tflite").string();
  ASSERT_TRUE(WriteFileAtomic(other_path, other).ok());
  auto refused = (*c)->UploadModel(other_path);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("storage_quota_bytes"));
}

TEST_F(ServiceE2eTest, CompressctlCompressOneShot) {
  StartWorker("w1");
  const std::string spec = (dir_ / "spec.json").string();
  std::ofstream(spec) << R"({"passes": [{"quantize": {"mode": "QUANTIZATION_MODE_FLOAT16"}}]})";
  const std::string out = (dir_ / "cli_out.tflite").string();
  const std::string report = (dir_ / "report.json").string();
  const int rc = RunCommand({COMPRESSCTL_BIN, "compress", model_path_, "--spec", spec, "--out",
                             out, "--report", report, "--label",
                             absl::StrCat(kHookLabel, "=roundtrip"), "--server", address_,
                             "--json"},
                            (dir_ / "compressctl.log").string(), absl::Seconds(60));
  std::ifstream in(dir_ / "compressctl.log");
  std::stringstream log;
  log << in.rdbuf();
  ASSERT_EQ(rc, 0) << log.str();
  EXPECT_THAT(log.str(), HasSubstr("\"state\": \"SUCCEEDED\""));
  auto written = ReadFileBytes(out);
  ASSERT_TRUE(written.ok());
  auto report_text = ReadFileBytes(report);
  ASSERT_TRUE(report_text.ok());
  EXPECT_THAT(std::string(report_text->begin(), report_text->end()),
              HasSubstr(absl::StrCat("\"bytes_before\": ", model_bytes_.size())));

  // health: exit 0 when SERVING; 6 when nothing listens.
  EXPECT_EQ(RunCommand({COMPRESSCTL_BIN, "health", "--server", address_},
                       (dir_ / "health.log").string(), absl::Seconds(20)),
            0);
  EXPECT_EQ(RunCommand({COMPRESSCTL_BIN, "health", "--server",
                        absl::StrCat("127.0.0.1:", FreePort()), "--timeout", "2"},
                       (dir_ / "health2.log").string(), absl::Seconds(60)),
            6);
  // A malformed spec is rejected by the server naming the field: exit 3.
  std::ofstream(spec) << R"({"passes": [{"quantize": {}}]})";
  EXPECT_EQ(RunCommand({COMPRESSCTL_BIN, "submit", model_path_, "--spec", spec, "--server",
                        address_},
                       (dir_ / "bad.log").string(), absl::Seconds(30)),
            3);
  std::ifstream bad(dir_ / "bad.log");
  std::stringstream bad_log;
  bad_log << bad.rdbuf();
  EXPECT_THAT(bad_log.str(), HasSubstr("spec.passes[0].quantize.mode"));
}

TEST_F(ServiceE2eTest, CompressLocalRejectsAnInvalidSpecNamingTheField) {
  const std::string spec = (dir_ / "int8.json").string();
  std::ofstream(spec) << R"({"passes": [{"quantize": {"mode": "QUANTIZATION_MODE_INT8"}}]})";
  const int rc = RunCommand({COMPRESSCTL_BIN, "compress", model_path_, "--spec", spec, "--out",
                             (dir_ / "x.tflite").string(), "--local"},
                            (dir_ / "local.log").string(), absl::Seconds(30));
  std::ifstream in(dir_ / "local.log");
  std::stringstream log;
  log << in.rdbuf();
  EXPECT_EQ(rc, 3) << log.str();
  EXPECT_THAT(log.str(), HasSubstr("spec.calibration"));
}

TEST_F(ServiceE2eTest, KilledWorkersJobCompletesOnAnotherAfterLeaseExpiry) {
  Process& a = StartWorker("wa");
  const std::string model_id = UploadModel();
  const v1::Job job = Submit(model_id, "slow:3");
  const v1::Job running = WaitRunning(job.job_id());
  ASSERT_EQ(running.attempts_size(), 1);
  EXPECT_EQ(running.attempts(0).worker_id(), "wa");
  a.Signal(SIGKILL);
  a.Wait(absl::Seconds(5));
  StartWorker("wb");
  const v1::Job done = WaitDone(job.job_id());
  ASSERT_EQ(done.state(), v1::JOB_STATE_SUCCEEDED) << done.DebugString();
  EXPECT_EQ(done.attempt(), 2u);
  ASSERT_EQ(done.attempts_size(), 2);
  EXPECT_EQ(done.attempts(0).failure_kind(), v1::FAILURE_KIND_LEASE_EXPIRED);
  EXPECT_EQ(done.attempts(1).worker_id(), "wb");
  auto ref = client_->DownloadArtifact(job.job_id(), v1::ARTIFACT_KIND_MODEL,
                                       (dir_ / "after_kill.tflite").string());
  ASSERT_TRUE(ref.ok()) << ref.status();
}

TEST_F(ServiceE2eTest, HostileJobsFailOnlyThemselves) {
  Process& w = StartWorker("w1", {"--max-memory-mb", "512"});
  const std::string model_id = UploadModel();
  const v1::Job crash = Submit(model_id, "crash");
  const v1::Job hang = Submit(model_id, "hang", /*timeout=*/2);
  const v1::Job oom = Submit(model_id, "oom");
  const v1::Job good = Submit(model_id, "roundtrip");

  const v1::Job c = WaitDone(crash.job_id());
  EXPECT_EQ(c.state(), v1::JOB_STATE_FAILED);
  EXPECT_EQ(c.failure_kind(), v1::FAILURE_KIND_CRASHED);
  EXPECT_THAT(c.failure_message(), HasSubstr("pipeline child killed by signal 6 (SIGABRT)"));
  EXPECT_EQ(c.attempt(), 1u);  // crashes are not retried

  const v1::Job h = WaitDone(hang.job_id());
  EXPECT_EQ(h.state(), v1::JOB_STATE_FAILED);
  EXPECT_EQ(h.failure_kind(), v1::FAILURE_KIND_RESOURCE_LIMIT);
  EXPECT_THAT(h.failure_message(),
              HasSubstr("pipeline child killed by signal 9 (SIGKILL) after exceeding 2 s wall time"));

  const v1::Job o = WaitDone(oom.job_id());
  EXPECT_EQ(o.state(), v1::JOB_STATE_FAILED);
  EXPECT_EQ(o.failure_kind(), v1::FAILURE_KIND_RESOURCE_LIMIT);
  EXPECT_THAT(o.failure_message(), HasSubstr("ran out of memory (limit 512 MiB"));

  const v1::Job g = WaitDone(good.job_id());
  EXPECT_EQ(g.state(), v1::JOB_STATE_SUCCEEDED) << g.failure_message();
  EXPECT_TRUE(w.Running()) << "the worker died";
}

TEST_F(ServiceE2eTest, CancelRunningAndQueuedJobs) {
  const std::string model_id = UploadModel();
  // Queued: no worker yet.
  const v1::Job queued = Submit(model_id, "roundtrip");
  auto cq = client_->CancelJob(queued.job_id(), "not needed");
  ASSERT_TRUE(cq.ok()) << cq.status();
  EXPECT_EQ(cq->state(), v1::JOB_STATE_CANCELLED);

  Process& w = StartWorker("w1");
  const v1::Job hang = Submit(model_id, "hang", /*timeout=*/120);
  WaitRunning(hang.job_id());
  const absl::Time cancelled_at = absl::Now();
  auto c = client_->CancelJob(hang.job_id(), "changed my mind");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->state(), v1::JOB_STATE_CANCELLED);
  // The worker learns it at its next heartbeat (every ~0.7 s with 2 s leases) and kills the child
  // within a second of that.
  EXPECT_TRUE(WaitForLog(w, "job stopped after cancellation", absl::Seconds(5))) << w.Log();
  EXPECT_LT(absl::Now() - cancelled_at, absl::Seconds(5));
  // The worker is free again.
  const v1::Job next = Submit(model_id, "roundtrip");
  EXPECT_EQ(WaitDone(next.job_id()).state(), v1::JOB_STATE_SUCCEEDED);
  const v1::Job final_hang = WaitDone(hang.job_id(), absl::Seconds(5));
  EXPECT_EQ(final_hang.state(), v1::JOB_STATE_CANCELLED);
  EXPECT_THAT(final_hang.failure_message(), HasSubstr("changed my mind"));
}

TEST_F(ServiceE2eTest, TestHookLabelIsIgnoredWithoutTheWorkerFlag) {
  StartWorker("w1", {}, /*test_hooks=*/false);
  const std::string model_id = UploadModel();
  const v1::Job job = Submit(model_id, "crash");
  const v1::Job done = WaitDone(job.job_id());
  // The real pipeline ran instead of the hook: whatever its outcome, nothing crashed.
  EXPECT_TRUE(client::IsTerminal(done.state()));
  EXPECT_NE(done.failure_kind(), v1::FAILURE_KIND_CRASHED) << done.failure_message();
  EXPECT_THAT(workers_.at("w1").Log(), HasSubstr("ignoring the test-hook label"));
}

TEST_F(ServiceE2eTest, SigtermDrainsTheCurrentJobThenExits) {
  Process& w = StartWorker("w1");
  const std::string model_id = UploadModel();
  const v1::Job job = Submit(model_id, "slow:2");
  WaitRunning(job.job_id());
  w.Signal(SIGTERM);
  const v1::Job done = WaitDone(job.job_id());
  EXPECT_EQ(done.state(), v1::JOB_STATE_SUCCEEDED) << done.failure_message();
  std::optional<int> status = w.Wait(absl::Seconds(10));
  ASSERT_TRUE(status.has_value()) << "worker did not exit after draining";
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  // No new job is taken after SIGTERM.
  EXPECT_THAT(w.Log(), HasSubstr("draining"));
}

TEST_F(ServiceE2eTest, SecondSigtermGivesTheJobBack) {
  Process& a = StartWorker("wa");
  const std::string model_id = UploadModel();
  const v1::Job job = Submit(model_id, "hang", /*timeout=*/120);
  WaitRunning(job.job_id());
  a.Signal(SIGTERM);
  absl::SleepFor(absl::Milliseconds(200));
  a.Signal(SIGTERM);
  std::optional<int> status = a.Wait(absl::Seconds(10));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  auto j = client_->GetJob(job.job_id());
  ASSERT_TRUE(j.ok());
  // Given back at once (retryable failure), not left to the lease expiry.
  EXPECT_EQ(j->state(), v1::JOB_STATE_QUEUED) << j->DebugString();
  ASSERT_EQ(j->attempts_size(), 1);
  EXPECT_EQ(j->attempts(0).failure_kind(), v1::FAILURE_KIND_INTERNAL);
  EXPECT_THAT(j->attempts(0).failure_message(), HasSubstr("given back"));
  EXPECT_TRUE(client_->CancelJob(job.job_id()).ok());
}

// Tests on the real models (suite name ending in DataTest: ctest fetches the test data first).
class ServiceE2eDataTest : public ServiceE2eTest {
 protected:
  // Lines of `log` holding `message` and "job_id=<id>" (one worker log line per event).
  static int CountEvents(const std::string& log, const std::string& message,
                         const std::string& job_id) {
    int n = 0;
    for (absl::string_view line : absl::StrSplit(log, '\n')) {
      if (absl::StrContains(line, message) &&
          absl::StrContains(line, absl::StrCat("job_id=", job_id))) {
        ++n;
      }
    }
    return n;
  }

  int SucceededCount(const std::vector<std::string>& jobs) {
    int n = 0;
    for (const std::string& id : jobs) {
      auto j = client_->GetJob(id);
      if (j.ok() && j->state() == v1::JOB_STATE_SUCCEEDED) ++n;
    }
    return n;
  }
};

// The issue's acceptance scenario: two workers, 50 jobs on the real models (float16 and dynamic
// range through the real pipeline), one worker SIGKILLed mid-job, the server SIGKILLed mid-run and
// restarted. Every job succeeds, the killed worker's job completes on the other worker after its
// lease expires, no pipeline runs to completion twice, and every artifact's hash is verified.
TEST_F(ServiceE2eDataTest, FiftyJobsSurviveAWorkerKillAndAServerKill) {
  std::vector<std::string> model_ids;
  for (const std::string& name : RealModelNames()) {
    auto path = TestDataPath("models/" + name);
    ASSERT_TRUE(path.ok()) << path.status();
    auto ref = client_->UploadModel(*path);
    ASSERT_TRUE(ref.ok()) << name << ": " << ref.status();
    model_ids.push_back(ref->model_id());
  }
  StartWorker("w1");
  StartWorker("w2");
  // Job 0 runs long enough (2 s of progress) to be killed mid-job; 49 real jobs follow.
  std::vector<std::string> jobs;
  jobs.push_back(Submit(model_ids[0], "slow:2").job_id());
  for (int i = 1; i < 50; ++i) {
    const v1::QuantizationMode mode =
        i % 2 ? v1::QUANTIZATION_MODE_DYNAMIC : v1::QUANTIZATION_MODE_FLOAT16;
    jobs.push_back(Submit(model_ids[i % model_ids.size()], "", 0, "", mode).job_id());
  }
  ASSERT_EQ(std::set<std::string>(jobs.begin(), jobs.end()).size(), 50u);

  // SIGKILL the worker running job 0; the other one completes it after the lease expires.
  const v1::Job running = WaitRunning(jobs[0]);
  ASSERT_EQ(running.attempts_size(), 1);
  const std::string killed = running.attempts(0).worker_id();
  const std::string survivor = killed == "w1" ? "w2" : "w1";
  workers_.at(killed).Signal(SIGKILL);
  workers_.at(killed).Wait(absl::Seconds(5));
  const absl::Time until = absl::Now() + absl::Seconds(60);
  v1::Job retried;
  while (absl::Now() < until) {
    auto j = client_->GetJob(jobs[0]);
    ASSERT_TRUE(j.ok()) << j.status();
    retried = *j;
    if (retried.attempts_size() == 2 && retried.state() != v1::JOB_STATE_QUEUED) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(retried.attempts_size(), 2) << retried.DebugString();
  EXPECT_EQ(retried.attempts(1).worker_id(), survivor);
  // Back to two workers.
  StartWorker("w3");

  // SIGKILL the server once a third of the jobs are done, while others run, and restart it.
  const absl::Time until_third = absl::Now() + absl::Seconds(120);
  while (SucceededCount(jobs) < 17 && absl::Now() < until_third) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  const int done_before_kill = SucceededCount(jobs);
  ASSERT_GE(done_before_kill, 17);
  ASSERT_LT(done_before_kill, 50) << "every job finished before the server could be killed";
  server_->Signal(SIGKILL);
  server_->Wait(absl::Seconds(5));
  absl::SleepFor(absl::Milliseconds(300));
  StartServer();
  WaitServing();

  std::map<std::string, int> jobs_per_worker;
  for (size_t i = 0; i < jobs.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("job ", i, " ", jobs[i]));
    const v1::Job done = WaitDone(jobs[i], absl::Seconds(120));
    ASSERT_EQ(done.state(), v1::JOB_STATE_SUCCEEDED) << done.DebugString();
    // No lost attempt except the killed worker's: one attempt each, two for job 0.
    if (i == 0) {
      ASSERT_EQ(done.attempt(), 2u);
      EXPECT_EQ(done.attempts(0).worker_id(), killed);
      EXPECT_EQ(done.attempts(0).failure_kind(), v1::FAILURE_KIND_LEASE_EXPIRED);
      EXPECT_EQ(done.attempts(1).worker_id(), survivor);
    } else {
      EXPECT_EQ(done.attempt(), 1u) << done.DebugString();
    }
    ++jobs_per_worker[done.attempts(done.attempts_size() - 1).worker_id()];
    // The pipeline ran to completion exactly once, across all workers.
    int finished = 0;
    for (auto& [name, w] : workers_) finished += CountEvents(w.Log(), "pipeline finished", jobs[i]);
    EXPECT_EQ(finished, 1);
    // The artifact downloads with the hash the worker reported, and is a valid model.
    const std::string out = (dir_ / absl::StrCat("job", i, ".tflite")).string();
    auto ref = client_->DownloadArtifact(jobs[i], v1::ARTIFACT_KIND_MODEL, out);
    ASSERT_TRUE(ref.ok()) << ref.status();
    auto digest = client::Sha256File(out);
    ASSERT_TRUE(digest.ok());
    EXPECT_EQ(digest->sha256, ref->sha256());
    EXPECT_EQ(digest->size, ref->size_bytes());
    auto model = tflite::ReadModelFile(out);
    ASSERT_TRUE(model.ok()) << model.status();
    auto report = client_->GetJob(jobs[i], v1::JOB_VIEW_FULL);
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->report().size().bytes_after(), digest->size);
  }
  // Both remaining workers took part.
  EXPECT_GT(jobs_per_worker[survivor], 0);
  EXPECT_GT(jobs_per_worker["w3"], 0);
}

TEST_F(ServiceE2eTest, ServerKilledMidJobAndRestartedLosesNothing) {
  StartWorker("w1");
  const std::string model_id = UploadModel();
  const v1::Job job = Submit(model_id, "slow:3");
  WaitRunning(job.job_id());
  server_->Signal(SIGKILL);
  server_->Wait(absl::Seconds(5));
  absl::SleepFor(absl::Milliseconds(500));
  StartServer();
  WaitServing();
  const v1::Job done = WaitDone(job.job_id());
  ASSERT_EQ(done.state(), v1::JOB_STATE_SUCCEEDED) << done.DebugString();
  // The worker kept its lease across the restart: one attempt, run once.
  EXPECT_EQ(done.attempt(), 1u);
  auto ref = client_->DownloadArtifact(job.job_id(), v1::ARTIFACT_KIND_MODEL,
                                       (dir_ / "after_restart.tflite").string());
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(client::Sha256File((dir_ / "after_restart.tflite").string())->sha256, ref->sha256());
}

TEST_F(ServiceE2eTest, CalibrationFolderIsUploadedAndUnpackedByTheWorker) {
  StartWorker("w1");
  // Two .npy samples (float32 [1,5,5,1], TinyConvModel's input).
  const fs::path calib = dir_ / "calib";
  fs::create_directories(calib);
  for (int i = 0; i < 2; ++i) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 5, 5, 1), }";
    while ((10 + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string npy = std::string("\x93NUMPY\x01\x00", 8);
    npy.push_back(static_cast<char>(header.size()));
    npy.push_back(0);
    npy += header + std::string(25 * 4, static_cast<char>(i));
    std::ofstream(calib / absl::StrCat("s", i, ".npy"), std::ios::binary) << npy;
  }
  const std::string spec = (dir_ / "spec.json").string();
  std::ofstream(spec) << R"({"passes": [{"quantize": {"mode": "QUANTIZATION_MODE_DYNAMIC"}}],
                             "calibration": {"maxSamples": 2}})";
  const int rc = RunCommand({COMPRESSCTL_BIN, "compress", model_path_, "--spec", spec,
                             "--calibration", calib.string(), "--out",
                             (dir_ / "o.tflite").string(), "--label",
                             absl::StrCat(kHookLabel, "=roundtrip"), "--server", address_},
                            (dir_ / "compressctl.log").string(), absl::Seconds(60));
  std::ifstream in(dir_ / "compressctl.log");
  std::stringstream log;
  log << in.rdbuf();
  ASSERT_EQ(rc, 0) << log.str();
  // The worker fetched the archive and unpacked it in its cache.
  size_t datasets = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "cache-w1" / "datasets")) {
    ++datasets;
    EXPECT_TRUE(fs::exists(e.path() / "s0.npy"));
    EXPECT_TRUE(fs::exists(e.path() / "s1.npy"));
  }
  EXPECT_EQ(datasets, 1u);
}

// A throw-away PKI made with the openssl command: a CA, a server certificate for 127.0.0.1 /
// localhost and a client certificate signed by it, and an unrelated second CA.
class TestPki {
 public:
  explicit TestPki(fs::path dir) : dir_(std::move(dir)) {}

  ::testing::AssertionResult Make() {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
    std::ofstream(dir_ / "client.ext") << "extendedKeyUsage=clientAuth\n";
    for (const char* ca : {"ca", "other_ca"}) {
      if (!Run({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", Path(absl::StrCat(ca, ".key")), "-out",
                Path(absl::StrCat(ca, ".pem")), "-days", "2", "-subj",
                absl::StrCat("/CN=compressd test ", ca)})) {
        return ::testing::AssertionFailure() << "openssl: cannot make " << ca << "\n" << log_;
      }
    }
    for (const char* leaf : {"server", "client"}) {
      const std::string name(leaf);
      if (!Run({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", Path(name + ".key"), "-out", Path(name + ".csr"), "-subj",
                "/CN=" + name}) ||
          !Run({"x509", "-req", "-in", Path(name + ".csr"), "-CA", Path("ca.pem"), "-CAkey",
                Path("ca.key"), "-CAcreateserial", "-out", Path(name + ".pem"), "-days", "2",
                "-extfile", Path(name + ".ext")})) {
        return ::testing::AssertionFailure() << "openssl: cannot make " << name << "\n" << log_;
      }
    }
    return ::testing::AssertionSuccess();
  }

  std::string Path(const std::string& file) const { return (dir_ / file).string(); }

 private:
  bool Run(std::vector<std::string> args) {
    args.insert(args.begin(), "openssl");
    const std::string log = Path("openssl.log");
    const int rc = RunCommand(args, log, absl::Seconds(30));
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    log_ += text.str();
    return rc == 0;
  }

  fs::path dir_;
  std::string log_;
};

class ServiceTlsE2eTest : public ServiceE2eTest {
 protected:
  void SetUp() override {
    ServiceE2eTest::SetUp();
    pki_.emplace(dir_ / "pki");
    ASSERT_TRUE(pki_->Make());
    // Replace the plaintext server by a TLS one on the same port.
    server_->Kill();
    server_.reset();
  }

  void StartTlsServer(bool mutual) {
    std::vector<std::string> argv = {COMPRESSD_SERVER_BIN, "--data-dir",
                                     (dir_ / (mutual ? "data-mtls" : "data-tls")).string(),
                                     "--listen", address_, "--tls-cert",
                                     pki_->Path("server.pem"), "--tls-key",
                                     pki_->Path("server.key")};
    if (mutual) {
      argv.push_back("--tls-client-ca");
      argv.push_back(pki_->Path("ca.pem"));
    }
    auto p = Process::Start(argv, (dir_ / (mutual ? "server-mtls.log" : "server-tls.log")).string());
    ASSERT_TRUE(p.ok()) << p.status();
    server_.emplace(std::move(*p));
  }

  // A client with the given TLS settings, one attempt per call and short deadlines.
  std::unique_ptr<client::CompressClient> Client(const std::string& ca, bool with_cert) {
    client::ConnectionOptions o;
    o.address = address_;
    o.rpc_timeout = absl::Seconds(3);
    o.tls_ca_file = ca;
    if (with_cert) {
      o.tls_cert_file = pki_->Path("client.pem");
      o.tls_key_file = pki_->Path("client.key");
    }
    client::RetryPolicy once;
    once.max_attempts = 1;
    auto c = client::CompressClient::Create(o, once);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::move(*c) : nullptr;
  }

  // Health checks until SERVING (the server may still be starting), at most 20 s.
  bool BecomesServing(client::CompressClient& c) {
    const absl::Time until = absl::Now() + absl::Seconds(20);
    while (absl::Now() < until) {
      auto s = c.CheckHealth();
      if (s.ok() && *s == grpc::health::v1::HealthCheckResponse::SERVING) return true;
      if (!server_->Running()) return false;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  std::optional<TestPki> pki_;
};

TEST_F(ServiceTlsE2eTest, TlsServerAcceptsOnlyClientsThatTrustItsCertificate) {
  StartTlsServer(/*mutual=*/false);
  auto trusted = Client(pki_->Path("ca.pem"), false);
  ASSERT_TRUE(trusted != nullptr);
  ASSERT_TRUE(BecomesServing(*trusted)) << server_->Log();

  // Plaintext and a client trusting another CA cannot talk to it.
  client::ConnectionOptions plain;
  plain.address = address_;
  plain.rpc_timeout = absl::Seconds(3);
  client::RetryPolicy once;
  once.max_attempts = 1;
  auto plaintext = client::CompressClient::Create(plain, once);
  ASSERT_TRUE(plaintext.ok());
  EXPECT_FALSE((*plaintext)->CheckHealth().ok());
  auto untrusting = Client(pki_->Path("other_ca.pem"), false);
  ASSERT_TRUE(untrusting != nullptr);
  auto refused = untrusting->CheckHealth();
  EXPECT_FALSE(refused.ok());

  // A worker and compressctl over TLS run a job end to end.
  StartWorker("w1", {"--tls-ca", pki_->Path("ca.pem")});
  auto ref = trusted->UploadModel(model_path_);
  ASSERT_TRUE(ref.ok()) << ref.status();
  v1::SubmitJobRequest req;
  req.set_model_id(ref->model_id());
  req.mutable_spec()->add_passes()->mutable_quantize()->set_mode(v1::QUANTIZATION_MODE_FLOAT16);
  (*req.mutable_spec()->mutable_labels())[kHookLabel] = "roundtrip";
  auto job = trusted->SubmitJob(req);
  ASSERT_TRUE(job.ok()) << job.status();
  auto done = trusted->WatchJob(job->job_id(), {}, absl::Seconds(40));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::JOB_STATE_SUCCEEDED) << done->failure_message();
  EXPECT_EQ(RunCommand({COMPRESSCTL_BIN, "health", "--server", address_, "--tls-ca",
                        pki_->Path("ca.pem")},
                       (dir_ / "health-tls.log").string(), absl::Seconds(30)),
            0);
  EXPECT_NE(RunCommand({COMPRESSCTL_BIN, "health", "--server", address_, "--timeout", "3"},
                       (dir_ / "health-plain.log").string(), absl::Seconds(60)),
            0);
}

TEST_F(ServiceTlsE2eTest, MutualTlsRequiresAClientCertificateFromTheConfiguredCa) {
  StartTlsServer(/*mutual=*/true);
  auto with_cert = Client(pki_->Path("ca.pem"), true);
  ASSERT_TRUE(with_cert != nullptr);
  ASSERT_TRUE(BecomesServing(*with_cert)) << server_->Log();
  auto without_cert = Client(pki_->Path("ca.pem"), false);
  ASSERT_TRUE(without_cert != nullptr);
  EXPECT_FALSE(without_cert->CheckHealth().ok());
  EXPECT_EQ(RunCommand({COMPRESSCTL_BIN, "health", "--server", address_, "--tls-ca",
                        pki_->Path("ca.pem"), "--tls-cert", pki_->Path("client.pem"),
                        "--tls-key", pki_->Path("client.key")},
                       (dir_ / "health-mtls.log").string(), absl::Seconds(30)),
            0);
}

}  // namespace
}  // namespace compressd::testing
