// Remote commands of compressctl: upload, upload-dataset, submit, watch, get, list, cancel,
// download, health, and the one-shot compress (also in-process with --local).
//
// Connection flags (every remote command): --server HOST:PORT (default $COMPRESSD_SERVER, then
// 127.0.0.1:50051), --token T ($COMPRESSD_TOKEN), --tls / --tls-ca F / --tls-cert F --tls-key F,
// --timeout S (deadline of each unary call, default 30; transfers get one more second per MiB),
// --json (machine output on stdout). UNAVAILABLE is retried with back-off. Exit statuses as in
// exit_codes.h: a job that ends FAILED or CANCELLED → 4.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "client/compressctl/args.h"
#include "client/compressctl/command.h"
#include "client/compressctl/exit_codes.h"
#include "client/remote/compress_client.h"
#include "client/remote/dataset_archive.h"
#include "client/remote/sha256.h"
#include "core/base/file_io.h"
#include "core/base/json_writer.h"
#include "core/eval/report.h"
#include "core/pipeline/pipeline.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "worker/report_translation.h"
#include "worker/spec_translation.h"

#ifndef COMPRESSD_VERSION
#define COMPRESSD_VERSION "unknown"
#endif

namespace compressd::cli {
namespace {

namespace fs = std::filesystem;
using client::CompressClient;

// ---------------------------------------------------------------------------------------------
// Flags shared by the commands.

const std::vector<FlagSpec>& ConnectionFlags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {"server"}, {"token"}, {"tls", false}, {"tls-ca"}, {"tls-cert"},
      {"tls-key"}, {"timeout"}, {"json", false}};
  return *flags;
}

// Flags that build or amend a JobSpec (submit, compress).
const std::vector<FlagSpec>& SpecFlags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {"spec"},         {"mode"},       {"observer"},      {"percentile"},
      {"per-tensor", false}, {"io"},     {"keep-float", true, true},
      {"label", true, true}, {"target", true, true}, {"job-timeout"},
      {"max-samples"}};
  return *flags;
}

