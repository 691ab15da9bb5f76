// Runs subgraph 0 of an IR model on the host.
//
// Create() prepares once: checks the graph is in execution order, resolves a kernel for every
// operator (an op or type without a kernel is an error naming the operator index and name), runs
// each kernel's Prepare to validate and infer shapes, evaluates operators whose inputs are all
// constant (e.g. DEQUANTIZE of float16 weights) so later kernels see float weights they can pack,
// and plans every activation into one arena (memory_planner.h). Invoke() then runs the operators
// without allocating.
//
// Ownership: the Model must outlive the Interpreter (constant tensors point into its buffers).
// Thread safety: one Invoke at a time; different Interpreters are independent. Results do not
// depend on num_threads.
#ifndef COMPRESSD_CORE_INTERP_INTERPRETER_H_
#define COMPRESSD_CORE_INTERP_INTERPRETER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/ir/model.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/op_resolver.h"

namespace compressd {
class ThreadPool;
}

namespace compressd::interp {

struct InterpreterOptions {
  int num_threads = 1;
  // Kernels to use; nullptr means every kernel the core ships (kernels::BuiltinOpResolver()).
  const kernels::OpResolver* resolver = nullptr;
  // Evaluate operators with only constant inputs at preparation time.
  bool fold_constants = true;
  // Keep every intermediate tensor alive (no arena sharing) so that all of them can be read after
  // Invoke. Costs memory; observers do not need it.
  bool preserve_all_tensors = false;
  // The integer arithmetic int8 kernels reproduce (see kernels::IntegerArithmetic in op_kernel.h).
  kernels::IntegerArithmetic integer_arithmetic = kernels::IntegerArithmetic::kTfliteBuiltin;
};

struct MemoryStats {
  int64_t arena_bytes = 0;        // activations + scratch, planned
  int64_t lower_bound_bytes = 0;  // peak of simultaneously live activations + scratch
  int64_t folded_constant_bytes = 0;  // constants computed at preparation (owned)
  int64_t model_constant_bytes = 0;   // constants used in place from the model
};

// Passed to an observer after each operator ran. Views are valid only during the call (the arena
// reuses memory afterwards).
struct OperatorEvent {
  int operator_index;
  const ir::Operator* op;
  std::span<const kernels::TensorView* const> inputs;   // nullptr entries for omitted inputs
  std::span<const kernels::TensorView* const> outputs;
  std::span<const int32_t> output_tensor_indices;
};
using Observer = std::function<void(const OperatorEvent&)>;

class Interpreter {
 public:
  static absl::StatusOr<std::unique_ptr<Interpreter>> Create(const ir::Model& model,
                                                              const InterpreterOptions& options = {});
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  int num_inputs() const { return static_cast<int>(input_indices_.size()); }
  int num_outputs() const { return static_cast<int>(output_indices_.size()); }
  const kernels::TensorView& input(int i) const { return tensors_[input_indices_[i]]; }
  const kernels::TensorView& output(int i) const { return tensors_[output_indices_[i]]; }
  const std::string& input_name(int i) const;
  const std::string& output_name(int i) const;

  // Copies `bytes` into input i; the size must equal the input's byte size.
  absl::Status SetInput(int i, std::span<const uint8_t> bytes);
  // Direct access for filling input i in place (valid until the Interpreter is destroyed).
  std::span<uint8_t> mutable_input(int i);

  // Runs every operator. Operators folded at preparation are not run again.
  absl::Status Invoke();

  std::span<const uint8_t> output_bytes(int i) const;

  // Called after every (non-folded) operator of each Invoke; pass nullptr to remove.
  void SetObserver(Observer observer) { observer_ = std::move(observer); }

  const MemoryStats& memory_stats() const { return memory_stats_; }
  int num_operators() const;
  int num_folded_operators() const { return num_folded_; }

  // Any tensor of subgraph 0 (data valid for constants, inputs, outputs, and everything when
  // preserve_all_tensors is set).
  const kernels::TensorView& tensor(int index) const { return tensors_[index]; }
  int num_tensors() const { return static_cast<int>(tensors_.size()); }

 private:
  class OpContextImpl;
  explicit Interpreter(const ir::Model& model);
  absl::Status Prepare(const InterpreterOptions& options);

  const ir::Model& model_;
  const ir::Subgraph& subgraph_;
  std::vector<kernels::TensorView> tensors_;
  std::vector<int32_t> input_indices_;
  std::vector<int32_t> output_indices_;
  std::vector<std::unique_ptr<OpContextImpl>> ops_;  // one per operator, in order
  std::vector<OpContextImpl*> runnable_;             // operators not folded
  std::vector<std::vector<uint8_t>> folded_storage_;
  struct AlignedFree {
    void operator()(uint8_t* p) const;
  };
  std::unique_ptr<uint8_t, AlignedFree> arena_;
  std::unique_ptr<ThreadPool> pool_;
  Observer observer_;
  MemoryStats memory_stats_;
  int num_folded_ = 0;
};

}  // namespace compressd::interp

#endif  // COMPRESSD_CORE_INTERP_INTERPRETER_H_
