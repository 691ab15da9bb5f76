// Service benchmarks (issue 5), with real processes on loopback:
//
//   1. Upload throughput: a valid ~100 MiB .tflite uploaded through compressd's UploadModel stream
//      (CompressClient::UploadModel with its default options: 1 MiB chunks, a streamed-hash first
//      attempt with the SHA-256 in the trailer) against a raw gRPC client stream of the same
//      bytes in 1 MiB chunks to a minimal server (bench/proto/raw_stream.proto) that either
//      discards them or writes them to a file in the same filesystem and fsyncs it. Repetitions
//      alternate ours / baseline; medians are reported. Every repetition uploads different bytes
//      (one weight changes), so the server's content deduplication never kicks in.
//   2. Submit → RUNNING latency with one idle worker (long-polling LeaseJob): jobs are submitted
//      one at a time; RUNNING is observed on a WatchJob stream opened right after SubmitJob
//      returns. Also reported: the server's own start_time - create_time of each job.
//   3. Throughput of trivial jobs with two workers: N jobs submitted back to back, waited for.
//
// Jobs use the worker's test hook "roundtrip" (load + write, no compression), so the job itself is
// trivial: what is measured is the service's overhead.
//
// The same executable is the baseline server (--serve_raw=ADDRESS): it includes gRPC's server
// headers only for that measurement baseline; it is not product code.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/proto/raw_stream.grpc.pb.h"
#include "client/remote/compress_client.h"
#include "client/remote/connection.h"
#include "client/remote/sha256.h"
#include "core/base/file_io.h"
#include "core/base/status_macros.h"
#include "core/ir/model.h"
#include "core/tflite/model_reader.h"
#include "core/tflite/model_writer.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "tests/e2e/process.h"

#ifndef COMPRESSD_SERVER_BIN
#define COMPRESSD_SERVER_BIN "compressd"
#endif
#ifndef COMPRESSD_WORKER_BIN
#define COMPRESSD_WORKER_BIN "compressd-worker"
#endif

ABSL_FLAG(std::string, server_bin, COMPRESSD_SERVER_BIN, "compressd binary");
ABSL_FLAG(std::string, worker_bin, COMPRESSD_WORKER_BIN,
          "compressd-worker binary (compressd-pipeline-runner must be next to it)");
ABSL_FLAG(std::string, work_dir, "",
          "Scratch directory (data dir, models, logs); default a fresh one under $TMPDIR, removed "
          "at the end");
ABSL_FLAG(bool, keep, false, "Keep the scratch directory");
ABSL_FLAG(int, model_mib, 100, "Size of the uploaded model's weights (MiB)");
ABSL_FLAG(int, upload_reps, 5, "Upload repetitions (each: ours, baseline+fsync, baseline discard)");
ABSL_FLAG(bool, upload_digest_first, false,
          "Upload with the digest up front (the resumable path the client takes on retries and "
          "for small files) instead of the default streamed-hash first attempt");
ABSL_FLAG(int, latency_jobs, 200, "Jobs of the submit → RUNNING measurement");
ABSL_FLAG(int, latency_gap_ms, 100,
          "Pause after each latency job ends, so that the worker is back in LeaseJob");
ABSL_FLAG(int, throughput_jobs, 200, "Jobs of the throughput measurement");
ABSL_FLAG(int, throughput_workers, 2, "Workers of the throughput measurement");
ABSL_FLAG(std::string, phases, "upload,latency,throughput", "Which measurements to run");
// Internal: run as the baseline server.
ABSL_FLAG(std::string, serve_raw, "", "(internal) serve RawStream on this address and block");
ABSL_FLAG(std::string, raw_sink_dir, "", "(internal) where RawStream.SendToFile writes");

namespace compressd::bench {
namespace {

namespace fs = std::filesystem;
using testing::Process;

constexpr size_t kChunkBytes = 1 << 20;
constexpr char kHookLabel[] = "compressd.dev/test-hook";

// ---------------------------------------------------------------------------------------------
// The baseline server (measurement baseline, not product code): a synchronous gRPC service that
// only receives the stream.

class RawStreamService final : public RawStream::Service {
 public:
  explicit RawStreamService(std::string sink_dir) : sink_dir_(std::move(sink_dir)) {}