std::vector<FlagSpec> Flags(std::initializer_list<std::vector<FlagSpec>> groups,
                            std::vector<FlagSpec> extra = {}) {
  std::vector<FlagSpec> out;
  for (const auto& g : groups) out.insert(out.end(), g.begin(), g.end());
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

int Usage(const std::string& usage, const absl::Status& error = absl::OkStatus()) {
  if (!error.ok()) std::cerr << "compressctl: " << error.message() << "\n";
  std::cerr << "usage: compressctl " << usage << "\n";
  return kExitUsage;
}

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

absl::StatusOr<client::ConnectionOptions> ConnectionFromArgs(const Args& args) {
  client::ConnectionOptions o;
  o.address = args.Get("server").value_or(EnvOr("COMPRESSD_SERVER", "127.0.0.1:50051"));
  o.token = args.Get("token").value_or(EnvOr("COMPRESSD_TOKEN", ""));
  o.tls = args.Has("tls");
  o.tls_ca_file = args.Get("tls-ca").value_or(EnvOr("COMPRESSD_TLS_CA", ""));
  o.tls_cert_file = args.Get("tls-cert").value_or("");
  o.tls_key_file = args.Get("tls-key").value_or("");
  auto timeout = args.GetInt("timeout", 30, 1, 86400);
  if (!timeout.ok()) return timeout.status();
  o.rpc_timeout = absl::Seconds(*timeout);
  return o;
}

absl::StatusOr<std::unique_ptr<CompressClient>> Connect(const Args& args) {
  auto options = ConnectionFromArgs(args);
  if (!options.ok()) return options.status();
  return CompressClient::Create(*options);
}

// ---------------------------------------------------------------------------------------------
// Output.

std::string ToJson(const google::protobuf::Message& m, bool pretty) {
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = pretty;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out, o);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string Time(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return google::protobuf::util::TimeUtil::ToString(t);
}

std::string Percent(double f) { return absl::StrFormat("%3.0f%%", 100.0 * std::clamp(f, 0.0, 1.0)); }

std::string ProgressText(const v1::Job& job) {
  std::string s = client::JobStateName(job.state());
  // A terminal job's last progress is stale (it may predate the end by a heartbeat period).
  if (job.state() == v1::JOB_STATE_RUNNING) {
    absl::StrAppend(&s, " ", Percent(job.progress().fraction()));
    if (!job.progress().pass_name().empty()) absl::StrAppend(&s, " ", job.progress().pass_name());
    if (!job.progress().message().empty()) absl::StrAppend(&s, ": ", job.progress().message());
  }
  if (job.state() == v1::JOB_STATE_QUEUED && job.attempt() > 0) {
    absl::StrAppend(&s, " (retry after attempt ", job.attempt(), ")");
  }
  return s;
}

// Job progress for humans: a redrawn bar on a terminal, one line per change otherwise.
class ProgressDisplay {
 public:
  explicit ProgressDisplay(std::FILE* out) : out_(out), tty_(::isatty(::fileno(out)) == 1) {}
  ~ProgressDisplay() { Finish(); }

  void Update(const v1::Job& job) {
    const std::string text = ProgressText(job);
    if (tty_) {
      const double f = job.state() == v1::JOB_STATE_SUCCEEDED ? 1.0 : job.progress().fraction();
      const int width = 30;
      const int filled = static_cast<int>(std::lround(std::clamp(f, 0.0, 1.0) * width));
      std::string line = absl::StrCat("\r\033[K", job.job_id(), " [", std::string(filled, '#'),
                                      std::string(width - filled, '.'), "] ", text);
      if (line.size() > 160) line.resize(160);
      std::fputs(line.c_str(), out_);
      std::fflush(out_);
      drawn_ = true;
    } else if (text != last_) {
      std::fprintf(out_, "%s %s\n", job.job_id().c_str(), text.c_str());
      std::fflush(out_);
    }
    last_ = text;
  }

  void Finish() {
    if (tty_ && drawn_) std::fputs("\n", out_);
    drawn_ = false;
  }

 private:
  std::FILE* out_;
  bool tty_;
  bool drawn_ = false;
  std::string last_;
};

void PrintJob(const v1::Job& job) {
  std::cout << "job " << job.job_id() << "\n"
            << "  state:     " << ProgressText(job) << "\n"
            << "  model:     " << job.model_id() << "\n"
            << "  tenant:    " << job.tenant() << "\n"
            << "  priority:  " << job.priority() << "\n"
            << "  created:   " << Time(job.create_time()) << "\n"
            << "  started:   " << Time(job.start_time()) << "\n"
            << "  ended:     " << Time(job.end_time()) << "\n"
            << "  attempt:   " << job.attempt() << " of " << job.max_attempts() << "\n";
  for (const auto& [k, v] : job.spec().labels()) std::cout << "  label:     " << k << "=" << v << "\n";
  for (const v1::AttemptRecord& a : job.attempts()) {
    std::cout << "  attempt " << a.attempt() << ": worker " << a.worker_id() << ", "
              << Time(a.start_time()) << " → " << Time(a.end_time());
    if (a.failure_kind() != v1::FAILURE_KIND_UNSPECIFIED) {
      std::cout << ", " << v1::FailureKind_Name(a.failure_kind()) << ": " << a.failure_message();
    }
    std::cout << "\n";
  }
  if (!job.failure_message().empty()) {
    std::cout << "  failure:   "
              << (job.failure_kind() != v1::FAILURE_KIND_UNSPECIFIED
                      ? v1::FailureKind_Name(job.failure_kind()) + ": "
                      : std::string())
              << job.failure_message() << "\n";
  }
  for (const v1::ArtifactRef& a : job.artifacts()) {
    std::cout << "  artifact:  " << a.name() << " (" << v1::ArtifactKind_Name(a.kind()) << ", "
              << a.size_bytes() << " bytes, sha256 " << a.sha256() << ")\n";
  }
  if (job.has_report()) {
    std::cout << eval::FormatReportSummary(worker::ReportFromProto(job.report()));
  }
}

int ExitForJob(const v1::Job& job) {
  return job.state() == v1::JOB_STATE_SUCCEEDED ? kExitOk : kExitJobFailed;
}

std::string ReportJson(const eval::CompressionReport& report) {
  JsonWriter w;
  eval::WriteReportJson(report, w);
  return w.TakeOutput();
}

std::string RandomKey(const std::string& prefix) {
  std::random_device rd;
  return absl::StrCat(prefix, "-", absl::Hex(rd(), absl::kZeroPad8), absl::Hex(rd(), absl::kZeroPad8),
                      absl::Hex(rd(), absl::kZeroPad8));
}

// ---------------------------------------------------------------------------------------------
// Specs.

template <typename Enum>
absl::StatusOr<Enum> ParseEnumFlag(const std::string& flag, const std::string& value,
                                   const std::string& prefix,
                                   bool (*parse)(const std::string&, Enum*)) {
  Enum e;
  std::string name = absl::AsciiStrToUpper(value);
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  if (!parse(name.rfind(prefix, 0) == 0 ? name : prefix + name, &e) || static_cast<int>(e) == 0) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": unknown value '", value, "'"));
  }
  return e;
}

absl::StatusOr<v1::JobSpec> ReadSpecFile(const std::string& path) {
  auto bytes = ReadFileBytes(path, 16 << 20);
  if (!bytes.ok()) return bytes.status();
  v1::JobSpec spec;
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = false;
  const std::string text(bytes->begin(), bytes->end());
  auto s = google::protobuf::util::JsonStringToMessage(text, &spec, o);
  if (!s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a JobSpec in protobuf JSON form: ", s.message().ToString()));
  }
  return spec;
}

