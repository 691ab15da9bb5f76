// `compressctl run`: executes a model with compressd's interpreter.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/compressctl/args.h"
#include "client/compressctl/command.h"
#include "client/compressctl/exit_codes.h"
#include "core/base/file_io.h"
#include "core/base/json_writer.h"
#include "core/base/status_macros.h"
#include "core/data/npy.h"
#include "core/interp/input_fill.h"
#include "core/interp/interpreter.h"
#include "core/interp/op_profiler.h"
#include "core/tflite/model_reader.h"

namespace compressd::cli {
namespace {

// How many operators --profile lists individually.
constexpr int kSlowestOperators = 15;

// Loads input `i` from `path`: a .npy file (detected by its magic, whatever the extension) whose
// dtype and element count must match, or a raw little-endian file of exactly the input's size.
absl::StatusOr<std::vector<uint8_t>> LoadInput(const std::string& path,
                                               const kernels::TensorView& input, int i) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, input.bytes + (1 << 20)));
  static constexpr uint8_t kNpyMagic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (bytes.size() >= 6 && std::equal(kNpyMagic, kNpyMagic + 6, bytes.begin())) {
    ASSIGN_OR_RETURN(data::TensorData t, data::ParseNpy(bytes, path));
    if (t.type != input.type) {
      return absl::InvalidArgumentError(absl::StrCat(path, " holds ", ir::DataTypeName(t.type),
                                                     "; input ", i, " needs ",
                                                     ir::DataTypeName(input.type)));
    }
    if (t.NumElements() != input.shape.FlatSize()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, " has ", t.NumElements(), " elements; input ", i, " ", input.shape.ToString(),
          " needs ", input.shape.FlatSize()));
    }
    return std::move(t.bytes);
  }
  if (static_cast<int64_t>(bytes.size()) != input.bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, " has ", bytes.size(), " bytes; input ", i, " (", ir::DataTypeName(input.type), " ",
        input.shape.ToString(), ") needs ", input.bytes, " (raw) or a matching .npy file"));
  }
  return bytes;
}

void WriteShape(const kernels::Shape& s, JsonWriter& w) {
  w.BeginArray();
  for (int d = 0; d < s.rank(); ++d) w.Int(s.dim(d));
  w.EndArray();
}