  grpc::Status Send(grpc::ServerContext*, grpc::ServerReader<Chunk>* reader, Ack* ack) override {
    Chunk chunk;
    uint64_t bytes = 0;
    while (reader->Read(&chunk)) bytes += chunk.data().size();
    ack->set_bytes(bytes);
    return grpc::Status::OK;
  }

  // Writes to sink_dir/sink-N (kept until the bench removes its scratch directory, as the real
  // server keeps its blob) and fsyncs before replying.
  grpc::Status SendToFile(grpc::ServerContext*, grpc::ServerReader<Chunk>* reader,
                          Ack* ack) override {
    const std::string path = absl::StrCat(sink_dir_, "/sink-", next_++);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return grpc::Status(grpc::StatusCode::INTERNAL, "open " + path);
    Chunk chunk;
    uint64_t bytes = 0;
    bool ok = true;
    while (reader->Read(&chunk)) {
      ok = ok && WriteAll(fd, chunk.data());
      bytes += chunk.data().size();
    }
    ok = ok && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return grpc::Status(grpc::StatusCode::INTERNAL, "write/fsync " + path);
    ack->set_bytes(bytes);
    return grpc::Status::OK;
  }

 private:
  static bool WriteAll(int fd, const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  std::string sink_dir_;
  std::atomic<uint64_t> next_{0};
};

// Serves RawStream on `address` until killed. Returns the exit code.
int ServeRaw(const std::string& address, const std::string& sink_dir) {
  RawStreamService service(sink_dir);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials());
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) {
    std::cerr << "cannot listen on " << address << "\n";
    return 1;
  }
  server->Wait();
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Statistics.

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Nearest-rank percentile (p in (0, 100]) of a non-empty sample.
double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  rank = std::clamp<size_t>(rank, 1, v.size());
  return v[rank - 1];
}

double Ms(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

// ---------------------------------------------------------------------------------------------
// Models.

// input float32 [1, inputs] → FULLY_CONNECTED (constant float32 weights [outputs, inputs] from
// `weights`, no bias) → output float32 [1, outputs]. `weights` holds inputs * outputs floats.
ir::Model FullyConnectedModel(int32_t inputs, int32_t outputs, std::vector<uint8_t> weights) {
  ir::Model m;
  m.buffers.emplace_back();  // buffer 0: empty, by convention
  const uint32_t wb = m.AddBuffer(std::move(weights));
  ir::OperatorCode code;
  code.builtin_code = ir::BuiltinOp::kFullyConnected;
  code.deprecated_builtin_code = static_cast<int8_t>(ir::BuiltinOp::kFullyConnected);
  code.version = 1;
  m.operator_codes.push_back(code);
  ir::Subgraph sg;
  sg.name = "main";
  const auto add_tensor = [&sg](std::string name, std::vector<int32_t> shape, uint32_t buffer) {
    ir::Tensor t;
    t.name = std::move(name);
    t.shape = std::move(shape);
    t.type = ir::DataType::kFloat32;
    t.buffer = buffer;
    sg.tensors.push_back(std::move(t));
  };
  add_tensor("input", {1, inputs}, 0);
  add_tensor("weights", {outputs, inputs}, wb);
  add_tensor("output", {1, outputs}, 0);
  ir::Operator op;
  op.opcode_index = 0;
  op.inputs = {0, 1, -1};
  op.outputs = {2};
  op.builtin_options = ir::FullyConnectedOptions{};
  sg.operators.push_back(std::move(op));
  sg.inputs = {0};
  sg.outputs = {2};
  m.subgraphs.push_back(std::move(sg));
  return m;
}

// `count` deterministic pseudo-random float32 values in [-1, 1) (xorshift), so that the model is
// not trivially compressible.
std::vector<uint8_t> RandomFloats(size_t count) {
  std::vector<uint8_t> out(count * sizeof(float));
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < count; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    const float f = static_cast<float>(x >> 8) / static_cast<float>(1 << 23) - 1.0f;
    std::memcpy(out.data() + i * sizeof(float), &f, sizeof(f));
  }
  return out;
}

// A valid .tflite whose constant weights take `mib` MiB (mib >= 1): FullyConnectedModel with
// 4096 inputs and mib * 64 outputs. WriteVariant changes one weight per variant, so that every
// variant has different bytes.
class BigModel {
 public:
  explicit BigModel(int mib)
      : model_(FullyConnectedModel(kInputs, mib * 64,
                                   RandomFloats(static_cast<size_t>(kInputs) * mib * 64))) {}

