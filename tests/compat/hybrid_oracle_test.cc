// Dynamic-range ("hybrid") models in compressd's interpreter against the real TensorFlow Lite
// runtime (project issue 4). Each real model is quantized in dynamic mode (as
// `compressctl quantize --mode dynamic` does), written, read back, and run by both on the
// oracle's deterministic input. The measured maximum relative error of every output is printed.
//
// Checks:
//   HybridOpsMatchTfliteOnTheSameInputs: every hybrid CONV_2D / DEPTHWISE_CONV_2D /
//     FULLY_CONNECTED of the model, fed the very float input TFLite computed for it in the full
//     model, must produce TFLite's output bit for bit (run as one model of the isolated ops).
//     HybridOracleTest covers the default dynamic quantization (per-channel CONV_2D and
//     DEPTHWISE_CONV_2D, asymmetric per-tensor FULLY_CONNECTED); HybridPerTensorTest TFLite's
//     other hybrid kernels: per-tensor CONV_2D (symmetric input), equal depthwise scales,
//     symmetric FULLY_CONNECTED, and a CONV_2D with equal per-channel scales (TFLite's legacy
//     scale 0, see core/kernels/hybrid_conv_util.h).
//   DynamicRangeModelMatchesTflite / ...OnAPhotograph: end to end, on the oracle's deterministic
//     input and on astronaut.png, |ours - TFLite| <= 1e-4 · max|TFLite| per output. The float
//     operators of a dynamic model (those kept float, ADD, pooling, ...) run in TFLite's XNNPACK
//     delegate, so compressd runs them in the kXnnpack profile (XNNPACK's order of operations).
//     That matters more here than in a float model: every hybrid op quantizes its float input to
//     int8 on the fly (round(x / scale)), so a last-bit difference of an input value lying on a
//     rounding boundary would move that value by a whole quantization step in one runtime only.
//     When outputs differ, the localization below prints the first operators whose outputs are
//     not bit-identical.
//
// selfie_segmentation's MediaPipe custom op is run by TFLite through the builtin rewrite of
// compat/custom_op_rewrite.h, as in interpreter_oracle_test.cc.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/base/file_io.h"
#include "core/data/image.h"
#include "core/data/preprocess.h"
#include "core/interp/input_fill.h"
#include "core/interp/interpreter.h"
#include "core/passes/graph_edit.h"
#include "core/passes/quantize.h"
#include "core/tflite/model_reader.h"
#include "core/tflite/model_validator.h"
#include "core/tflite/model_writer.h"
#include "core/tflite/op_names.h"
#include "gtest/gtest.h"
#include "tests/compat/custom_op_rewrite.h"
#include "tests/support/test_data.h"
#include "tests/support/tflite_oracle.h"

namespace compressd {
namespace {

using Bytes = std::vector<uint8_t>;

std::vector<float> AsFloats(std::span<const uint8_t> b) {
  std::vector<float> v(b.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(float));
  return v;
}

struct Agreement {
  size_t elements = 0;
  int differing = 0;     // elements not bit-identical
  double max_abs = 0.0;  // max |TFLite|
  double max_err = 0.0;  // max |ours - TFLite|
  double relative() const { return max_abs > 0 ? max_err / max_abs : max_err; }
  // Elements beyond tolerance · max|TFLite| (NaN counts).
  int Beyond(const std::vector<float>& x, const std::vector<float>& y, double tolerance) const {
    if (x.size() != y.size()) return static_cast<int>(std::max(x.size(), y.size()));
    int n = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double d = std::fabs(static_cast<double>(x[i]) - static_cast<double>(y[i]));
      if (!(d <= tolerance * max_abs)) ++n;
    }
    return n;
  }
};

Agreement Compare(const std::vector<float>& x, const std::vector<float>& y) {
  Agreement a;
  a.elements = y.size();
  for (float v : y) a.max_abs = std::max(a.max_abs, std::fabs(static_cast<double>(v)));
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    const double d = std::fabs(static_cast<double>(x[i]) - static_cast<double>(y[i]));
    if (std::memcmp(&x[i], &y[i], sizeof(float)) != 0) ++a.differing;
    if (std::isnan(d)) {
      a.max_err = INFINITY;
    } else {
      a.max_err = std::max(a.max_err, d);
    }
  }
  if (x.size() != y.size()) a.differing = static_cast<int>(std::max(x.size(), y.size()));
  return a;
}

