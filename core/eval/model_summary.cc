#include "core/eval/model_summary.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/tflite/op_names.h"

namespace compressd::eval {
namespace {

TensorInfo Info(const ir::Tensor& t) {
  return {t.name, t.type, t.shape, t.quantization && t.quantization->IsQuantized()};
}

std::string ShapeText(const std::vector<int32_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) absl::StrAppend(&s, i ? "," : "", shape[i]);
  return s + "]";
}

void WriteTensorList(const std::vector<TensorInfo>& list, JsonWriter& w) {
  w.BeginArray();
  for (const TensorInfo& t : list) {
    w.BeginObject();
    w.Key("name");
    w.String(t.name);
    w.Key("dtype");
    w.String(ir::DataTypeName(t.type));
    w.Key("shape");
    w.BeginArray();
    for (int32_t d : t.shape) w.Int(d);
    w.EndArray();
    w.Key("quantized");
    w.Bool(t.quantized);
    w.EndObject();
  }
  w.EndArray();
}

void WriteStrings(const std::vector<std::string>& v, JsonWriter& w) {
  w.BeginArray();
  for (const auto& s : v) w.String(s);
  w.EndArray();
}

}  // namespace

ModelSummary Summarize(const ir::Model& model, int64_t file_bytes) {
  ModelSummary s;
  s.file_bytes = file_bytes;
  s.subgraphs = static_cast<int>(model.subgraphs.size());
  std::set<std::string> customs;
  std::set<std::pair<size_t, uint32_t>> counted_buffers;  // a shared buffer counts once
  std::set<std::vector<uint32_t>> scale_vectors;            // by bit pattern
  for (size_t sgi = 0; sgi < model.subgraphs.size(); ++sgi) {
    const ir::Subgraph& sg = model.subgraphs[sgi];
    if (sgi == 0) {
      for (int32_t i : sg.inputs) s.inputs.push_back(Info(sg.tensors[i]));
      for (int32_t o : sg.outputs) s.outputs.push_back(Info(sg.tensors[o]));
    }
    s.tensors += static_cast<int64_t>(sg.tensors.size());
    s.operators += static_cast<int64_t>(sg.operators.size());
    for (const ir::Operator& op : sg.operators) {
      const std::string name = tflite::OperatorName(model, op);
      s.op_histogram[name]++;
      const auto& code = model.operator_codes[op.opcode_index];
      if (ir::EffectiveBuiltinCode(code) == ir::BuiltinOp::kCustom) customs.insert(name);
    }
    for (const ir::Tensor& t : sg.tensors) {
      if (t.quantization && t.quantization->IsQuantized()) {
        s.has_quantization = true;
        std::vector<uint32_t> bits;
        bits.reserve(t.quantization->scale.size());
        for (float f : t.quantization->scale) bits.push_back(std::bit_cast<uint32_t>(f));
        if (scale_vectors.insert(bits).second) {
          s.distinct_scale_values += static_cast<int64_t>(bits.size());
        }
      }
      const size_t bytes = model.buffers[t.buffer].size();
      if (bytes == 0 || !counted_buffers.insert({0, t.buffer}).second) continue;
      DtypeStats& d = s.constants_by_dtype[ir::DataTypeName(t.type)];
      const int64_t n = ir::NumElements(t.shape);
      d.tensors++;
      d.parameters += n;
      d.bytes += static_cast<int64_t>(bytes);
      s.parameters += n;
      s.constant_bytes += static_cast<int64_t>(bytes);
    }
  }
  s.custom_ops.assign(customs.begin(), customs.end());
  for (const auto& m : model.metadata) s.metadata_keys.push_back(m.name);
  for (const auto& sd : model.signature_defs) s.signature_keys.push_back(sd.signature_key);
  return s;
}

