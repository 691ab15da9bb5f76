#include "core/pipeline/model_evaluation.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/eval/tensor_comparison.h"
#include "core/interp/input_fill.h"
#include "core/interp/interpreter.h"
#include "core/ir/data_type.h"

namespace compressd::pipeline {
namespace {

using kernels::TensorView;

// Per-tensor affine parameters of an integer tensor, or nullopt (float, per-channel, none).
struct Affine {
  float scale;
  int64_t zero_point;
};
std::optional<Affine> PerTensorAffine(const TensorView& t) {
  if (t.quant == nullptr || t.quant->scale.size() != 1) return std::nullopt;
  return Affine{t.quant->scale[0], t.quant->zero_point.empty() ? 0 : t.quant->zero_point[0]};
}

bool IsIntegerType(ir::DataType t) {
  return t == ir::DataType::kInt8 || t == ir::DataType::kUInt8 || t == ir::DataType::kInt16;
}

// `t` as float values: float32 copied, per-tensor quantized integers dequantized. False for
// other types.
bool ToFloat(const TensorView& t, std::vector<float>& out) {
  const int64_t n = t.shape.FlatSize();
  out.resize(static_cast<size_t>(n));
  if (t.data == nullptr) return false;
  if (t.type == ir::DataType::kFloat32) {
    std::memcpy(out.data(), t.data, static_cast<size_t>(n) * sizeof(float));
    return true;
  }
  const std::optional<Affine> a = PerTensorAffine(t);
  if (!a || !IsIntegerType(t.type)) return false;
  for (int64_t i = 0; i < n; ++i) {
    int64_t q = 0;
    switch (t.type) {
      case ir::DataType::kInt8: q = t.data_as<const int8_t>()[i]; break;
      case ir::DataType::kUInt8: q = t.data_as<const uint8_t>()[i]; break;
      default: q = t.data_as<const int16_t>()[i]; break;
    }
    out[static_cast<size_t>(i)] = static_cast<float>(static_cast<double>(a->scale) *
                                                     static_cast<double>(q - a->zero_point));
  }
  return true;
}

// Rounds values to the integer grid of (type, affine) and back, as QUANTIZE then DEQUANTIZE.
void RoundTrip(std::span<const float> in, ir::DataType type, const Affine& a,
               std::vector<float>& out) {
  int64_t lo = -128, hi = 127;
  if (type == ir::DataType::kUInt8) lo = 0, hi = 255;
  if (type == ir::DataType::kInt16) lo = -32768, hi = 32767;
  out.resize(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const double q = std::clamp<double>(std::round(in[i] / a.scale) + a.zero_point,
                                        static_cast<double>(lo), static_cast<double>(hi));
    out[i] = static_cast<float>(a.scale * (q - static_cast<double>(a.zero_point)));
  }
}

// Fills candidate input `i` from a float (or same-typed) sample of the reference input.
absl::Status SetCandidateInput(interp::Interpreter& interp, int i, const data::TensorData& s) {
  const TensorView& in = interp.input(i);
  if (in.type == s.type) return interp.SetInput(i, s.bytes);
  const std::optional<Affine> a = PerTensorAffine(in);
  if (s.type != ir::DataType::kFloat32 || !IsIntegerType(in.type) || !a) {
    return absl::InvalidArgumentError(absl::StrCat(
        "candidate input ", i, " is ", ir::DataTypeName(in.type), "; samples are ",
        ir::DataTypeName(s.type)));
  }
  const std::span<const float> values = s.values<float>();
  std::span<uint8_t> dst = interp.mutable_input(i);
  if (static_cast<int64_t>(values.size()) != in.shape.FlatSize()) {
    return absl::InvalidArgumentError(absl::StrCat("sample for input ", i, " has ", values.size(),
                                                   " elements; the input needs ",
                                                   in.shape.FlatSize()));
  }
  std::vector<float> rounded;
  RoundTrip(values, in.type, *a, rounded);
  for (size_t k = 0; k < values.size(); ++k) {
    const auto q = static_cast<int64_t>(std::lround(rounded[k] / a->scale)) + a->zero_point;
    switch (in.type) {
      case ir::DataType::kInt8: reinterpret_cast<int8_t*>(dst.data())[k] = static_cast<int8_t>(q); break;
      case ir::DataType::kUInt8: dst[k] = static_cast<uint8_t>(q); break;
      default: reinterpret_cast<int16_t*>(dst.data())[k] = static_cast<int16_t>(q); break;
    }
  }
  return absl::OkStatus();
}

// Classifier-like outputs (produced by SOFTMAX / LOG_SOFTMAX) get top-1 agreement.
int64_t ClassesOf(const ir::Model& m, int output_index) {
  const ir::Subgraph& sg = m.subgraphs[0];
  const int32_t t = sg.outputs[static_cast<size_t>(output_index)];
  for (const ir::Operator& op : sg.operators) {
    if (std::find(op.outputs.begin(), op.outputs.end(), t) == op.outputs.end()) continue;
    const ir::BuiltinOp code = ir::EffectiveBuiltinCode(m.operator_codes[op.opcode_index]);
    if (code != ir::BuiltinOp::kSoftmax && code != ir::BuiltinOp::kLogSoftmax) return 0;
    const auto& shape = sg.tensors[static_cast<size_t>(t)].shape;
    return shape.empty() ? 0 : shape.back();
  }
  return 0;
}

}  // namespace

absl::StatusOr<std::vector<data::TensorData>> DeterministicSample(const ir::Model& model) {
  std::vector<data::TensorData> sample;
  const ir::Subgraph& sg = model.subgraphs[0];
  for (int32_t t : sg.inputs) {
    const ir::Tensor& tensor = sg.tensors[static_cast<size_t>(t)];
    data::TensorData d;
    d.type = tensor.type;
    d.shape = tensor.shape;
    d.bytes.resize(static_cast<size_t>(ir::NumElements(tensor.shape)) *
                   ir::DataTypeSize(tensor.type));
    RETURN_IF_ERROR(interp::FillDeterministic(tensor.type, d.bytes));
    sample.push_back(std::move(d));
  }
  return sample;
}

absl::StatusOr<EvaluationResult> EvaluateAgainstReference(
    const ir::Model& reference, const ir::Model& candidate,
    const std::vector<std::vector<data::TensorData>>& samples, int num_threads) {
  interp::InterpreterOptions options;
  options.num_threads = num_threads;
  ASSIGN_OR_RETURN(auto ref, interp::Interpreter::Create(reference, options));
  ASSIGN_OR_RETURN(auto cand, interp::Interpreter::Create(candidate, options));
  if (ref->num_inputs() != cand->num_inputs() || ref->num_outputs() != cand->num_outputs()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the compressed model has ", cand->num_inputs(), " inputs and ", cand->num_outputs(),
        " outputs; the original has ", ref->num_inputs(), " and ", ref->num_outputs()));
  }
  for (int o = 0; o < ref->num_outputs(); ++o) {
    if (ref->output(o).shape.FlatSize() != cand->output(o).shape.FlatSize()) {
      return absl::InvalidArgumentError(absl::StrCat("output ", o, " ('", ref->output_name(o),
                                                     "') changed its element count"));
    }
  }
  std::vector<eval::TensorComparison> outputs;
  for (int o = 0; o < ref->num_outputs(); ++o) outputs.emplace_back(ClassesOf(reference, o));

  // Per-tensor comparison, keyed by the candidate's tensor index.
  struct TensorStats {
    eval::TensorComparison accumulated, isolated;
  };
  std::map<int32_t, TensorStats> tensor_stats;
  std::map<std::string, std::vector<float>> ref_values;  // this sample's reference tensors
  const ir::Subgraph& cand_sg = candidate.subgraphs[0];

  ref->SetObserver([&](const interp::OperatorEvent& e) {
    for (size_t k = 0; k < e.outputs.size(); ++k) {
      const TensorView* v = e.outputs[k];
      if (v == nullptr || v->type != ir::DataType::kFloat32 || v->name == nullptr) continue;
      ToFloat(*v, ref_values[*v->name]);
    }
  });
  std::vector<float> cand_values, rounded;
  cand->SetObserver([&](const interp::OperatorEvent& e) {
    for (size_t k = 0; k < e.outputs.size(); ++k) {
      const TensorView* v = e.outputs[k];
      if (v == nullptr || v->name == nullptr || !IsIntegerType(v->type)) continue;
      const std::optional<Affine> a = PerTensorAffine(*v);
      if (!a) continue;
      auto it = ref_values.find(*v->name);
      if (it == ref_values.end() && v->name->size() > 5 &&
          v->name->compare(v->name->size() - 5, 5, "_int8") == 0) {
        it = ref_values.find(v->name->substr(0, v->name->size() - 5));
      }
      if (it == ref_values.end() ||
          static_cast<int64_t>(it->second.size()) != v->shape.FlatSize()) {
        continue;
      }
      ToFloat(*v, cand_values);
      RoundTrip(it->second, v->type, *a, rounded);
      TensorStats& s = tensor_stats[e.output_tensor_indices[k]];
      s.accumulated.Add(it->second, cand_values);
      s.isolated.Add(it->second, rounded);
    }
  });

  std::vector<float> ref_out, cand_out;
  for (size_t s = 0; s < samples.size(); ++s) {
    const auto& sample = samples[s];
    if (sample.size() != static_cast<size_t>(ref->num_inputs())) {
      return absl::InvalidArgumentError(absl::StrCat("evaluation sample ", s, " has ",
                                                     sample.size(), " inputs; the model has ",
                                                     ref->num_inputs()));
    }
    ref_values.clear();
    for (int i = 0; i < ref->num_inputs(); ++i) {
      RETURN_IF_ERROR(ref->SetInput(i, sample[static_cast<size_t>(i)].bytes));
      RETURN_IF_ERROR(SetCandidateInput(*cand, i, sample[static_cast<size_t>(i)]));
    }
    RETURN_IF_ERROR(ref->Invoke());
    RETURN_IF_ERROR(cand->Invoke());
    for (int o = 0; o < ref->num_outputs(); ++o) {
      if (!ToFloat(ref->output(o), ref_out) || !ToFloat(cand->output(o), cand_out)) {
        return absl::UnimplementedError(absl::StrCat(
            "output ", o, " ('", ref->output_name(o), "') has a type evaluation cannot compare (",
            ir::DataTypeName(ref->output(o).type), " vs ",
            ir::DataTypeName(cand->output(o).type), ")"));
      }
      outputs[static_cast<size_t>(o)].Add(ref_out, cand_out);
    }
  }

  EvaluationResult result;
  for (int o = 0; o < ref->num_outputs(); ++o) {
    const eval::ComparisonResult c = outputs[static_cast<size_t>(o)].Result();
    eval::OutputMetrics m;
    m.tensor_name = ref->output_name(o);
    m.output_index = static_cast<uint32_t>(o);
    m.sqnr_db = c.sqnr_db;
    m.max_abs_error = c.max_abs_error;
    m.cosine_similarity = c.cosine_similarity;
    m.top1_agreement = c.top1_agreement;
    m.samples = c.samples;
    result.outputs.push_back(std::move(m));
  }
  for (const auto& [index, stats] : tensor_stats) {
    const ir::Tensor& t = cand_sg.tensors[static_cast<size_t>(index)];
    eval::TensorMetrics m;
    m.tensor_name = t.name;
    m.tensor_index = static_cast<uint32_t>(index);
    m.dtype = ir::DataTypeName(t.type);
    m.sqnr_db_accumulated = stats.accumulated.Result().sqnr_db;
    m.sqnr_db_isolated = stats.isolated.Result().sqnr_db;
    result.tensors.push_back(std::move(m));
  }
  return result;
}

}  // namespace compressd::pipeline
