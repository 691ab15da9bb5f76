#include "core/interp/interpreter.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/thread_pool.h"
#include "core/interp/memory_planner.h"
#include "core/tflite/op_names.h"

namespace compressd::interp {

using kernels::TensorView;

namespace {

constexpr int64_t kAlignment = 64;

absl::Status WithOperator(const absl::Status& s, int index, const std::string& name) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat("operator ", index, " (", name, "): ", s.message()));
}

absl::StatusOr<int64_t> ByteSize(const TensorView& t, const std::string& what) {
  const int size = ir::DataTypeSize(t.type);
  if (size == 0) {
    return absl::UnimplementedError(absl::StrCat(what, " has type ", ir::DataTypeName(t.type),
                                                 ", which the interpreter cannot hold"));
  }
  for (int i = 0; i < t.shape.rank(); ++i) {
    if (t.shape.dim(i) < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " has a negative dimension ", t.shape.ToString()));
    }
  }
  return t.shape.FlatSize() * size;
}

}  // namespace

class Interpreter::OpContextImpl : public kernels::OpContext {
 public:
  OpContextImpl(const ir::Operator& op, int index, std::string name, const kernels::OpKernel& k,
                ThreadPool* pool, kernels::IntegerArithmetic arithmetic)
      : op_(op),
        index_(index),
        name_(std::move(name)),
        kernel_(k),
        pool_(pool),
        arithmetic_(arithmetic) {}

  const ir::Operator& op() const override { return op_; }
  int num_inputs() const override { return static_cast<int>(inputs_.size()); }
  int num_outputs() const override { return static_cast<int>(outputs_.size()); }
  const TensorView* input(int i) const override { return inputs_[i]; }
  TensorView* output(int i) override { return outputs_[i]; }
  absl::StatusOr<int> RequestScratch(int64_t bytes) override {
    if (bytes < 0) return absl::InvalidArgumentError("negative scratch size");
    scratch_sizes_.push_back(bytes);
    return static_cast<int>(scratch_sizes_.size() - 1);
  }
  void* scratch(int index) override { return scratch_ptrs_[index]; }
  void set_state(std::unique_ptr<kernels::OpState> state) override { state_ = std::move(state); }
  kernels::OpState* state() const override { return state_.get(); }
  ThreadPool* thread_pool() const override { return pool_; }
  kernels::IntegerArithmetic integer_arithmetic() const override { return arithmetic_; }

  absl::Status Prepare() { return WithOperator(kernel_.prepare(*this), index_, name_); }
  absl::Status Eval() { return WithOperator(kernel_.eval(*this), index_, name_); }

  const ir::Operator& op_;
  const int index_;
  const std::string name_;
  const kernels::OpKernel& kernel_;
  ThreadPool* const pool_;
  const kernels::IntegerArithmetic arithmetic_;
  std::vector<TensorView*> inputs_;
  std::vector<TensorView*> outputs_;
  std::vector<const TensorView*> const_inputs_;
  std::vector<const TensorView*> const_outputs_;
  std::vector<int64_t> scratch_sizes_;
  std::vector<void*> scratch_ptrs_;
  std::vector<std::vector<uint8_t>> folding_scratch_;
  std::unique_ptr<kernels::OpState> state_;
};

void Interpreter::AlignedFree::operator()(uint8_t* p) const { std::free(p); }

Interpreter::Interpreter(const ir::Model& model)
    : model_(model), subgraph_(model.subgraphs.front()) {}

Interpreter::~Interpreter() = default;

absl::StatusOr<std::unique_ptr<Interpreter>> Interpreter::Create(
    const ir::Model& model, const InterpreterOptions& options) {
  if (model.subgraphs.empty()) return absl::InvalidArgumentError("model has no subgraphs");
  std::unique_ptr<Interpreter> interp(new Interpreter(model));
  RETURN_IF_ERROR(interp->Prepare(options));
  return interp;
}

int Interpreter::num_operators() const { return static_cast<int>(ops_.size()); }

const std::string& Interpreter::input_name(int i) const {
  return subgraph_.tensors[input_indices_[i]].name;
}
const std::string& Interpreter::output_name(int i) const {
  return subgraph_.tensors[output_indices_[i]].name;
}

