#include "server/api/validation.h"

#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/util/sha256.h"

namespace compressd::server {
namespace {

absl::Status Bad(const std::string& field, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

std::string Idx(const std::string& field, int i) { return absl::StrCat(field, "[", i, "]"); }

bool IdChars(const std::string& s) {
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool LabelKeyOk(const std::string& k) {
  if (k.empty() || k.size() > 63) return false;
  for (char c : k) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                    c == '-' || c == '/';
    if (!ok) return false;
  }
  return true;
}

bool Calibrated(v1::QuantizationMode m) {
  return m == v1::QUANTIZATION_MODE_INT8 || m == v1::QUANTIZATION_MODE_INT16X8;
}

absl::Status ValidateLayerRefs(const google::protobuf::RepeatedPtrField<v1::LayerRef>& refs,
                               const std::string& field) {
  if (refs.size() > kMaxLayerRefs) {
    return Bad(field, absl::StrCat(refs.size(), " entries; at most ", kMaxLayerRefs));
  }
  for (int i = 0; i < refs.size(); ++i) {
    const v1::LayerRef& r = refs[i];
    switch (r.layer_case()) {
      case v1::LayerRef::kTensorName:
        if (r.tensor_name().empty() || r.tensor_name().size() > 1024) {
          return Bad(Idx(field, i) + ".tensor_name", "must have 1..1024 bytes");
        }
        break;
      case v1::LayerRef::kOperatorIndex:
        if (r.operator_index() < 0) {
          return Bad(Idx(field, i) + ".operator_index",
                     absl::StrCat("must be >= 0, got ", r.operator_index()));
        }
        break;
      default:
        return Bad(Idx(field, i), "set tensor_name or operator_index");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateQuantize(const v1::QuantizeSpec& q, const std::string& field) {
  if (q.mode() == v1::QUANTIZATION_MODE_UNSPECIFIED) {
    return Bad(field + ".mode",
               "required (QUANTIZATION_MODE_INT8, QUANTIZATION_MODE_DYNAMIC, "
               "QUANTIZATION_MODE_FLOAT16 or QUANTIZATION_MODE_INT16X8)");
  }
  if (!v1::QuantizationMode_IsValid(q.mode())) {
    return Bad(field + ".mode", absl::StrCat("unknown value ", q.mode()));
  }
  if (!v1::Observer_IsValid(q.observer())) {
    return Bad(field + ".observer", absl::StrCat("unknown value ", q.observer()));
  }
  if (q.percentile() != 0.0) {
    if (!std::isfinite(q.percentile()) || q.percentile() <= 0.0 || q.percentile() > 100.0) {
      return Bad(field + ".percentile", absl::StrCat("must be in (0, 100], got ", q.percentile()));
    }
    if (q.observer() != v1::OBSERVER_PERCENTILE) {
      return Bad(field + ".percentile", "is only used with OBSERVER_PERCENTILE");
    }
  }
  if (!v1::IoType_IsValid(q.io_type())) {
    return Bad(field + ".io_type", absl::StrCat("unknown value ", q.io_type()));
  }
  if ((q.io_type() == v1::IO_TYPE_INT8 || q.io_type() == v1::IO_TYPE_UINT8) &&
      q.mode() != v1::QUANTIZATION_MODE_INT8) {
    return Bad(field + ".io_type", absl::StrCat(v1::IoType_Name(q.io_type()),
                                                " needs QUANTIZATION_MODE_INT8, not ",
                                                v1::QuantizationMode_Name(q.mode())));
  }
  RETURN_IF_ERROR(ValidateLayerRefs(q.keep_float(), field + ".keep_float"));
  RETURN_IF_ERROR(ValidateLayerRefs(q.int16x8_layers(), field + ".int16x8_layers"));
  if (q.int16x8_layers_size() > 0 && q.mode() != v1::QUANTIZATION_MODE_INT8) {
    return Bad(field + ".int16x8_layers", "only with QUANTIZATION_MODE_INT8");
  }
  if (!Calibrated(q.mode())) {
    if (q.bias_correction()) return Bad(field + ".bias_correction", "only with calibrated modes (INT8, INT16X8)");
    if (q.cross_layer_equalization()) {
      return Bad(field + ".cross_layer_equalization", "only with calibrated modes (INT8, INT16X8)");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateDatasetInput(const v1::DatasetInput& d, const std::string& field) {
  RETURN_IF_ERROR(ValidateContentId(d.dataset_id(), field + ".dataset_id"));
  const v1::ImagePreprocessing& p = d.preprocessing();
  const std::string pf = field + ".preprocessing";
  if (!v1::ColorOrder_IsValid(p.color_order())) {
    return Bad(pf + ".color_order", absl::StrCat("unknown value ", p.color_order()));
  }
  if (!v1::PixelScaling_IsValid(p.scaling())) {
    return Bad(pf + ".scaling", absl::StrCat("unknown value ", p.scaling()));
  }
  if (p.scaling() == v1::PIXEL_SCALING_MEAN_STD) {
    if (p.mean_size() == 0 || p.std_size() == 0) {
      return Bad(pf, "PIXEL_SCALING_MEAN_STD needs mean and std");
    }
    if (p.mean_size() != p.std_size()) {
      return Bad(pf + ".std", absl::StrCat("has ", p.std_size(), " values but mean has ",
                                           p.mean_size()));
    }
    if (p.mean_size() > 4) return Bad(pf + ".mean", "at most 4 channels");
    for (int i = 0; i < p.std_size(); ++i) {
      if (!std::isfinite(p.std(i)) || p.std(i) <= 0.0f) {
        return Bad(Idx(pf + ".std", i), absl::StrCat("must be finite and > 0, got ", p.std(i)));
      }
      if (!std::isfinite(p.mean(i))) return Bad(Idx(pf + ".mean", i), "must be finite");
    }
  } else if (p.mean_size() > 0 || p.std_size() > 0) {
    return Bad(pf + ".mean", "mean/std are only used with PIXEL_SCALING_MEAN_STD");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateContentId(const std::string& id, const std::string& field) {
  if (id.empty()) return Bad(field, "required");
  if (!IsSha256Hex(id)) {
    return Bad(field, "must be a 64-character lowercase hex id as returned by the upload");
  }
  return absl::OkStatus();
}

absl::Status ValidateJobId(const std::string& job_id, const std::string& field) {
  if (job_id.empty()) return Bad(field, "required");
  if (job_id.size() > 64 || !IdChars(job_id)) return Bad(field, "malformed job id");
  return absl::OkStatus();
}

absl::Status ValidateWorkerId(const std::string& worker_id, const std::string& field) {
  if (worker_id.empty()) return Bad(field, "required");
  if (worker_id.size() > 128 || !IdChars(worker_id)) {
    return Bad(field, "must have 1..128 characters of [A-Za-z0-9_.:-]");
  }
  return absl::OkStatus();
}

absl::Status ValidateJobSpec(const v1::JobSpec& spec, const std::string& field) {
  if (spec.passes_size() == 0) return Bad(field + ".passes", "at least one pass is required");
  if (spec.passes_size() > kMaxPasses) {
    return Bad(field + ".passes", absl::StrCat(spec.passes_size(), " passes; at most ", kMaxPasses));
  }
  std::string needs_calibration;
  for (int i = 0; i < spec.passes_size(); ++i) {
    const v1::PassSpec& pass = spec.passes(i);
    const std::string pf = Idx(field + ".passes", i);
    switch (pass.pass_case()) {
      case v1::PassSpec::kQuantize:
        RETURN_IF_ERROR(ValidateQuantize(pass.quantize(), pf + ".quantize"));
        if (Calibrated(pass.quantize().mode()) && needs_calibration.empty()) {
          needs_calibration = absl::StrCat(v1::QuantizationMode_Name(pass.quantize().mode()),
                                           " (", pf, ")");
        }
        break;
      default:
        return Bad(pf, "exactly one pass (quantize) must be set");
    }
  }
  if (spec.has_calibration()) {
    RETURN_IF_ERROR(ValidateDatasetInput(spec.calibration(), field + ".calibration"));
  } else if (!needs_calibration.empty()) {
    return Bad(field + ".calibration.dataset_id", absl::StrCat("required by ", needs_calibration));
  }
  if (spec.has_evaluation()) {
    RETURN_IF_ERROR(ValidateDatasetInput(spec.evaluation(), field + ".evaluation"));
  }
  std::set<int> targets;
  for (int i = 0; i < spec.evaluation_targets_size(); ++i) {
    const int t = spec.evaluation_targets(i);
    const std::string tf = Idx(field + ".evaluation_targets", i);
    if (t == v1::EVALUATION_TARGET_UNSPECIFIED || !v1::EvaluationTarget_IsValid(t)) {
      return Bad(tf, absl::StrCat("unknown value ", t));
    }
    if (!targets.insert(t).second) {
      return Bad(tf, absl::StrCat("duplicate ", v1::EvaluationTarget_Name(
                                                    static_cast<v1::EvaluationTarget>(t))));
    }
  }
  if (spec.labels_size() > kMaxLabels) {
    return Bad(field + ".labels", absl::StrCat(spec.labels_size(), " labels; at most ", kMaxLabels));
  }
  for (const auto& [k, v] : spec.labels()) {
    if (!LabelKeyOk(k)) {
      return Bad(absl::StrCat(field, ".labels[\"", k.substr(0, 64), "\"]"),
                 "keys have 1..63 characters of [a-z0-9_.-/]");
    }
    if (v.size() > 256) {
      return Bad(absl::StrCat(field, ".labels[\"", k, "\"]"), "values have at most 256 bytes");
    }
  }
  if (spec.timeout_seconds() > 86400) {
    return Bad(field + ".timeout_seconds",
               absl::StrCat("at most 86400, got ", spec.timeout_seconds()));
  }
  return absl::OkStatus();
}

absl::Status ValidateSubmitJobRequest(const v1::SubmitJobRequest& req) {
  RETURN_IF_ERROR(ValidateContentId(req.model_id(), "model_id"));
  if (!req.has_spec()) return Bad("spec", "required");
  RETURN_IF_ERROR(ValidateJobSpec(req.spec(), "spec"));
  if (req.idempotency_key().size() > 128 || !IdChars(req.idempotency_key())) {
    return Bad("idempotency_key", "at most 128 characters of [A-Za-z0-9_.:-]");
  }
  if (req.priority() < 0 || req.priority() > kMaxPriority) {
    return Bad("priority", absl::StrCat("must be in 0..", kMaxPriority, ", got ", req.priority()));
  }
  return absl::OkStatus();
}

absl::Status ValidateUploadMetadata(const std::string& name, uint64_t size_bytes,
                                    const std::string& sha256, uint64_t offset,
                                    const std::string& field) {
  if (name.empty() || name.size() > 256) return Bad(field + ".name", "must have 1..256 bytes");
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20) return Bad(field + ".name", "control characters");
  }
  if (size_bytes == 0) return Bad(field + ".size_bytes", "required (> 0)");
  if (sha256.empty()) {
    // Streamed hash: the digest follows in the trailer; there is no session to resume.
    if (offset != 0) {
      return Bad(field + ".offset",
                 "must be 0 when sha256 is empty (a streamed-hash upload cannot resume)");
    }
  } else if (!IsSha256Hex(sha256)) {
    return Bad(field + ".sha256", "must be 64 lowercase hex characters (or empty: trailer)");
  }
  if (offset > size_bytes) {
    return Bad(field + ".offset",
               absl::StrCat(offset, " is beyond size_bytes ", size_bytes));
  }
  return absl::OkStatus();
}

absl::Status ValidateChunk(const v1::DataChunk& chunk, const std::string& field) {
  if (chunk.data().empty() || chunk.data().size() > kMaxChunkBytes) {
    return Bad(field + ".data", absl::StrCat(chunk.data().size(), " bytes; chunks hold 1..",
                                             kMaxChunkBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status ValidateListJobsRequest(const v1::ListJobsRequest& req) {
  for (int i = 0; i < req.states_size(); ++i) {
    const int s = req.states(i);
    if (s == v1::JOB_STATE_UNSPECIFIED || !v1::JobState_IsValid(s)) {
      return Bad(Idx("states", i), absl::StrCat("unknown value ", s));
    }
  }
  for (const auto& [k, v] : req.labels()) {
    if (!LabelKeyOk(k)) return Bad("labels", absl::StrCat("bad key '", k.substr(0, 64), "'"));
  }
  if (req.page_size() > kMaxPageSize) {
    return Bad("page_size", absl::StrCat("at most ", kMaxPageSize, ", got ", req.page_size()));
  }
  if (req.view() == v1::JOB_VIEW_FULL) return Bad("view", "JOB_VIEW_FULL is only for GetJob");
  if (!v1::JobView_IsValid(req.view())) return Bad("view", absl::StrCat("unknown value ", req.view()));
  if (req.tenant().size() > 63) return Bad("tenant", "at most 63 characters");
  return absl::OkStatus();
}

absl::Status ValidateLeaseJobRequest(const v1::LeaseJobRequest& req) {
  RETURN_IF_ERROR(ValidateWorkerId(req.worker_id()));
  if (req.wait_ms() > kMaxWaitMs) {
    return Bad("wait_ms", absl::StrCat("at most ", kMaxWaitMs, ", got ", req.wait_ms()));
  }
  for (int i = 0; i < req.capabilities().targets_size(); ++i) {
    const int t = req.capabilities().targets(i);
    if (t == v1::EVALUATION_TARGET_UNSPECIFIED || !v1::EvaluationTarget_IsValid(t)) {
      return Bad(Idx("capabilities.targets", i), absl::StrCat("unknown value ", t));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateHeartbeatRequest(const v1::HeartbeatRequest& req) {
  RETURN_IF_ERROR(ValidateJobId(req.job_id()));
  if (req.attempt() == 0) return Bad("attempt", "required (the lease's attempt)");
  RETURN_IF_ERROR(ValidateWorkerId(req.worker_id()));
  const double f = req.progress().fraction();
  if (!std::isfinite(f) || f < 0.0 || f > 1.0) {
    return Bad("progress.fraction", absl::StrCat("must be in [0, 1], got ", f));
  }
  if (req.progress().message().size() > 1024) return Bad("progress.message", "at most 1024 bytes");
  if (req.progress().pass_name().size() > 128) return Bad("progress.pass_name", "at most 128 bytes");
  return absl::OkStatus();
}

absl::Status ValidateCompleteJobHeader(const v1::CompleteJobHeader& h) {
  RETURN_IF_ERROR(ValidateJobId(h.job_id(), "header.job_id"));
  if (h.attempt() == 0) return Bad("header.attempt", "required (the lease's attempt)");
  RETURN_IF_ERROR(ValidateWorkerId(h.worker_id(), "header.worker_id"));
  if (!h.has_report()) return Bad("header.report", "required");
  int models = 0, logs = 0;
  for (int i = 0; i < h.artifacts_size(); ++i) {
    const v1::ArtifactRef& a = h.artifacts(i);
    const std::string af = Idx("header.artifacts", i);
    if (a.kind() == v1::ARTIFACT_KIND_MODEL) {
      ++models;
      if (a.size_bytes() == 0) return Bad(af + ".size_bytes", "a model cannot be empty");
    } else if (a.kind() == v1::ARTIFACT_KIND_LOG) {
      ++logs;
    } else {
      return Bad(af + ".kind", "must be ARTIFACT_KIND_MODEL or ARTIFACT_KIND_LOG");
    }
    if (a.name().empty() || a.name().size() > 256 || a.name().find('/') != std::string::npos) {
      return Bad(af + ".name", "must have 1..256 bytes and no '/'");
    }
    if (!IsSha256Hex(a.sha256())) return Bad(af + ".sha256", "must be 64 lowercase hex characters");
  }
  if (models != 1) {
    return Bad("header.artifacts", absl::StrCat("exactly one ARTIFACT_KIND_MODEL is required, got ",
                                                models));
  }
  if (logs > 1) return Bad("header.artifacts", "at most one ARTIFACT_KIND_LOG");
  return absl::OkStatus();
}

absl::Status ValidateFailJobRequest(const v1::FailJobRequest& req) {
  RETURN_IF_ERROR(ValidateJobId(req.job_id()));
  if (req.attempt() == 0) return Bad("attempt", "required (the lease's attempt)");
  RETURN_IF_ERROR(ValidateWorkerId(req.worker_id()));
  if (req.kind() == v1::FAILURE_KIND_UNSPECIFIED || req.kind() == v1::FAILURE_KIND_LEASE_EXPIRED ||
      !v1::FailureKind_IsValid(req.kind())) {
    return Bad("kind", absl::StrCat("must be a FailureKind other than UNSPECIFIED and "
                                    "LEASE_EXPIRED, got ", req.kind()));
  }
  return absl::OkStatus();
}

std::string RequestFingerprint(const v1::SubmitJobRequest& req) {
  v1::SubmitJobRequest copy = req;
  copy.clear_idempotency_key();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    copy.SerializeToCodedStream(&coded);
  }
  return Sha256Hex(bytes);
}

}  // namespace compressd::server
