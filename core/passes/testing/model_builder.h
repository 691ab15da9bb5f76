// A tiny builder of in-memory IR models for the tests of core/passes (header-only: core/CMakeLists
// compiles only the top level of each folder). Models are built by hand, never through the code
// under test.
#ifndef COMPRESSD_CORE_PASSES_TESTING_MODEL_BUILDER_H_
#define COMPRESSD_CORE_PASSES_TESTING_MODEL_BUILDER_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "core/ir/model.h"

namespace compressd::passes::testing {

template <typename T>
std::vector<uint8_t> RawBytes(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

template <typename T>
std::vector<T> FromBytes(std::span<const uint8_t> bytes) {
  std::vector<T> out(bytes.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
  return out;
}

class ModelBuilder {
 public:
  ModelBuilder() {
    model_.buffers.emplace_back();  // buffer 0: the empty sentinel
    model_.subgraphs.emplace_back();
  }

  // A run-time tensor (no data).
  int32_t Tensor(const std::string& name, std::vector<int32_t> shape,
                 ir::DataType type = ir::DataType::kFloat32) {
    ir::Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.type = type;
    t.buffer = 0;
    sg().tensors.push_back(std::move(t));
    return static_cast<int32_t>(sg().tensors.size() - 1);
  }

  // A constant tensor holding `values` (raw little-endian bytes of T).
  template <typename T>
  int32_t Constant(const std::string& name, std::vector<int32_t> shape, ir::DataType type,
                   const std::vector<T>& values) {
    const int32_t t = Tensor(name, std::move(shape), type);
    sg().tensors[static_cast<size_t>(t)].buffer = model_.AddBuffer(RawBytes(values));
    return t;
  }

  // An empty buffer no tensor uses (to check that passes leave such things alone).
  uint32_t UnusedBuffer(std::vector<uint8_t> bytes) { return model_.AddBuffer(std::move(bytes)); }

  int32_t Op(ir::BuiltinOp code, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
             ir::BuiltinOptions options = std::monostate{}, int32_t version = 1) {
    ir::OperatorCode c;
    c.builtin_code = code;
    c.deprecated_builtin_code =
        static_cast<int8_t>(std::min<int32_t>(static_cast<int32_t>(code), 127));
    c.version = version;
    ir::Operator op;
    op.opcode_index = model_.GetOrAddOperatorCode(c);
    op.inputs = std::move(inputs);
    op.outputs = std::move(outputs);
    op.builtin_options = std::move(options);
    sg().operators.push_back(std::move(op));
    return static_cast<int32_t>(sg().operators.size() - 1);
  }

  void Inputs(std::vector<int32_t> t) { sg().inputs = std::move(t); }
  void Outputs(std::vector<int32_t> t) { sg().outputs = std::move(t); }

  ir::Model& model() { return model_; }
  ir::Model Build() const { return model_; }

 private:
  ir::Subgraph& sg() { return model_.subgraphs[0]; }
  ir::Model model_;
};

}  // namespace compressd::passes::testing

#endif  // COMPRESSD_CORE_PASSES_TESTING_MODEL_BUILDER_H_
