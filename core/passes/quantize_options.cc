#include "core/passes/quantize_options.h"

namespace compressd::passes {

const char* QuantModeName(QuantMode mode) {
  switch (mode) {
    case QuantMode::kInt8: return "int8";
    case QuantMode::kDynamic: return "dynamic";
    case QuantMode::kFloat16: return "float16";
    case QuantMode::kInt16x8: return "int16x8";
  }
  return "unknown";
}

const char* ObserverKindName(ObserverKind kind) {
  switch (kind) {
    case ObserverKind::kMinMax: return "minmax";
    case ObserverKind::kEma: return "ema";
    case ObserverKind::kPercentile: return "percentile";
    case ObserverKind::kMse: return "mse";
    case ObserverKind::kKl: return "kl";
  }
  return "unknown";
}

const char* IoTypeName(IoType type) {
  switch (type) {
    case IoType::kFloat32: return "float32";
    case IoType::kInt8: return "int8";
    case IoType::kUInt8: return "uint8";
  }
  return "unknown";
}

}  // namespace compressd::passes
