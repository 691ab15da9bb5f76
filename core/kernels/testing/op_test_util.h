// OpHarness runs one kernel through Prepare and Eval on tensors held in memory, without a model
// file or an interpreter: the unit-test harness for core/kernels/<op>.cc.
//
//   OpHarness h(Conv2DKernel(), ir::Conv2DOptions{...});
//   h.AddInput(ir::DataType::kFloat32, Shape{1, 5, 5, 3}, input_values);
//   h.AddConstInput(ir::DataType::kFloat32, Shape{8, 3, 3, 3}, weights);
//   h.AddOptionalInput();              // tensor index -1
//   h.AddOutput(ir::DataType::kFloat32);
//   ASSERT_OK(h.Run());
//   std::vector<float> out = h.OutputData<float>(0);
//
// Outputs are filled with NaN bytes (0xFF) before Eval so an element the kernel forgets to write
// shows up in comparisons.
#ifndef COMPRESSD_CORE_KERNELS_TESTING_OP_TEST_UTIL_H_
#define COMPRESSD_CORE_KERNELS_TESTING_OP_TEST_UTIL_H_

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/ir/model.h"
#include "core/kernels/op_kernel.h"

namespace compressd::kernels::testing {

class OpHarness : public OpContext {
 public:
  explicit OpHarness(const OpKernel& kernel, ir::BuiltinOptions options = {},
                     ThreadPool* pool = nullptr)
      : kernel_(kernel), pool_(pool) {
    op_.builtin_options = std::move(options);
  }

  ir::Operator& mutable_op() { return op_; }
  // The integer arithmetic profile the kernel sees (default kTfliteBuiltin).
  void set_integer_arithmetic(IntegerArithmetic a) { arithmetic_ = a; }

  template <typename T>
  void AddInput(ir::DataType type, Shape shape, const std::vector<T>& values,
                std::optional<ir::QuantParams> quant = std::nullopt) {
    AddTensor(/*is_input=*/true, type, shape, values.data(), values.size() * sizeof(T), quant,
              /*is_constant=*/false);
  }
  template <typename T>
  void AddConstInput(ir::DataType type, Shape shape, const std::vector<T>& values,
                     std::optional<ir::QuantParams> quant = std::nullopt) {
    AddTensor(/*is_input=*/true, type, shape, values.data(), values.size() * sizeof(T), quant,
              /*is_constant=*/true);
  }
  // A sparse constant input: `shape` is the dense shape, `values` the stored values.
  template <typename T>
  void AddSparseConstInput(ir::DataType type, Shape shape, const std::vector<T>& values,
                           ir::Sparsity sparsity) {
    AddConstInput(type, shape, values);
    HeldTensor& t = *held_.back();
    t.sparsity = std::move(sparsity);
    t.view.sparsity = &*t.sparsity;
  }
  void AddOptionalInput() {
    op_.inputs.push_back(-1);
    inputs_.push_back(-1);
  }
  // The declared shape is optional: Prepare sets the real one.
  void AddOutput(ir::DataType type, Shape declared = Shape(),
                 std::optional<ir::QuantParams> quant = std::nullopt) {
    AddTensor(/*is_input=*/false, type, declared, nullptr, 0, quant, /*is_constant=*/false);
  }

  // Prepare, allocate outputs and scratch, Eval.
  absl::Status Run() {
    for (int idx : inputs_) {
      if (idx < 0) continue;
      auto& t = (*held_[idx]);
      if (!t.view.is_constant) t.view.data = nullptr;  // as during a real Prepare
    }
    absl::Status s = kernel_.prepare(*this);
    if (!s.ok()) return s;
    for (int idx : inputs_) {
      if (idx < 0) continue;
      auto& t = (*held_[idx]);
      t.view.data = t.storage.data();
    }
    for (int idx : outputs_) {
      auto& t = (*held_[idx]);
      const int size = ir::DataTypeSize(t.view.type);
      t.storage.assign(static_cast<size_t>(t.view.shape.FlatSize() * size), 0xFF);
      t.view.data = t.storage.data();
      t.view.bytes = static_cast<int64_t>(t.storage.size());
    }
    scratch_.clear();
    for (int64_t b : scratch_sizes_) scratch_.emplace_back(static_cast<size_t>(b) + 64, 0xFF);
    return kernel_.eval(*this);
  }

  template <typename T>
  std::vector<T> OutputData(int i) const {
    const auto& t = (*held_[outputs_[i]]);
    std::vector<T> v(t.storage.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), t.storage.data(), v.size() * sizeof(T));
    return v;
  }
  Shape OutputShape(int i) const { return (*held_[outputs_[i]]).view.shape; }

  // OpContext.
  const ir::Operator& op() const override { return op_; }
  int num_inputs() const override { return static_cast<int>(inputs_.size()); }
  int num_outputs() const override { return static_cast<int>(outputs_.size()); }
  const TensorView* input(int i) const override {
    return inputs_[i] < 0 ? nullptr : &(*held_[inputs_[i]]).view;
  }
  TensorView* output(int i) override { return &(*held_[outputs_[i]]).view; }
  absl::StatusOr<int> RequestScratch(int64_t bytes) override {
    scratch_sizes_.push_back(bytes);
    return static_cast<int>(scratch_sizes_.size() - 1);
  }
  void* scratch(int index) override {
    auto& s = scratch_[index];
    uintptr_t p = reinterpret_cast<uintptr_t>(s.data());
    return s.data() + ((64 - p % 64) % 64);
  }
  void set_state(std::unique_ptr<OpState> state) override { state_ = std::move(state); }
  OpState* state() const override { return state_.get(); }
  ThreadPool* thread_pool() const override { return pool_; }
  IntegerArithmetic integer_arithmetic() const override { return arithmetic_; }

 private:
  struct HeldTensor {
    TensorView view;
    std::vector<uint8_t> storage;
    std::optional<ir::QuantParams> quant;
    std::optional<ir::Sparsity> sparsity;
    std::string name;
  };

  void AddTensor(bool is_input, ir::DataType type, Shape shape, const void* data, size_t bytes,
                 std::optional<ir::QuantParams> quant, bool is_constant) {
    auto t = std::make_unique<HeldTensor>();
    t->view.type = type;
    t->view.shape = shape;
    t->view.is_constant = is_constant;
    t->storage.assign(static_cast<const uint8_t*>(data),
                      static_cast<const uint8_t*>(data) + bytes);
    t->view.data = t->storage.data();
    t->view.bytes = static_cast<int64_t>(bytes);
    t->quant = std::move(quant);
    t->name = "t" + std::to_string(held_.size());
    held_.push_back(std::move(t));
    HeldTensor& added = *held_.back();
    added.view.quant = added.quant ? &*added.quant : nullptr;
    added.view.name = &added.name;
    const int index = static_cast<int>(held_.size() - 1);
    if (is_input) {
      inputs_.push_back(index);
      op_.inputs.push_back(index);
    } else {
      outputs_.push_back(index);
      op_.outputs.push_back(index);
    }
  }

  const OpKernel& kernel_;
  ThreadPool* pool_;
  IntegerArithmetic arithmetic_ = IntegerArithmetic::kTfliteBuiltin;
  ir::Operator op_;
  std::vector<std::unique_ptr<HeldTensor>> held_;
  std::vector<int> inputs_;
  std::vector<int> outputs_;
  std::vector<int64_t> scratch_sizes_;
  std::vector<std::vector<uint8_t>> scratch_;
  std::unique_ptr<OpState> state_;
};

}  // namespace compressd::kernels::testing

#endif  // COMPRESSD_CORE_KERNELS_TESTING_OP_TEST_UTIL_H_
