#include "tests/support/tflite_oracle.h"

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/base/file_io.h"
#include "tests/support/test_data.h"

namespace compressd::testing {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

absl::StatusOr<OracleResult> RunTfliteOracle(const std::string& model_path,
                                             const std::vector<std::string>& inputs, int repeat) {
  auto modules = TestDataPath("oracle/node_modules/@tensorflow/tfjs-tflite/package.json");
  if (!modules.ok()) return modules.status();
  const char* root = std::getenv("COMPRESSD_TEST_DATA");
  const std::string script = std::string(COMPRESSD_SOURCE_DIR) + "/tests/oracle/oracle.js";
  const std::string out_dir = MakeTempDir("oracle");
  std::string cmd = absl::StrCat("NODE_PATH=", Quote(std::string(root) + "/oracle/node_modules"),
                                 " node ", Quote(script), " ", Quote(model_path), " --out ",
                                 Quote(out_dir), " --repeat ", repeat);
  for (const auto& in : inputs) absl::StrAppend(&cmd, " --in ", Quote(in));
  absl::StrAppend(&cmd, " >", Quote(out_dir + "/stdout.txt"), " 2>", Quote(out_dir + "/stderr.txt"));
  const int rc = std::system(cmd.c_str());
  const int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  OracleResult result;
  if (code == 2) {
    auto json = ReadFileBytes(out_dir + "/result.json");
    result.error = json.ok() ? std::string(json->begin(), json->end()) : "model rejected";
    std::filesystem::remove_all(out_dir);
    return result;
  }
  if (code != 0) {
    auto err = ReadFileBytes(out_dir + "/stderr.txt");
    std::filesystem::remove_all(out_dir);
    return absl::InternalError(absl::StrCat(
        "TFLite oracle failed (exit ", code, "): ",
        err.ok() ? std::string(err->begin(), err->end()) : "no stderr"));
  }
  result.loaded = true;
  for (int i = 0;; ++i) {
    const std::string file = absl::StrCat(out_dir, "/out_", i, ".bin");
    if (!std::filesystem::exists(file)) break;
    auto bytes = ReadFileBytes(file);
    if (!bytes.ok()) return bytes.status();
    result.outputs.push_back(std::move(*bytes));
  }
  std::filesystem::remove_all(out_dir);
  return result;
}

}  // namespace compressd::testing
