// Options of the quantization pass (`compressctl quantize`, proto compressd.v1.QuantizeSpec).
#ifndef COMPRESSD_CORE_PASSES_QUANTIZE_OPTIONS_H_
#define COMPRESSD_CORE_PASSES_QUANTIZE_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace compressd::passes {

enum class QuantMode {
  kInt8,      // full-integer int8 (calibrated)
  kDynamic,   // int8 weights, float activations (hybrid kernels)
  kFloat16,   // float16 weights behind DEQUANTIZE
  kInt16x8,   // int16 activations, int8 weights (calibrated)
};

enum class ObserverKind { kMinMax, kEma, kPercentile, kMse, kKl };

enum class IoType { kFloat32, kInt8, kUInt8 };

// A layer named by its output tensor's name or by operator index in subgraph 0.
struct LayerRef {
  std::string tensor_name;   // used when non-empty
  int32_t operator_index = -1;
};

struct QuantizeOptions {
  QuantMode mode = QuantMode::kInt8;
  ObserverKind observer = ObserverKind::kMinMax;
  double percentile = 99.99;  // (0, 100], for kPercentile
  bool per_tensor = false;    // per-tensor weight scales instead of per-channel
  // kInt8 / kInt16x8: FULLY_CONNECTED weights per channel (TFLite's converter and older runtimes
  // use one scale per tensor).
  bool fully_connected_per_channel = false;
  IoType io_type = IoType::kFloat32;
  std::vector<LayerRef> keep_float;
  std::vector<LayerRef> int16x8_layers;  // only with kInt8
  bool bias_correction = false;
  bool cross_layer_equalization = false;
  // kDynamic: weights with fewer elements stay float (TFLite's converter default is 1024).
  int64_t dynamic_min_elements = 1024;
};

const char* QuantModeName(QuantMode mode);      // "int8", "dynamic", "float16", "int16x8"
const char* ObserverKindName(ObserverKind kind);  // "minmax", "ema", "percentile", "mse", "kl"
const char* IoTypeName(IoType type);            // "float32", "int8", "uint8"

}  // namespace compressd::passes

#endif  // COMPRESSD_CORE_PASSES_QUANTIZE_OPTIONS_H_
