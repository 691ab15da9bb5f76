// compressctl quantize: post-training quantization of a local model (core pipeline, in-process).
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/compressctl/args.h"
#include "client/compressctl/command.h"
#include "client/compressctl/exit_codes.h"
#include "core/base/file_io.h"
#include "core/base/status_macros.h"
#include "core/base/json_writer.h"
#include "core/data/preprocess.h"
#include "core/eval/report.h"
#include "core/pipeline/pipeline.h"

namespace compressd::cli {
namespace {

constexpr char kUsage[] =
    "quantize MODEL --mode int8|dynamic|float16|int16x8 --out OUT [--calibration PATH]... "
    "[--evaluation PATH]... [--max-samples N] [--preprocess SPEC] "
    "[--observer minmax|ema|percentile|mse|kl] [--percentile P] [--per-tensor] "
    "[--fc-per-channel] [--bias-correction] [--io float|int8|uint8] [--keep-float NAME|INDEX]... [--threads N] "
    "[--report REPORT.json] [--json]";

absl::StatusOr<passes::QuantMode> ParseMode(const std::string& s) {
  for (auto m : {passes::QuantMode::kInt8, passes::QuantMode::kDynamic,
                 passes::QuantMode::kFloat16, passes::QuantMode::kInt16x8}) {
    if (s == passes::QuantModeName(m)) return m;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--mode: unknown mode '", s, "' (int8, dynamic, float16, int16x8)"));
}

absl::StatusOr<passes::ObserverKind> ParseObserver(const std::string& s) {
  for (auto k : {passes::ObserverKind::kMinMax, passes::ObserverKind::kEma,
                 passes::ObserverKind::kPercentile, passes::ObserverKind::kMse,
                 passes::ObserverKind::kKl}) {
    if (s == passes::ObserverKindName(k)) return k;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--observer: unknown observer '", s, "' (minmax, ema, percentile, mse, kl)"));
}

absl::StatusOr<passes::IoType> ParseIo(const std::string& s) {
  if (s == "float" || s == "float32") return passes::IoType::kFloat32;
  if (s == "int8") return passes::IoType::kInt8;
  if (s == "uint8") return passes::IoType::kUInt8;
  return absl::InvalidArgumentError(absl::StrCat("--io: unknown type '", s,
                                                 "' (float, int8, uint8)"));
}

// --preprocess uses core/data's string form; the pipeline's dataset spec holds the same choices.
absl::StatusOr<pipeline::ImagePreprocessing> ParsePreprocess(const std::string& s) {
  auto spec = data::ParsePreprocessSpec(s);
  if (!spec.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--preprocess: ", spec.status().message()));
  }
  if (spec->layout != data::TensorLayout::kNhwc) {
    return absl::InvalidArgumentError("--preprocess: layout=nchw is not supported by quantize");
  }
  pipeline::ImagePreprocessing p;
  p.color_order = spec->order == data::ChannelOrder::kBgr
                      ? pipeline::ImagePreprocessing::ColorOrder::kBgr
                      : pipeline::ImagePreprocessing::ColorOrder::kRgb;
  switch (spec->range) {
    case data::ValueRange::kZeroToOne:
      p.scaling = pipeline::ImagePreprocessing::Scaling::kZeroToOne;
      break;
    case data::ValueRange::kMinusOneToOne:
      p.scaling = pipeline::ImagePreprocessing::Scaling::kMinusOneToOne;
      break;
    case data::ValueRange::kZeroTo255:
      p.scaling = pipeline::ImagePreprocessing::Scaling::kNone;
      break;
    case data::ValueRange::kMeanStd:
      p.scaling = pipeline::ImagePreprocessing::Scaling::kMeanStd;
      p.mean.assign(spec->mean.begin(), spec->mean.end());
      p.std.assign(spec->std.begin(), spec->std.end());
      break;
  }
  return p;
}

absl::StatusOr<pipeline::PipelineSpec> SpecFromArgs(const Args& args) {
  passes::QuantizeOptions q;
  const auto mode = args.Get("mode");
  if (!mode) return absl::InvalidArgumentError("--mode is required");
  ASSIGN_OR_RETURN(q.mode, ParseMode(*mode));
  if (auto o = args.Get("observer")) {
    ASSIGN_OR_RETURN(q.observer, ParseObserver(*o));
  }
  if (auto p = args.Get("percentile")) {
    if (!absl::SimpleAtod(*p, &q.percentile)) {
      return absl::InvalidArgumentError(absl::StrCat("--percentile: '", *p, "' is not a number"));
    }
  }
  q.per_tensor = args.Has("per-tensor");
  q.fully_connected_per_channel = args.Has("fc-per-channel");
  q.bias_correction = args.Has("bias-correction");
  if (auto io = args.Get("io")) {
    ASSIGN_OR_RETURN(q.io_type, ParseIo(*io));
  }
  for (const std::string& k : args.GetAll("keep-float")) {
    passes::LayerRef ref;
    int32_t index = 0;
    if (absl::SimpleAtoi(k, &index)) {
      ref.operator_index = index;
    } else {
      ref.tensor_name = k;
    }
    q.keep_float.push_back(ref);
  }
  pipeline::PipelineSpec spec;
  spec.passes.push_back({q});
  ASSIGN_OR_RETURN(const int64_t max_samples, args.GetInt("max-samples", 0, 0, 1 << 20));
  pipeline::ImagePreprocessing pre;
  if (auto p = args.Get("preprocess")) {
    ASSIGN_OR_RETURN(pre, ParsePreprocess(*p));
  }
  if (args.Has("calibration")) {
    pipeline::DatasetSpec ds;
    ds.paths = args.GetAll("calibration");
    ds.max_samples = static_cast<uint32_t>(max_samples);
    ds.preprocessing = pre;
    spec.calibration = ds;
  }
  if (args.Has("evaluation")) {
    pipeline::DatasetSpec ds;
    ds.paths = args.GetAll("evaluation");
    ds.max_samples = static_cast<uint32_t>(max_samples);
    ds.preprocessing = pre;
    spec.evaluation = ds;
  }
  return spec;
}

std::string ReportJson(const eval::CompressionReport& report) {
  JsonWriter w;
  eval::WriteReportJson(report, w);
  return w.TakeOutput();
}

int Quantize(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 1,
                          {{"mode"},
                           {"out"},
                           {"calibration", true, true},
                           {"evaluation", true, true},
                           {"max-samples"},
                           {"preprocess"},
                           {"observer"},
                           {"percentile"},
                           {"per-tensor", false},
                           {"fc-per-channel", false},
                           {"bias-correction", false},
                           {"io"},
                           {"keep-float", true, true},
                           {"threads"},
                           {"report"},
                           {"json", false}});
  if (!args.ok()) return ReportError(kUsage, args.status());
  if (args->positionals().size() != 1 || !args->Has("out")) {
    return ReportError(kUsage, absl::InvalidArgumentError("expected MODEL and --out OUT"));
  }
  auto spec = SpecFromArgs(*args);
  if (!spec.ok()) return ReportError("quantize", spec.status());
  auto threads = args->GetInt("threads", 1, 1, 256);
  if (!threads.ok()) return ReportError("quantize", threads.status());
  auto bytes = ReadFileBytes(args->positionals()[0]);
  if (!bytes.ok()) return ReportError("quantize", bytes.status());
  const bool json = args->Has("json");
  pipeline::RunContext ctx;
  ctx.num_threads = static_cast<int>(*threads);
  if (!json) {
    ctx.on_progress = [](const pipeline::Progress& p) {
      std::cerr << "[" << static_cast<int>(p.fraction * 100) << "%] " << p.message << "\n";
    };
  }
  auto result = pipeline::RunPipeline(*bytes, *spec, ctx);
  if (!result.ok()) return ReportError("quantize", result.status());
  const std::string out = *args->Get("out");
  if (absl::Status s = WriteFileAtomic(out, result->model); !s.ok()) {
    return ReportError("quantize", s);
  }
  if (auto report_path = args->Get("report")) {
    if (absl::Status s = WriteFileAtomic(*report_path, ReportJson(result->report) + "\n");
        !s.ok()) {
      return ReportError("quantize", s);
    }
  }
  if (json) {
    std::cout << "{\"output\": \"" << JsonWriter::Escape(out)
              << "\", \"report\": " << ReportJson(result->report) << "}\n";
  } else {
    std::cout << eval::FormatReportSummary(result->report) << "wrote " << out << "\n";
  }
  return kExitOk;
}

}  // namespace

Command QuantizeCommand() {
  return {"quantize", kUsage,
          "Quantize a local model (int8, dynamic range, float16, 16x8) and report its error.",
          Quantize};
}

}  // namespace compressd::cli