int Run(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 1,
                          {{"input", true, true}, {"output-dir"}, {"threads"}, {"repeat"},
                           {"json", false}, {"profile", false}, {"arithmetic"}});
  if (!args.ok() || args->positionals().size() != 1) {
    if (!args.ok()) ReportError("run", args.status());
    std::cerr << "usage: compressctl run MODEL [--input FILE]... [--output-dir DIR] "
                 "[--threads N] [--repeat N] [--arithmetic builtin|xnnpack] [--profile] [--json]\n";
    return kExitUsage;
  }
  auto threads = args->GetInt("threads", 1, 1, 256);
  auto repeat = args->GetInt("repeat", 1, 1, 100000);
  if (!threads.ok() || !repeat.ok()) {
    ReportError("run", !threads.ok() ? threads.status() : repeat.status());
    return kExitUsage;
  }
  const std::string path = args->positionals()[0];
  auto model = tflite::ReadModelFile(path);
  if (!model.ok()) return ReportError("run", model.status());
  interp::InterpreterOptions options;
  options.num_threads = static_cast<int>(*threads);
  // --arithmetic xnnpack: reproduce what TFLite computes with its XNNPACK delegate (see
  // core/kernels/op_kernel.h); builtin (the default): TFLite's builtin kernels' integer
  // arithmetic and compressd's fastest float kernels.
  if (const auto arithmetic = args->Get("arithmetic"); arithmetic.has_value()) {
    if (*arithmetic == "xnnpack") {
      options.integer_arithmetic = kernels::IntegerArithmetic::kXnnpack;
    } else if (*arithmetic != "builtin") {
      ReportError("run", absl::InvalidArgumentError(absl::StrCat(
                             "--arithmetic must be builtin or xnnpack, got '", *arithmetic, "'")));
      return kExitUsage;
    }
  }
  auto interp = interp::Interpreter::Create(*model, options);
  if (!interp.ok()) return ReportError(path, interp.status());
  interp::Interpreter& in = **interp;
  const std::vector<std::string> inputs = args->GetAll("input");
  if (!inputs.empty() && static_cast<int>(inputs.size()) != in.num_inputs()) {
    return ReportError("run", absl::InvalidArgumentError(absl::StrCat(
                                  "the model has ", in.num_inputs(), " inputs; ", inputs.size(),
                                  " --input files given")));
  }
  for (int i = 0; i < in.num_inputs(); ++i) {
    if (inputs.empty()) {
      if (auto s = interp::FillDeterministic(in.input(i).type, in.mutable_input(i)); !s.ok()) {
        return ReportError("run", s);
      }
      continue;
    }
    auto bytes = LoadInput(inputs[i], in.input(i), i);
    if (!bytes.ok()) return ReportError("run", bytes.status());
    if (auto s = in.SetInput(i, *bytes); !s.ok()) return ReportError("run", s);
  }
  // --profile: per-operator times from the observer hook (adds a clock read per operator).
  std::optional<interp::OpProfiler> profiler;
  if (args->Has("profile")) {
    profiler.emplace(*model);
    profiler->Attach(in);
  }
  std::vector<double> ms;
  for (int64_t r = 0; r < *repeat; ++r) {
    if (profiler) profiler->BeginInvoke();
    const auto t0 = std::chrono::steady_clock::now();
    if (auto s = in.Invoke(); !s.ok()) return ReportError(path, s);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  const std::vector<interp::OpTime> slowest =
      profiler ? profiler->Slowest(kSlowestOperators) : std::vector<interp::OpTime>{};
  const std::string out_dir = args->Get("output-dir").value_or("");
  if (!out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) {
      return ReportError("run", absl::PermissionDeniedError(
                                    absl::StrCat("cannot create ", out_dir, ": ", ec.message())));
    }
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("ok");
  w.Bool(true);
  w.Key("model");
  w.String(path);
  w.Key("threads");
  w.Int(*threads);
  w.Key("inputs");
  w.BeginArray();
  for (int i = 0; i < in.num_inputs(); ++i) {
    w.BeginObject();
    w.Key("name");
    w.String(in.input_name(i));
    w.Key("type");
    w.String(ir::DataTypeName(in.input(i).type));
    w.Key("shape");
    WriteShape(in.input(i).shape, w);
    w.EndObject();
  }
  w.EndArray();
  w.Key("outputs");
  w.BeginArray();
  for (int i = 0; i < in.num_outputs(); ++i) {
    const std::string file = absl::StrCat("out_", i, ".bin");
    if (!out_dir.empty()) {
      if (auto s = WriteFileAtomic(out_dir + "/" + file, in.output_bytes(i)); !s.ok()) {
        return ReportError("run", s);
      }
    }
    w.BeginObject();
    w.Key("name");
    w.String(in.output_name(i));
    w.Key("type");
    w.String(ir::DataTypeName(in.output(i).type));
    w.Key("shape");
    WriteShape(in.output(i).shape, w);
    w.Key("file");
    w.String(file);
    w.EndObject();
  }
  w.EndArray();
  w.Key("ms");
  w.BeginObject();
  w.Key("min");
  w.Double(ms.front());
  w.Key("median");
  w.Double(ms[ms.size() / 2]);
  w.Key("max");
  w.Double(ms.back());
  w.EndObject();
  if (profiler) {
    // Milliseconds per Invoke, by operator kind (name + first input's type).
    w.Key("profile");
    w.BeginArray();
    for (const interp::OpKindTime& k : profiler->ByKind()) {
      w.BeginObject();
      w.Key("kind");
      w.String(k.kind);
      w.Key("operators");
      w.Int(k.operators);
      w.Key("ms");
      w.Double(k.total_ms / profiler->invocations());
      w.EndObject();
    }
    w.EndArray();
    w.Key("slowest_operators");
    w.BeginArray();
    for (const interp::OpTime& t : slowest) {
      w.BeginObject();
      w.Key("index");
      w.Int(t.operator_index);
      w.Key("operator");
      w.String(t.description);
      w.Key("ms");
      w.Double(t.total_ms / profiler->invocations());
      w.EndObject();
    }
    w.EndArray();
  }
  const auto& mem = in.memory_stats();
  w.Key("memory");
  w.BeginObject();
  w.Key("arena_bytes");
  w.Int(mem.arena_bytes);
  w.Key("lower_bound_bytes");
  w.Int(mem.lower_bound_bytes);
  w.Key("folded_constant_bytes");
  w.Int(mem.folded_constant_bytes);
  w.Key("model_constant_bytes");
  w.Int(mem.model_constant_bytes);
  w.EndObject();
  w.EndObject();
  if (!out_dir.empty()) {
    if (auto s = WriteFileAtomic(out_dir + "/result.json", w.output() + "\n"); !s.ok()) {
      return ReportError("run", s);
    }
  }
  if (args->Has("json")) {
    std::cout << w.output() << "\n";
  } else {
    std::cout << absl::StrFormat("%s: %d operators (%d folded), latency min %.3f ms, median %.3f ms "
                                 "over %d runs, %d thread(s)\n",
                                 path, in.num_operators(), in.num_folded_operators(), ms.front(),
                                 ms[ms.size() / 2], ms.size(), *threads);
    std::cout << absl::StrFormat("arena %d bytes (lower bound %d, ratio %.3f)\n", mem.arena_bytes,
                                 mem.lower_bound_bytes,
                                 mem.lower_bound_bytes
                                     ? static_cast<double>(mem.arena_bytes) / mem.lower_bound_bytes
                                     : 1.0);
    if (profiler) {
      double total = 0;
      for (const interp::OpKindTime& k : profiler->ByKind()) total += k.total_ms;
      std::cout << "profile (ms per run, by operator and input type):\n";
      for (const interp::OpKindTime& k : profiler->ByKind()) {
        std::cout << absl::StrFormat("  %-32s %4d ops %9.3f ms %5.1f%%\n", k.kind, k.operators,
                                     k.total_ms / profiler->invocations(),
                                     total > 0 ? 100.0 * k.total_ms / total : 0.0);
      }
      std::cout << "slowest operators (ms per run):\n";
      for (const interp::OpTime& t : slowest) {
        std::cout << absl::StrFormat("  #%-4d %8.3f ms  %s\n", t.operator_index,
                                     t.total_ms / profiler->invocations(), t.description);
      }
    }
    for (int i = 0; i < in.num_outputs(); ++i) {
      std::cout << "  output " << i << " '" << in.output_name(i) << "' "
                << ir::DataTypeName(in.output(i).type) << " " << in.output(i).shape.ToString()
                << (out_dir.empty() ? "" : " → " + out_dir + "/out_" + std::to_string(i) + ".bin")
                << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

Command RunCommand() {
  return {"run",
          "run MODEL [--input FILE]... [--output-dir DIR] [--threads N] [--repeat N] "
          "[--arithmetic builtin|xnnpack] [--profile] "
          "[--json]",
          "Execute a model with compressd's interpreter; inputs are .npy or raw files (default: "
          "a deterministic fill).",
          Run};
}

}  // namespace compressd::cli