  // Writes variant `n` (weight 0 = 1000 + n) to `path`; returns its size in bytes.
  absl::StatusOr<uint64_t> WriteVariant(int n, const std::string& path) {
    ir::Buffer& b = model_.buffers[kWeightsBuffer];
    auto data = std::make_shared<std::vector<uint8_t>>(*b.data);
    const float first = 1000.0f + static_cast<float>(n);
    std::memcpy(data->data(), &first, sizeof(first));
    b.data = std::move(data);
    ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, tflite::WriteModel(model_));
    RETURN_IF_ERROR(WriteFileAtomic(path, bytes));
    return bytes.size();
  }

 private:
  static constexpr int32_t kInputs = 4096;
  static constexpr uint32_t kWeightsBuffer = 1;  // FullyConnectedModel's only buffer after 0
  ir::Model model_;
};

// The model of the job phases: FullyConnectedModel 4 → 2.
absl::Status WriteTinyModel(const std::string& path) {
  return tflite::WriteModelFile(FullyConnectedModel(4, 2, RandomFloats(8)), path);
}

// ---------------------------------------------------------------------------------------------
// Processes.

class Services {
 public:
  explicit Services(fs::path dir) : dir_(std::move(dir)) {}
  ~Services() {
    for (Process& w : workers_) w.Kill();
    if (server_) server_->Kill();
    if (raw_) raw_->Kill();
  }

  // Starts compressd (data directory dir/data, default options) and waits until it is SERVING.
  absl::Status StartServer() {
    address_ = absl::StrCat("127.0.0.1:", testing::FreePort());
    ASSIGN_OR_RETURN(Process p, Process::Start({absl::GetFlag(FLAGS_server_bin), "--data-dir",
                                                (dir_ / "data").string(), "--listen", address_},
                                               (dir_ / "server.log").string()));
    server_.emplace(std::move(p));
    client::ConnectionOptions o;
    o.address = address_;
    client::UploadOptions upload;
    if (absl::GetFlag(FLAGS_upload_digest_first)) {
      upload.streamed_hash_min_bytes = std::numeric_limits<uint64_t>::max();
    }
    ASSIGN_OR_RETURN(client_, client::CompressClient::Create(o, {}, upload));
    const absl::Time until = absl::Now() + absl::Seconds(30);
    while (absl::Now() < until) {
      auto s = client_->CheckHealth();
      if (s.ok() && *s == grpc::health::v1::HealthCheckResponse::SERVING) return absl::OkStatus();
      if (!server_->Running()) return absl::InternalError("compressd exited:\n" + server_->Log());
      absl::SleepFor(absl::Milliseconds(50));
    }
    return absl::DeadlineExceededError("compressd not serving after 30 s");
  }

