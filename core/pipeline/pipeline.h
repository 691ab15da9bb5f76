// The compression pipeline: runs an ordered list of passes on a model, then evaluates the result
// against the original, and returns the compressed model with its report. The worker translates a
// proto JobSpec into a PipelineSpec and calls RunPipeline in a child process; `compressctl
// compress --local` calls it in-process.
//
// Thread safety: RunPipeline is reentrant; callbacks in RunContext are called on the calling
// thread.
#ifndef COMPRESSD_CORE_PIPELINE_PIPELINE_H_
#define COMPRESSD_CORE_PIPELINE_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "core/eval/report.h"
#include "core/passes/quantize_options.h"

namespace compressd::pipeline {

// How PNG/JPEG samples become input tensors (ignored for .npy samples).
struct ImagePreprocessing {
  enum class ColorOrder { kRgb, kBgr };
  enum class Scaling { kZeroToOne, kMinusOneToOne, kMeanStd, kNone };
  ColorOrder color_order = ColorOrder::kRgb;
  Scaling scaling = Scaling::kZeroToOne;
  std::vector<float> mean;  // kMeanStd: one per channel, or one for all
  std::vector<float> std;
};

// Samples on the local filesystem: files (.npy, .png, .jpg, raw .bin) or folders of them.
struct DatasetSpec {
  std::vector<std::string> paths;
  uint32_t max_samples = 0;  // 0 = all
  ImagePreprocessing preprocessing;
  std::string id;  // for the report (the service's dataset id), may be empty
};

struct PassSpec {
  std::variant<passes::QuantizeOptions> options;
};

struct PipelineSpec {
  std::vector<PassSpec> passes;
  std::optional<DatasetSpec> calibration;
  std::optional<DatasetSpec> evaluation;  // defaults to a built-in deterministic input
  std::vector<eval::EvaluationTarget> targets = {eval::EvaluationTarget::kHost};
};

struct Progress {
  std::string pass;     // "load", "quantize", "evaluate", ...
  double fraction = 0;  // of the whole job, in [0, 1]
  std::string message;
};

struct RunContext {
  std::function<void(const Progress&)> on_progress;  // may be empty
  std::function<bool()> is_cancelled;                // may be empty; checked between steps
  int num_threads = 1;
};

struct PipelineResult {
  std::vector<uint8_t> model;  // the compressed .tflite
  eval::CompressionReport report;
};

// INVALID_ARGUMENT naming the field at fault ("passes[0].quantize.percentile: ...").
absl::Status ValidatePipelineSpec(const PipelineSpec& spec);

// CANCELLED when is_cancelled() turned true; INVALID_ARGUMENT for a bad model, spec or dataset;
// UNIMPLEMENTED for a pass or mode not available yet.
absl::StatusOr<PipelineResult> RunPipeline(std::span<const uint8_t> model_bytes,
                                           const PipelineSpec& spec, const RunContext& context);

}  // namespace compressd::pipeline

#endif  // COMPRESSD_CORE_PIPELINE_PIPELINE_H_