bool IsHybridOp(const ir::Subgraph& sg, const ir::Operator& op) {
  return op.inputs.size() > 1 && op.inputs[0] >= 0 && op.inputs[1] >= 0 &&
         sg.tensors[static_cast<size_t>(op.inputs[0])].type == ir::DataType::kFloat32 &&
         sg.tensors[static_cast<size_t>(op.inputs[1])].type == ir::DataType::kInt8;
}

// Runs `model` in compressd's interpreter, on `inputs` (raw bytes per input) or the deterministic
// fill when empty; returns every output. The kXnnpack profile: the reference runtime applies
// TFLite's XNNPACK delegate, which takes the float operators between the hybrid ones.
std::vector<Bytes> RunOurs(const ir::Model& model, const std::vector<Bytes>& inputs = {}) {
  interp::InterpreterOptions options;
  options.integer_arithmetic = kernels::IntegerArithmetic::kXnnpack;
  auto interp = interp::Interpreter::Create(model, options);
  EXPECT_TRUE(interp.ok()) << interp.status();
  if (!interp.ok()) return {};
  for (int i = 0; i < (*interp)->num_inputs(); ++i) {
    if (inputs.empty()) {
      EXPECT_TRUE(
          interp::FillDeterministic((*interp)->input(i).type, (*interp)->mutable_input(i)).ok());
    } else {
      EXPECT_TRUE((*interp)->SetInput(i, inputs[static_cast<size_t>(i)]).ok());
    }
  }
  const absl::Status s = (*interp)->Invoke();
  EXPECT_TRUE(s.ok()) << s;
  if (!s.ok()) return {};
  std::vector<Bytes> out;
  for (int i = 0; i < (*interp)->num_outputs(); ++i) {
    auto b = (*interp)->output_bytes(i);
    out.emplace_back(b.begin(), b.end());
  }
  return out;
}

// Writes `model` for TFLite: the model itself, or its builtin rewrite when it uses MediaPipe's
// custom op.
std::string WriteForOracle(const ir::Model& model, const std::string& dir,
                           const std::string& name) {
  auto rewritten = testing::RewriteTransposeConvBias(model);
  EXPECT_TRUE(rewritten.ok()) << rewritten.status();
  Bytes bytes;
  if (rewritten.ok() && rewritten->changed) {
    bytes = rewritten->bytes;
  } else {
    auto written = tflite::WriteModel(model);
    EXPECT_TRUE(written.ok()) << written.status();
    if (written.ok()) bytes = std::move(*written);
  }
  const std::string path = dir + "/" + name;
  EXPECT_TRUE(WriteFileAtomic(path, bytes).ok());
  return path;
}

// Which tensors hold values computed from constants only (constants, and outputs of operators
// such as DEQUANTIZE of float16 weights whose inputs are all such tensors).
std::vector<bool> ConstantTensors(const ir::Model& model) {
  const ir::Subgraph& sg = model.subgraphs[0];
  std::vector<bool> constant(sg.tensors.size(), false);
  for (size_t t = 0; t < sg.tensors.size(); ++t) {
    constant[t] = passes::IsConstant(model, sg.tensors[t]);
  }
  for (const ir::Operator& op : sg.operators) {
    bool all_constant = true;
    for (int32_t t : op.inputs) {
      all_constant = all_constant && (t < 0 || constant[static_cast<size_t>(t)]);
    }
    if (!all_constant) continue;
    for (int32_t t : op.outputs) {
      if (t >= 0) constant[static_cast<size_t>(t)] = true;
    }
  }
  return constant;
}