  // Starts this executable as the baseline server and waits until its port accepts connections.
  absl::Status StartRawServer() {
    raw_address_ = absl::StrCat("127.0.0.1:", testing::FreePort());
    const fs::path sink = dir_ / "raw_sink";
    fs::create_directories(sink);
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    ASSIGN_OR_RETURN(Process p, Process::Start({self, "--serve_raw", raw_address_, "--raw_sink_dir",
                                                sink.string()},
                                               (dir_ / "raw_server.log").string()));
    raw_.emplace(std::move(p));
    client::ConnectionOptions o;
    o.address = raw_address_;
    ASSIGN_OR_RETURN(raw_channel_, client::CreateChannel(o));
    if (!raw_channel_->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(20)))) {
      return absl::DeadlineExceededError("baseline server not reachable:\n" + raw_->Log());
    }
    raw_stub_ = RawStream::NewStub(raw_channel_);
    return absl::OkStatus();
  }

  absl::Status StartWorker(const std::string& name) {
    ASSIGN_OR_RETURN(
        Process p,
        Process::Start({absl::GetFlag(FLAGS_worker_bin), "--server", address_, "--worker-id", name,
                        "--cache-dir", (dir_ / ("cache-" + name)).string(), "--test-hooks"},
                       (dir_ / (name + ".log")).string()));
    workers_.push_back(std::move(p));
    return absl::OkStatus();
  }

  client::CompressClient& client() { return *client_; }
  RawStream::Stub& raw() { return *raw_stub_; }

 private:
  fs::path dir_;
  std::string address_;
  std::string raw_address_;
  std::optional<Process> server_;
  std::optional<Process> raw_;
  std::vector<Process> workers_;
  std::unique_ptr<client::CompressClient> client_;
  std::shared_ptr<grpc::Channel> raw_channel_;
  std::unique_ptr<RawStream::Stub> raw_stub_;
};

// ---------------------------------------------------------------------------------------------
// 1. Upload.

// Wall time of one upload, and its part after the last chunk was handed to gRPC (until the
// reply arrived: the server's tail work, e.g. fsync, verification, validation).
struct UploadTiming {
  absl::Duration total;
  absl::Duration head;  // before the first chunk was handed to gRPC
  absl::Duration tail;
};

// Streams the file at `path` to the baseline in 1 MiB chunks (read with fread, as the client
// library does).
absl::StatusOr<UploadTiming> UploadRaw(RawStream::Stub& stub, const std::string& path,
                                       bool to_file) {
  const absl::Time start = absl::Now();
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return absl::NotFoundError("cannot open " + path);
  grpc::ClientContext ctx;
  Ack ack;
  std::unique_ptr<grpc::ClientWriter<Chunk>> writer =
      to_file ? stub.SendToFile(&ctx, &ack) : stub.Send(&ctx, &ack);
  std::vector<char> buf(kChunkBytes);
  uint64_t sent = 0;
  bool ok = true;
  while (ok) {
    const size_t n = std::fread(buf.data(), 1, buf.size(), f);
    if (n == 0) break;
    Chunk chunk;
    chunk.set_data(buf.data(), n);
    ok = writer->Write(chunk);
    sent += n;
  }
  std::fclose(f);
  const absl::Time last = absl::Now();
  if (ok) writer->WritesDone();
  RETURN_IF_ERROR(client::FromGrpcStatus(writer->Finish(), "RawStream"));
  if (ack.bytes() != sent) {
    return absl::DataLossError(absl::StrCat("baseline got ", ack.bytes(), " of ", sent, " bytes"));
  }
  const absl::Time end = absl::Now();
  return UploadTiming{end - start, absl::ZeroDuration(), end - last};
}

// Uploads `path` with the client library. The phases come from its progress callback, which runs
// after each chunk was handed to gRPC: the head is the time to the first chunk (a streamed-hash
// upload starts at once; a digest-first one hashes the file and asks GetUploadStatus first); the
// tail is the server's work after the last chunk (and the trailer).
absl::StatusOr<UploadTiming> UploadOurs(client::CompressClient& c, const std::string& path,
                                        uint64_t expected_size) {
  std::optional<absl::Time> first, last;
  const absl::Time start = absl::Now();
  ASSIGN_OR_RETURN(v1::ModelRef ref, c.UploadModel(path, "", [&](uint64_t, uint64_t) {
    const absl::Time now = absl::Now();
    if (!first) first = now;
    last = now;
  }));
  const absl::Time end = absl::Now();
  if (ref.size_bytes() != expected_size) {
    return absl::InternalError("the server stored a different size");
  }
  if (!first) return absl::InternalError("no chunk was sent (deduplicated?)");
  return UploadTiming{end - start, *first - start, end - *last};
}

