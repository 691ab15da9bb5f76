// The contract between operator kernels and the interpreter.
//
// Each operator lives in one file core/kernels/<op>.cc that defines an OpKernel with two steps:
//   Prepare(ctx): validate input types/shapes/options, set every output's shape (and check its
//                 type), precompute what Eval needs (quantized multipliers, packed weights) into an
//                 OpState, request scratch memory. Runs once per Interpreter::Prepare. Constant
//                 inputs (weights, folded constants) already have data; other tensors have shapes
//                 only (data == nullptr).
//   Eval(ctx):    compute outputs from inputs. Never allocates on the heap in steady state, never
//                 reads or writes outside the views' bytes (Prepare has validated everything Eval
//                 relies on). May use ctx.thread_pool(); results must not depend on thread count.
// Both return absl::Status; messages describe the problem, the interpreter prefixes the operator
// index and name.
#ifndef COMPRESSD_CORE_KERNELS_OP_KERNEL_H_
#define COMPRESSD_CORE_KERNELS_OP_KERNEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/ir/model.h"
#include "core/kernels/shape.h"

namespace compressd {
class ThreadPool;
}

namespace compressd::kernels {

// A tensor as kernels see it. Owned by the interpreter; valid for the lifetime of the prepared
// interpreter. `data` points into the activation arena, into the model's constant buffers, or into
// interpreter-owned storage for folded constants.
struct TensorView {
  ir::DataType type = ir::DataType::kFloat32;
  Shape shape;
  void* data = nullptr;  // nullptr during Prepare unless is_constant
  int64_t bytes = 0;     // size of `data` in bytes (valid once data is set)
  const ir::QuantParams* quant = nullptr;  // nullptr when the tensor has no quantization
  bool is_constant = false;
  const std::string* name = nullptr;
  // Sparse constant tensors only (DENSIFY's input): `shape` is the dense shape, `data` holds the
  // stored values in the order `sparsity` describes (see core/kernels/reference/densify.h).
  const ir::Sparsity* sparsity = nullptr;

  template <typename T>
  T* data_as() const {
    return static_cast<T*>(data);
  }
  bool IsQuantized() const { return quant != nullptr && quant->IsQuantized(); }
};

// Per-operator state created in Prepare (packed weights, multipliers, ...).
class OpState {
 public:
  virtual ~OpState() = default;
};

// Implemented by the interpreter, one per operator. Not thread-safe.
class OpContext {
 public:
  virtual ~OpContext() = default;

  virtual const ir::Operator& op() const = 0;
  virtual int num_inputs() const = 0;
  virtual int num_outputs() const = 0;
  // nullptr when input `i` is an omitted optional input (tensor index -1). `i` must be in range.
  virtual const TensorView* input(int i) const = 0;
  // `i` must be in range. Before Prepare, type and shape are those the model declares.
  virtual TensorView* output(int i) = 0;

  // Prepare only: scratch memory of `bytes` bytes for use during Eval (lives in the arena, not
  // preserved between Evals). Returns an index for scratch().
  virtual absl::StatusOr<int> RequestScratch(int64_t bytes) = 0;
  // Eval only: the scratch buffer with the index RequestScratch returned (64-byte aligned).
  virtual void* scratch(int index) = 0;

  virtual void set_state(std::unique_ptr<OpState> state) = 0;
  virtual OpState* state() const = 0;
  // nullptr means single-threaded.
  virtual ThreadPool* thread_pool() const = 0;

  // Typed state access for Eval (the kernel's own Prepare created it).
  template <typename T>
  T* state_as() const {
    return static_cast<T*>(state());
  }
};

struct OpKernel {
  const char* name;  // "CONV_2D", "Convolution2DTransposeBias", ...
  absl::Status (*prepare)(OpContext& ctx);
  absl::Status (*eval)(OpContext& ctx);
};

// The options of type T of the context's operator, or T's defaults when the file has none
// (TFLite treats a missing options table as all-default).
template <typename T>
T OptionsOrDefault(const OpContext& ctx) {
  if (const T* o = std::get_if<T>(&ctx.op().builtin_options)) return *o;
  return T{};
}

}  // namespace compressd::kernels

#endif  // COMPRESSD_CORE_KERNELS_OP_KERNEL_H_
