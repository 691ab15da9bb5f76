#include "worker/spec_translation.h"

#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace compressd::worker {
namespace {

absl::Status FieldError(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

std::string Indexed(const std::string& field, int i) { return absl::StrCat(field, "[", i, "]"); }

absl::StatusOr<passes::QuantMode> TranslateMode(int mode, const std::string& field) {
  switch (mode) {
    case v1::QUANTIZATION_MODE_INT8: return passes::QuantMode::kInt8;
    case v1::QUANTIZATION_MODE_DYNAMIC: return passes::QuantMode::kDynamic;
    case v1::QUANTIZATION_MODE_FLOAT16: return passes::QuantMode::kFloat16;
    case v1::QUANTIZATION_MODE_INT16X8: return passes::QuantMode::kInt16x8;
    case v1::QUANTIZATION_MODE_UNSPECIFIED:
      return FieldError(field,
                        "required (QUANTIZATION_MODE_INT8, QUANTIZATION_MODE_DYNAMIC, "
                        "QUANTIZATION_MODE_FLOAT16 or QUANTIZATION_MODE_INT16X8)");
  }
  return FieldError(field, absl::StrCat("unknown value ", mode));
}

absl::StatusOr<passes::ObserverKind> TranslateObserver(int observer, const std::string& field) {
  switch (observer) {
    case v1::OBSERVER_UNSPECIFIED:
    case v1::OBSERVER_MINMAX: return passes::ObserverKind::kMinMax;
    case v1::OBSERVER_EMA: return passes::ObserverKind::kEma;
    case v1::OBSERVER_PERCENTILE: return passes::ObserverKind::kPercentile;
    case v1::OBSERVER_MSE: return passes::ObserverKind::kMse;
    case v1::OBSERVER_KL: return passes::ObserverKind::kKl;
  }
  return FieldError(field, absl::StrCat("unknown value ", observer));
}

absl::StatusOr<passes::IoType> TranslateIoType(int io, const std::string& field) {
  switch (io) {
    case v1::IO_TYPE_UNSPECIFIED:
    case v1::IO_TYPE_FLOAT32: return passes::IoType::kFloat32;
    case v1::IO_TYPE_INT8: return passes::IoType::kInt8;
    case v1::IO_TYPE_UINT8: return passes::IoType::kUInt8;
  }
  return FieldError(field, absl::StrCat("unknown value ", io));
}

absl::StatusOr<std::vector<passes::LayerRef>> TranslateLayers(
    const google::protobuf::RepeatedPtrField<v1::LayerRef>& refs, const std::string& field) {
  if (refs.size() > 4096) {
    return FieldError(field, absl::StrCat(refs.size(), " entries; at most 4096"));
  }
  std::vector<passes::LayerRef> out;
  out.reserve(refs.size());
  for (int i = 0; i < refs.size(); ++i) {
    const v1::LayerRef& r = refs[i];
    passes::LayerRef l;
    switch (r.layer_case()) {
      case v1::LayerRef::kTensorName:
        if (r.tensor_name().empty() || r.tensor_name().size() > 1024) {
          return FieldError(Indexed(field, i) + ".tensor_name",
                            absl::StrCat("must have 1..1024 bytes, got ", r.tensor_name().size()));
        }
        l.tensor_name = r.tensor_name();
        break;
      case v1::LayerRef::kOperatorIndex:
        if (r.operator_index() < 0) {
          return FieldError(Indexed(field, i) + ".operator_index",
                            absl::StrCat("must be >= 0, got ", r.operator_index()));
        }
        l.operator_index = r.operator_index();
        break;
      default:
        return FieldError(Indexed(field, i), "set tensor_name or operator_index");
    }
    out.push_back(std::move(l));
  }
  return out;
}

absl::StatusOr<pipeline::ImagePreprocessing> TranslatePreprocessing(
    const v1::ImagePreprocessing& p, const std::string& field) {
  pipeline::ImagePreprocessing out;
  switch (p.color_order()) {
    case v1::COLOR_ORDER_UNSPECIFIED:
    case v1::COLOR_ORDER_RGB: out.color_order = pipeline::ImagePreprocessing::ColorOrder::kRgb; break;
    case v1::COLOR_ORDER_BGR: out.color_order = pipeline::ImagePreprocessing::ColorOrder::kBgr; break;
    default:
      return FieldError(field + ".color_order", absl::StrCat("unknown value ", p.color_order()));
  }
  using Scaling = pipeline::ImagePreprocessing::Scaling;
  switch (p.scaling()) {
    case v1::PIXEL_SCALING_UNSPECIFIED:
    case v1::PIXEL_SCALING_ZERO_TO_ONE: out.scaling = Scaling::kZeroToOne; break;
    case v1::PIXEL_SCALING_MINUS_ONE_TO_ONE: out.scaling = Scaling::kMinusOneToOne; break;
    case v1::PIXEL_SCALING_MEAN_STD: out.scaling = Scaling::kMeanStd; break;
    case v1::PIXEL_SCALING_NONE: out.scaling = Scaling::kNone; break;
    default:
      return FieldError(field + ".scaling", absl::StrCat("unknown value ", p.scaling()));
  }
  if (out.scaling != Scaling::kMeanStd && (p.mean_size() > 0 || p.std_size() > 0)) {
    return FieldError(field + ".mean", "mean/std are only used with PIXEL_SCALING_MEAN_STD");
  }
  if (out.scaling == Scaling::kMeanStd && p.mean_size() != p.std_size()) {
    return FieldError(field + ".std", absl::StrCat("has ", p.std_size(), " values but mean has ",
                                                   p.mean_size()));
  }
  for (int i = 0; i < p.mean_size(); ++i) {
    if (!std::isfinite(p.mean(i))) return FieldError(Indexed(field + ".mean", i), "must be finite");
  }
  for (int i = 0; i < p.std_size(); ++i) {
    if (!std::isfinite(p.std(i)) || !(p.std(i) > 0)) {
      return FieldError(Indexed(field + ".std", i),
                        absl::StrCat("must be finite and > 0, got ", p.std(i)));
    }
  }
  out.mean.assign(p.mean().begin(), p.mean().end());
  out.std.assign(p.std().begin(), p.std().end());
  return out;
}

absl::StatusOr<std::optional<pipeline::DatasetSpec>> TranslateDataset(
    bool present, const v1::DatasetInput& d, const std::vector<std::string>& paths,
    const std::string& field) {
  if (!present && paths.empty()) return std::optional<pipeline::DatasetSpec>();
  if (paths.empty()) {
    return FieldError(field, d.dataset_id().empty()
                                 ? std::string("no local files given for this dataset")
                                 : absl::StrCat("no local files for dataset '", d.dataset_id(),
                                                "'"));
  }
  pipeline::DatasetSpec out;
  out.paths = paths;
  out.max_samples = d.max_samples();
  out.id = d.dataset_id();
  ASSIGN_OR_RETURN(out.preprocessing,
                   TranslatePreprocessing(d.preprocessing(), field + ".preprocessing"));
  return std::optional<pipeline::DatasetSpec>(std::move(out));
}

// Core messages name fields without the prefix ("passes[0].quantize.percentile: ..."); the
// spec file's user needs the full path.
absl::Status Prefixed(const absl::Status& s, const std::string& prefix) {
  if (s.ok() || prefix.empty()) return s;
  return absl::Status(s.code(), absl::StrCat(prefix, ".", s.message()));
}

}  // namespace

absl::StatusOr<eval::EvaluationTarget> TranslateTarget(int target, const std::string& field) {
  switch (target) {
    case v1::EVALUATION_TARGET_HOST: return eval::EvaluationTarget::kHost;
    case v1::EVALUATION_TARGET_AARCH64: return eval::EvaluationTarget::kAarch64Qemu;
    case v1::EVALUATION_TARGET_ARMV7: return eval::EvaluationTarget::kArmv7Qemu;
  }
  return FieldError(field, absl::StrCat("unknown value ", target));
}

v1::EvaluationTarget TargetToProto(eval::EvaluationTarget target) {
  switch (target) {
    case eval::EvaluationTarget::kHost: return v1::EVALUATION_TARGET_HOST;
    case eval::EvaluationTarget::kAarch64Qemu: return v1::EVALUATION_TARGET_AARCH64;
    case eval::EvaluationTarget::kArmv7Qemu: return v1::EVALUATION_TARGET_ARMV7;
  }
  return v1::EVALUATION_TARGET_UNSPECIFIED;
}

absl::StatusOr<passes::QuantizeOptions> TranslateQuantizeSpec(const v1::QuantizeSpec& q,
                                                              const std::string& field) {
  passes::QuantizeOptions o;
  ASSIGN_OR_RETURN(o.mode, TranslateMode(q.mode(), field + ".mode"));
  ASSIGN_OR_RETURN(o.observer, TranslateObserver(q.observer(), field + ".observer"));
  if (q.percentile() != 0.0) {
    if (!std::isfinite(q.percentile()) || q.percentile() <= 0.0 || q.percentile() > 100.0) {
      return FieldError(field + ".percentile",
                        absl::StrCat("must be in (0, 100], got ", q.percentile()));
    }
    o.percentile = q.percentile();
  }
  o.per_tensor = q.per_tensor();
  ASSIGN_OR_RETURN(o.io_type, TranslateIoType(q.io_type(), field + ".io_type"));
  ASSIGN_OR_RETURN(o.keep_float, TranslateLayers(q.keep_float(), field + ".keep_float"));
  ASSIGN_OR_RETURN(o.int16x8_layers, TranslateLayers(q.int16x8_layers(), field + ".int16x8_layers"));
  o.bias_correction = q.bias_correction();
  o.cross_layer_equalization = q.cross_layer_equalization();
  return o;
}

absl::StatusOr<pipeline::PipelineSpec> TranslateJobSpec(const v1::JobSpec& spec,
                                                        const DatasetPaths& paths,
                                                        const std::string& field_prefix) {
  const std::string p = field_prefix.empty() ? "" : field_prefix + ".";
  pipeline::PipelineSpec out;
  if (spec.passes_size() == 0) return FieldError(p + "passes", "at least one pass is required");
  for (int i = 0; i < spec.passes_size(); ++i) {
    const v1::PassSpec& pass = spec.passes(i);
    const std::string f = Indexed(p + "passes", i);
    switch (pass.pass_case()) {
      case v1::PassSpec::kQuantize: {
        ASSIGN_OR_RETURN(passes::QuantizeOptions q,
                         TranslateQuantizeSpec(pass.quantize(), f + ".quantize"));
        out.passes.push_back({q});
        break;
      }
      default:
        return FieldError(f, "exactly one pass (quantize) must be set");
    }
  }
  ASSIGN_OR_RETURN(out.calibration, TranslateDataset(spec.has_calibration(), spec.calibration(),
                                                     paths.calibration, p + "calibration"));
  ASSIGN_OR_RETURN(out.evaluation, TranslateDataset(spec.has_evaluation(), spec.evaluation(),
                                                    paths.evaluation, p + "evaluation"));
  if (spec.evaluation_targets_size() > 0) {
    out.targets.clear();
    std::set<int> seen;
    for (int i = 0; i < spec.evaluation_targets_size(); ++i) {
      const int t = spec.evaluation_targets(i);
      const std::string f = Indexed(p + "evaluation_targets", i);
      ASSIGN_OR_RETURN(eval::EvaluationTarget target, TranslateTarget(t, f));
      if (!seen.insert(t).second) {
        return FieldError(f, absl::StrCat("duplicate ", eval::EvaluationTargetName(target)));
      }
      out.targets.push_back(target);
    }
  }
  RETURN_IF_ERROR(Prefixed(pipeline::ValidatePipelineSpec(out), field_prefix));
  return out;
}

std::string PassesShortName(const v1::JobSpec& spec) {
  std::string out;
  for (const v1::PassSpec& pass : spec.passes()) {
    std::string name = "pass";
    if (pass.has_quantize()) {
      auto mode = TranslateMode(pass.quantize().mode(), "mode");
      name = mode.ok() ? passes::QuantModeName(*mode) : "quantize";
    }
    if (!out.empty()) out += "+";
    out += name;
  }
  return out.empty() ? "out" : out;
}

}  // namespace compressd::worker