struct UploadResult {
  uint64_t bytes = 0;
  std::vector<UploadTiming> ours, file, discard;  // one per repetition
  // Measured alone in this process on the first repetition's file: a SHA-256 pass over the file
  // (the client's background hash during a streamed-hash upload), the core loader copying the
  // buffers (ReadModel) and without copying them (ReadModelView, what the server's validator runs).
  double sha256_ms = 0;
  double read_model_ms = 0;
  double validate_ms = 0;
};

double MiBPerSecond(uint64_t bytes, absl::Duration d) {
  return static_cast<double>(bytes) / (1 << 20) / absl::ToDoubleSeconds(d);
}

// Times the pieces of "ours" that can be run in this process: the SHA-256 pass and the core
// loader's validation (with and without copying buffers).
absl::Status TimeUploadComponents(const std::string& path, UploadResult& r) {
  absl::Time t = absl::Now();
  ASSIGN_OR_RETURN(client::FileDigest digest, client::Sha256File(path));
  (void)digest;
  r.sha256_ms = Ms(absl::Now() - t);
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path));
  t = absl::Now();
  ASSIGN_OR_RETURN(ir::Model model, tflite::ReadModel(bytes));
  r.read_model_ms = Ms(absl::Now() - t);
  t = absl::Now();
  ASSIGN_OR_RETURN(tflite::ModelView view, tflite::ReadModelView(bytes));
  r.validate_ms = Ms(absl::Now() - t);
  return absl::OkStatus();
}

