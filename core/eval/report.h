// The compression report: what a job returns beside the compressed model. Mirrors
// proto compressd.v1.CompressionReport field by field (worker/ translates); also written as JSON
// (`compressctl quantize --report`, `compressctl compress --report`).
#ifndef COMPRESSD_CORE_EVAL_REPORT_H_
#define COMPRESSD_CORE_EVAL_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/json_writer.h"

namespace compressd::eval {

struct SizeReport {
  uint64_t bytes_before = 0;
  uint64_t bytes_after = 0;
  uint64_t zstd_bytes_before = 0;  // 0 when not measured
  uint64_t zstd_bytes_after = 0;
};

struct ParamCount {
  std::string dtype;
  uint64_t count = 0;
  uint64_t bytes = 0;
};

// Where a model was evaluated.
enum class EvaluationTarget { kHost = 0, kAarch64Qemu = 1, kArmv7Qemu = 2 };

struct OutputMetrics {
  std::string tensor_name;
  uint32_t output_index = 0;
  EvaluationTarget target = EvaluationTarget::kHost;
  double sqnr_db = 0;  // +inf (written as null) when identical
  double max_abs_error = 0;
  double cosine_similarity = 0;
  std::optional<double> top1_agreement;  // classifier-like outputs only
  uint32_t samples = 0;
};

struct TensorMetrics {
  std::string tensor_name;
  uint32_t subgraph = 0;
  uint32_t tensor_index = 0;
  std::string dtype;
  double sqnr_db_isolated = 0;
  double sqnr_db_accumulated = 0;
};

struct KeptFloatOp {
  uint32_t subgraph = 0;
  uint32_t operator_index = 0;
  std::string op_name;
  std::string output_tensor;
  std::string reason;
};

struct CalibrationInfo {
  std::string observer;
  double percentile = 0;
  uint32_t samples = 0;
  std::string dataset_id;
  bool bias_correction = false;
  bool cross_layer_equalization = false;
};

struct PassReport {
  std::string name;
  double seconds = 0;
  std::string summary;
};

struct CompressionReport {
  SizeReport size;
  std::vector<ParamCount> params_before;
  std::vector<ParamCount> params_after;
  std::vector<OutputMetrics> outputs;
  std::vector<TensorMetrics> tensors;
  std::vector<KeptFloatOp> kept_float;
  std::optional<CalibrationInfo> calibration;
  std::vector<PassReport> passes;
  std::vector<std::string> warnings;
  std::string compressd_version;
};

const char* EvaluationTargetName(EvaluationTarget target);
void WriteReportJson(const CompressionReport& report, JsonWriter& w);
// A few lines for terminals: sizes, ratio, per-output SQNR.
std::string FormatReportSummary(const CompressionReport& report);

}  // namespace compressd::eval

#endif  // COMPRESSD_CORE_EVAL_REPORT_H_
