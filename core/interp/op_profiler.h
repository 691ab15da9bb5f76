// Per-operator wall time of an Interpreter, from its observer hook: an operator's time is the
// time between the previous operator's end (or the start of Invoke) and its own end, so it
// includes the interpreter's small per-operator overhead. Accumulates over any number of Invoke
// calls.
//
// Usage:
//   OpProfiler profiler(model);
//   profiler.Attach(interpreter);          // replaces the interpreter's observer
//   for (...) { profiler.BeginInvoke(); interpreter.Invoke(); }
//   for (const OpKindTime& k : profiler.ByKind()) ...
//
// Thread safety: not thread-safe; one profiler per interpreter. The model and the interpreter
// must outlive the profiler's use.
#ifndef COMPRESSD_CORE_INTERP_OP_PROFILER_H_
#define COMPRESSD_CORE_INTERP_OP_PROFILER_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/interp/interpreter.h"
#include "core/ir/model.h"

namespace compressd::interp {

// Time spent in one kind of operator: its name and the type of its first input
// ("CONV_2D int8"), summed over every operator of that kind and every profiled Invoke.
struct OpKindTime {
  std::string kind;
  int operators = 0;      // how many operators of the model are of this kind
  double total_ms = 0.0;  // over all profiled invocations
};

// Time spent in one operator, with what it computes: "CONV_2D int8 [1,128,128,3] x
// [16,3,3,3] -> [1,64,64,16]" (the shapes of its non-omitted inputs, then of its outputs).
struct OpTime {
  int operator_index = 0;
  std::string description;
  double total_ms = 0.0;  // over all profiled invocations
};

class OpProfiler {
 public:
  explicit OpProfiler(const ir::Model& model);

  void Attach(Interpreter& interpreter);
  // Marks the start of an Invoke; call right before each profiled Invoke.
  void BeginInvoke();

  int invocations() const { return invocations_; }
  // Total milliseconds per operator index (0 for operators folded at preparation).
  const std::vector<double>& per_operator_ms() const { return per_operator_ms_; }
  // Per kind, most expensive first.
  std::vector<OpKindTime> ByKind() const;
  // The `count` most expensive operators (fewer if the model has fewer), most expensive first.
  std::vector<OpTime> Slowest(int count) const;

 private:
  void OnOperator(const OperatorEvent& event);

  const ir::Model& model_;
  std::vector<double> per_operator_ms_;
  std::vector<std::string> kinds_;
  std::chrono::steady_clock::time_point last_;
  int invocations_ = 0;
};

}  // namespace compressd::interp

#endif  // COMPRESSD_CORE_INTERP_OP_PROFILER_H_