absl::Status Interpreter::Prepare(const InterpreterOptions& options) {
  static const kernels::OpResolver* const kDefault =
      new kernels::OpResolver(kernels::BuiltinOpResolver());
  const kernels::OpResolver& resolver = options.resolver ? *options.resolver : *kDefault;
  if (options.num_threads > 1) pool_ = std::make_unique<ThreadPool>(options.num_threads);

  const auto& ts = subgraph_.tensors;
  const int num_tensors = static_cast<int>(ts.size());
  tensors_.resize(ts.size());
  for (int i = 0; i < num_tensors; ++i) {
    const ir::Tensor& t = ts[i];
    TensorView& v = tensors_[i];
    if (static_cast<int>(t.shape.size()) > kernels::Shape::kMaxRank) {
      return absl::UnimplementedError(absl::StrCat("tensor ", i, " '", t.name, "' has rank ",
                                                   t.shape.size(), "; at most ",
                                                   kernels::Shape::kMaxRank, " is supported"));
    }
    v.type = t.type;
    v.shape = kernels::Shape(std::span<const int32_t>(t.shape));
    v.quant = t.quantization ? &*t.quantization : nullptr;
    v.name = &t.name;
    v.sparsity = t.sparsity ? &*t.sparsity : nullptr;
    const ir::Buffer& b = model_.buffers[t.buffer];
    if (b.size() > 0) {
      v.is_constant = true;
      v.data = const_cast<uint8_t*>(b.bytes().data());  // kernels never write inputs
      v.bytes = static_cast<int64_t>(b.size());
      memory_stats_.model_constant_bytes += v.bytes;
    }
    if (t.is_variable) {
      return absl::UnimplementedError(absl::StrCat(
          "tensor ", i, " '", t.name, "' is a variable (stateful models are not supported)"));
    }
  }
  input_indices_ = subgraph_.inputs;
  output_indices_ = subgraph_.outputs;

  // The operators must come in execution order: every input already produced.
  const int num_ops = static_cast<int>(subgraph_.operators.size());
  std::vector<int> producer(ts.size(), -2);  // -2 none, -1 graph input / constant, else op
  for (int i = 0; i < num_tensors; ++i) {
    if (tensors_[i].is_constant) producer[i] = -1;
  }
  for (int32_t in : input_indices_) producer[in] = -1;
  for (int o = 0; o < num_ops; ++o) {
    const ir::Operator& op = subgraph_.operators[o];
    for (int32_t in : op.inputs) {
      if (in >= 0 && producer[in] == -2) {
        return absl::InvalidArgumentError(absl::StrCat(
            "operator ", o, " (", tflite::OperatorName(model_, op), ") reads tensor ", in, " '",
            ts[in].name, "' before any operator produces it"));
      }
    }
    for (int32_t out : op.outputs) {
      if (producer[out] != -2) {
        return absl::InvalidArgumentError(absl::StrCat(
            "operator ", o, " (", tflite::OperatorName(model_, op), ") writes tensor ", out, " '",
            ts[out].name, "', which is already a graph input, constant or another op's output"));
      }
      producer[out] = o;
    }
  }
  for (int32_t out : output_indices_) {
    if (producer[out] == -2) {
      return absl::InvalidArgumentError(absl::StrCat("graph output tensor ", out, " '",
                                                     ts[out].name, "' is never produced"));
    }
  }

  // Resolve, prepare, fold.
  for (int o = 0; o < num_ops; ++o) {
    const ir::Operator& op = subgraph_.operators[o];
    const std::string name = tflite::OperatorName(model_, op);
    const kernels::OpKernel* kernel = resolver.Find(model_.operator_codes[op.opcode_index]);
    if (kernel == nullptr) {
      return absl::UnimplementedError(absl::StrCat(
          "operator ", o, " (", name, ") has no kernel in compressd's interpreter"));
    }
    auto ctx = std::make_unique<OpContextImpl>(op, o, name, *kernel, pool_.get(),
                                               options.integer_arithmetic);
    bool all_constant = true;
    for (int32_t in : op.inputs) {
      TensorView* v = in >= 0 ? &tensors_[in] : nullptr;
      ctx->inputs_.push_back(v);
      ctx->const_inputs_.push_back(v);
      if (v != nullptr && !v->is_constant) all_constant = false;
    }
    for (int32_t out : op.outputs) {
      ctx->outputs_.push_back(&tensors_[out]);
      ctx->const_outputs_.push_back(&tensors_[out]);
    }
    RETURN_IF_ERROR(ctx->Prepare());
    for (size_t k = 0; k < op.outputs.size(); ++k) {
      TensorView& out = tensors_[op.outputs[k]];
      ASSIGN_OR_RETURN(out.bytes, ByteSize(out, absl::StrCat("operator ", o, " (", name,
                                                             ") output ", k)));
    }
    const bool foldable = options.fold_constants && all_constant && !op.inputs.empty();
    if (foldable) {
      for (int32_t out : op.outputs) {
        TensorView& v = tensors_[out];
        folded_storage_.emplace_back(static_cast<size_t>(v.bytes));
        v.data = folded_storage_.back().data();
        memory_stats_.folded_constant_bytes += v.bytes;
      }
      for (int64_t s : ctx->scratch_sizes_) {
        ctx->folding_scratch_.emplace_back(static_cast<size_t>(s + kAlignment));
        uint8_t* p = ctx->folding_scratch_.back().data();
        p += (kAlignment - reinterpret_cast<uintptr_t>(p) % kAlignment) % kAlignment;
        ctx->scratch_ptrs_.push_back(p);
      }
      RETURN_IF_ERROR(ctx->Eval());
      ctx->folding_scratch_.clear();
      ctx->scratch_ptrs_.clear();
      for (int32_t out : op.outputs) tensors_[out].is_constant = true;
      ++num_folded_;
    } else {
      runnable_.push_back(ctx.get());
    }
    ops_.push_back(std::move(ctx));
  }

  // Lifetimes in steps: 0 = before the first operator, op o runs at step o + 1, end = num_ops + 1.
  const int end = num_ops + 1;
  std::vector<int> first(ts.size(), -1), last(ts.size(), -1);
  for (int32_t in : input_indices_) {
    if (!tensors_[in].is_constant) {
      first[in] = 0;
      last[in] = end;
    }
  }
  for (OpContextImpl* ctx : runnable_) {
    const int step = ctx->index_ + 1;
    for (int32_t out : ctx->op_.outputs) {
      first[out] = step;
      last[out] = std::max(last[out], step);
    }
    for (int32_t in : ctx->op_.inputs) {
      if (in >= 0 && !tensors_[in].is_constant) last[in] = std::max(last[in], step);
    }
  }
  for (int32_t out : output_indices_) {
    if (!tensors_[out].is_constant) last[out] = end;
  }
  std::vector<BufferRequest> requests;
  std::vector<int> request_tensor;  // tensor index, or -1 - op position for scratch
  std::vector<std::pair<OpContextImpl*, int>> scratch_owner;
  for (int i = 0; i < num_tensors; ++i) {
    if (first[i] < 0) continue;
    ASSIGN_OR_RETURN(int64_t bytes, ByteSize(tensors_[i], absl::StrCat("tensor ", i, " '",
                                                                        ts[i].name, "'")));
    tensors_[i].bytes = bytes;
    requests.push_back({bytes, first[i], options.preserve_all_tensors ? end : last[i]});
    request_tensor.push_back(i);
  }
  for (OpContextImpl* ctx : runnable_) {
    for (size_t s = 0; s < ctx->scratch_sizes_.size(); ++s) {
      requests.push_back({ctx->scratch_sizes_[s], ctx->index_ + 1, ctx->index_ + 1});
      request_tensor.push_back(-1 - static_cast<int>(scratch_owner.size()));
      scratch_owner.push_back({ctx, static_cast<int>(s)});
    }
    ctx->scratch_ptrs_.assign(ctx->scratch_sizes_.size(), nullptr);
  }
  const MemoryPlan plan = PlanMemory(requests, kAlignment);
  memory_stats_.arena_bytes = plan.arena_bytes;
  memory_stats_.lower_bound_bytes = plan.lower_bound_bytes;
  const size_t arena_size =
      static_cast<size_t>((std::max<int64_t>(plan.arena_bytes, 1) + kAlignment - 1) / kAlignment *
                          kAlignment);
  arena_.reset(static_cast<uint8_t*>(std::aligned_alloc(kAlignment, arena_size)));
  if (!arena_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot allocate the activation arena of ", arena_size, " bytes"));
  }
  std::memset(arena_.get(), 0, arena_size);
  for (size_t r = 0; r < requests.size(); ++r) {
    uint8_t* p = arena_.get() + plan.offsets[r];
    if (request_tensor[r] >= 0) {
      tensors_[request_tensor[r]].data = p;
    } else {
      auto [ctx, s] = scratch_owner[-1 - request_tensor[r]];
      ctx->scratch_ptrs_[s] = p;
    }
  }
  return absl::OkStatus();
}