void WriteSummaryJson(const ModelSummary& s, JsonWriter& w) {
  w.BeginObject();
  w.Key("file_bytes");
  w.Int(s.file_bytes);
  w.Key("subgraphs");
  w.Int(s.subgraphs);
  w.Key("inputs");
  WriteTensorList(s.inputs, w);
  w.Key("outputs");
  WriteTensorList(s.outputs, w);
  w.Key("tensors");
  w.Int(s.tensors);
  w.Key("operators");
  w.Int(s.operators);
  w.Key("op_histogram");
  w.BeginObject();
  for (const auto& [name, count] : s.op_histogram) {
    w.Key(name);
    w.Int(count);
  }
  w.EndObject();
  w.Key("parameters");
  w.Int(s.parameters);
  w.Key("constant_bytes");
  w.Int(s.constant_bytes);
  w.Key("constants_by_dtype");
  w.BeginObject();
  for (const auto& [dtype, d] : s.constants_by_dtype) {
    w.Key(dtype);
    w.BeginObject();
    w.Key("tensors");
    w.Int(d.tensors);
    w.Key("parameters");
    w.Int(d.parameters);
    w.Key("bytes");
    w.Int(d.bytes);
    w.EndObject();
  }
  w.EndObject();
  w.Key("quantized");
  w.Bool(s.has_quantization);
  w.Key("distinct_scale_values");
  w.Int(s.distinct_scale_values);
  w.Key("custom_ops");
  WriteStrings(s.custom_ops, w);
  w.Key("metadata_keys");
  WriteStrings(s.metadata_keys, w);
  w.Key("signature_keys");
  WriteStrings(s.signature_keys, w);
  w.EndObject();
}

std::string FormatSummary(const ModelSummary& s) {
  std::string out;
  if (s.file_bytes > 0) absl::StrAppend(&out, "size:        ", s.file_bytes, " bytes\n");
  absl::StrAppend(&out, "subgraphs:   ", s.subgraphs, "\n");
  for (const auto* list : {&s.inputs, &s.outputs}) {
    absl::StrAppend(&out, list == &s.inputs ? "inputs:\n" : "outputs:\n");
    for (const TensorInfo& t : *list) {
      absl::StrAppend(&out, "  ", t.name, "  ", ir::DataTypeName(t.type), " ", ShapeText(t.shape),
                      t.quantized ? " (quantized)" : "", "\n");
    }
  }
  absl::StrAppend(&out, "tensors:     ", s.tensors, "\n");
  absl::StrAppend(&out, "operators:   ", s.operators, "\n");
  std::vector<std::pair<std::string, int64_t>> ops(s.op_histogram.begin(), s.op_histogram.end());
  std::stable_sort(ops.begin(), ops.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [name, count] : ops) absl::StrAppend(&out, absl::StrFormat("  %-28s %d\n", name, count));
  absl::StrAppend(&out, "parameters:  ", s.parameters, " (", s.constant_bytes, " bytes)\n");
  for (const auto& [dtype, d] : s.constants_by_dtype) {
    absl::StrAppend(&out, absl::StrFormat("  %-10s %6d tensors %10d params %10d bytes\n", dtype,
                                          d.tensors, d.parameters, d.bytes));
  }
  absl::StrAppend(&out, "quantized:   ", s.has_quantization ? "yes" : "no");
  if (s.has_quantization) {
    absl::StrAppend(&out, " (", s.distinct_scale_values, " distinct scale values)");
  }
  absl::StrAppend(&out, "\n");
  auto list = [&](const char* label, const std::vector<std::string>& v) {
    absl::StrAppend(&out, label);
    if (v.empty()) absl::StrAppend(&out, "none");
    for (size_t i = 0; i < v.size(); ++i) absl::StrAppend(&out, i ? ", " : "", v[i]);
    absl::StrAppend(&out, "\n");
  };
  list("custom ops:  ", s.custom_ops);
  list("metadata:    ", s.metadata_keys);
  list("signatures:  ", s.signature_keys);
  return out;
}

}  // namespace compressd::eval
