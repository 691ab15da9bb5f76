// Runs a model in the real TensorFlow Lite runtime (tests/oracle/oracle.js under Node.js, with the
// pinned npm package fetched into $COMPRESSD_TEST_DATA/oracle) and returns its outputs.
#ifndef COMPRESSD_TESTS_SUPPORT_TFLITE_ORACLE_H_
#define COMPRESSD_TESTS_SUPPORT_TFLITE_ORACLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace compressd::testing {

struct OracleResult {
  bool loaded = false;  // false: TFLite rejected the model (error holds its result.json)
  std::string error;
  std::vector<std::vector<uint8_t>> outputs;  // raw bytes of each output, in model order
};

// `inputs`: one raw little-endian file per model input, or empty for the deterministic fill.
// Fails only when the oracle itself cannot run (node missing, bad usage); a model TFLite rejects
// gives loaded == false.
absl::StatusOr<OracleResult> RunTfliteOracle(const std::string& model_path,
                                             const std::vector<std::string>& inputs = {},
                                             int repeat = 1);

}  // namespace compressd::testing

#endif  // COMPRESSD_TESTS_SUPPORT_TFLITE_ORACLE_H_