absl::StatusOr<UploadResult> RunUpload(Services& s, const fs::path& dir) {
  UploadResult r;
  BigModel model(absl::GetFlag(FLAGS_model_mib));
  const int reps = absl::GetFlag(FLAGS_upload_reps);
  // A distinct variant per repetition, and per run (a reused --work_dir must not dedup either).
  const int base = static_cast<int>(absl::ToUnixSeconds(absl::Now()) % 100000) * 100;
  for (int i = 0; i < reps; ++i) {
    const std::string path = (dir / absl::StrCat("big-", i, ".tflite")).string();
    ASSIGN_OR_RETURN(r.bytes, model.WriteVariant(base + i, path));
    if (i == 0) RETURN_IF_ERROR(TimeUploadComponents(path, r));
    // Same file, alternating: ours, baseline (file + fsync), baseline (discard).
    ASSIGN_OR_RETURN(UploadTiming ours, UploadOurs(s.client(), path, r.bytes));
    ASSIGN_OR_RETURN(UploadTiming file, UploadRaw(s.raw(), path, /*to_file=*/true));
    ASSIGN_OR_RETURN(UploadTiming discard, UploadRaw(s.raw(), path, /*to_file=*/false));
    r.ours.push_back(ours);
    r.file.push_back(file);
    r.discard.push_back(discard);
    std::cerr << absl::StrFormat(
        "upload rep %d: ours %.1f MiB/s (head %.0f ms, tail %.0f ms), baseline+fsync %.1f MiB/s "
        "(tail %.0f ms), baseline discard %.1f MiB/s\n",
        i + 1, MiBPerSecond(r.bytes, ours.total), Ms(ours.head), Ms(ours.tail),
        MiBPerSecond(r.bytes, file.total), Ms(file.tail), MiBPerSecond(r.bytes, discard.total));
    fs::remove(path);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// 2. and 3. Jobs.

v1::SubmitJobRequest RoundTripJob(const std::string& model_id) {
  v1::SubmitJobRequest req;
  req.set_model_id(model_id);
  req.mutable_spec()->add_passes()->mutable_quantize()->set_mode(v1::QUANTIZATION_MODE_FLOAT16);
  (*req.mutable_spec()->mutable_labels())[kHookLabel] = "roundtrip";
  return req;
}

absl::Duration ProtoDuration(const google::protobuf::Timestamp& from,
                             const google::protobuf::Timestamp& to) {
  return absl::Seconds(to.seconds() - from.seconds()) +
         absl::Nanoseconds(to.nanos() - from.nanos());
}

struct LatencyResult {
  std::vector<double> observed_ms;  // SubmitJob call → RUNNING seen on WatchJob (client clock)
  std::vector<double> server_ms;    // job.start_time - job.create_time (server clock)
  std::vector<double> submit_ms;    // the SubmitJob call alone (client clock)
};

// Submits one job and waits for it to end; appends its latencies. The job must succeed.
absl::Status OneLatencyJob(client::CompressClient& c, const std::string& model_id,
                           LatencyResult& r) {
  const absl::Time submit = absl::Now();
  ASSIGN_OR_RETURN(v1::Job job, c.SubmitJob(RoundTripJob(model_id)));
  const absl::Time submitted = absl::Now();
  // The first update after QUEUED (RUNNING, unless the whole job happened in between).
  std::optional<absl::Time> running;
  ASSIGN_OR_RETURN(v1::Job done, c.WatchJob(
                                     job.job_id(),
                                     [&](const v1::Job& j) {
                                       if (!running && j.state() != v1::JOB_STATE_QUEUED) {
                                         running = absl::Now();
                                       }
                                     },
                                     absl::Seconds(60)));
  if (done.state() != v1::JOB_STATE_SUCCEEDED) {
    return absl::InternalError(absl::StrCat("job ", done.job_id(), " ended ",
                                            client::JobStateName(done.state()), ": ",
                                            done.failure_message()));
  }
  if (!running) return absl::InternalError("no update after QUEUED");
  r.observed_ms.push_back(Ms(*running - submit));
  r.submit_ms.push_back(Ms(submitted - submit));
  r.server_ms.push_back(Ms(ProtoDuration(done.create_time(), done.start_time())));
  return absl::OkStatus();
}

// SubmitJob call times with no worker waiting (the job is only created, not leased in the same
// call); each job is cancelled right away. For comparison with LatencyResult::submit_ms.
absl::StatusOr<std::vector<double>> SubmitWithoutWorker(client::CompressClient& c,
                                                        const std::string& model_id, int n) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    const absl::Time start = absl::Now();
    ASSIGN_OR_RETURN(v1::Job job, c.SubmitJob(RoundTripJob(model_id)));
    ms.push_back(Ms(absl::Now() - start));
    RETURN_IF_ERROR(c.CancelJob(job.job_id(), "service_bench").status());
  }
  return ms;
}

absl::StatusOr<LatencyResult> RunLatency(Services& s, const std::string& model_id) {
  LatencyResult warmup;
  for (int i = 0; i < 3; ++i) RETURN_IF_ERROR(OneLatencyJob(s.client(), model_id, warmup));
  LatencyResult r;
  const absl::Duration gap = absl::Milliseconds(absl::GetFlag(FLAGS_latency_gap_ms));
  for (int i = 0; i < absl::GetFlag(FLAGS_latency_jobs); ++i) {
    absl::SleepFor(gap);
    RETURN_IF_ERROR(OneLatencyJob(s.client(), model_id, r));
  }
  return r;
}

struct ThroughputResult {
  int jobs = 0;
  double seconds = 0;         // first SubmitJob call → last job seen terminal (client clock)
  double server_seconds = 0;  // first create_time → last end_time (server clock)
};

