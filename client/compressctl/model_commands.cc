// Local model commands: inspect, roundtrip.
#include <cstdio>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "client/compressctl/args.h"
#include "client/compressctl/command.h"
#include "client/compressctl/exit_codes.h"
#include "core/base/file_io.h"
#include "core/base/json_writer.h"
#include "core/eval/model_summary.h"
#include "core/tflite/model_reader.h"
#include "core/tflite/model_writer.h"

namespace compressd::cli {
namespace {

int Inspect(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 1, {{"json", false}});
  if (!args.ok()) {
    ReportError("inspect", args.status());
    return kExitUsage;
  }
  if (args->positionals().size() != 1) {
    std::cerr << "usage: compressctl inspect MODEL [--json]\n";
    return kExitUsage;
  }
  const std::string& path = args->positionals()[0];
  auto bytes = ReadFileBytes(path);
  if (!bytes.ok()) return ReportError("inspect", bytes.status());
  auto model = tflite::ReadModel(*bytes);
  if (!model.ok()) return ReportError(path, model.status());
  const eval::ModelSummary summary =
      eval::Summarize(*model, static_cast<int64_t>(bytes->size()));
  if (args->Has("json")) {
    JsonWriter w;
    eval::WriteSummaryJson(summary, w);
    std::cout << w.output() << "\n";
  } else {
    std::cout << path << "\n" << eval::FormatSummary(summary);
  }
  return kExitOk;
}

int Roundtrip(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 1, {{"out"}, {"json", false}});
  if (!args.ok()) {
    ReportError("roundtrip", args.status());
    return kExitUsage;
  }
  if (args->positionals().size() != 1 || !args->Has("out")) {
    std::cerr << "usage: compressctl roundtrip MODEL --out OUT [--json]\n";
    return kExitUsage;
  }
  const std::string& path = args->positionals()[0];
  const std::string out = *args->Get("out");
  auto bytes = ReadFileBytes(path);
  if (!bytes.ok()) return ReportError("roundtrip", bytes.status());
  auto model = tflite::ReadModel(*bytes);
  if (!model.ok()) return ReportError(path, model.status());
  auto written = tflite::WriteModel(*model);
  if (!written.ok()) return ReportError("writing " + out, written.status());
  // The written bytes must load back into the same model before they are committed to disk.
  auto reread = tflite::ReadModel(*written);
  if (!reread.ok()) return ReportError("re-reading the written model", reread.status());
  if (!(*reread == *model)) {
    return ReportError("roundtrip", absl::InternalError("written model differs from the input"));
  }
  if (auto s = WriteFileAtomic(out, *written); !s.ok()) return ReportError("roundtrip", s);
  if (args->Has("json")) {
    JsonWriter w;
    w.BeginObject();
    w.Key("input");
    w.String(path);
    w.Key("output");
    w.String(out);
    w.Key("input_bytes");
    w.Int(static_cast<int64_t>(bytes->size()));
    w.Key("output_bytes");
    w.Int(static_cast<int64_t>(written->size()));
    w.EndObject();
    std::cout << w.output() << "\n";
  } else {
    std::cout << "wrote " << out << " (" << written->size() << " bytes; input " << bytes->size()
              << " bytes)\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> LocalCommands() {
  return {
      {"inspect", "inspect MODEL [--json]",
       "Show inputs, outputs, operators, parameters and metadata of a .tflite model.", Inspect},
      {"roundtrip", "roundtrip MODEL --out OUT [--json]",
       "Load, validate and re-write a model (checks the reader and writer).", Roundtrip},
      RunCommand(),
      QuantizeCommand(),
  };
}

}  // namespace compressd::cli