// The spec from --spec and the spec flags (which amend passes[0].quantize, created if needed).
absl::StatusOr<v1::JobSpec> SpecFromArgs(const Args& args) {
  v1::JobSpec spec;
  if (auto path = args.Get("spec")) {
    auto s = ReadSpecFile(*path);
    if (!s.ok()) return s.status();
    spec = std::move(*s);
  }
  const bool quantize_flags = args.Has("mode") || args.Has("observer") ||
                              args.Has("percentile") || args.Has("per-tensor") || args.Has("io") ||
                              args.Has("keep-float");
  if (quantize_flags) {
    if (spec.passes_size() == 0) spec.add_passes()->mutable_quantize();
    if (!spec.passes(0).has_quantize()) {
      return absl::InvalidArgumentError("the spec's first pass is not a quantize pass");
    }
    v1::QuantizeSpec* q = spec.mutable_passes(0)->mutable_quantize();
    if (auto v = args.Get("mode")) {
      auto e = ParseEnumFlag<v1::QuantizationMode>("mode", *v, "QUANTIZATION_MODE_",
                                                   v1::QuantizationMode_Parse);
      if (!e.ok()) return e.status();
      q->set_mode(*e);
    }
    if (auto v = args.Get("observer")) {
      auto e = ParseEnumFlag<v1::Observer>("observer", *v, "OBSERVER_", v1::Observer_Parse);
      if (!e.ok()) return e.status();
      q->set_observer(*e);
    }
    if (auto v = args.Get("percentile")) {
      double p;
      if (!absl::SimpleAtod(*v, &p)) {
        return absl::InvalidArgumentError(absl::StrCat("--percentile: not a number '", *v, "'"));
      }
      q->set_percentile(p);
    }
    if (args.Has("per-tensor")) q->set_per_tensor(true);
    if (auto v = args.Get("io")) {
      auto e = ParseEnumFlag<v1::IoType>("io", *v, "IO_TYPE_", v1::IoType_Parse);
      if (!e.ok()) return e.status();
      q->set_io_type(*e);
    }
    for (const std::string& k : args.GetAll("keep-float")) {
      // "#12" names operator 12; anything else a tensor name.
      int index;
      if (k.size() > 1 && k[0] == '#' && absl::SimpleAtoi(k.substr(1), &index)) {
        q->add_keep_float()->set_operator_index(index);
      } else {
        q->add_keep_float()->set_tensor_name(k);
      }
    }
  }
  for (const std::string& kv : args.GetAll("label")) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat("--label: expected KEY=VALUE, got '", kv, "'"));
    }
    (*spec.mutable_labels())[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const std::string& t : args.GetAll("target")) {
    auto e = ParseEnumFlag<v1::EvaluationTarget>("target", t, "EVALUATION_TARGET_",
                                                 v1::EvaluationTarget_Parse);
    if (!e.ok()) return e.status();
    spec.add_evaluation_targets(*e);
  }
  auto timeout = args.GetInt("job-timeout", spec.timeout_seconds(), 0, 86400);
  if (!timeout.ok()) return timeout.status();
  spec.set_timeout_seconds(static_cast<uint32_t>(*timeout));
  if (args.Has("max-samples")) {
    auto n = args.GetInt("max-samples", 0, 0, 1 << 30);
    if (!n.ok()) return n.status();
    spec.mutable_calibration()->set_max_samples(static_cast<uint32_t>(*n));
  }
  if (spec.passes_size() == 0) {
    return absl::InvalidArgumentError("no passes: give --spec SPEC.json or --mode MODE");
  }
  return spec;
}

// A temporary directory removed with this object.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "compressctl-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Uploads the dataset at `paths` (an archive file, or sample files/folders packed here).
absl::StatusOr<v1::DatasetRef> UploadDatasetPaths(CompressClient& c,
                                                  const std::vector<std::string>& paths,
                                                  const std::string& name) {
  if (paths.size() == 1 && client::IsDatasetArchiveFile(paths[0])) {
    return c.UploadDataset(paths[0], name);
  }
  auto plan = client::PlanDatasetArchive(paths);
  if (!plan.ok()) return plan.status();
  TempDir tmp;
  if (tmp.path().empty()) return absl::InternalError("cannot create a temporary directory");
  const std::string archive = tmp.path() + "/dataset.tar";
  if (absl::Status s = client::WriteDatasetArchive(*plan, archive); !s.ok()) return s;
  std::string display = name;
  if (display.empty()) {
    display = fs::path(paths[0]).lexically_normal().filename().string();
    if (display.empty()) display = "dataset";
    display += ".tar";
  }
  return c.UploadDataset(archive, display);
}

// ---------------------------------------------------------------------------------------------
// Commands.

