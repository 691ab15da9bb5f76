// Calibration: runs the float model on sample inputs and records the range of every float32
// tensor of subgraph 0 with the range observer the options select (quant/observers.h). The
// full-integer pass turns these ranges into activation quantization parameters.
#ifndef COMPRESSD_CORE_PASSES_CALIBRATION_H_
#define COMPRESSD_CORE_PASSES_CALIBRATION_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "core/ir/model.h"
#include "core/passes/quantize_options.h"
#include "core/quant/observers.h"

namespace compressd::passes {

// Calibration samples: samples[s][i] holds the raw little-endian bytes of model input i for
// sample s, in the input's type and shape.
struct CalibrationSet {
  std::vector<std::vector<std::vector<uint8_t>>> samples;
};

struct TensorRanges {
  // Indexed by tensor index in subgraph 0; nullopt for tensors that are not float32 or were never
  // observed with a finite value (e.g. outputs of operators the model never reaches).
  std::vector<std::optional<quant::Range>> ranges;
  uint32_t samples = 0;
  uint64_t non_finite_values = 0;  // NaN / ±inf seen in activations (ignored by the observers)
  // Mean of each channel (the last dimension, NHWC / [batch, features]) of every observed float
  // tensor over all samples and positions; empty for tensors never observed. Bias correction
  // uses it (E[x] per input channel of a weighted operator).
  std::vector<std::vector<double>> channel_means;
};

// Observes the model's inputs, every float32 operator output and every float32 constant
// (including constants the interpreter folds at preparation). `bits` is the activation width
// (8 or 16; MSE and KL observers optimise for it). INVALID_ARGUMENT for an empty set or a
// sample whose input count or byte sizes do not match the model (naming sample and input);
// errors of the interpreter are passed on. Thread-safe (pure function of its inputs).
absl::StatusOr<TensorRanges> CalibrateRanges(const ir::Model& model, const CalibrationSet& set,
                                             const QuantizeOptions& options, int bits,
                                             int num_threads = 1);

}  // namespace compressd::passes

#endif  // COMPRESSD_CORE_PASSES_CALIBRATION_H_
