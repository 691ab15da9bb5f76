#include "core/eval/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace compressd::eval {

const char* EvaluationTargetName(EvaluationTarget target) {
  switch (target) {
    case EvaluationTarget::kHost: return "host";
    case EvaluationTarget::kAarch64Qemu: return "aarch64-qemu";
    case EvaluationTarget::kArmv7Qemu: return "armv7-qemu";
  }
  return "unknown";
}

namespace {

void WriteParams(const std::vector<ParamCount>& params, JsonWriter& w) {
  w.BeginArray();
  for (const ParamCount& p : params) {
    w.BeginObject();
    w.Key("dtype");
    w.String(p.dtype);
    w.Key("count");
    w.Uint(p.count);
    w.Key("bytes");
    w.Uint(p.bytes);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

void WriteReportJson(const CompressionReport& r, JsonWriter& w) {
  w.BeginObject();
  w.Key("size");
  w.BeginObject();
  w.Key("bytes_before");
  w.Uint(r.size.bytes_before);
  w.Key("bytes_after");
  w.Uint(r.size.bytes_after);
  w.Key("zstd_bytes_before");
  w.Uint(r.size.zstd_bytes_before);
  w.Key("zstd_bytes_after");
  w.Uint(r.size.zstd_bytes_after);
  w.EndObject();
  w.Key("params_before");
  WriteParams(r.params_before, w);
  w.Key("params_after");
  WriteParams(r.params_after, w);
  w.Key("outputs");
  w.BeginArray();
  for (const OutputMetrics& o : r.outputs) {
    w.BeginObject();
    w.Key("tensor_name");
    w.String(o.tensor_name);
    w.Key("output_index");
    w.Uint(o.output_index);
    w.Key("target");
    w.String(EvaluationTargetName(o.target));
    w.Key("sqnr_db");
    w.Double(o.sqnr_db);
    w.Key("max_abs_error");
    w.Double(o.max_abs_error);
    w.Key("cosine_similarity");
    w.Double(o.cosine_similarity);
    if (o.top1_agreement) {
      w.Key("top1_agreement");
      w.Double(*o.top1_agreement);
    }
    w.Key("samples");
    w.Uint(o.samples);
    w.EndObject();
  }
  w.EndArray();
  w.Key("tensors");
  w.BeginArray();
  for (const TensorMetrics& t : r.tensors) {
    w.BeginObject();
    w.Key("tensor_name");
    w.String(t.tensor_name);
    w.Key("subgraph");
    w.Uint(t.subgraph);
    w.Key("tensor_index");
    w.Uint(t.tensor_index);
    w.Key("dtype");
    w.String(t.dtype);
    w.Key("sqnr_db_isolated");
    w.Double(t.sqnr_db_isolated);
    w.Key("sqnr_db_accumulated");
    w.Double(t.sqnr_db_accumulated);
    w.EndObject();
  }
  w.EndArray();
  w.Key("kept_float");
  w.BeginArray();
  for (const KeptFloatOp& k : r.kept_float) {
    w.BeginObject();
    w.Key("subgraph");
    w.Uint(k.subgraph);
    w.Key("operator_index");
    w.Uint(k.operator_index);
    w.Key("op_name");
    w.String(k.op_name);
    w.Key("output_tensor");
    w.String(k.output_tensor);
    w.Key("reason");
    w.String(k.reason);
    w.EndObject();
  }
  w.EndArray();
  if (r.calibration) {
    const CalibrationInfo& c = *r.calibration;
    w.Key("calibration");
    w.BeginObject();
    w.Key("observer");
    w.String(c.observer);
    w.Key("percentile");
    w.Double(c.percentile);
    w.Key("samples");
    w.Uint(c.samples);
    w.Key("dataset_id");
    w.String(c.dataset_id);
    w.Key("bias_correction");
    w.Bool(c.bias_correction);
    w.Key("cross_layer_equalization");
    w.Bool(c.cross_layer_equalization);
    w.EndObject();
  }
  w.Key("passes");
  w.BeginArray();
  for (const PassReport& p : r.passes) {
    w.BeginObject();
    w.Key("name");
    w.String(p.name);
    w.Key("seconds");
    w.Double(p.seconds);
    w.Key("summary");
    w.String(p.summary);
    w.EndObject();
  }
  w.EndArray();
  w.Key("warnings");
  w.BeginArray();
  for (const auto& s : r.warnings) w.String(s);
  w.EndArray();
  w.Key("compressd_version");
  w.String(r.compressd_version);
  w.EndObject();
}

std::string FormatReportSummary(const CompressionReport& r) {
  std::string out = absl::StrFormat(
      "size: %d → %d bytes (%.3f×)", r.size.bytes_before, r.size.bytes_after,
      r.size.bytes_before ? static_cast<double>(r.size.bytes_after) / r.size.bytes_before : 0.0);
  if (r.size.zstd_bytes_before > 0) {
    absl::StrAppend(&out, absl::StrFormat("; zstd %d → %d bytes", r.size.zstd_bytes_before,
                                          r.size.zstd_bytes_after));
  }
  absl::StrAppend(&out, "\n");
  for (const OutputMetrics& o : r.outputs) {
    absl::StrAppend(&out, absl::StrFormat("output %d '%s' (%s): SQNR %.2f dB, max |err| %.4g, "
                                          "cosine %.6f",
                                          o.output_index, o.tensor_name,
                                          EvaluationTargetName(o.target), o.sqnr_db,
                                          o.max_abs_error, o.cosine_similarity));
    if (o.top1_agreement) absl::StrAppend(&out, absl::StrFormat(", top-1 %.4f", *o.top1_agreement));
    absl::StrAppend(&out, "\n");
  }
  if (!r.kept_float.empty()) {
    absl::StrAppend(&out, r.kept_float.size(), " operator(s) kept in float\n");
  }
  for (const auto& w : r.warnings) absl::StrAppend(&out, "warning: ", w, "\n");
  return out;
}

}  // namespace compressd::eval
