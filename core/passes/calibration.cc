#include "core/passes/calibration.h"

#include <cmath>
#include <memory>
#include <span>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/interp/interpreter.h"
#include "core/passes/observer_factory.h"

namespace compressd::passes {
namespace {

std::span<const float> FloatValues(const kernels::TensorView& t) {
  if (t.type != ir::DataType::kFloat32 || t.data == nullptr) return {};
  return {static_cast<const float*>(t.data), static_cast<size_t>(t.bytes) / sizeof(float)};
}

}  // namespace

absl::StatusOr<TensorRanges> CalibrateRanges(const ir::Model& model, const CalibrationSet& set,
                                             const QuantizeOptions& options, int bits,
                                             int num_threads) {
  if (set.samples.empty()) {
    return absl::InvalidArgumentError("calibration set is empty: full-integer quantization needs "
                                      "at least one sample of the model's inputs");
  }
  interp::InterpreterOptions iopts;
  iopts.num_threads = num_threads;
  ASSIGN_OR_RETURN(std::unique_ptr<interp::Interpreter> interpreter,
                   interp::Interpreter::Create(model, iopts));
  const size_t num_tensors = model.subgraphs[0].tensors.size();
  std::vector<std::unique_ptr<quant::RangeObserver>> observers(num_tensors);
  // Per-channel sums and counts (finite values only) for TensorRanges::channel_means.
  std::vector<std::vector<double>> sums(num_tensors);
  std::vector<std::vector<uint64_t>> counts(num_tensors);
  auto observe = [&](int32_t index, std::span<const float> values,
                     int64_t channels) -> absl::Status {
    if (index < 0 || static_cast<size_t>(index) >= num_tensors || values.empty()) {
      return absl::OkStatus();
    }
    auto& obs = observers[static_cast<size_t>(index)];
    if (obs == nullptr) {
      ASSIGN_OR_RETURN(obs, MakeObserver(options, bits));
    }
    obs->Observe(values);
    if (channels < 1 || values.size() % static_cast<size_t>(channels) != 0) channels = 1;
    auto& sum = sums[static_cast<size_t>(index)];
    auto& count = counts[static_cast<size_t>(index)];
    sum.resize(static_cast<size_t>(channels), 0.0);
    count.resize(static_cast<size_t>(channels), 0);
    const size_t c = static_cast<size_t>(channels);
    for (size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i])) continue;
      sum[i % c] += values[i];
      ++count[i % c];
    }
    return absl::OkStatus();
  };
  auto channels_of = [](const kernels::TensorView& v) -> int64_t {
    return v.shape.rank() > 0 ? v.shape.dim(v.shape.rank() - 1) : 1;
  };

  absl::Status observer_status;
  interpreter->SetObserver([&](const interp::OperatorEvent& e) {
    for (size_t k = 0; k < e.outputs.size() && observer_status.ok(); ++k) {
      if (e.outputs[k] != nullptr) {
        observer_status = observe(e.output_tensor_indices[k], FloatValues(*e.outputs[k]),
                                  channels_of(*e.outputs[k]));
      }
    }
  });

  const std::vector<int32_t>& inputs = model.subgraphs[0].inputs;
  for (size_t s = 0; s < set.samples.size(); ++s) {
    const auto& sample = set.samples[s];
    if (sample.size() != static_cast<size_t>(interpreter->num_inputs())) {
      return absl::InvalidArgumentError(
          absl::StrCat("calibration sample ", s, " has ", sample.size(), " inputs; the model has ",
                       interpreter->num_inputs()));
    }
    for (size_t i = 0; i < sample.size(); ++i) {
      const absl::Status st = interpreter->SetInput(static_cast<int>(i), sample[i]);
      if (!st.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("calibration sample ", s, ", input ", i,
                                                       " ('", interpreter->input_name(
                                                           static_cast<int>(i)),
                                                       "'): ", st.message()));
      }
      const kernels::TensorView& in = interpreter->input(static_cast<int>(i));
      RETURN_IF_ERROR(observe(inputs[i], FloatValues(in), channels_of(in)));
    }
    RETURN_IF_ERROR(interpreter->Invoke());
    RETURN_IF_ERROR(observer_status);
  }
  // Constants, including those folded at preparation, are observed once.
  for (int t = 0; t < interpreter->num_tensors() && static_cast<size_t>(t) < num_tensors; ++t) {
    const kernels::TensorView& view = interpreter->tensor(t);
    if (view.is_constant && observers[static_cast<size_t>(t)] == nullptr) {
      RETURN_IF_ERROR(observe(t, FloatValues(view), channels_of(view)));
    }
  }

  TensorRanges result;
  result.samples = static_cast<uint32_t>(set.samples.size());
  result.ranges.resize(num_tensors);
  result.channel_means.resize(num_tensors);
  for (size_t t = 0; t < num_tensors; ++t) {
    if (observers[t] == nullptr) continue;
    auto& means = result.channel_means[t];
    means.resize(sums[t].size(), 0.0);
    for (size_t c = 0; c < sums[t].size(); ++c) {
      means[c] = counts[t][c] > 0 ? sums[t][c] / static_cast<double>(counts[t][c]) : 0.0;
    }
    result.non_finite_values += observers[t]->skipped_values();
    auto range = observers[t]->GetRange();
    if (range.ok()) result.ranges[t] = *range;
  }
  return result;
}

}  // namespace compressd::passes
