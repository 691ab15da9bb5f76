#include "core/pipeline/pipeline.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/eval/model_summary.h"
#include "core/eval/size_accounting.h"
#include "core/data/dataset.h"
#include "core/data/input_spec.h"
#include "core/passes/quantize.h"
#include "core/pipeline/model_evaluation.h"
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

data::PreprocessSpec ToPreprocessSpec(const ImagePreprocessing& p) {
  data::PreprocessSpec s;
  s.order = p.color_order == ImagePreprocessing::ColorOrder::kBgr ? data::ChannelOrder::kBgr
                                                                   : data::ChannelOrder::kRgb;
  switch (p.scaling) {
    case ImagePreprocessing::Scaling::kZeroToOne: s.range = data::ValueRange::kZeroToOne; break;
    case ImagePreprocessing::Scaling::kMinusOneToOne:
      s.range = data::ValueRange::kMinusOneToOne;
      break;
    case ImagePreprocessing::Scaling::kNone: s.range = data::ValueRange::kZeroTo255; break;
    case ImagePreprocessing::Scaling::kMeanStd:
      s.range = data::ValueRange::kMeanStd;
      for (size_t c = 0; c < 3; ++c) {
        if (!p.mean.empty()) s.mean[c] = p.mean[std::min(c, p.mean.size() - 1)];
        if (!p.std.empty()) s.std[c] = p.std[std::min(c, p.std.size() - 1)];
      }
      break;
  }
  return s;
}

// Samples of a dataset for the inputs of `model`; errors name the field and the file.
absl::StatusOr<std::vector<std::vector<data::TensorData>>> LoadDataset(
    const ir::Model& model, const DatasetSpec& spec, const std::string& field) {
  ASSIGN_OR_RETURN(const std::vector<data::InputSpec> inputs, data::InputSpecsFromModel(model));
  data::DatasetOptions options;
  options.max_samples = spec.max_samples;
  auto samples = data::LoadSamples(spec.paths, inputs, ToPreprocessSpec(spec.preprocessing),
                                   options);
  if (!samples.ok()) {
    return absl::Status(samples.status().code(),
                        absl::StrCat(field, ": ", samples.status().message()));
  }
  return samples;
}

passes::CalibrationSet ToCalibrationSet(std::vector<std::vector<data::TensorData>> samples) {
  passes::CalibrationSet set;
  for (auto& sample : samples) {
    std::vector<std::vector<uint8_t>> inputs;
    for (auto& t : sample) inputs.push_back(std::move(t.bytes));
    set.samples.push_back(std::move(inputs));
  }
  return set;
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
  const ir::Model original = model;
  PipelineResult result;
  result.report.params_before = eval::CountParameters(model);
  std::optional<passes::CalibrationSet> calibration;
  if (spec.calibration) {
    progress("load", 0.02, "loading the calibration data");
    ASSIGN_OR_RETURN(auto samples, LoadDataset(model, *spec.calibration, "calibration"));
    calibration = ToCalibrationSet(std::move(samples));
  }
  const double per_pass = 0.8 / static_cast<double>(spec.passes.size());
  for (size_t i = 0; i < spec.passes.size(); ++i) {
    if (cancelled()) return absl::CancelledError("job cancelled");
    const auto start = std::chrono::steady_clock::now();
    const auto& q = std::get<passes::QuantizeOptions>(spec.passes[i].options);
    progress("quantize", 0.1 + per_pass * static_cast<double>(i),
             absl::StrCat("quantizing (", passes::QuantModeName(q.mode), ")"));
    ASSIGN_OR_RETURN(passes::QuantizeResult quantized,
                     passes::Quantize(model, q, calibration ? &*calibration : nullptr));
    model = std::move(quantized.model);
    if (NeedsCalibration(q.mode) && calibration) {
      eval::CalibrationInfo info;
      info.observer = passes::ObserverKindName(q.observer);
      if (q.observer == passes::ObserverKind::kPercentile) info.percentile = q.percentile;
      info.samples = quantized.calibration_samples;
      info.dataset_id = spec.calibration->id;
      info.bias_correction = q.bias_correction;
      info.cross_layer_equalization = q.cross_layer_equalization;
      result.report.calibration = info;
    }
    for (auto& k : quantized.kept_float) result.report.kept_float.push_back(std::move(k));
    for (auto& w : quantized.warnings) result.report.warnings.push_back(std::move(w));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string summary = absl::StrCat("mode ", passes::QuantModeName(q.mode));
    if (quantized.fused_activations > 0) {
      absl::StrAppend(&summary, "; ", quantized.fused_activations,
                      " activation operators fused into their producers");
    }
    result.report.passes.push_back({"quantize", seconds, std::move(summary)});
  }
  if (cancelled()) return absl::CancelledError("job cancelled");
  progress("write", 0.9, "writing the compressed model");
  ASSIGN_OR_RETURN(result.model, tflite::WriteModel(model));
  result.report.params_after = eval::CountParameters(model);
  result.report.size = eval::MeasureSizes(model_bytes, result.model);

  // Evaluate what is shipped: the written bytes, read back, against the original.
  if (cancelled()) return absl::CancelledError("job cancelled");
  progress("evaluate", 0.92, "evaluating against the original model");
  std::vector<std::vector<data::TensorData>> eval_samples;
  if (spec.evaluation) {
    ASSIGN_OR_RETURN(eval_samples, LoadDataset(original, *spec.evaluation, "evaluation"));
  } else {
    ASSIGN_OR_RETURN(auto sample, DeterministicSample(original));
    eval_samples.push_back(std::move(sample));
  }
  ASSIGN_OR_RETURN(const ir::Model written, tflite::ReadModel(result.model));
  auto evaluation =
      EvaluateAgainstReference(original, written, eval_samples, context.num_threads);
  if (evaluation.ok()) {
    result.report.outputs = std::move(evaluation->outputs);
    result.report.tensors = std::move(evaluation->tensors);
  } else if (absl::IsUnimplemented(evaluation.status())) {
    // A model the interpreter cannot run (e.g. an op it lacks) is still compressed.
    result.report.warnings.push_back(
        absl::StrCat("evaluation skipped: ", evaluation.status().message()));
  } else {
    return evaluation.status();
  }
  progress("done", 1.0, "finished");
  return result;
}

}  // namespace compressd::pipeline