std::string Describe(const ir::Model& model, const ir::Operator& op) {
  const ir::Subgraph& sg = model.subgraphs[0];
  std::string s = tflite::OperatorName(model, op) + " input [";
  for (auto d : sg.tensors[static_cast<size_t>(op.inputs[0])].shape) s += std::to_string(d) + ",";
  s += "] weights [";
  const ir::Tensor& w = sg.tensors[static_cast<size_t>(op.inputs[1])];
  for (auto d : w.shape) s += std::to_string(d) + ",";
  s += "]";
  if (const auto* o = std::get_if<ir::Conv2DOptions>(&op.builtin_options)) {
    s += " stride " + std::to_string(o->stride_h) + "x" + std::to_string(o->stride_w);
  }
  if (w.quantization) s += " " + std::to_string(w.quantization->scale.size()) + " scales";
  return s;
}

class HybridOracleTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto path = testing::TestDataPath("models/" + GetParam());
    ASSERT_TRUE(path.ok()) << path.status();
    auto original = tflite::ReadModelFile(*path);
    ASSERT_TRUE(original.ok()) << original.status();
    passes::QuantizeOptions options;
    options.mode = passes::QuantMode::kDynamic;
    options.per_tensor = PerTensorVariant();
    auto quantized = passes::Quantize(*original, options, nullptr);
    ASSERT_TRUE(quantized.ok()) << quantized.status();
    if (PerTensorVariant()) MakeVariant(&quantized->model);
    ASSERT_TRUE(tflite::ValidateModel(quantized->model).ok());
    // Run exactly what a written model holds.
    auto bytes = tflite::WriteModel(quantized->model);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    auto model = tflite::ReadModel(*bytes);
    ASSERT_TRUE(model.ok()) << model.status();
    model_ = std::move(*model);
    for (const ir::Operator& op : model_.subgraphs[0].operators) {
      hybrid_ops_ += IsHybridOp(model_.subgraphs[0], op) ? 1 : 0;
    }
    ASSERT_GT(hybrid_ops_, 0);
    dir_ = testing::MakeTempDir("hybrid_oracle");
  }

  // The other hybrid kernels TFLite has: per-tensor scales (HybridPerTensorTest).
  virtual bool PerTensorVariant() const { return false; }

  // Per-tensor dynamic quantization gives CONV_2D one scale (TFLite's EvalHybrid, symmetric input
  // quantization) and DEPTHWISE_CONV_2D equal per-channel scales. On top of it: FULLY_CONNECTED
  // with symmetric input quantization (asymmetric_quantize_inputs off), and the first hybrid
  // CONV_2D gets its scale repeated per channel (TFLite: all equal -> the per-tensor kernel with
  // the legacy scale, which is 0 for a tensor with several scales).
  static void MakeVariant(ir::Model* model) {
    ir::Subgraph& sg = model->subgraphs[0];
    bool replicated = false;
    for (ir::Operator& op : sg.operators) {
      if (!IsHybridOp(sg, op)) continue;
      if (auto* fc = std::get_if<ir::FullyConnectedOptions>(&op.builtin_options)) {
        fc->asymmetric_quantize_inputs = false;
      }
      ir::Tensor& w = sg.tensors[static_cast<size_t>(op.inputs[1])];
      if (!replicated && std::holds_alternative<ir::Conv2DOptions>(op.builtin_options) &&
          w.quantization && w.quantization->scale.size() == 1 && w.shape[0] > 1) {
        ir::QuantParams& q = *w.quantization;
        q.scale.assign(static_cast<size_t>(w.shape[0]), q.scale[0]);
        q.zero_point.assign(static_cast<size_t>(w.shape[0]), 0);
        q.quantized_dimension = 0;
        replicated = true;
      }
    }
  }

  // The model with every non-constant float tensor an operator computes appended to its outputs;
  // `added` receives, per appended output, the operator computing it.
  ir::Model Probe(std::vector<int32_t>* added) const {
    ir::Model probe = model_;
    ir::Subgraph& sg = probe.subgraphs[0];
    const std::vector<bool> constant = ConstantTensors(probe);
    std::set<int32_t> seen(sg.outputs.begin(), sg.outputs.end());
    for (size_t i = 0; i < sg.operators.size(); ++i) {
      for (int32_t t : sg.operators[i].outputs) {
        if (t < 0 || seen.count(t) || constant[static_cast<size_t>(t)] ||
            sg.tensors[static_cast<size_t>(t)].type != ir::DataType::kFloat32) {
          continue;
        }
        seen.insert(t);
        sg.outputs.push_back(t);
        added->push_back(static_cast<int32_t>(i));
      }
    }
    return probe;
  }

  // Prints the first operators (in execution order) whose outputs are not bit-identical: the
  // first float ones, and the first hybrid ones with how much of their input differed.
  // Both runtimes on the deterministic input (no files) or on the raw input files; every output
  // within 1e-4 · max|TFLite|.
  void CompareEndToEnd(const std::vector<std::string>& input_files, const char* label) {
    std::vector<Bytes> inputs;
    for (const std::string& f : input_files) {
      auto bytes = ReadFileBytes(f);
      ASSERT_TRUE(bytes.ok()) << bytes.status();
      inputs.push_back(std::move(*bytes));
    }
    const auto ours = RunOurs(model_, inputs);
    auto want =
        testing::RunTfliteOracle(WriteForOracle(model_, dir_, "dynamic.tflite"), input_files);
    ASSERT_TRUE(want.ok()) << want.status();
    ASSERT_TRUE(want->loaded) << want->error;
    ASSERT_EQ(ours.size(), want->outputs.size());
    const ir::Subgraph& sg = model_.subgraphs[0];
    bool beyond_1e4 = false;
    for (size_t i = 0; i < ours.size(); ++i) {
      const std::vector<float> x = AsFloats(ours[i]);
      const std::vector<float> y = AsFloats(want->outputs[i]);
      const Agreement a = Compare(x, y);
      const std::string name = sg.tensors[static_cast<size_t>(sg.outputs[i])].name;
      std::printf("[hybrid] %s (%d hybrid ops, %s input) output %zu '%s': max |error| %.3g, max "
                  "|TFLite| %.4g, relative %.3g, %d of %zu elements beyond 1e-4\n",
                  GetParam().c_str(), hybrid_ops_, label, i, name.c_str(), a.max_err, a.max_abs,
                  a.relative(), a.Beyond(x, y, 1e-4), a.elements);
      beyond_1e4 = beyond_1e4 || a.Beyond(x, y, 1e-4) > 0;
      EXPECT_EQ(a.Beyond(x, y, 1e-4), 0)
          << "output " << i << " '" << name << "': relative error " << a.relative();
    }
    if (beyond_1e4 && input_files.empty()) Localize();
  }

  void Localize() {
    std::vector<int32_t> ops;
    const ir::Model probe = Probe(&ops);
    const ir::Subgraph& sg = probe.subgraphs[0];
    const size_t first = model_.subgraphs[0].outputs.size();
    const auto ours = RunOurs(probe);
    auto want = testing::RunTfliteOracle(WriteForOracle(probe, dir_, "probe.tflite"));
    if (!want.ok() || !want->loaded || want->outputs.size() != sg.outputs.size() ||
        ours.size() != sg.outputs.size()) {
      std::printf("[hybrid] %s: could not localize (the probe model did not run in both)\n",
                  GetParam().c_str());
      return;
    }
    std::map<int32_t, Agreement> by_tensor;
    for (size_t k = first; k < sg.outputs.size(); ++k) {
      by_tensor[sg.outputs[k]] = Compare(AsFloats(ours[k]), AsFloats(want->outputs[k]));
    }
    int printed_float = 0;
    int printed_hybrid = 0;
    for (size_t k = first; k < sg.outputs.size(); ++k) {
      const Agreement& a = by_tensor[sg.outputs[k]];
      if (a.differing == 0) continue;
      const ir::Operator& op = sg.operators[static_cast<size_t>(ops[k - first])];
      const bool hybrid = IsHybridOp(sg, op);
      if ((hybrid ? printed_hybrid : printed_float) >= 3) continue;
      ++(hybrid ? printed_hybrid : printed_float);
      std::string input_note;
      if (hybrid) {
        const auto in = by_tensor.find(op.inputs[0]);
        input_note = in == by_tensor.end()
                         ? " (input: the model input, identical)"
                         : " (input: " + std::to_string(in->second.differing) + " of " +
                               std::to_string(in->second.elements) + " not bit-identical)";
      }
      std::printf("[hybrid]   operator %d %s: %d of %zu output elements not bit-identical, "
                  "relative %.3g%s\n",
                  ops[k - first],
                  hybrid ? ("hybrid " + Describe(probe, op)).c_str()
                         : tflite::OperatorName(probe, op).c_str(),
                  a.differing, a.elements, a.relative(), input_note.c_str());
    }
  }

  // Every hybrid op, isolated, on the float input TFLite computed for it in the full model.
  void CheckIsolatedOps() {
    // TFLite's value of every intermediate float tensor.
    std::vector<int32_t> probe_ops;
    const ir::Model probe = Probe(&probe_ops);
    auto probe_run = testing::RunTfliteOracle(WriteForOracle(probe, dir_, "probe.tflite"));
    ASSERT_TRUE(probe_run.ok()) << probe_run.status();
    ASSERT_TRUE(probe_run->loaded) << probe_run->error;
    const ir::Subgraph& psg = probe.subgraphs[0];
    ASSERT_EQ(probe_run->outputs.size(), psg.outputs.size());
    std::map<int32_t, Bytes> tflite_values;
    for (size_t k = 0; k < psg.outputs.size(); ++k) {
      tflite_values[psg.outputs[k]] = probe_run->outputs[k];
    }
    for (int32_t t : psg.inputs) {  // the model inputs: the deterministic fill
      const ir::Tensor& in = psg.tensors[static_cast<size_t>(t)];
      Bytes fill(static_cast<size_t>(ir::NumElements(in.shape) * ir::DataTypeSize(in.type)));
      ASSERT_TRUE(interp::FillDeterministic(in.type, fill).ok());
      tflite_values[t] = std::move(fill);
    }

    // One model holding the hybrid ops side by side (plus the constant-only operators, such as
    // DEQUANTIZE of float16 biases, that they read), each input a model input.
    ir::Model isolated = model_;
    ir::Subgraph& sg = isolated.subgraphs[0];
    const std::vector<bool> constant = ConstantTensors(isolated);
    std::vector<ir::Operator> kept;
    std::vector<ir::Operator> hybrid;
    for (const ir::Operator& op : sg.operators) {
      bool all_constant = true;
      for (int32_t t : op.inputs) {
        all_constant = all_constant && (t < 0 || constant[static_cast<size_t>(t)]);
      }
      if (all_constant) kept.push_back(op);
      if (IsHybridOp(sg, op)) hybrid.push_back(op);
    }
    sg.operators = kept;
    sg.inputs.clear();
    sg.outputs.clear();
    std::vector<Bytes> inputs;
    std::vector<std::string> input_files;
    for (ir::Operator op : hybrid) {
      // A fresh input tensor per op (an op's input may be another hybrid op's output).
      const auto value = tflite_values.find(op.inputs[0]);
      ASSERT_NE(value, tflite_values.end()) << "no TFLite value for tensor " << op.inputs[0];
      ir::Tensor in = sg.tensors[static_cast<size_t>(op.inputs[0])];
      in.name += "/isolated_input_" + std::to_string(inputs.size());
      in.buffer = 0;
      sg.tensors.push_back(std::move(in));
      op.inputs[0] = static_cast<int32_t>(sg.tensors.size() - 1);
      sg.operators.push_back(op);
      sg.outputs.push_back(op.outputs[0]);
      sg.inputs.push_back(op.inputs[0]);
      inputs.push_back(value->second);
      input_files.push_back(dir_ + "/in_" + std::to_string(inputs.size() - 1) + ".bin");
      ASSERT_TRUE(WriteFileAtomic(input_files.back(), inputs.back()).ok());
    }
    const auto ours = RunOurs(isolated, inputs);
    auto want = testing::RunTfliteOracle(WriteForOracle(isolated, dir_, "isolated.tflite"),
                                         input_files);
    ASSERT_TRUE(want.ok()) << want.status();
    ASSERT_TRUE(want->loaded) << want->error;
    ASSERT_EQ(ours.size(), hybrid.size());
    ASSERT_EQ(want->outputs.size(), hybrid.size());
    int exact = 0;
    double worst = 0.0;
    for (size_t i = 0; i < hybrid.size(); ++i) {
      const Agreement a = Compare(AsFloats(ours[i]), AsFloats(want->outputs[i]));
      exact += a.differing == 0 ? 1 : 0;
      worst = std::max(worst, a.relative());
      EXPECT_EQ(a.differing, 0) << "hybrid " << Describe(isolated, hybrid[i]) << ": "
                                << a.differing << " of " << a.elements
                                << " elements not bit-identical, relative error " << a.relative();
    }
    std::printf("[hybrid] %s%s: %d of %zu hybrid ops bit-identical with TFLite on TFLite's inputs "
                "(max relative error %.3g)\n",
                GetParam().c_str(), PerTensorVariant() ? " (per-tensor variant)" : "", exact,
                hybrid.size(), worst);
  }

  ir::Model model_;
  int hybrid_ops_ = 0;
  std::string dir_;
};

