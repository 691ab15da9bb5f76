// compressd-pipeline-runner: the child process of compressd-worker that runs one pipeline.
//
//   compressd-pipeline-runner --result-fd FD
//
// Reads one kRequest frame (runner_protocol.h) from stdin, runs the job and writes kProgress
// frames and one final kResult / kError frame to FD. Exit status 0 after a result, 1 after an
// error frame, kRunnerExitOutOfMemory (86) when an allocation failed, kRunnerExitBadRequest (87)
// for an unusable command line or request. It is started by the worker with resource limits (see
// pipeline_child.h) and is not meant to be run by hand.
//
// Test hooks (RunnerRequest::test_hook, set only by `compressd-worker --test-hooks` from the job
// label "compressd.dev/test-hook"; a production worker never sets it):
//   roundtrip   load + validate + write the model, no passes; report with sizes and params
//   slow:N      like roundtrip, after N seconds (0..3600) of progress frames every 100 ms
//   crash       abort() after one progress frame
//   segv        raise SIGSEGV after one progress frame
//   hang        sleep forever after one progress frame
//   oom         allocate and touch 16 MiB blocks until an allocation fails
//   cpu         spin forever (for RLIMIT_CPU)
//   exit:N      exit with status N (0..255) without a result
//   garbage     write bytes that are not a frame, then exit 0
//   error       report INVALID_ARGUMENT "test hook error" through an error frame
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "compressd/v1/job.pb.h"
#include "core/base/file_io.h"
#include "core/eval/size_accounting.h"
#include "core/pipeline/pipeline.h"
#include "core/tflite/model_reader.h"
#include "core/tflite/model_writer.h"
#include "worker/pipeline_child.h"
#include "worker/report_translation.h"
#include "worker/runner_protocol.h"
#include "worker/spec_translation.h"

#ifndef COMPRESSD_VERSION
#define COMPRESSD_VERSION "unknown"
#endif