int UploadCmd(int argc, char** argv) {
  const std::string usage = "upload MODEL [--name NAME] [connection flags]";
  auto args = Args::Parse(argc, argv, 1, Flags({ConnectionFlags()}, {{"name"}}));
  if (!args.ok()) return Usage(usage, args.status());
  if (args->positionals().size() != 1) return Usage(usage);
  auto c = Connect(*args);
  if (!c.ok()) return ReportError("upload", c.status());
  auto ref = (*c)->UploadModel(args->positionals()[0], args->Get("name").value_or(""));
  if (!ref.ok()) return ReportError("upload", ref.status());
  if (args->Has("json")) {
    std::cout << ToJson(*ref, true) << "\n";
  } else {
    std::cout << ref->model_id() << "\n";
    std::cerr << "uploaded " << ref->name() << " (" << ref->size_bytes() << " bytes, "
              << ref->summary().operator_count() << " operators, "
              << ref->summary().inputs_size() << " input(s), " << ref->summary().outputs_size()
              << " output(s))\n";
  }
  return kExitOk;
}

int UploadDatasetCmd(int argc, char** argv) {
  const std::string usage = "upload-dataset PATH... [--name NAME] [connection flags]";
  auto args = Args::Parse(argc, argv, 1, Flags({ConnectionFlags()}, {{"name"}}));
  if (!args.ok()) return Usage(usage, args.status());
  if (args->positionals().empty()) return Usage(usage);
  auto c = Connect(*args);
  if (!c.ok()) return ReportError("upload-dataset", c.status());
  auto ref = UploadDatasetPaths(**c, args->positionals(), args->Get("name").value_or(""));
  if (!ref.ok()) return ReportError("upload-dataset", ref.status());
  if (args->Has("json")) {
    std::cout << ToJson(*ref, true) << "\n";
  } else {
    std::cout << ref->dataset_id() << "\n";
    std::cerr << "uploaded " << ref->name() << " (" << ref->npy_files() << " .npy, "
              << ref->image_files() << " image file(s)" << (ref->has_labels() ? ", labels" : "")
              << ")\n";
  }
  return kExitOk;
}

// Model argument of submit: a model id, or a file that is uploaded first.
absl::StatusOr<std::string> ResolveModel(CompressClient& c, const std::string& model) {
  std::error_code ec;
  if (fs::is_regular_file(model, ec)) {
    auto ref = c.UploadModel(model);
    if (!ref.ok()) return ref.status();
    return ref->model_id();
  }
  if (!client::IsSha256Hex(model)) {
    return absl::NotFoundError(
        absl::StrCat("'", model, "' is neither a file nor a model id (64 hex characters)"));
  }
  return model;
}