TEST_P(HybridOracleTest, DynamicRangeModelMatchesTflite) { CompareEndToEnd({}, "deterministic"); }

TEST_P(HybridOracleTest, DynamicRangeModelMatchesTfliteOnAPhotograph) {
  const ir::Tensor& in = model_.subgraphs[0].tensors[static_cast<size_t>(
      model_.subgraphs[0].inputs[0])];
  data::InputSpec spec{in.name, in.type, in.shape};
  data::PreprocessSpec pre;
  pre.range = GetParam().rfind("face_detection", 0) == 0 ? data::ValueRange::kMinusOneToOne
                                                         : data::ValueRange::kZeroToOne;
  auto image_path = testing::TestDataPath("images/astronaut.png");
  ASSERT_TRUE(image_path.ok()) << image_path.status();
  auto image = data::LoadImage(*image_path);
  ASSERT_TRUE(image.ok()) << image.status();
  auto tensor = data::ImageToTensor(*image, spec, pre);
  ASSERT_TRUE(tensor.ok()) << tensor.status();
  const std::string input_file = dir_ + "/astronaut.bin";
  ASSERT_TRUE(WriteFileAtomic(input_file, tensor->bytes).ok());
  CompareEndToEnd({input_file}, "astronaut.png");
}

TEST_P(HybridOracleTest, HybridOpsMatchTfliteOnTheSameInputs) { CheckIsolatedOps(); }

class HybridPerTensorTest : public HybridOracleTest {
 protected:
  bool PerTensorVariant() const override { return true; }
};

TEST_P(HybridPerTensorTest, HybridOpsMatchTfliteOnTheSameInputs) { CheckIsolatedOps(); }

INSTANTIATE_TEST_SUITE_P(RealModels, HybridPerTensorTest,
                         ::testing::ValuesIn(testing::RealModelNames()), [](const auto& info) {
                           std::string n = info.param;
                           return n.substr(0, n.find('.'));
                         });

INSTANTIATE_TEST_SUITE_P(RealModels, HybridOracleTest,
                         ::testing::ValuesIn(testing::RealModelNames()), [](const auto& info) {
                           std::string n = info.param;
                           return n.substr(0, n.find('.'));
                         });

}  // namespace
}  // namespace compressd
