#include "core/passes/fuse_activations.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "core/passes/graph_edit.h"

namespace compressd::passes {
namespace {

// The fused activation an activation operator becomes, or kNone for other operators.
ir::Activation ActivationOf(ir::BuiltinOp op) {
  switch (op) {
    case ir::BuiltinOp::kRelu:
      return ir::Activation::kRelu;
    case ir::BuiltinOp::kRelu6:
      return ir::Activation::kRelu6;
    case ir::BuiltinOp::kReluN1To1:
      return ir::Activation::kReluN1To1;
    default:
      return ir::Activation::kNone;
  }
}

// The producer's fused-activation field, creating its default options when the file omitted them;
// nullptr when the operator has no such field.
template <typename Options>
ir::Activation* Field(ir::BuiltinOptions& options) {
  if (std::holds_alternative<std::monostate>(options)) options = Options{};
  Options* o = std::get_if<Options>(&options);
  return o == nullptr ? nullptr : &o->activation;
}

ir::Activation* FusedActivationField(ir::BuiltinOp op, ir::BuiltinOptions& options) {
  switch (op) {
    case ir::BuiltinOp::kAdd:
      return Field<ir::AddOptions>(options);
    case ir::BuiltinOp::kSub:
      return Field<ir::SubOptions>(options);
    case ir::BuiltinOp::kMul:
      return Field<ir::MulOptions>(options);
    case ir::BuiltinOp::kConv2d:
      return Field<ir::Conv2DOptions>(options);
    case ir::BuiltinOp::kDepthwiseConv2d:
      return Field<ir::DepthwiseConv2DOptions>(options);
    case ir::BuiltinOp::kFullyConnected:
      return Field<ir::FullyConnectedOptions>(options);
    default:
      return nullptr;
  }
}

}  // namespace

FuseActivationsResult FuseActivations(const ir::Model& model, const std::vector<int32_t>& keep) {
  FuseActivationsResult result;
  result.model = model;
  ir::Model& m = result.model;
  const size_t n = m.subgraphs.empty() ? 0 : m.subgraphs[0].operators.size();
  result.operator_map.resize(n);
  for (size_t i = 0; i < n; ++i) result.operator_map[i] = static_cast<int32_t>(i);
  if (n == 0) return result;
  ir::Subgraph& sg = m.subgraphs[0];
  const UsageSnapshot before = TakeUsageSnapshot(m);
  const std::vector<int32_t> producers = FindProducers(sg);
  const std::vector<std::vector<TensorUse>> consumers = FindConsumers(sg);
  std::vector<bool> kept(n, false);
  for (int32_t k : keep) {
    if (k >= 0 && static_cast<size_t>(k) < n) kept[static_cast<size_t>(k)] = true;
  }
  std::vector<bool> remove(n, false);
  std::vector<int32_t> fused_into(n, -1);
  for (size_t i = 0; i < n; ++i) {
    ir::Operator& act = sg.operators[i];
    const ir::Activation activation = ActivationOf(OpCode(m, act));
    if (activation == ir::Activation::kNone || kept[i] || act.inputs.size() != 1 ||
        act.outputs.size() != 1 || act.inputs[0] < 0 || act.outputs[0] < 0) {
      continue;
    }
    const int32_t mid = act.inputs[0];
    const int32_t p = producers[static_cast<size_t>(mid)];
    if (p < 0 || kept[static_cast<size_t>(p)] || remove[static_cast<size_t>(p)] ||
        consumers[static_cast<size_t>(mid)].size() != 1 || IsSubgraphOutput(sg, mid)) {
      continue;
    }
    ir::Operator& producer = sg.operators[static_cast<size_t>(p)];
    if (producer.outputs.size() != 1 || producer.outputs[0] != mid) continue;
    // The intermediate must be a plain float tensor of the same type and shape as the output.
    const ir::Tensor& mid_t = sg.tensors[static_cast<size_t>(mid)];
    const ir::Tensor& out_t = sg.tensors[static_cast<size_t>(act.outputs[0])];
    if (mid_t.type != ir::DataType::kFloat32 || out_t.type != ir::DataType::kFloat32 ||
        mid_t.shape != out_t.shape) {
      continue;
    }
    ir::BuiltinOptions options = producer.builtin_options;
    ir::Activation* field = FusedActivationField(OpCode(m, producer), options);
    if (field == nullptr || *field != ir::Activation::kNone) continue;
    *field = activation;
    producer.builtin_options = std::move(options);
    producer.outputs[0] = act.outputs[0];
    remove[i] = true;
    fused_into[i] = p;
    ++result.fused;
  }
  if (result.fused == 0) return result;
  // New indices: survivors keep their order; a removed activation maps to its producer.
  std::vector<int32_t> new_index(n, -1);
  int32_t next = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!remove[i]) new_index[i] = next++;
  }
  for (size_t i = 0; i < n; ++i) {
    result.operator_map[i] =
        remove[i] ? new_index[static_cast<size_t>(fused_into[i])] : new_index[i];
  }
  RemoveOperators(sg, remove);
  RemoveNewlyUnused(m, before);
  return result;
}

}  // namespace compressd::passes
