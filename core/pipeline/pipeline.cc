#include "core/pipeline/pipeline.h"

#include <chrono>
#include <map>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/eval/model_summary.h"
#include "core/eval/size_accounting.h"
#include "core/passes/quantize.h"
#include "core/tflite/model_reader.h"
#include "core/tflite/model_writer.h"

namespace compressd::pipeline {
namespace {

absl::Status FieldError(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

bool NeedsCalibration(passes::QuantMode mode) {
  return mode == passes::QuantMode::kInt8 || mode == passes::QuantMode::kInt16x8;
}

absl::Status ValidateQuantize(const passes::QuantizeOptions& q, const std::string& f,
                              const PipelineSpec& spec) {
  if (!(q.percentile > 0 && q.percentile <= 100)) {
    return FieldError(f + ".percentile", absl::StrCat("must be in (0, 100], got ", q.percentile));
  }
  if (q.io_type != passes::IoType::kFloat32 && q.mode != passes::QuantMode::kInt8) {
    return FieldError(f + ".io_type", absl::StrCat(passes::IoTypeName(q.io_type),
                                                   " inputs/outputs need mode int8"));
  }
  if (!q.int16x8_layers.empty() && q.mode != passes::QuantMode::kInt8) {
    return FieldError(f + ".int16x8_layers", "only allowed with mode int8");
  }
  for (const auto* list : {&q.keep_float, &q.int16x8_layers}) {
    const std::string name = list == &q.keep_float ? ".keep_float" : ".int16x8_layers";
    if (list->size() > 4096) return FieldError(f + name, "more than 4096 entries");
    for (size_t i = 0; i < list->size(); ++i) {
      const auto& l = (*list)[i];
      if (l.tensor_name.empty() && l.operator_index < 0) {
        return FieldError(absl::StrCat(f, name, "[", i, "]"),
                          "needs a tensor name or an operator index >= 0");
      }
    }
  }
  if (NeedsCalibration(q.mode) && (!spec.calibration || spec.calibration->paths.empty())) {
    return FieldError("calibration", absl::StrCat("mode ", passes::QuantModeName(q.mode),
                                                  " needs a calibration dataset"));
  }
  if ((q.bias_correction || q.cross_layer_equalization) && !NeedsCalibration(q.mode)) {
    return FieldError(f, "bias_correction and cross_layer_equalization need a calibrated mode");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidatePipelineSpec(const PipelineSpec& spec) {
  if (spec.passes.empty()) return FieldError("passes", "at least one pass is required");
  if (spec.passes.size() > 64) return FieldError("passes", "at most 64 passes");
  for (size_t i = 0; i < spec.passes.size(); ++i) {
    const std::string f = absl::StrCat("passes[", i, "]");
    if (const auto* q = std::get_if<passes::QuantizeOptions>(&spec.passes[i].options)) {
      RETURN_IF_ERROR(ValidateQuantize(*q, f + ".quantize", spec));
    }
  }
  for (const auto* ds : {&spec.calibration, &spec.evaluation}) {
    if (!ds->has_value()) continue;
    const std::string f = ds == &spec.calibration ? "calibration" : "evaluation";
    const auto& p = (*ds)->preprocessing;
    if (p.scaling == ImagePreprocessing::Scaling::kMeanStd) {
      if (p.mean.empty() || p.std.empty()) {
        return FieldError(f + ".preprocessing", "mean/std scaling needs mean and std values");
      }
      for (float s : p.std) {
        if (!(s > 0)) return FieldError(f + ".preprocessing.std", "values must be > 0");
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PipelineResult> RunPipeline(std::span<const uint8_t> model_bytes,
                                           const PipelineSpec& spec, const RunContext& context) {
  RETURN_IF_ERROR(ValidatePipelineSpec(spec));
  auto progress = [&](const std::string& pass, double fraction, const std::string& message) {
    if (context.on_progress) context.on_progress({pass, fraction, message});
  };
  auto cancelled = [&] { return context.is_cancelled && context.is_cancelled(); };
  progress("load", 0.0, "validating the model");
  ASSIGN_OR_RETURN(ir::Model model, tflite::ReadModel(model_bytes));
  PipelineResult result;
  result.report.params_before = eval::CountParameters(model);
  const double per_pass = 0.8 / static_cast<double>(spec.passes.size());
  for (size_t i = 0; i < spec.passes.size(); ++i) {
    if (cancelled()) return absl::CancelledError("job cancelled");
    const auto start = std::chrono::steady_clock::now();
    const auto& q = std::get<passes::QuantizeOptions>(spec.passes[i].options);
    progress("quantize", 0.1 + per_pass * static_cast<double>(i),
             absl::StrCat("quantizing (", passes::QuantModeName(q.mode), ")"));
    ASSIGN_OR_RETURN(passes::QuantizeResult quantized, passes::Quantize(model, q, nullptr));
    model = std::move(quantized.model);
    for (auto& k : quantized.kept_float) result.report.kept_float.push_back(std::move(k));
    for (auto& w : quantized.warnings) result.report.warnings.push_back(std::move(w));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.report.passes.push_back(
        {"quantize", seconds, absl::StrCat("mode ", passes::QuantModeName(q.mode))});
  }
  if (cancelled()) return absl::CancelledError("job cancelled");
  progress("write", 0.9, "writing the compressed model");
  ASSIGN_OR_RETURN(result.model, tflite::WriteModel(model));
  result.report.params_after = eval::CountParameters(model);
  result.report.size = eval::MeasureSizes(model_bytes, result.model);
  progress("done", 1.0, "finished");
  return result;
}

}  // namespace compressd::pipeline