// Submits `n` jobs back to back and waits for all of them. All must succeed.
absl::StatusOr<ThroughputResult> SubmitAndWaitAll(client::CompressClient& c,
                                                  const std::string& model_id, int n) {
  ThroughputResult r;
  r.jobs = n;
  const absl::Time start = absl::Now();
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(v1::Job job, c.SubmitJob(RoundTripJob(model_id)));
    ids.push_back(job.job_id());
  }
  std::optional<google::protobuf::Timestamp> first_create, last_end;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(v1::Job done, c.WatchJob(id, {}, absl::Seconds(600)));
    if (done.state() != v1::JOB_STATE_SUCCEEDED) {
      return absl::InternalError(absl::StrCat(
          "job ", id, " ended ", client::JobStateName(done.state()), ": ", done.failure_message()));
    }
    if (!first_create || ProtoDuration(done.create_time(), *first_create) > absl::ZeroDuration()) {
      first_create = done.create_time();
    }
    if (!last_end || ProtoDuration(*last_end, done.end_time()) > absl::ZeroDuration()) {
      last_end = done.end_time();
    }
  }
  r.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  r.server_seconds = absl::ToDoubleSeconds(ProtoDuration(*first_create, *last_end));
  return r;
}

absl::StatusOr<ThroughputResult> RunThroughput(Services& s, const std::string& model_id) {
  // The latency phase started worker 1; start the others and warm them up.
  for (int i = 2; i <= absl::GetFlag(FLAGS_throughput_workers); ++i) {
    RETURN_IF_ERROR(s.StartWorker(absl::StrCat("w", i)));
  }
  absl::SleepFor(absl::Seconds(1));
  RETURN_IF_ERROR(SubmitAndWaitAll(s.client(), model_id, 4).status());
  return SubmitAndWaitAll(s.client(), model_id, absl::GetFlag(FLAGS_throughput_jobs));
}

// ---------------------------------------------------------------------------------------------

// Medians over the repetitions of f(timing) for each of ours / file / discard.
template <typename F>
double MedianOf(const std::vector<UploadTiming>& v, F f) {
  std::vector<double> x;
  for (const UploadTiming& t : v) x.push_back(f(t));
  return Median(x);
}

// One row of the Markdown table on stdout.
void Row(const std::string& what, const std::string& value) {
  std::cout << "| " << what << " | " << value << " |\n";
}

void PrintUpload(const UploadResult& u) {
  const auto mibs = [&u](const UploadTiming& t) { return MiBPerSecond(u.bytes, t.total); };
  const double ours = MedianOf(u.ours, mibs), file = MedianOf(u.file, mibs);
  const double discard = MedianOf(u.discard, mibs);
  // Paired ratios (same repetition, same bytes), then their median.
  std::vector<double> ratio_file, ratio_discard;
  for (size_t i = 0; i < u.ours.size(); ++i) {
    ratio_file.push_back(mibs(u.ours[i]) / mibs(u.file[i]));
    ratio_discard.push_back(mibs(u.ours[i]) / mibs(u.discard[i]));
  }
  const auto& row = Row;
  const auto ms = [](double v) { return absl::StrFormat("%.0f ms", v); };
  row(absl::StrFormat("upload %.1f MiB model, ours (UploadModel), median of %d",
                      static_cast<double>(u.bytes) / (1 << 20), u.ours.size()),
      absl::StrFormat("%.1f MiB/s", ours));
  row("upload, raw gRPC baseline, write + fsync", absl::StrFormat("%.1f MiB/s", file));
  row("upload, raw gRPC baseline, discard", absl::StrFormat("%.1f MiB/s", discard));
  row("ratio ours / baseline write + fsync (median of paired ratios)",
      absl::StrFormat("%.2f", Median(ratio_file)));
  row("ratio ours / baseline discard (median of paired ratios)",
      absl::StrFormat("%.2f", Median(ratio_discard)));
  row("ours: total", ms(MedianOf(u.ours, [](const UploadTiming& t) { return Ms(t.total); })));
  row("ours: before the first chunk",
      ms(MedianOf(u.ours, [](const UploadTiming& t) { return Ms(t.head); })));
  row("ours: after the last chunk until the reply (server tail)",
      ms(MedianOf(u.ours, [](const UploadTiming& t) { return Ms(t.tail); })));
  row("baseline write + fsync: total",
      ms(MedianOf(u.file, [](const UploadTiming& t) { return Ms(t.total); })));
  row("baseline write + fsync: after the last chunk until the reply",
      ms(MedianOf(u.file, [](const UploadTiming& t) { return Ms(t.tail); })));
  row("SHA-256 of the file, alone (in this process; overlaps the stream in ours)",
      ms(u.sha256_ms));
  row("core ReadModel of the file, alone (copies the buffers)", ms(u.read_model_ms));
  row("core ReadModelView of the file, alone (what the server's validator runs)",
      ms(u.validate_ms));
}

