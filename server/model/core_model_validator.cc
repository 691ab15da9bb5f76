// The ModelValidator backed by the core loader. It runs tflite::ReadModelView: the same checks as
// ReadModel (verifier, limits, every semantic invariant) without copying the constant buffers, so
// validating a large model costs little more than walking its flatbuffer tables.
#include <string>

#include "absl/strings/str_cat.h"
#include "core/ir/data_type.h"
#include "core/ir/model.h"
#include "core/tflite/model_reader.h"
#include "server/model/model_validator.h"

namespace compressd::server {
namespace {

v1::TensorSummary Summarize(const ir::Tensor& t) {
  v1::TensorSummary s;
  s.set_name(t.name);
  const std::string_view dtype = ir::DataTypeName(t.type);
  s.set_dtype(std::string(dtype));
  if (t.shape_signature.has_value()) {
    for (int32_t d : *t.shape_signature) s.add_shape(d);
  } else {
    for (int32_t d : t.shape) s.add_shape(d);
  }
  return s;
}

class CoreModelValidator final : public ModelValidator {
 public:
  explicit CoreModelValidator(int64_t max_model_bytes) { limits_.max_model_bytes = max_model_bytes; }

  absl::StatusOr<v1::ModelSummary> Validate(std::span<const uint8_t> bytes) override {
    absl::StatusOr<tflite::ModelView> view = tflite::ReadModelView(bytes, limits_);
    if (!view.ok()) return view.status();
    const ir::Model* model = &view->model;
    v1::ModelSummary summary;
    summary.set_subgraph_count(static_cast<uint32_t>(model->subgraphs.size()));
    uint64_t ops = 0, tensors = 0;
    for (const ir::Subgraph& sg : model->subgraphs) {
      ops += sg.operators.size();
      tensors += sg.tensors.size();
    }
    summary.set_operator_count(static_cast<uint32_t>(ops));
    summary.set_tensor_count(static_cast<uint32_t>(tensors));
    if (!model->subgraphs.empty()) {
      const ir::Subgraph& sg = model->subgraphs[0];
      // The reader guarantees the indices are in range.
      for (int32_t i : sg.inputs) {
        if (i >= 0 && static_cast<size_t>(i) < sg.tensors.size()) {
          *summary.add_inputs() = Summarize(sg.tensors[i]);
        }
      }
      for (int32_t i : sg.outputs) {
        if (i >= 0 && static_cast<size_t>(i) < sg.tensors.size()) {
          *summary.add_outputs() = Summarize(sg.tensors[i]);
        }
      }
    }
    return summary;
  }

 private:
  tflite::LoadLimits limits_;
};

}  // namespace

std::unique_ptr<ModelValidator> NewDefaultModelValidator(int64_t max_model_bytes) {
  return std::make_unique<CoreModelValidator>(max_model_bytes);
}

bool DefaultModelValidatorIsComplete() { return true; }

}  // namespace compressd::server
