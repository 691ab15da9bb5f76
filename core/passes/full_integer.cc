#include "core/passes/full_integer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/passes/graph_edit.h"
#include "core/passes/integer_op_rules.h"
#include "core/quant/quant_params.h"
#include "core/tflite/op_names.h"

namespace compressd::passes {
namespace {

using ir::BuiltinOp;
using ir::DataType;

struct QParams {
  float scale = 1.0f;
  int64_t zero_point = 0;
  bool operator==(const QParams& o) const {
    return scale == o.scale && zero_point == o.zero_point;
  }
  bool operator<(const QParams& o) const {
    return scale < o.scale || (scale == o.scale && zero_point < o.zero_point);
  }
};

ir::QuantParams ToIr(const QParams& p) {
  ir::QuantParams q;
  q.scale = {p.scale};
  q.zero_point = {p.zero_point};
  return q;
}

// A new activation-like tensor with `src`'s shape.
ir::Tensor MakeLike(const ir::Subgraph& sg, const ir::Tensor& src, DataType type,
                    const std::string& suffix, std::optional<QParams> params) {
  ir::Tensor t;
  t.shape = src.shape;
  t.shape_signature = src.shape_signature;
  t.has_rank = src.has_rank;
  t.type = type;
  t.name = UniqueTensorName(sg, src.name + suffix);
  if (params) t.quantization = ToIr(*params);
  return t;
}

bool IsFloatTensor(const ir::Subgraph& sg, int32_t t) {
  return t >= 0 && sg.tensors[static_cast<size_t>(t)].type == DataType::kFloat32;
}

// Weight and bias slots of kWeighted operators are not activations.
bool IsActivationSlot(ParamRule rule, size_t slot) {
  return rule != ParamRule::kWeighted || slot == 0;
}

struct OpPlan {
  bool quantize = false;
  std::optional<IntegerOpRule> rule;
  std::string kept_reason;  // non-empty: stays float and is reported
};

class FullIntegerRewriter {
 public:
  FullIntegerRewriter(const ir::Model& model, const TensorRanges& ranges,
                      const FullIntegerOptions& options)
      : m_(model), ranges_(ranges), options_(options) {
    act_type_ = options.activation_bits == 16 ? DataType::kInt16 : DataType::kInt8;
  }

  absl::StatusOr<FullIntegerResult> Run();

 private:
  ir::Subgraph& sg() { return m_.subgraphs[0]; }
  const ir::Tensor& tensor(int32_t t) { return sg().tensors[static_cast<size_t>(t)]; }
  std::string OpWhere(size_t i) { return OperatorWhere(m_, 0, i); }

  void Classify();
  std::optional<quant::Range> RangeOf(int32_t t) const;
  absl::StatusOr<QParams> ParamsFromRange(int32_t t) const;
  absl::Status AssignParams();
  absl::Status CreateForms();
  absl::Status RewriteOperators();
  absl::Status QuantizeWeights(size_t i, int32_t input, float input_scale);
  void CorrectBias(BuiltinOp code, const ir::Tensor& weights, const std::vector<float>& w,
                   const quant::SymmetricTensor<int8_t>& qw, int32_t input,
                   std::vector<float>& bias);
  absl::StatusOr<int32_t> QuantizedConstant(int32_t t, const QParams& p);
  int32_t Requantized(int32_t q, int32_t t, const QParams& p, int32_t before_op);
  uint32_t Code(BuiltinOp op, int32_t version);
  ir::Operator MakeOp(BuiltinOp op, int32_t version, int32_t in, int32_t out);
  void RaiseVersions();

