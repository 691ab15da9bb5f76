// A structural summary of a model: what `compressctl inspect` prints and what the service returns
// for an uploaded model.
#ifndef COMPRESSD_CORE_EVAL_MODEL_SUMMARY_H_
#define COMPRESSD_CORE_EVAL_MODEL_SUMMARY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/base/json_writer.h"
#include "core/ir/model.h"

namespace compressd::eval {

struct TensorInfo {
  std::string name;
  ir::DataType type = ir::DataType::kFloat32;
  std::vector<int32_t> shape;
  bool quantized = false;
};

struct DtypeStats {
  int64_t tensors = 0;     // constant tensors of this type
  int64_t parameters = 0;  // their elements
  int64_t bytes = 0;       // their buffer bytes
};

struct ModelSummary {
  int64_t file_bytes = 0;  // 0 when unknown
  int subgraphs = 0;
  std::vector<TensorInfo> inputs;   // of subgraph 0
  std::vector<TensorInfo> outputs;  // of subgraph 0
  int64_t tensors = 0;              // all subgraphs
  int64_t operators = 0;
  std::map<std::string, int64_t> op_histogram;  // operator name → count
  std::map<std::string, DtypeStats> constants_by_dtype;
  int64_t parameters = 0;  // elements of all constant tensors
  int64_t constant_bytes = 0;
  bool has_quantization = false;  // any tensor with quantization scales
  // Float scale values the file must hold: the lengths of the distinct scale vectors of all
  // tensors (identical vectors can be stored once). With constant_bytes, the smallest a TFLite
  // file of this model can be before its graph: constant_bytes + 4 * distinct_scale_values.
  int64_t distinct_scale_values = 0;
  std::vector<std::string> custom_ops;     // distinct custom op names
  std::vector<std::string> metadata_keys;  // Model.metadata names
  std::vector<std::string> signature_keys;
};

ModelSummary Summarize(const ir::Model& model, int64_t file_bytes = 0);

void WriteSummaryJson(const ModelSummary& summary, JsonWriter& w);
// Human-readable multi-line text.
std::string FormatSummary(const ModelSummary& summary);

}  // namespace compressd::eval

#endif  // COMPRESSD_CORE_EVAL_MODEL_SUMMARY_H_
