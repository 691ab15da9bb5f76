// The child-process runner with the real compressd-pipeline-runner binary and its test hooks:
// success, pipeline errors, crashes, hangs (wall limit), out of memory (RLIMIT_AS), CPU limit,
// cancellation, malformed output.
#include "worker/pipeline_child.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "compressd/v1/job.pb.h"
#include "compressd/v1/report.pb.h"
#include "core/base/file_io.h"
#include "core/tflite/model_writer.h"
#include "core/tflite/testing/test_models.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::worker {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

class PipelineChildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat("pipeline_child_test-", ::getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto bytes = tflite::WriteModel(tflite::testing::TinyConvModel());
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    model_bytes_ = *bytes;
    ASSERT_TRUE(WriteFileAtomic(Path("model.tflite"), model_bytes_).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  RunnerRequest Request(const std::string& hook) const {
    RunnerRequest r;
    v1::JobSpec spec;
    spec.add_passes()->mutable_quantize()->set_mode(v1::QUANTIZATION_MODE_FLOAT16);
    r.job_spec = spec.SerializeAsString();
    r.model_path = Path("model.tflite");
    r.output_path = Path("out.tflite");
    r.threads = 1;
    r.test_hook = hook;
    return r;
  }

  ChildOutcome Run(const RunnerRequest& r, const ChildLimits& limits = {},
                   const ChildCallbacks& callbacks = {}) {
    auto out = RunPipelineChild(COMPRESSD_PIPELINE_RUNNER, r, limits, Path("child.log"), callbacks);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : ChildOutcome();
  }

  fs::path dir_;
  std::vector<uint8_t> model_bytes_;
};

TEST_F(PipelineChildTest, RoundTripHookSucceedsWithReportAndProgress) {
  std::vector<RunnerProgress> progress;
  ChildCallbacks cb;
  cb.on_progress = [&](const RunnerProgress& p) { progress.push_back(p); };
  ChildOutcome out = Run(Request("roundtrip"), {}, cb);
  ASSERT_EQ(out.kind, ChildOutcome::Kind::kSucceeded) << out.message;
  EXPECT_EQ(out.exit_status, 0);
  EXPECT_EQ(out.result.output_path, Path("out.tflite"));
  auto written = ReadFileBytes(Path("out.tflite"));
  ASSERT_TRUE(written.ok());
  v1::CompressionReport report;
  ASSERT_TRUE(report.ParseFromString(out.result.report));
  EXPECT_EQ(report.size().bytes_before(), model_bytes_.size());
  EXPECT_EQ(report.size().bytes_after(), written->size());
  // TinyConvModel's only constant: the float32 filter [2,3,3,1] = 18 values.
  ASSERT_EQ(report.params_before_size(), 1);
  EXPECT_EQ(report.params_before(0).dtype(), "float32");
  EXPECT_EQ(report.params_before(0).count(), 18u);
  EXPECT_EQ(report.params_before(0).bytes(), 72u);
  ASSERT_EQ(report.passes_size(), 1);
  EXPECT_EQ(report.passes(0).name(), "test-roundtrip");
  ASSERT_GE(progress.size(), 2u);
  EXPECT_EQ(progress.front().pass, "load");
  EXPECT_EQ(progress.back().pass, "done");
  EXPECT_EQ(progress.back().fraction, 1.0);
}

TEST_F(PipelineChildTest, PipelineErrorKeepsTheStatus) {
  RunnerRequest r = Request("");
  r.model_path = Path("missing.tflite");
  ChildOutcome out = Run(r);
  ASSERT_EQ(out.kind, ChildOutcome::Kind::kPipelineError) << out.message;
  EXPECT_EQ(out.pipeline_status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(out.pipeline_status.message()), HasSubstr("missing.tflite"));
}

TEST_F(PipelineChildTest, InvalidSpecIsAnInvalidArgumentNamingTheField) {
  RunnerRequest r = Request("");
  v1::JobSpec spec;
  spec.add_passes()->mutable_quantize();  // mode missing
  r.job_spec = spec.SerializeAsString();
  ChildOutcome out = Run(r);
  ASSERT_EQ(out.kind, ChildOutcome::Kind::kPipelineError) << out.message;
  EXPECT_EQ(out.pipeline_status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(out.pipeline_status.message()),
              HasSubstr("spec.passes[0].quantize.mode: required"));
}

TEST_F(PipelineChildTest, ErrorHook) {
  ChildOutcome out = Run(Request("error"));
  ASSERT_EQ(out.kind, ChildOutcome::Kind::kPipelineError) << out.message;
  EXPECT_EQ(out.pipeline_status, absl::InvalidArgumentError("test hook error"));
  EXPECT_EQ(out.exit_status, 1);
}

TEST_F(PipelineChildTest, CrashIsReportedWithTheSignal) {
  ChildOutcome out = Run(Request("crash"));
  ASSERT_EQ(out.kind, ChildOutcome::Kind::kCrashed) << out.message;
  EXPECT_EQ(out.term_signal, SIGABRT);
  EXPECT_THAT(out.message, HasSubstr("pipeline child killed by signal 6 (SIGABRT)"));
  EXPECT_THAT(out.stderr_tail, HasSubstr("running test hook 'crash'"));
}

TEST_F(PipelineChildTest, SegfaultIsReportedWithTheSignal) {
  ChildOutcome out = Run(Request("segv"));
  ASSERT_EQ(out.kind, ChildOutcome::Kind::kCrashed) << out.message;
  EXPECT_EQ(out.term_signal, SIGSEGV);
  EXPECT_THAT(out.message, HasSubstr("signal 11 (SIGSEGV)"));
}

TEST_F(PipelineChildTest, HangIsKilledAtTheWallLimit) {
  ChildLimits limits;
  limits.wall_seconds = 1.0;
  const auto start = Clock::now();
  ChildOutcome out = Run(Request("hang"), limits);
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  ASSERT_EQ(out.kind, ChildOutcome::Kind::kResourceLimit) << out.message;
  EXPECT_EQ(out.term_signal, SIGKILL);
  EXPECT_EQ(out.message,
            "pipeline child killed by signal 9 (SIGKILL) after exceeding 1 s wall time");
  EXPECT_GE(elapsed, 1.0);
  EXPECT_LT(elapsed, 3.0);
}

TEST_F(PipelineChildTest, OutOfMemoryUnderAddressSpaceLimit) {
  ChildLimits limits;
  limits.memory_bytes = uint64_t{512} << 20;
  ChildOutcome out = Run(Request("oom"), limits);
  ASSERT_EQ(out.kind, ChildOutcome::Kind::kResourceLimit) << out.message << " " << out.stderr_tail;
  EXPECT_EQ(out.exit_status, kRunnerExitOutOfMemory);
  EXPECT_EQ(out.message, "pipeline child ran out of memory (limit 512 MiB address space)");
}

TEST_F(PipelineChildTest, CpuLimit) {
  ChildLimits limits;
  limits.cpu_seconds = 1;
  limits.wall_seconds = 30;  // a safety net; the CPU limit must fire first
  ChildOutcome out = Run(Request("cpu"), limits);
  ASSERT_EQ(out.kind, ChildOutcome::Kind::kResourceLimit) << out.message;
  EXPECT_EQ(out.term_signal, SIGXCPU);
  EXPECT_THAT(out.message, HasSubstr("signal 24 (SIGXCPU) after exceeding 1 s CPU time"));
  EXPECT_GE(out.cpu_seconds, 0.9);
}

TEST_F(PipelineChildTest, StopKillsWithinASecond) {
  std::atomic<bool> started{false};
  Clock::time_point stop_at = Clock::time_point::max();
  ChildCallbacks cb;
  cb.on_progress = [&](const RunnerProgress&) {
    if (!started.exchange(true)) stop_at = Clock::now() + std::chrono::milliseconds(200);
  };
  cb.should_stop = [&] { return Clock::now() >= stop_at; };
  ChildOutcome out = Run(Request("hang"), {}, cb);
  const double latency = std::chrono::duration<double>(Clock::now() - stop_at).count();
  ASSERT_EQ(out.kind, ChildOutcome::Kind::kStopped) << out.message;
  EXPECT_TRUE(started.load());
  EXPECT_LT(latency, 1.0);
  EXPECT_THAT(out.message, HasSubstr("pipeline child stopped after"));
}

TEST_F(PipelineChildTest, ExitWithoutResult) {
  ChildOutcome out = Run(Request("exit:3"));
  ASSERT_EQ(out.kind, ChildOutcome::Kind::kCrashed) << out.message;
  EXPECT_EQ(out.exit_status, 3);
  EXPECT_EQ(out.message, "pipeline child exited with status 3 without a result");
}

TEST_F(PipelineChildTest, GarbageOutputIsAProtocolError) {
  ChildOutcome out = Run(Request("garbage"));
  ASSERT_EQ(out.kind, ChildOutcome::Kind::kProtocolError) << out.message;
  EXPECT_THAT(out.message, HasSubstr("malformed output: bad frame magic"));
}

TEST_F(PipelineChildTest, MissingRunnerBinaryFailsTheRunOnly) {
  auto out = RunPipelineChild(Path("no-such-runner"), Request("roundtrip"), {}, Path("child.log"),
                              {});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->kind, ChildOutcome::Kind::kCrashed);
  EXPECT_EQ(out->exit_status, 127);
  EXPECT_THAT(out->stderr_tail, HasSubstr("exec failed"));
}

TEST_F(PipelineChildTest, UnwritableLogIsAnError) {
  auto out = RunPipelineChild(COMPRESSD_PIPELINE_RUNNER, Request("roundtrip"), {},
                              Path("no-dir/child.log"), {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInternal);
}

TEST(SignalNameTest, Names) {
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
  EXPECT_EQ(SignalName(SIGXCPU), "SIGXCPU");
  EXPECT_EQ(SignalName(63), "signal 63");
}

}  // namespace
}  // namespace compressd::worker