  ir::Model m_;
  const TensorRanges& ranges_;
  const FullIntegerOptions& options_;
  DataType act_type_;
  std::vector<OpPlan> plan_;
  std::vector<int32_t> producers_;
  std::vector<std::vector<TensorUse>> consumers_;
  std::vector<bool> is_input_, is_output_, is_constant_, was_float_;
  std::vector<std::optional<quant::Range>> override_;  // shared ranges (CONCATENATION)
  std::vector<std::optional<QParams>> params_;          // the integer form's parameters
  std::vector<int32_t> qform_, fform_;                  // integer / float form of a tensor
  std::map<std::pair<int32_t, QParams>, int32_t> derived_;  // requantized / quantized consts
  std::vector<std::pair<int32_t, ir::Operator>> inserts_;
  std::vector<int32_t> original_output0_;  // per operator, before CreateForms redirects outputs
  std::vector<std::pair<int32_t, ir::Operator>> late_inserts_;  // requantizations
  std::vector<std::string> warnings_;
  int quantized_ops_ = 0;
};

void FullIntegerRewriter::Classify() {
  const ir::Subgraph& g = m_.subgraphs[0];
  plan_.assign(g.operators.size(), {});
  std::vector<bool> keep(g.operators.size(), false);
  for (int32_t k : options_.keep_float_ops) keep[static_cast<size_t>(k)] = true;
  for (size_t i = 0; i < g.operators.size(); ++i) {
    const ir::Operator& op = g.operators[i];
    OpPlan& p = plan_[i];
    bool has_float = false;
    for (int32_t t : op.inputs) has_float |= IsFloatTensor(g, t);
    for (int32_t t : op.outputs) has_float |= IsFloatTensor(g, t);
    if (!has_float) continue;  // nothing to quantize, nothing to report
    const ir::OperatorCode& code = m_.operator_codes[op.opcode_index];
    const std::string name = tflite::OperatorName(code);
    if (keep[i]) {
      p.kept_reason = "kept in float as requested";
      continue;
    }
    if (code.custom_code) {
      p.kept_reason = absl::StrCat("custom operator ", name, " has no integer kernel");
      continue;
    }
    const BuiltinOp builtin = ir::EffectiveBuiltinCode(code);
    p.rule = FindIntegerOpRule(builtin);
    if (!p.rule) {
      p.kept_reason = absl::StrCat(name, " has no integer kernel in TFLite");
      continue;
    }
    if (act_type_ == DataType::kInt16 && !p.rule->int16) {
      p.kept_reason = absl::StrCat(name, " has no 16x8 (int16 activation) kernel yet");
      continue;
    }
    std::string why;
    for (int32_t t : op.outputs) {
      if (t < 0) continue;
      if (!IsFloatTensor(g, t)) {
        why = absl::StrCat("output ", TensorWhere(g, t), " is not float32");
      } else if (!RangeOf(t) && p.rule->rule != ParamRule::kFixed &&
                 p.rule->rule != ParamRule::kSameAsInput) {
        why = absl::StrCat("output ", TensorWhere(g, t), " was never observed in calibration");
      }
    }
    for (size_t s = 0; s < op.inputs.size() && why.empty(); ++s) {
      const int32_t t = op.inputs[s];
      if (!IsFloatTensor(g, t) || !IsActivationSlot(p.rule->rule, s)) continue;
      if (!RangeOf(t)) {
        why = absl::StrCat("input ", TensorWhere(g, t), " was never observed in calibration");
      }
    }
    if (why.empty() && p.rule->rule == ParamRule::kWeighted) {
      const int32_t in = op.inputs.size() > 0 ? op.inputs[0] : -1;
      const int32_t w = op.inputs.size() > 1 ? op.inputs[1] : -1;
      const int32_t b = op.inputs.size() > 2 ? op.inputs[2] : -1;
      if (!IsFloatTensor(g, in) || IsConstant(m_, g.tensors[static_cast<size_t>(in)])) {
        why = "its input is not a float32 activation";
      } else if (!IsFloatTensor(g, w) || !IsConstant(m_, g.tensors[static_cast<size_t>(w)]) ||
                 g.tensors[static_cast<size_t>(w)].sparsity) {
        why = "its weights are not a dense float32 constant";
      } else if (b >= 0 && (!IsFloatTensor(g, b) ||
                            !IsConstant(m_, g.tensors[static_cast<size_t>(b)]))) {
        why = "its bias is not a float32 constant";
      } else if (builtin == BuiltinOp::kConv2d) {
        const auto& in_shape = g.tensors[static_cast<size_t>(in)].shape;
        const auto& w_shape = g.tensors[static_cast<size_t>(w)].shape;
        if (in_shape.size() == 4 && w_shape.size() == 4 && in_shape[3] != w_shape[3]) {
          why = "grouped convolution has no integer kernel";
        }
      } else if (builtin == BuiltinOp::kFullyConnected) {
        const auto* o = std::get_if<ir::FullyConnectedOptions>(&op.builtin_options);
        if (o != nullptr && o->weights_format != ir::FullyConnectedWeightsFormat::kDefault) {
          why = "shuffled weights format has no integer kernel";
        }
      }
    }
    if (!why.empty()) {
      p.kept_reason = absl::StrCat(name, ": ", why);
      p.rule.reset();
      continue;
    }
    p.quantize = true;
  }
}

std::optional<quant::Range> FullIntegerRewriter::RangeOf(int32_t t) const {
  if (t < 0) return std::nullopt;
  if (static_cast<size_t>(t) < override_.size() && override_[static_cast<size_t>(t)]) {
    return override_[static_cast<size_t>(t)];
  }
  if (static_cast<size_t>(t) >= ranges_.ranges.size()) return std::nullopt;
  return ranges_.ranges[static_cast<size_t>(t)];
}

absl::StatusOr<QParams> FullIntegerRewriter::ParamsFromRange(int32_t t) const {
  const std::optional<quant::Range> r = RangeOf(t);
  if (!r) {
    return absl::InternalError(
        absl::StrCat("no calibrated range for ", TensorWhere(m_.subgraphs[0], t)));
  }
  float lo = std::min(r->min, 0.0f);
  float hi = std::max(r->max, 0.0f);
  // A tensor that only ever held zeros still needs a positive scale.
  if (hi - lo < 1e-6f) hi = lo + 1e-6f;
  QParams p;
  if (act_type_ == DataType::kInt16) {
    ASSIGN_OR_RETURN(const quant::AffineParams a, quant::ChooseSymmetricParams(lo, hi, 32767));
    p = {a.scale, 0};
  } else {
    ASSIGN_OR_RETURN(const quant::AffineParams a,
                     quant::ChooseAsymmetricParams(lo, hi, -128, 127));
    p = {a.scale, a.zero_point};
  }
  if (!(p.scale > 0.0f) || !std::isfinite(p.scale)) {
    return absl::InternalError(absl::StrCat("invalid scale ", p.scale, " for ",
                                            TensorWhere(m_.subgraphs[0], t)));
  }
  return p;
}

absl::Status FullIntegerRewriter::AssignParams() {
  const ir::Subgraph& g = m_.subgraphs[0];
  override_.assign(g.tensors.size(), std::nullopt);
  // CONCATENATION: one range for every input and the output; inputs whose producer chooses its
  // own parameters take it too, so that no requantization is needed.
  for (size_t i = 0; i < g.operators.size(); ++i) {
    if (!plan_[i].quantize || plan_[i].rule->rule != ParamRule::kAllSame) continue;
    const ir::Operator& op = g.operators[i];
    quant::Range u{0.0f, 0.0f};
    for (int32_t t : op.inputs) {
      if (const auto r = RangeOf(t); r && IsFloatTensor(g, t)) {
        u.min = std::min(u.min, r->min);
        u.max = std::max(u.max, r->max);
      }
    }
    for (int32_t t : op.outputs) {
      if (const auto r = RangeOf(t)) {
        u.min = std::min(u.min, r->min);
        u.max = std::max(u.max, r->max);
      }
      override_[static_cast<size_t>(t)] = u;
    }
    for (int32_t t : op.inputs) {
      if (!IsFloatTensor(g, t)) continue;
      // Parameters are free unless an integer producer fixes or forwards them.
      const int32_t p = producers_[static_cast<size_t>(t)];
      const bool free_params = p < 0 || !plan_[static_cast<size_t>(p)].quantize ||
                               plan_[static_cast<size_t>(p)].rule->rule == ParamRule::kFree ||
                               plan_[static_cast<size_t>(p)].rule->rule == ParamRule::kWeighted;
      if (free_params) {
        override_[static_cast<size_t>(t)] = u;
      }
    }
  }

  params_.assign(g.tensors.size(), std::nullopt);
  auto ensure = [&](int32_t t) -> absl::Status {
    if (t < 0 || params_[static_cast<size_t>(t)] || !IsFloatTensor(g, t) || !RangeOf(t)) {
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(params_[static_cast<size_t>(t)], ParamsFromRange(t));
    return absl::OkStatus();
  };
  for (int32_t t : g.inputs) RETURN_IF_ERROR(ensure(t));
  for (size_t i = 0; i < g.operators.size(); ++i) {
    const ir::Operator& op = g.operators[i];
    const OpPlan& p = plan_[i];
    for (size_t s = 0; s < op.inputs.size(); ++s) {
      if (!p.quantize || IsActivationSlot(p.rule->rule, s)) RETURN_IF_ERROR(ensure(op.inputs[s]));
    }
    if (!p.quantize) {
      for (int32_t t : op.outputs) RETURN_IF_ERROR(ensure(t));
      continue;
    }
    for (int32_t t : op.outputs) {
      if (t < 0) continue;
      auto& out = params_[static_cast<size_t>(t)];
      switch (p.rule->rule) {
        case ParamRule::kFixed:
          out = act_type_ == DataType::kInt16
                    ? QParams{p.rule->fixed_scale_int16, 0}
                    : QParams{p.rule->fixed_scale_int8, p.rule->fixed_zero_point_int8};
          break;
        case ParamRule::kSameAsInput:
          out = params_[static_cast<size_t>(op.inputs[0])];
          if (!out) {
            return absl::InternalError(absl::StrCat(OpWhere(i), ": input has no parameters"));
          }
          break;
        default:
          ASSIGN_OR_RETURN(out, ParamsFromRange(t));
      }
    }
  }
  return absl::OkStatus();
}

uint32_t FullIntegerRewriter::Code(BuiltinOp op, int32_t version) {
  ir::OperatorCode code;
  code.builtin_code = op;
  code.deprecated_builtin_code = static_cast<int8_t>(std::min(static_cast<int32_t>(op), 127));
  code.version = version;
  return m_.GetOrAddOperatorCode(code);
}

ir::Operator FullIntegerRewriter::MakeOp(BuiltinOp op, int32_t version, int32_t in,
                                         int32_t out) {
  ir::Operator o;
  o.opcode_index = Code(op, version);
  o.inputs = {in};
  o.outputs = {out};
  return o;
}

absl::Status FullIntegerRewriter::CreateForms() {
  const size_t n = sg().tensors.size();
  qform_.assign(n, -1);
  fform_.assign(n, -1);
  const bool io_float = options_.io_type == IoType::kFloat32;
  const bool io_uint8 = options_.io_type == IoType::kUInt8;
  const int32_t quantize_version = act_type_ == DataType::kInt16 ? 2 : 1;
  const int32_t dequantize_version = act_type_ == DataType::kInt16 ? 3 : 2;
  for (size_t ti = 0; ti < n; ++ti) {
    const int32_t t = static_cast<int32_t>(ti);
    if (!IsFloatTensor(sg(), t) || is_constant_[ti]) continue;
    bool needs_int = false;
    bool needs_float = false;
    for (const TensorUse& u : consumers_[ti]) {
      const OpPlan& p = plan_[static_cast<size_t>(u.op)];
      if (p.quantize && IsActivationSlot(p.rule->rule, static_cast<size_t>(u.slot))) {
        needs_int = true;
      } else if (!p.quantize) {
        needs_float = true;
      }
    }
    if (is_output_[ti]) (io_float ? needs_float : needs_int) = true;
    const int32_t producer = producers_[ti];
    const bool home_int = (producer >= 0 && plan_[static_cast<size_t>(producer)].quantize) ||
                          (is_input_[ti] && !io_float);
    // Where conversions of this tensor go: right after its producer (inputs: at the start).
    const int32_t at = producer >= 0 ? producer + 1 : 0;
    if ((needs_int || home_int) && !params_[ti]) {
      return absl::InternalError(absl::StrCat("no parameters for ", TensorWhere(sg(), t)));
    }
    auto redirect_producer = [&](int32_t to) {
      for (int32_t& o : sg().operators[static_cast<size_t>(producer)].outputs) {
        if (o == t) o = to;
      }
    };
    if (home_int) {
      const QParams p = *params_[ti];
      if (is_output_[ti] && (io_float || io_uint8)) {
        // The output tensor keeps its index and name; the integer result gets a new tensor.
        const int32_t q = AddTensor(sg(), MakeLike(sg(), tensor(t), act_type_, "_int8", p));
        redirect_producer(q);
        qform_[ti] = q;
        if (io_float) {
          inserts_.emplace_back(at, MakeOp(BuiltinOp::kDequantize, dequantize_version, q, t));
          fform_[ti] = t;
        } else {
          ir::Tensor& out = sg().tensors[ti];
          out.type = DataType::kUInt8;
          out.quantization = ToIr({p.scale, p.zero_point + 128});
          inserts_.emplace_back(at, MakeOp(BuiltinOp::kQuantize, 1, q, t));
        }
      } else if (is_input_[ti] && io_uint8) {
        ir::Tensor& in = sg().tensors[ti];
        in.type = DataType::kUInt8;
        in.quantization = ToIr({p.scale, p.zero_point + 128});
        const int32_t q = AddTensor(sg(), MakeLike(sg(), tensor(t), act_type_, "_int8", p));
        inserts_.emplace_back(0, MakeOp(BuiltinOp::kQuantize, 1, t, q));
        qform_[ti] = q;
      } else {
        ir::Tensor& x = sg().tensors[ti];
        x.type = act_type_;
        x.quantization = ToIr(p);
        qform_[ti] = t;
      }
      if (needs_float && fform_[ti] < 0) {
        const int32_t f =
            AddTensor(sg(), MakeLike(sg(), tensor(t), DataType::kFloat32, "_dequantized", {}));
        inserts_.emplace_back(at,
                              MakeOp(BuiltinOp::kDequantize, dequantize_version, qform_[ti], f));
        fform_[ti] = f;
      }
    } else {
      fform_[ti] = t;
      if (needs_int) {
        const int32_t q =
            AddTensor(sg(), MakeLike(sg(), tensor(t), act_type_, "_int8", *params_[ti]));
        inserts_.emplace_back(at, MakeOp(BuiltinOp::kQuantize, quantize_version, t, q));
        qform_[ti] = q;
      }
      if (is_output_[ti] && !io_float) {
        for (int32_t& o : sg().outputs) {
          if (o == t) o = qform_[ti];
        }
        warnings_.push_back(absl::StrCat("output ", TensorWhere(sg(), t),
                                         " comes from an operator kept in float; the integer "
                                         "output is '", tensor(qform_[ti]).name, "'"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int32_t> FullIntegerRewriter::QuantizedConstant(int32_t t, const QParams& p) {
  const auto key = std::make_pair(t, p);
  if (auto it = derived_.find(key); it != derived_.end()) return it->second;
  ASSIGN_OR_RETURN(const std::vector<float> values, ReadFloat32Constant(m_, sg(), t));
  ir::Tensor q = MakeLike(sg(), tensor(t), act_type_, "_int8", p);
  if (act_type_ == DataType::kInt16) {
    std::vector<int16_t> data(values.size());
    for (size_t k = 0; k < values.size(); ++k) {
      data[k] = static_cast<int16_t>(quant::QuantizeValue(values[k], p.scale, 0, -32768, 32767));
    }
    q.buffer = m_.AddBuffer(ToBytes(data));
  } else {
    std::vector<int8_t> data(values.size());
    for (size_t k = 0; k < values.size(); ++k) {
      data[k] = static_cast<int8_t>(quant::QuantizeValue(
          values[k], p.scale, static_cast<int32_t>(p.zero_point), -128, 127));
    }
    q.buffer = m_.AddBuffer(ToBytes(data));
  }
  const int32_t index = AddTensor(sg(), std::move(q));
  derived_.emplace(key, index);
  return index;
}

int32_t FullIntegerRewriter::Requantized(int32_t q, int32_t t, const QParams& p,
                                         int32_t before_op) {
  const auto key = std::make_pair(-2 - t, p);  // negative keys: requantized activations
  if (auto it = derived_.find(key); it != derived_.end()) return it->second;
  const int32_t r = AddTensor(sg(), MakeLike(sg(), tensor(t), act_type_, "_requantized", p));
  late_inserts_.emplace_back(before_op, MakeOp(BuiltinOp::kQuantize, 2, q, r));
  derived_.emplace(key, r);
  return r;
}

// Bias correction: quantizing the weights shifts each output channel's expected value by
// sum_k (deq(q)[c][k] - w[c][k]) * E[x_k], with E[x_k] the calibration mean of the input channel
// tap k reads (padding ignored); the float bias absorbs that shift before it is quantized.
void FullIntegerRewriter::CorrectBias(BuiltinOp code, const ir::Tensor& weights,
                                      const std::vector<float>& w,
                                      const quant::SymmetricTensor<int8_t>& qw, int32_t input,
                                      std::vector<float>& bias) {
  if (input < 0 || static_cast<size_t>(input) >= ranges_.channel_means.size()) return;
  const std::vector<double>& mean = ranges_.channel_means[static_cast<size_t>(input)];
  const auto& shape = weights.shape;
  if (mean.empty() || shape.empty() || w.size() != qw.values.size()) return;
  const size_t n = w.size();
  std::vector<double> shift(bias.size(), 0.0);
  auto scale_of = [&](size_t channel) {
    return qw.scales.size() == 1 ? qw.scales[0] : qw.scales[channel];
  };
  if (code == BuiltinOp::kDepthwiseConv2d) {
    const size_t out_c = static_cast<size_t>(shape.back());
    if (out_c != bias.size() || out_c % mean.size() != 0) return;
    const size_t multiplier = out_c / mean.size();
    for (size_t k = 0; k < n; ++k) {
      const size_t c = k % out_c;
      const double err = static_cast<double>(qw.values[k]) * scale_of(c) - w[k];
      shift[c] += err * mean[c / multiplier];
    }
  } else {  // CONV_2D [O, H, W, I] and FULLY_CONNECTED [O, K]: input channel = k % inner
    const size_t out_c = static_cast<size_t>(shape[0]);
    if (out_c != bias.size() || out_c == 0) return;
    const size_t per_out = n / out_c;
    const size_t in_c = static_cast<size_t>(shape.back());
    if (in_c != mean.size()) return;
    for (size_t o = 0; o < out_c; ++o) {
      for (size_t k = 0; k < per_out; ++k) {
        const size_t idx = o * per_out + k;
        const double err = static_cast<double>(qw.values[idx]) * scale_of(o) - w[idx];
        shift[o] += err * mean[k % in_c];
      }
    }
  }
  for (size_t c = 0; c < bias.size(); ++c) bias[c] -= static_cast<float>(shift[c]);
}

absl::Status FullIntegerRewriter::QuantizeWeights(size_t i, int32_t input, float input_scale) {
  ir::Operator& op = sg().operators[i];
  const BuiltinOp code = OpCode(m_, op);
  const int32_t w = op.inputs[1];
  const int32_t b = op.inputs.size() > 2 ? op.inputs[2] : -1;
  int32_t axis = 0;
  if (code == BuiltinOp::kDepthwiseConv2d) axis = 3;
  if (code == BuiltinOp::kFullyConnected && !options_.fully_connected_per_channel) axis = -1;
  if (!options_.per_channel) axis = -1;

  ASSIGN_OR_RETURN(const std::vector<float> wv, ReadFloat32Constant(m_, sg(), w));
  auto qw_or = quant::QuantizeSymmetricInt8(wv, tensor(w).shape, axis);
  if (!qw_or.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(OpWhere(i), ": weights ", TensorWhere(sg(), w), ": ", qw_or.status().message()));
  }
  quant::SymmetricTensor<int8_t> qw = *std::move(qw_or);
  ir::Tensor wt = MakeLike(sg(), tensor(w), DataType::kInt8, "_int8", std::nullopt);
  ir::QuantParams wq;
  wq.scale = qw.scales;
  wq.zero_point.assign(qw.scales.size(), 0);
  wq.quantized_dimension = axis < 0 ? 0 : axis;
  wt.quantization = wq;
  wt.buffer = m_.AddBuffer(ToBytes(qw.values));
  const int32_t new_w = AddTensor(sg(), std::move(wt));

  int32_t new_b = -1;
  if (b >= 0) {
    const float in_scale = input_scale;
    ASSIGN_OR_RETURN(std::vector<float> bv, ReadFloat32Constant(m_, sg(), b));
    if (options_.bias_correction) CorrectBias(code, tensor(w), wv, qw, input, bv);
    ir::Tensor bt = MakeLike(sg(), tensor(b), DataType::kInt32, "_int32", std::nullopt);
    ir::QuantParams bq;
    if (act_type_ == DataType::kInt16) {
      auto qb = quant::QuantizeBiasInt64(bv, in_scale, qw.scales);
      if (!qb.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(OpWhere(i), ": bias ", TensorWhere(sg(), b),
                                                       ": ", qb.status().message()));
      }
      bt.type = DataType::kInt64;
      bt.name = UniqueTensorName(sg(), tensor(b).name + "_int64");
      bt.buffer = m_.AddBuffer(ToBytes(qb->values));
      bq.scale = qb->scales;
    } else {
      auto qb = quant::QuantizeBiasInt32(bv, in_scale, qw.scales);
      if (!qb.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(OpWhere(i), ": bias ", TensorWhere(sg(), b),
                                                       ": ", qb.status().message()));
      }
      bt.buffer = m_.AddBuffer(ToBytes(qb->values));
      bq.scale = qb->scales;
    }
    bq.zero_point.assign(bq.scale.size(), 0);
    bt.quantization = bq;
    new_b = AddTensor(sg(), std::move(bt));
  }
  ir::Operator& op_again = sg().operators[i];  // AddTensor does not touch operators
  op_again.inputs[1] = new_w;
  if (b >= 0) op_again.inputs[2] = new_b;
  return absl::OkStatus();
}

absl::Status FullIntegerRewriter::RewriteOperators() {
  const size_t num_ops = sg().operators.size();
  for (size_t i = 0; i < num_ops; ++i) {
    const OpPlan& p = plan_[i];
    const size_t num_inputs = sg().operators[i].inputs.size();
    if (!p.quantize) {
      for (size_t s = 0; s < num_inputs; ++s) {
        const int32_t t = sg().operators[i].inputs[s];
        if (t >= 0 && fform_.size() > static_cast<size_t>(t) && fform_[static_cast<size_t>(t)] >= 0) {
          sg().operators[i].inputs[s] = fform_[static_cast<size_t>(t)];
        }
      }
      continue;
    }
    ++quantized_ops_;
    // Parameters every activation input must have (CONCATENATION: the output's).
    std::optional<QParams> required;
    if (p.rule->rule == ParamRule::kAllSame) {
      required = params_[static_cast<size_t>(original_output0_[i])];
    }
    // Weighted operators: the bias scale needs the (original) input's parameters.
    const int32_t input0 = sg().operators[i].inputs.empty() ? -1 : sg().operators[i].inputs[0];
    const float input_scale =
        input0 >= 0 && params_[static_cast<size_t>(input0)] ? params_[static_cast<size_t>(input0)]->scale
                                                            : 0.0f;
    for (size_t s = 0; s < num_inputs; ++s) {
      const int32_t t = sg().operators[i].inputs[s];
      // (CreateForms converted integer-home tensors in place: ask the original model.)
      if (t < 0 || !was_float_[static_cast<size_t>(t)] || !IsActivationSlot(p.rule->rule, s)) {
        continue;
      }
      const QParams want = required ? *required : *params_[static_cast<size_t>(t)];
      int32_t replacement;
      if (is_constant_[static_cast<size_t>(t)]) {
        ASSIGN_OR_RETURN(replacement, QuantizedConstant(t, want));
      } else {
        replacement = qform_[static_cast<size_t>(t)];
        if (replacement < 0) {
          return absl::InternalError(absl::StrCat("no integer form of ", TensorWhere(sg(), t)));
        }
        if (!(want == *params_[static_cast<size_t>(t)])) {
          replacement = Requantized(replacement, t, want, static_cast<int32_t>(i));
        }
      }
      sg().operators[i].inputs[s] = replacement;
    }
    if (p.rule->rule == ParamRule::kWeighted) {
      RETURN_IF_ERROR(QuantizeWeights(i, input0, input_scale));
    }
  }
  return absl::OkStatus();
}

void FullIntegerRewriter::RaiseVersions() {
  for (size_t i = 0; i < plan_.size(); ++i) {
    if (!plan_[i].quantize) continue;
    const ir::Operator& op = sg().operators[i];
    int32_t version = act_type_ == DataType::kInt16 ? plan_[i].rule->int16_version
                                                    : plan_[i].rule->int8_version;
    ir::OperatorCode code = m_.operator_codes[op.opcode_index];
    const BuiltinOp builtin = ir::EffectiveBuiltinCode(code);
    if (builtin == BuiltinOp::kFullyConnected && act_type_ == DataType::kInt8) {
      const auto* o = std::get_if<ir::FullyConnectedOptions>(&op.builtin_options);
      if (o != nullptr && o->keep_num_dims) version = std::max(version, 5);
    }
    if (builtin == BuiltinOp::kResizeBilinear) {
      const auto* o = std::get_if<ir::ResizeBilinearOptions>(&op.builtin_options);
      if (o != nullptr && o->half_pixel_centers) version = std::max(version, 3);
    }
    if (code.version >= version) continue;
    code.version = version;
    sg().operators[i].opcode_index = m_.GetOrAddOperatorCode(code);
  }
}

absl::StatusOr<FullIntegerResult> FullIntegerRewriter::Run() {
  if (m_.subgraphs.size() != 1) {
    return absl::UnimplementedError(absl::StrCat(
        "full-integer quantization converts single-subgraph models; this one has ",
        m_.subgraphs.size(), " subgraphs"));
  }
  const ir::Subgraph& g = m_.subgraphs[0];
  if (ranges_.ranges.size() != g.tensors.size()) {
    return absl::InvalidArgumentError(absl::StrCat("calibration ranges cover ",
                                                   ranges_.ranges.size(), " tensors; the model has ",
                                                   g.tensors.size()));
  }
  for (int32_t k : options_.keep_float_ops) {
    if (k < 0 || static_cast<size_t>(k) >= g.operators.size()) {
      return absl::InvalidArgumentError(absl::StrCat("keep-float operator index ", k,
                                                     " is out of range (", g.operators.size(),
                                                     " operators)"));
    }
  }
  if (options_.activation_bits != 8 && options_.activation_bits != 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("activation bits must be 8 or 16, got ", options_.activation_bits));
  }
  if (options_.activation_bits == 16 && options_.io_type != IoType::kFloat32) {
    return absl::InvalidArgumentError("16x8 quantization keeps float32 inputs and outputs");
  }
  if (!options_.int16_ops.empty()) {
    return absl::UnimplementedError("per-layer 16x8 inside an int8 model is not implemented yet");
  }
  const UsageSnapshot before = TakeUsageSnapshot(m_);
  producers_ = FindProducers(g);
  consumers_ = FindConsumers(g);
  is_input_.assign(g.tensors.size(), false);
  is_output_.assign(g.tensors.size(), false);
  is_constant_.assign(g.tensors.size(), false);
  for (int32_t t : g.inputs) is_input_[static_cast<size_t>(t)] = true;
  for (int32_t t : g.outputs) is_output_[static_cast<size_t>(t)] = true;
  was_float_.assign(g.tensors.size(), false);
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    is_constant_[t] = IsConstant(m_, g.tensors[t]);
    was_float_[t] = g.tensors[t].type == DataType::kFloat32;
  }

  Classify();
  RETURN_IF_ERROR(AssignParams());
  for (const ir::Operator& op : g.operators) {
    original_output0_.push_back(op.outputs.empty() ? -1 : op.outputs[0]);
  }
  RETURN_IF_ERROR(CreateForms());
  RETURN_IF_ERROR(RewriteOperators());
  RaiseVersions();

  // Kept operators are found again after insertion by their (unchanged) output tensors; the
  // positions found stay valid through RemoveNewlyUnused, which removes no operator (but
  // renumbers tensors, so the search must come first).
  std::vector<std::pair<std::vector<int32_t>, std::string>> kept;
  for (size_t i = 0; i < plan_.size(); ++i) {
    if (!plan_[i].kept_reason.empty()) {
      kept.emplace_back(sg().operators[i].outputs, plan_[i].kept_reason);
    }
  }
  std::vector<std::pair<int32_t, ir::Operator>> all = std::move(inserts_);
  for (auto& x : late_inserts_) all.push_back(std::move(x));
  InsertOperators(sg(), std::move(all));
  std::vector<std::pair<size_t, std::string>> kept_at;  // final position, reason
  for (auto& [outputs, reason] : kept) {
    const auto& ops = sg().operators;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (ops[i].outputs == outputs) {
        kept_at.emplace_back(i, std::move(reason));
        break;
      }
    }
  }
  RemoveNewlyUnused(m_, before);

  FullIntegerResult result;
  for (auto& [i, reason] : kept_at) {
    const ir::Operator& op = m_.subgraphs[0].operators[i];
    eval::KeptFloatOp k;
    k.operator_index = static_cast<uint32_t>(i);
    k.op_name = tflite::OperatorName(m_, op);
    if (!op.outputs.empty() && op.outputs[0] >= 0) {
      k.output_tensor = m_.subgraphs[0].tensors[static_cast<size_t>(op.outputs[0])].name;
    }
    k.reason = std::move(reason);
    result.kept_float.push_back(std::move(k));
  }
  result.quantized_ops = quantized_ops_;
  result.warnings = std::move(warnings_);
  result.model = std::move(m_);
  return result;
}

}  // namespace

absl::StatusOr<FullIntegerResult> QuantizeFullInteger(const ir::Model& model,
                                                      const TensorRanges& ranges,
                                                      const FullIntegerOptions& options) {
  FullIntegerRewriter rewriter(model, ranges, options);
  return rewriter.Run();
}

}  // namespace compressd::passes
