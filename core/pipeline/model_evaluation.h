// Evaluation of a compressed model against the model it came from: both run in compressd's
// interpreter on the same samples, every output is compared (per output metrics), and every
// integer tensor of the compressed model that has a float counterpart of the same name in the
// original (the tensors the quantizer converted in place, or their "<name>_int8" copies) is
// compared too, after dequantization:
//   accumulated  the compressed model's tensor against the float model's: the error of every
//                operator up to this point;
//   isolated     the float model's tensor rounded to the compressed tensor's quantization grid
//                (scale, zero point, clamping) against itself: the error this tensor's own
//                quantization adds.
// Samples hold values for the REFERENCE model's inputs; where the candidate's input is integer
// (io int8/uint8) the samples are quantized with its parameters, and integer outputs are
// dequantized before comparison. Thread-compatible (pure function of its inputs).
#ifndef COMPRESSD_CORE_PIPELINE_MODEL_EVALUATION_H_
#define COMPRESSD_CORE_PIPELINE_MODEL_EVALUATION_H_

#include <vector>

#include "absl/status/statusor.h"
#include "core/data/tensor_data.h"
#include "core/eval/report.h"
#include "core/ir/model.h"

namespace compressd::pipeline {

struct EvaluationResult {
  std::vector<eval::OutputMetrics> outputs;
  std::vector<eval::TensorMetrics> tensors;
};

// One deterministic sample (interp/input_fill.h) for `model`'s inputs.
absl::StatusOr<std::vector<data::TensorData>> DeterministicSample(const ir::Model& model);

// INVALID_ARGUMENT when the models' inputs or outputs do not correspond (count, element count)
// or a sample does not fit the reference's inputs; interpreter errors are passed on.
absl::StatusOr<EvaluationResult> EvaluateAgainstReference(
    const ir::Model& reference, const ir::Model& candidate,
    const std::vector<std::vector<data::TensorData>>& samples, int num_threads = 1);

}  // namespace compressd::pipeline

#endif  // COMPRESSD_CORE_PIPELINE_MODEL_EVALUATION_H_