bool HasPhase(const std::string& name) {
  const std::string phases = "," + absl::GetFlag(FLAGS_phases) + ",";
  return phases.find("," + name + ",") != std::string::npos;
}

absl::Status Run(const fs::path& dir) {
  Services s(dir);
  RETURN_IF_ERROR(s.StartServer());
  std::cout << "| measurement | result |\n|---|---:|\n";
  if (HasPhase("upload")) {
    RETURN_IF_ERROR(s.StartRawServer());
    ASSIGN_OR_RETURN(UploadResult u, RunUpload(s, dir));
    PrintUpload(u);
  }
  const bool jobs = HasPhase("latency") || HasPhase("throughput");
  if (!jobs) return absl::OkStatus();
  const std::string tiny = (dir / "tiny.tflite").string();
  RETURN_IF_ERROR(WriteTinyModel(tiny));
  ASSIGN_OR_RETURN(v1::ModelRef tiny_ref, s.client().UploadModel(tiny));
  const auto p50_p99 = [](const std::vector<double>& v) {
    return absl::StrFormat("%.1f / %.1f ms", Percentile(v, 50), Percentile(v, 99));
  };
  std::vector<double> unleased_submit_ms;
  if (HasPhase("latency")) {
    ASSIGN_OR_RETURN(unleased_submit_ms, SubmitWithoutWorker(s.client(), tiny_ref.model_id(), 50));
  }
  RETURN_IF_ERROR(s.StartWorker("w1"));
  if (HasPhase("latency")) {
    ASSIGN_OR_RETURN(LatencyResult l, RunLatency(s, tiny_ref.model_id()));
    Row(absl::StrFormat("submit → RUNNING seen on WatchJob, p50 / p99 (%d jobs, 1 idle worker)",
                        l.observed_ms.size()),
        p50_p99(l.observed_ms));
    Row("(part of it) the SubmitJob call, p50 / p99", p50_p99(l.submit_ms));
    Row("SubmitJob call with no worker waiting (50 jobs, cancelled), p50 / p99",
        p50_p99(unleased_submit_ms));
    Row("server clock: start_time − create_time, p50 / p99", p50_p99(l.server_ms));
  }
  if (HasPhase("throughput")) {
    ASSIGN_OR_RETURN(ThroughputResult t, RunThroughput(s, tiny_ref.model_id()));
    Row(absl::StrFormat("trivial jobs, %d workers, %d jobs",
                        absl::GetFlag(FLAGS_throughput_workers), t.jobs),
        absl::StrFormat("%.1f jobs/s", t.jobs / t.seconds));
    Row("server clock: first create_time → last end_time",
        absl::StrFormat("%.1f jobs/s", t.jobs / t.server_seconds));
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace compressd::bench

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_serve_raw).empty()) {
    return compressd::bench::ServeRaw(absl::GetFlag(FLAGS_serve_raw),
                                      absl::GetFlag(FLAGS_raw_sink_dir));
  }
  fs::path dir = absl::GetFlag(FLAGS_work_dir);
  const bool fresh = dir.empty();
  if (fresh) dir = fs::temp_directory_path() / absl::StrCat("compressd_service_bench-", ::getpid());
  fs::create_directories(dir);
  const absl::Status s = compressd::bench::Run(dir);
  if (!s.ok()) std::cerr << "service_bench: " << s << "\n(logs in " << dir.string() << ")\n";
  if (s.ok() && fresh && !absl::GetFlag(FLAGS_keep)) fs::remove_all(dir);
  return s.ok() ? 0 : 1;
}
