#include "core/data/input_spec.h"

#include <limits>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace compressd::data {

absl::StatusOr<std::vector<InputSpec>> InputSpecsFromModel(const ir::Model& model,
                                                           int subgraph_index) {
  if (subgraph_index < 0 || static_cast<size_t>(subgraph_index) >= model.subgraphs.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "subgraph ", subgraph_index, " does not exist (model has ", model.subgraphs.size(), ")"));
  }
  const ir::Subgraph& sg = model.subgraphs[subgraph_index];
  std::vector<InputSpec> specs;
  for (size_t i = 0; i < sg.inputs.size(); ++i) {
    const int32_t t = sg.inputs[i];
    if (t < 0 || static_cast<size_t>(t) >= sg.tensors.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("input ", i, " refers to tensor ", t, ", which does not exist"));
    }
    const ir::Tensor& tensor = sg.tensors[t];
    InputSpec spec;
    spec.name = tensor.name;
    spec.type = tensor.type;
    spec.shape = tensor.shape;
    const std::optional<ir::QuantParams>& q = tensor.quantization;
    if (q && q->scale.size() == 1 && q->zero_point.size() <= 1) {
      const int64_t zp = q->zero_point.empty() ? 0 : q->zero_point[0];
      if (zp >= std::numeric_limits<int32_t>::min() && zp <= std::numeric_limits<int32_t>::max()) {
        spec.scale = q->scale[0];
        spec.zero_point = static_cast<int32_t>(zp);
      }
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace compressd::data
