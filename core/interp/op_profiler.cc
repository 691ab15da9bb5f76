#include "core/interp/op_profiler.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/tflite/op_names.h"

namespace compressd::interp {

OpProfiler::OpProfiler(const ir::Model& model) : model_(model) {
  const ir::Subgraph& sg = model.subgraphs.at(0);
  per_operator_ms_.assign(sg.operators.size(), 0.0);
  kinds_.reserve(sg.operators.size());
  for (const ir::Operator& op : sg.operators) {
    std::string kind = tflite::OperatorName(model, op);
    for (int32_t in : op.inputs) {
      if (in < 0 || static_cast<size_t>(in) >= sg.tensors.size()) continue;
      absl::StrAppend(&kind, " ", ir::DataTypeName(sg.tensors[static_cast<size_t>(in)].type));
      break;
    }
    kinds_.push_back(std::move(kind));
  }
}

void OpProfiler::Attach(Interpreter& interpreter) {
  interpreter.SetObserver([this](const OperatorEvent& e) { OnOperator(e); });
}

void OpProfiler::BeginInvoke() {
  ++invocations_;
  last_ = std::chrono::steady_clock::now();
}

void OpProfiler::OnOperator(const OperatorEvent& event) {
  const auto now = std::chrono::steady_clock::now();
  if (event.operator_index >= 0 &&
      static_cast<size_t>(event.operator_index) < per_operator_ms_.size()) {
    per_operator_ms_[static_cast<size_t>(event.operator_index)] +=
        std::chrono::duration<double, std::milli>(now - last_).count();
  }
  last_ = now;
}

std::vector<OpTime> OpProfiler::Slowest(int count) const {
  const ir::Subgraph& sg = model_.subgraphs.at(0);
  std::vector<OpTime> all;
  all.reserve(per_operator_ms_.size());
  for (size_t i = 0; i < per_operator_ms_.size(); ++i) {
    all.push_back({static_cast<int>(i), "", per_operator_ms_[i]});
  }
  const size_t n = std::min(all.size(), static_cast<size_t>(std::max(count, 0)));
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                    [](const OpTime& a, const OpTime& b) { return a.total_ms > b.total_ms; });
  all.resize(n);
  auto shapes = [&sg](const std::vector<int32_t>& ids) {
    std::string out;
    for (int32_t id : ids) {
      if (id < 0 || static_cast<size_t>(id) >= sg.tensors.size()) continue;
      absl::StrAppend(&out, out.empty() ? "[" : " x [",
                      absl::StrJoin(sg.tensors[static_cast<size_t>(id)].shape, ","), "]");
    }
    return out;
  };
  for (OpTime& t : all) {
    const ir::Operator& op = sg.operators[static_cast<size_t>(t.operator_index)];
    t.description = absl::StrCat(kinds_[static_cast<size_t>(t.operator_index)], " ",
                                 shapes(op.inputs), " -> ", shapes(op.outputs));
  }
  return all;
}

std::vector<OpKindTime> OpProfiler::ByKind() const {
  std::map<std::string, OpKindTime> by_kind;
  for (size_t i = 0; i < per_operator_ms_.size(); ++i) {
    OpKindTime& k = by_kind[kinds_[i]];
    k.kind = kinds_[i];
    ++k.operators;
    k.total_ms += per_operator_ms_[i];
  }
  std::vector<OpKindTime> out;
  for (auto& [name, k] : by_kind) out.push_back(k);
  std::sort(out.begin(), out.end(),
            [](const OpKindTime& a, const OpKindTime& b) { return a.total_ms > b.total_ms; });
  return out;
}

}  // namespace compressd::interp