absl::Status Interpreter::SetInput(int i, std::span<const uint8_t> bytes) {
  if (i < 0 || i >= num_inputs()) {
    return absl::InvalidArgumentError(absl::StrCat("input index ", i, " out of range (model has ",
                                                   num_inputs(), " inputs)"));
  }
  TensorView& v = tensors_[input_indices_[i]];
  if (v.is_constant) {
    return absl::FailedPreconditionError(absl::StrCat("input ", i, " is a constant tensor"));
  }
  if (static_cast<int64_t>(bytes.size()) != v.bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "input ", i, " '", input_name(i), "' (", ir::DataTypeName(v.type), " ",
        v.shape.ToString(), ") needs ", v.bytes, " bytes, got ", bytes.size()));
  }
  if (!bytes.empty()) std::memcpy(v.data, bytes.data(), bytes.size());
  return absl::OkStatus();
}

std::span<uint8_t> Interpreter::mutable_input(int i) {
  TensorView& v = tensors_[input_indices_[i]];
  if (v.is_constant || v.data == nullptr) return {};
  return {static_cast<uint8_t*>(v.data), static_cast<size_t>(v.bytes)};
}

std::span<const uint8_t> Interpreter::output_bytes(int i) const {
  const TensorView& v = tensors_[output_indices_[i]];
  return {static_cast<const uint8_t*>(v.data), static_cast<size_t>(v.bytes)};
}

absl::Status Interpreter::Invoke() {
  for (OpContextImpl* ctx : runnable_) {
    RETURN_IF_ERROR(ctx->Eval());
    if (observer_) {
      observer_(OperatorEvent{ctx->index_, &ctx->op_, ctx->const_inputs_, ctx->const_outputs_,
                              ctx->op_.outputs});
    }
  }
  return absl::OkStatus();
}

}  // namespace compressd::interp
