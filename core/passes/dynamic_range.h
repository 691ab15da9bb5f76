// Dynamic-range ("hybrid") quantization: int8 weights, float activations, computed by TFLite's
// hybrid kernels, which quantize the float input on the fly. Follows TFLite's converter (the MLIR
// dynamic-range quantizer, default options):
//
//   op                 weight   scales                       op changes
//   CONV_2D            input 1  per channel, axis 0          version 5 (2 when per tensor)
//   DEPTHWISE_CONV_2D  input 1  per channel, axis 3          version 6 (per tensor: see below)
//   FULLY_CONNECTED    input 1  per tensor                   asymmetric_quantize_inputs = true,
//                                                            version 9 (6 without bias, 5 with
//                                                            keep_num_dims: TFLite's op_version)
//
// Weights are int8 symmetric in [-127, 127], zero point 0 (quant/quant_params.h). Biases and every
// other float tensor stay float32. Weights with fewer than `min_elements` values (the converter's
// default is 1024) stay float, as do weights that are not float32 constants, sparse weights,
// fully-connected weights in a shuffled format, convolutions with dilation (TFLite's hybrid
// CONV_2D kernel runs them with dilation 1) and, with require_smaller, weights whose int8 form
// would take more bytes than their float form; each such operator is listed in `kept_float` with
// its reason. TFLite's hybrid DEPTHWISE_CONV_2D kernel only takes per-channel scales, so with
// per_channel = false its weights get one shared scale repeated per channel (version 6).
// FULLY_CONNECTED stays per tensor unless fully_connected_per_channel is set: per-channel hybrid FC
// needs version 12, which the pinned TFLite runtime (and the converter's default) lacks.
//
// A weight tensor shared by several qualifying operators that need the same layout is quantized
// once; one also read elsewhere (or needed with another axis) gets a separate int8 copy and the
// float original stays for the other readers. Thread-safe (pure function of its input).
#ifndef COMPRESSD_CORE_PASSES_DYNAMIC_RANGE_H_
#define COMPRESSD_CORE_PASSES_DYNAMIC_RANGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/eval/report.h"
#include "core/ir/model.h"

namespace compressd::passes {

struct DynamicRangeOptions {
  bool per_channel = true;
  // FULLY_CONNECTED weights per channel (axis 0, hybrid version 12) instead of per tensor.
  bool fully_connected_per_channel = false;
  int64_t min_elements = 1024;
  // Leave weights float when int8 storage (one byte per value plus 4 bytes of scale and 8 of zero
  // point per channel, as TFLite files store them) would not be smaller than their float storage:
  // 2 bytes per value when every value is exactly a float16 (weights of a folded float16 model,
  // which are then stored as float16 again), 4 otherwise. Typical case: 3x3 depthwise weights of
  // a float16 model (9 + 12 bytes per channel in int8 against 18 in float16).
  bool require_smaller = true;
  std::vector<int32_t> keep_float_ops;  // subgraph 0 operator indices to leave alone
};

struct DynamicRangeResult {
  ir::Model model;
  int quantized_ops = 0;
  int quantized_tensors = 0;
  std::vector<eval::KeptFloatOp> kept_float;  // weight-bearing ops left in float, with reasons
  std::vector<std::string> warnings;
};

// INVALID_ARGUMENT naming the tensor when a weight's buffer does not match its shape or holds
// NaN/inf values.
absl::StatusOr<DynamicRangeResult> QuantizeDynamicRange(const ir::Model& model,
                                                        const DynamicRangeOptions& options);

}  // namespace compressd::passes

#endif  // COMPRESSD_CORE_PASSES_DYNAMIC_RANGE_H_