namespace compressd::worker {
namespace {

int g_result_fd = -1;
// The out-of-memory error frame, encoded at start-up: the new-handler must not allocate.
std::string* g_oom_frame = nullptr;

void OnOutOfMemory() {
  if (g_oom_frame != nullptr && g_result_fd >= 0) {
    WriteAll(g_result_fd, g_oom_frame->data(), g_oom_frame->size());
  }
  static const char kMsg[] = "compressd-pipeline-runner: out of memory\n";
  WriteAll(2, kMsg, sizeof(kMsg) - 1);
  ::_exit(kRunnerExitOutOfMemory);
}

void Send(FrameType type, const std::string& payload) {
  const std::string frame = EncodeFrame(type, payload);
  WriteAll(g_result_fd, frame.data(), frame.size());
}

// Progress goes to the parent and, as a line, to stderr: the attempt's log artifact.
void SendProgress(const std::string& pass, double fraction, const std::string& message) {
  Send(FrameType::kProgress, EncodeProgress({pass, fraction, message}));
  std::fprintf(stderr, "[%5.1f%%] %s: %s\n", 100.0 * fraction, pass.c_str(), message.c_str());
}

int SendError(const absl::Status& s) {
  Send(FrameType::kError,
       EncodeError({static_cast<int32_t>(s.code()), std::string(s.message())}));
  return 1;
}

absl::StatusOr<std::string> ReadRequestFrame() {
  FrameDecoder decoder;
  std::string buf(64 * 1024, '\0');
  size_t total = 0;
  for (;;) {
    auto f = decoder.Next();
    if (!f.ok()) return f.status();
    if (f->has_value()) {
      if ((*f)->type != FrameType::kRequest) {
        return absl::InvalidArgumentError("the first frame on stdin is not a request");
      }
      return std::move((*f)->payload);
    }
    const ssize_t n = ::read(0, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      absl::Status s = decoder.Finish();
      return s.ok() ? absl::InvalidArgumentError("no request on stdin") : s;
    }
    total += static_cast<size_t>(n);
    if (total > kMaxFramePayload + kFrameHeaderBytes) {
      return absl::InvalidArgumentError("request too large");
    }
    decoder.Append(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
}

// Load + write without passes: the test hook that lets the service be tested end to end before
// the quantization modes exist.
int RoundTrip(const RunnerRequest& req) {
  const auto start = std::chrono::steady_clock::now();
  SendProgress("load", 0.1, "test hook: loading the model");
  auto bytes = ReadFileBytes(req.model_path);
  if (!bytes.ok()) return SendError(bytes.status());
  auto model = tflite::ReadModel(*bytes);
  if (!model.ok()) return SendError(model.status());
  SendProgress("write", 0.8, "test hook: writing the model");
  auto written = tflite::WriteModel(*model);
  if (!written.ok()) return SendError(written.status());
  if (absl::Status s = WriteFileAtomic(req.output_path, *written); !s.ok()) return SendError(s);
  eval::CompressionReport report;
  report.size = eval::MeasureSizes(*bytes, *written);
  report.params_before = eval::CountParameters(*model);
  report.params_after = report.params_before;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  report.passes.push_back({"test-roundtrip", seconds, "test hook: load + write, no compression"});
  report.warnings.push_back(
      absl::StrCat("test hook '", req.test_hook, "' ran instead of the spec's passes"));
  report.compressd_version = COMPRESSD_VERSION;
  SendProgress("done", 1.0, "test hook: finished");
  Send(FrameType::kResult, EncodeResult({req.output_path, ReportToProto(report).SerializeAsString()}));
  return 0;
}

int RunTestHook(const RunnerRequest& req) {
  const std::string& hook = req.test_hook;
  std::fprintf(stderr, "compressd-pipeline-runner: running test hook '%s'\n", hook.c_str());
  if (hook == "roundtrip") return RoundTrip(req);
  int n = 0;
  if (absl::StartsWith(hook, "slow:") && absl::SimpleAtoi(hook.substr(5), &n) && n >= 0 &&
      n <= 3600) {
    const int steps = n * 10;
    for (int i = 0; i < steps; ++i) {
      SendProgress("test-slow", 0.5 * i / steps, absl::StrCat("test hook: step ", i + 1, " of ", steps));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return RoundTrip(req);
  }
  SendProgress("test", 0.05, absl::StrCat("test hook: ", hook));
  if (hook == "crash") std::abort();
  if (hook == "segv") {
    ::raise(SIGSEGV);
    return 1;
  }
  if (hook == "hang") {
    for (;;) ::pause();
  }
  if (hook == "oom") {
    std::vector<char*> blocks;
    for (;;) {
      char* p = new char[16 << 20];
      std::memset(p, 1, 16 << 20);
      blocks.push_back(p);
    }
  }
  if (hook == "cpu") {
    volatile uint64_t x = 0;
    for (;;) x = x + 1;
  }
  if (absl::StartsWith(hook, "exit:") && absl::SimpleAtoi(hook.substr(5), &n) && n >= 0 &&
      n <= 255) {
    std::_Exit(n);
  }
  if (hook == "garbage") {
    static const char kGarbage[] = "this is not a frame at all";
    WriteAll(g_result_fd, kGarbage, sizeof(kGarbage) - 1);
    return 0;
  }
  if (hook == "error") return SendError(absl::InvalidArgumentError("test hook error"));
  return SendError(absl::InvalidArgumentError(absl::StrCat("unknown test hook '", hook, "'")));
}

int RunJob(const RunnerRequest& req) {
  v1::JobSpec spec;
  if (!spec.ParseFromString(req.job_spec)) {
    return SendError(absl::InvalidArgumentError("request: job spec is not a valid JobSpec"));
  }
  auto pipeline_spec =
      TranslateJobSpec(spec, {req.calibration_paths, req.evaluation_paths});
  if (!pipeline_spec.ok()) return SendError(pipeline_spec.status());
  auto bytes = ReadFileBytes(req.model_path);
  if (!bytes.ok()) return SendError(bytes.status());
  pipeline::RunContext ctx;
  ctx.num_threads = static_cast<int>(std::max<uint32_t>(1, req.threads));
  auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  std::string last_pass;
  ctx.on_progress = [&](const pipeline::Progress& p) {
    // At most 10 frames per second, but every pass change and the end are sent.
    const auto now = std::chrono::steady_clock::now();
    if (p.pass == last_pass && p.fraction < 1.0 && now - last < std::chrono::milliseconds(100)) {
      return;
    }
    last = now;
    last_pass = p.pass;
    SendProgress(p.pass, std::clamp(p.fraction, 0.0, 1.0), p.message);
  };
  std::fprintf(stderr, "compressd-pipeline-runner %s: %d pass(es), %zu calibration and %zu "
               "evaluation path(s), %d thread(s)\n",
               COMPRESSD_VERSION, spec.passes_size(), req.calibration_paths.size(),
               req.evaluation_paths.size(), ctx.num_threads);
  auto result = pipeline::RunPipeline(*bytes, *pipeline_spec, ctx);
  if (!result.ok()) {
    std::fprintf(stderr, "pipeline failed: %s\n", result.status().ToString().c_str());
    return SendError(result.status());
  }
  for (const eval::PassReport& p : result->report.passes) {
    std::fprintf(stderr, "pass %s: %.3f s, %s\n", p.name.c_str(), p.seconds, p.summary.c_str());
  }
  for (const std::string& w : result->report.warnings) {
    std::fprintf(stderr, "warning: %s\n", w.c_str());
  }
  if (absl::Status s = WriteFileAtomic(req.output_path, result->model); !s.ok()) {
    return SendError(s);
  }
  v1::CompressionReport report = ReportToProto(result->report);
  if (report.compressd_version().empty()) report.set_compressd_version(COMPRESSD_VERSION);
  Send(FrameType::kResult, EncodeResult({req.output_path, report.SerializeAsString()}));
  return 0;
}

int Main(int argc, char** argv) {
  if (argc != 3 || std::strcmp(argv[1], "--result-fd") != 0 ||
      !absl::SimpleAtoi(argv[2], &g_result_fd) || g_result_fd < 0) {
    std::fprintf(stderr,
                 "usage: compressd-pipeline-runner --result-fd FD  (started by compressd-worker)\n");
    return kRunnerExitBadRequest;
  }
  g_oom_frame = new std::string(EncodeFrame(
      FrameType::kError,
      EncodeError({static_cast<int32_t>(absl::StatusCode::kResourceExhausted),
                   "out of memory in the pipeline child"})));
  std::set_new_handler(OnOutOfMemory);
  auto payload = ReadRequestFrame();
  if (!payload.ok()) {
    std::fprintf(stderr, "compressd-pipeline-runner: %s\n",
                 std::string(payload.status().message()).c_str());
    return kRunnerExitBadRequest;
  }
  auto req = DecodeRequest(*payload);
  if (!req.ok()) {
    std::fprintf(stderr, "compressd-pipeline-runner: %s\n",
                 std::string(req.status().message()).c_str());
    return kRunnerExitBadRequest;
  }
  if (!req->test_hook.empty()) return RunTestHook(*req);
  return RunJob(*req);
}

}  // namespace
}  // namespace compressd::worker

int main(int argc, char** argv) { return compressd::worker::Main(argc, argv); }