// Fills spec.calibration / spec.evaluation from --calibration PATH / --calibration-dataset ID
// (and the same for evaluation), uploading local data.
absl::Status AttachDatasets(CompressClient& c, const Args& args, v1::JobSpec& spec) {
  for (const char* which : {"calibration", "evaluation"}) {
    const bool calibration = std::string(which) == "calibration";
    // mutable_*() creates the message: only touch it when the spec or the flags use the dataset.
    auto input = [&] { return calibration ? spec.mutable_calibration() : spec.mutable_evaluation(); };
    const std::vector<std::string> paths = args.GetAll(which);
    const auto id = args.Get(absl::StrCat(which, "-dataset"));
    if (!paths.empty() && id) {
      return absl::InvalidArgumentError(
          absl::StrCat("give --", which, " or --", which, "-dataset, not both"));
    }
    if (id) input()->set_dataset_id(*id);
    if (!paths.empty()) {
      auto ref = UploadDatasetPaths(c, paths, "");
      if (!ref.ok()) return ref.status();
      input()->set_dataset_id(ref->dataset_id());
    }
    const bool has = calibration ? spec.has_calibration() : spec.has_evaluation();
    if (has && input()->dataset_id().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the spec uses a ", which, " dataset: give --", which, " PATH or --", which,
          "-dataset ID"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::SubmitJobRequest> BuildSubmit(CompressClient& c, const Args& args,
                                                 const std::string& model) {
  v1::SubmitJobRequest req;
  auto spec = SpecFromArgs(args);
  if (!spec.ok()) return spec.status();
  *req.mutable_spec() = std::move(*spec);
  auto model_id = ResolveModel(c, model);
  if (!model_id.ok()) return model_id.status();
  req.set_model_id(*model_id);
  if (absl::Status s = AttachDatasets(c, args, *req.mutable_spec()); !s.ok()) return s;
  auto priority = args.GetInt("priority", 0, 0, 100);
  if (!priority.ok()) return priority.status();
  req.set_priority(static_cast<int32_t>(*priority));
  // A key makes retries after UNAVAILABLE safe (the same key returns the same job).
  req.set_idempotency_key(args.Get("idempotency-key").value_or(RandomKey("compressctl")));
  return req;
}

std::vector<FlagSpec> SubmitExtraFlags() {
  return {{"calibration", true, true}, {"evaluation", true, true}, {"calibration-dataset"},
          {"evaluation-dataset"},      {"priority"},               {"idempotency-key"}};
}

int SubmitCmd(int argc, char** argv) {
  const std::string usage =
      "submit MODEL_ID|MODEL_FILE [--spec SPEC.json] [--mode M] [--calibration PATH]... "
      "[--label K=V]... [--priority N] [--idempotency-key K] [--wait] [connection flags]";
  auto extra = SubmitExtraFlags();
  extra.push_back({"wait", false});
  auto args = Args::Parse(argc, argv, 1, Flags({ConnectionFlags(), SpecFlags()}, extra));
  if (!args.ok()) return Usage(usage, args.status());
  if (args->positionals().size() != 1) return Usage(usage);
  auto c = Connect(*args);
  if (!c.ok()) return ReportError("submit", c.status());
  auto req = BuildSubmit(**c, *args, args->positionals()[0]);
  if (!req.ok()) return ReportError("submit", req.status());
  auto job = (*c)->SubmitJob(*req);
  if (!job.ok()) return ReportError("submit", job.status());
  const bool json = args->Has("json");
  if (!args->Has("wait")) {
    if (json) {
      std::cout << ToJson(*job, true) << "\n";
    } else {
      std::cout << job->job_id() << "\n";
    }
    return kExitOk;
  }
  ProgressDisplay display(stderr);
  auto final_job = (*c)->WatchJob(job->job_id(), [&](const v1::Job& j) {
    if (!json) display.Update(j);
  });
  display.Finish();
  if (!final_job.ok()) return ReportError("watch", final_job.status());
  if (json) std::cout << ToJson(*final_job, true) << "\n";
  else std::cout << job->job_id() << " " << ProgressText(*final_job) << "\n";
  return ExitForJob(*final_job);
}

int WatchCmd(int argc, char** argv) {
  const std::string usage = "watch JOB_ID [--wait-timeout S] [connection flags]";
  auto args = Args::Parse(argc, argv, 1, Flags({ConnectionFlags()}, {{"wait-timeout"}}));
  if (!args.ok()) return Usage(usage, args.status());
  if (args->positionals().size() != 1) return Usage(usage);
  auto wait = args->GetInt("wait-timeout", 0, 0, 30 * 86400);
  if (!wait.ok()) return Usage(usage, wait.status());
  auto c = Connect(*args);
  if (!c.ok()) return ReportError("watch", c.status());
  const bool json = args->Has("json");
  ProgressDisplay display(stdout);
  auto job = (*c)->WatchJob(
      args->positionals()[0],
      [&](const v1::Job& j) {
        if (json) {
          std::cout << ToJson(j, false) << std::endl;
        } else {
          display.Update(j);
        }
      },
      *wait > 0 ? absl::Seconds(*wait) : absl::InfiniteDuration());
  display.Finish();
  if (!job.ok()) return ReportError("watch", job.status());
  if (!json && job->state() != v1::JOB_STATE_SUCCEEDED && !job->failure_message().empty()) {
    std::cout << job->job_id() << " " << client::JobStateName(job->state()) << ": "
              << job->failure_message() << "\n";
  }
  return ExitForJob(*job);
}

int GetCmd(int argc, char** argv) {
  const std::string usage = "get JOB_ID [--full] [connection flags]";
  auto args = Args::Parse(argc, argv, 1, Flags({ConnectionFlags()}, {{"full", false}}));
  if (!args.ok()) return Usage(usage, args.status());
  if (args->positionals().size() != 1) return Usage(usage);
  auto c = Connect(*args);
  if (!c.ok()) return ReportError("get", c.status());
  auto job = (*c)->GetJob(args->positionals()[0],
                          args->Has("full") ? v1::JOB_VIEW_FULL : v1::JOB_VIEW_BASIC);
  if (!job.ok()) return ReportError("get", job.status());
  if (args->Has("json")) {
    std::cout << ToJson(*job, true) << "\n";
  } else {
    PrintJob(*job);
  }
  return kExitOk;
}

int ListCmd(int argc, char** argv) {
  const std::string usage =
      "list [--state S]... [--label K=V]... [--limit N] [--page-token T] [--all] [--tenant T] "
      "[connection flags]";
  auto args = Args::Parse(argc, argv, 1,
                          Flags({ConnectionFlags()}, {{"state", true, true},
                                                      {"label", true, true},
                                                      {"limit"},
                                                      {"page-token"},
                                                      {"all", false},
                                                      {"tenant"}}));
  if (!args.ok()) return Usage(usage, args.status());
  if (!args->positionals().empty()) return Usage(usage);
  v1::ListJobsRequest req;
  for (const std::string& s : args->GetAll("state")) {
    auto e = ParseEnumFlag<v1::JobState>("state", s, "JOB_STATE_", v1::JobState_Parse);
    if (!e.ok()) return Usage(usage, e.status());
    req.add_states(*e);
  }
  for (const std::string& kv : args->GetAll("label")) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Usage(usage, absl::InvalidArgumentError("--label: expected KEY=VALUE"));
    }
    (*req.mutable_labels())[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto limit = args->GetInt("limit", 50, 1, 500);
  if (!limit.ok()) return Usage(usage, limit.status());
  req.set_page_size(static_cast<uint32_t>(*limit));
  req.set_page_token(args->Get("page-token").value_or(""));
  req.set_tenant(args->Get("tenant").value_or(""));
  auto c = Connect(*args);
  if (!c.ok()) return ReportError("list", c.status());
  v1::ListJobsResponse all;
  for (;;) {
    auto resp = (*c)->ListJobs(req);
    if (!resp.ok()) return ReportError("list", resp.status());
    for (const v1::Job& j : resp->jobs()) *all.add_jobs() = j;
    all.set_next_page_token(resp->next_page_token());
    if (!args->Has("all") || resp->next_page_token().empty()) break;
    req.set_page_token(resp->next_page_token());
  }
  if (args->Has("json")) {
    std::cout << ToJson(all, true) << "\n";
    return kExitOk;
  }
  std::cout << absl::StrFormat("%-28s %-10s %-28s %s\n", "JOB", "STATE", "CREATED", "PROGRESS");
  for (const v1::Job& j : all.jobs()) {
    std::string progress = j.state() == v1::JOB_STATE_RUNNING
                               ? absl::StrCat(Percent(j.progress().fraction()), " ",
                                              j.progress().pass_name())
                               : j.failure_message().substr(0, 60);
    std::cout << absl::StrFormat("%-28s %-10s %-28s %s\n", j.job_id(),
                                 client::JobStateName(j.state()), Time(j.create_time()), progress);
  }
  if (!all.next_page_token().empty()) {
    std::cerr << "more jobs: --page-token " << all.next_page_token() << " (or --all)\n";
  }
  return kExitOk;
}

int CancelCmd(int argc, char** argv) {
  const std::string usage = "cancel JOB_ID [--reason TEXT] [connection flags]";
  auto args = Args::Parse(argc, argv, 1, Flags({ConnectionFlags()}, {{"reason"}}));
  if (!args.ok()) return Usage(usage, args.status());
  if (args->positionals().size() != 1) return Usage(usage);
  auto c = Connect(*args);
  if (!c.ok()) return ReportError("cancel", c.status());
  auto job = (*c)->CancelJob(args->positionals()[0],
                             args->Get("reason").value_or("cancelled with compressctl"));
  if (!job.ok()) return ReportError("cancel", job.status());
  if (args->Has("json")) {
    std::cout << ToJson(*job, true) << "\n";
  } else {
    std::cout << job->job_id() << " " << client::JobStateName(job->state()) << "\n";
  }
  return kExitOk;
}

absl::StatusOr<v1::ArtifactKind> ParseKind(const std::string& kind) {
  if (kind == "model") return v1::ARTIFACT_KIND_MODEL;
  if (kind == "report") return v1::ARTIFACT_KIND_REPORT;
  if (kind == "log") return v1::ARTIFACT_KIND_LOG;
  return absl::InvalidArgumentError(
      absl::StrCat("--kind: expected model, report or log, got '", kind, "'"));
}

// Downloads the report and writes it as the core's JSON report (same form as --local).
absl::StatusOr<eval::CompressionReport> FetchReport(CompressClient& c, const std::string& job_id) {
  auto bytes = c.DownloadArtifactBytes(job_id, v1::ARTIFACT_KIND_REPORT);
  if (!bytes.ok()) return bytes.status();
  v1::CompressionReport report;
  if (!report.ParseFromString(*bytes)) {
    return absl::DataLossError("the report artifact is not a CompressionReport");
  }
  return worker::ReportFromProto(report);
}

bool EndsWithJson(const std::string& path) {
  return path.size() >= 5 && absl::AsciiStrToLower(path.substr(path.size() - 5)) == ".json";
}

int DownloadCmd(int argc, char** argv) {
  const std::string usage =
      "download JOB_ID --out PATH [--kind model|report|log] [connection flags]  "
      "(a report written to *.json is converted to JSON)";
  auto args = Args::Parse(argc, argv, 1, Flags({ConnectionFlags()}, {{"out"}, {"kind"}}));
  if (!args.ok()) return Usage(usage, args.status());
  if (args->positionals().size() != 1 || !args->Has("out")) return Usage(usage);
  auto kind = ParseKind(args->Get("kind").value_or("model"));
  if (!kind.ok()) return Usage(usage, kind.status());
  auto c = Connect(*args);
  if (!c.ok()) return ReportError("download", c.status());
  const std::string& job_id = args->positionals()[0];
  const std::string out = *args->Get("out");
  if (*kind == v1::ARTIFACT_KIND_REPORT && EndsWithJson(out)) {
    auto report = FetchReport(**c, job_id);
    if (!report.ok()) return ReportError("download", report.status());
    if (absl::Status s = WriteFileAtomic(out, ReportJson(*report) + "\n"); !s.ok()) {
      return ReportError("download", s);
    }
    if (args->Has("json")) {
      std::cout << "{\"job_id\": \"" << job_id << "\", \"output\": " << "\""
                << JsonWriter::Escape(out) << "\"}\n";
    } else {
      std::cout << "wrote " << out << "\n";
    }
    return kExitOk;
  }
  auto ref = (*c)->DownloadArtifact(job_id, *kind, out);
  if (!ref.ok()) return ReportError("download", ref.status());
  if (args->Has("json")) {
    std::cout << ToJson(*ref, true) << "\n";
  } else {
    std::cout << "wrote " << out << " (" << ref->size_bytes() << " bytes, sha256 "
              << ref->sha256() << " verified)\n";
  }
  return kExitOk;
}

int HealthCmd(int argc, char** argv) {
  const std::string usage = "health [--service NAME] [connection flags]";
  auto args = Args::Parse(argc, argv, 1, Flags({ConnectionFlags()}, {{"service"}}));
  if (!args.ok()) return Usage(usage, args.status());
  if (!args->positionals().empty()) return Usage(usage);
  auto c = Connect(*args);
  if (!c.ok()) return ReportError("health", c.status());
  auto status = (*c)->CheckHealth(args->Get("service").value_or(""));
  if (!status.ok()) return ReportError("health", status.status());
  const std::string name = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(*status);
  if (args->Has("json")) {
    std::cout << "{\"server\": \"" << JsonWriter::Escape((*c)->options().address)
              << "\", \"status\": \"" << name << "\"}\n";
  } else {
    std::cout << (*c)->options().address << ": " << name << "\n";
  }
  return *status == grpc::health::v1::HealthCheckResponse::SERVING ? kExitOk : kExitUnavailable;
}

// compress --local: the same JobSpec through the core pipeline in this process.
int CompressLocal(const Args& args, const std::string& model_path, v1::JobSpec spec,
                  const std::string& out, const std::string& report_path) {
  const bool json = args.Has("json");
  worker::DatasetPaths paths;
  paths.calibration = args.GetAll("calibration");
  paths.evaluation = args.GetAll("evaluation");
  if (args.Has("calibration-dataset") || args.Has("evaluation-dataset")) {
    return ReportError("compress", absl::InvalidArgumentError(
                                       "--local reads samples from files: use --calibration PATH "
                                       "/ --evaluation PATH instead of dataset ids"));
  }
  for (const auto& [has, given, flag] :
       {std::tuple{spec.has_calibration(), !paths.calibration.empty(), "calibration"},
        std::tuple{spec.has_evaluation(), !paths.evaluation.empty(), "evaluation"}}) {
    if (has && !given) {
      return ReportError("compress", absl::InvalidArgumentError(absl::StrCat(
                                         "the spec uses a ", flag, " dataset: give --", flag,
                                         " PATH (files or folders of samples)")));
    }
  }
  auto pipeline_spec = worker::TranslateJobSpec(spec, paths);
  if (!pipeline_spec.ok()) return ReportError("compress", pipeline_spec.status());
  auto bytes = ReadFileBytes(model_path);
  if (!bytes.ok()) return ReportError("compress", bytes.status());
  auto threads = args.GetInt("threads", 1, 1, 256);
  if (!threads.ok()) return ReportError("compress", threads.status());
  pipeline::RunContext ctx;
  ctx.num_threads = static_cast<int>(*threads);
  ProgressDisplay display(stderr);
  v1::Job shown;  // the display speaks Job
  shown.set_job_id("local");
  shown.set_state(v1::JOB_STATE_RUNNING);
  ctx.on_progress = [&](const pipeline::Progress& p) {
    if (json) return;
    shown.mutable_progress()->set_pass_name(p.pass);
    shown.mutable_progress()->set_fraction(p.fraction);
    shown.mutable_progress()->set_message(p.message);
    display.Update(shown);
  };
  auto result = pipeline::RunPipeline(*bytes, *pipeline_spec, ctx);
  display.Finish();
  if (!result.ok()) {
    std::cerr << "compressctl: compress: " << result.status().message() << "\n";
    return kExitJobFailed;
  }
  if (result->report.compressd_version.empty()) {
    result->report.compressd_version = COMPRESSD_VERSION;
  }
  if (absl::Status s = WriteFileAtomic(out, result->model); !s.ok()) {
    return ReportError("compress", s);
  }
  if (!report_path.empty()) {
    if (absl::Status s = WriteFileAtomic(report_path, ReportJson(result->report) + "\n"); !s.ok()) {
      return ReportError("compress", s);
    }
  }
  if (json) {
    std::cout << "{\"local\": true, \"output\": \"" << JsonWriter::Escape(out)
              << "\", \"report\": " << ReportJson(result->report) << "}\n";
  } else {
    std::cout << eval::FormatReportSummary(result->report) << "wrote " << out << "\n";
  }
  return kExitOk;
}

int CompressCmd(int argc, char** argv) {
  const std::string usage =
      "compress MODEL --spec SPEC.json --out OUT [--report REPORT.json] [--calibration PATH]... "
      "[--evaluation PATH]... [--local [--threads N]] [--label K=V]... [--priority N] "
      "[--wait-timeout S] [connection flags]";
  auto extra = SubmitExtraFlags();
  for (FlagSpec f : std::vector<FlagSpec>{{"out"}, {"report"}, {"local", false}, {"threads"},
                                          {"wait-timeout"}}) {
    extra.push_back(f);
  }
  auto args = Args::Parse(argc, argv, 1, Flags({ConnectionFlags(), SpecFlags()}, extra));
  if (!args.ok()) return Usage(usage, args.status());
  if (args->positionals().size() != 1 || !args->Has("out")) return Usage(usage);
  const std::string model_path = args->positionals()[0];
  const std::string out = *args->Get("out");
  const std::string report_path = args->Get("report").value_or("");
  auto spec = SpecFromArgs(*args);
  if (!spec.ok()) return ReportError("compress", spec.status());
  if (args->Has("local")) return CompressLocal(*args, model_path, std::move(*spec), out, report_path);

  const bool json = args->Has("json");
  auto wait = args->GetInt("wait-timeout", 0, 0, 30 * 86400);
  if (!wait.ok()) return Usage(usage, wait.status());
  auto c = Connect(*args);
  if (!c.ok()) return ReportError("compress", c.status());
  std::error_code ec;
  if (!fs::is_regular_file(model_path, ec)) {
    return ReportError("compress", absl::NotFoundError(absl::StrCat("'", model_path,
                                                                    "' is not a file")));
  }
  if (!json) std::cerr << "uploading " << model_path << "\n";
  auto req = BuildSubmit(**c, *args, model_path);
  if (!req.ok()) return ReportError("compress", req.status());
  auto job = (*c)->SubmitJob(*req);
  if (!job.ok()) return ReportError("compress", job.status());
  if (!json) std::cerr << "submitted job " << job->job_id() << "\n";
  ProgressDisplay display(stderr);
  auto final_job = (*c)->WatchJob(
      job->job_id(),
      [&](const v1::Job& j) {
        if (!json) display.Update(j);
      },
      *wait > 0 ? absl::Seconds(*wait) : absl::InfiniteDuration());
  display.Finish();
  if (!final_job.ok()) return ReportError("compress", final_job.status());
  if (final_job->state() != v1::JOB_STATE_SUCCEEDED) {
    if (json) {
      std::cout << ToJson(*final_job, true) << "\n";
    } else {
      std::cerr << "compressctl: job " << final_job->job_id() << " "
                << client::JobStateName(final_job->state()) << ": "
                << final_job->failure_message() << "\n";
    }
    return kExitJobFailed;
  }
  auto ref = (*c)->DownloadArtifact(final_job->job_id(), v1::ARTIFACT_KIND_MODEL, out);
  if (!ref.ok()) return ReportError("compress", ref.status());
  auto report = FetchReport(**c, final_job->job_id());
  if (!report.ok()) return ReportError("compress", report.status());
  if (!report_path.empty()) {
    if (absl::Status s = WriteFileAtomic(report_path, ReportJson(*report) + "\n"); !s.ok()) {
      return ReportError("compress", s);
    }
  }
  if (json) {
    std::cout << "{\"job_id\": \"" << final_job->job_id() << "\", \"state\": \"SUCCEEDED\", "
              << "\"output\": \"" << JsonWriter::Escape(out) << "\", \"sha256\": \""
              << ref->sha256() << "\", \"report\": " << ReportJson(*report) << "}\n";
  } else {
    std::cout << eval::FormatReportSummary(*report) << "wrote " << out << " (" << ref->size_bytes()
              << " bytes, sha256 " << ref->sha256() << " verified; job " << final_job->job_id()
              << ")\n";
    if (!report_path.empty()) std::cout << "report " << report_path << "\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> RemoteCommands() {
  return {
      {"upload", "upload MODEL [--name NAME]", "Upload a .tflite model; prints its model id.",
       UploadCmd},
      {"upload-dataset", "upload-dataset PATH... [--name NAME]",
       "Upload calibration/evaluation samples (folders or files, packed as a tar).",
       UploadDatasetCmd},
      {"submit", "submit MODEL_ID|MODEL [--spec SPEC.json] [--mode M] [--calibration PATH]... [--wait]",
       "Submit a compression job; prints its job id.", SubmitCmd},
      {"watch", "watch JOB_ID", "Follow a job until it ends (exit 4 unless it succeeded).",
       WatchCmd},
      {"get", "get JOB_ID [--full]", "Show a job (--full: with its report).", GetCmd},
      {"list", "list [--state S]... [--label K=V]... [--all]", "List jobs, newest first.",
       ListCmd},
      {"cancel", "cancel JOB_ID [--reason TEXT]", "Cancel a queued or running job.", CancelCmd},
      {"download", "download JOB_ID --out PATH [--kind model|report|log]",
       "Download an artifact of a succeeded job (hash-verified).", DownloadCmd},
      {"health", "health [--service NAME]", "Check a server (exit 0 when SERVING).", HealthCmd},
      {"compress",
       "compress MODEL --spec SPEC.json --out OUT [--report R] [--calibration PATH]... [--local]",
       "Upload, submit, watch and download in one step (--local: run in-process).", CompressCmd},
  };
}

}  // namespace compressd::cli
