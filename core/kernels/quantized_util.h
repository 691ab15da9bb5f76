// Prepare-time helpers for the integer (int8 / uint8 / int16) paths of the elementwise, pooling,
// resize and reduction kernels (add.cc, mul.cc, activations.cc, pooling.cc, resize_bilinear.cc,
// reduce.cc, quantize.cc, concatenation.cc, pad.cc). They validate a tensor's per-tensor affine
// quantization and compute TFLite's quantized activation range. All run in Prepare (they may
// allocate for error messages) and return InvalidArgument / Unimplemented statuses that name the
// offending tensor; the interpreter prefixes the operator index and name. Header-only, stateless.
#ifndef COMPRESSD_CORE_KERNELS_QUANTIZED_UTIL_H_
#define COMPRESSD_CORE_KERNELS_QUANTIZED_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/ir/builtin_options.h"
#include "core/ir/data_type.h"
#include "core/kernels/op_kernel.h"
#include "core/quant/quantized_multiplier.h"

namespace compressd::kernels::quantized {

// One scale and one zero point (TFLite's TfLiteQuantizationParams of a per-tensor tensor).
struct TensorQuant {
  float scale = 0.0f;
  int32_t zero_point = 0;
};

// The inclusive value range of an integer element type (int8, uint8, int16, int32).
struct IntRange {
  int32_t min = 0;
  int32_t max = 0;
};

inline IntRange TypeRange(ir::DataType type) {
  switch (type) {
    case ir::DataType::kInt8:
      return {std::numeric_limits<int8_t>::min(), std::numeric_limits<int8_t>::max()};
    case ir::DataType::kUInt8:
      return {0, std::numeric_limits<uint8_t>::max()};
    case ir::DataType::kInt16:
      return {std::numeric_limits<int16_t>::min(), std::numeric_limits<int16_t>::max()};
    default:
      return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
  }
}

// "input 0 't3'" when the tensor has a name, else `what`.
inline std::string Describe(const TensorView& t, const std::string& what) {
  if (t.name == nullptr || t.name->empty()) return what;
  return absl::StrCat(what, " '", *t.name, "'");
}

// The per-tensor quantization of `t`: InvalidArgument when the tensor has no quantization
// parameters, more than one scale (per-channel), a scale that is not a positive finite number,
// or a zero point outside the range of its type (int8 / uint8 / int16).
inline absl::StatusOr<TensorQuant> GetTensorQuant(const TensorView& t, const std::string& what) {
  if (!t.IsQuantized()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Describe(t, what), " (", ir::DataTypeName(t.type),
                     ") has no quantization parameters; the integer kernel needs a scale and a "
                     "zero point"));
  }
  const ir::QuantParams& q = *t.quant;
  if (q.scale.size() != 1 || q.zero_point.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        Describe(t, what), " has ", q.scale.size(), " scales and ", q.zero_point.size(),
        " zero points; only per-tensor quantization (one of each) is supported here"));
  }
  const float scale = q.scale[0];
  if (!std::isfinite(scale) || !(scale > 0.0f)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Describe(t, what), " has scale ", scale, "; it must be positive and finite"));
  }
  const int64_t zp = q.zero_point.empty() ? 0 : q.zero_point[0];
  const IntRange range = TypeRange(t.type);
  if (zp < range.min || zp > range.max) {
    return absl::InvalidArgumentError(absl::StrCat(Describe(t, what), " has zero point ", zp,
                                                   ", outside the range of ",
                                                   ir::DataTypeName(t.type)));
  }
  return TensorQuant{scale, static_cast<int32_t>(zp)};
}

// InvalidArgument unless the zero point is 0 (TFLite's int16 kernels are symmetric).
inline absl::Status CheckZeroPointIsZero(const TensorView& t, const TensorQuant& q,
                                         const std::string& what) {
  if (q.zero_point == 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(Describe(t, what), " is ",
                                                 ir::DataTypeName(t.type), " with zero point ",
                                                 q.zero_point, "; int16 kernels require 0"));
}

// InvalidArgument unless `a` and `b` carry the same scale and zero point (exact comparison, as
// TFLite's TF_LITE_ENSURE_EQ on the float scales).
inline absl::Status CheckSameParams(const TensorView& t, const TensorQuant& a,
                                    const TensorQuant& b, const std::string& what,
                                    const std::string& other) {
  if (a.scale == b.scale && a.zero_point == b.zero_point) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      Describe(t, what), " has scale ", a.scale, " and zero point ", a.zero_point, " but ", other,
      " has scale ", b.scale, " and zero point ", b.zero_point, "; they must be equal"));
}

// zero_point + round(f / scale) as TFLite's CalculateActivationRangeQuantized computes it (the
// division in float, TfLiteRound = round half away from zero), saturated to int32 instead of
// overflowing for tiny scales.
inline int32_t QuantizeForRange(float f, const TensorQuant& q) {
  const float r = std::round(f / q.scale);
  const double v = static_cast<double>(r) + q.zero_point;
  if (!(v > std::numeric_limits<int32_t>::min())) return std::numeric_limits<int32_t>::min();
  if (!(v < std::numeric_limits<int32_t>::max())) return std::numeric_limits<int32_t>::max();
  return static_cast<int32_t>(v);
}

// TFLite's CalculateActivationRangeQuantized for an output of `type` with quantization `out`:
//   NONE [qmin, qmax]; RELU [max(qmin, Q(0)), qmax]; RELU6 [max(qmin, Q(0)), min(qmax, Q(6))];
//   RELU_N1_TO_1 [max(qmin, Q(-1)), min(qmax, Q(1))]   with Q(f) = zp + round(f / scale).
// Unimplemented for TANH / SIGN_BIT (as CheckClampActivation).
inline absl::StatusOr<IntRange> ActivationRange(ir::Activation act, ir::DataType type,
                                                const TensorQuant& out) {
  const IntRange t = TypeRange(type);
  switch (act) {
    case ir::Activation::kNone:
      return t;
    case ir::Activation::kRelu:
      return IntRange{std::max(t.min, QuantizeForRange(0.0f, out)), t.max};
    case ir::Activation::kRelu6:
      return IntRange{std::max(t.min, QuantizeForRange(0.0f, out)),
                      std::min(t.max, QuantizeForRange(6.0f, out))};
    case ir::Activation::kReluN1To1:
      return IntRange{std::max(t.min, QuantizeForRange(-1.0f, out)),
                      std::min(t.max, QuantizeForRange(1.0f, out))};
    default:
      return absl::UnimplementedError(absl::StrCat(
          "fused activation ", static_cast<int>(act),
          " is not supported on quantized tensors (only NONE, RELU, RELU6 and RELU_N1_TO_1)"));
  }
}

// TFLite's QuantizeMultiplier in its default double-rounding build (quant::QuantizeMultiplier);
// (0, 0) for a non-finite `real`, as for real == 0 (callers that must reject those check first).
inline quant::QuantizedMultiplier QuantizeMultiplierDouble(double real) {
  const auto m = quant::QuantizeMultiplier(real, quant::RoundingMode::kDouble);
  return m.ok() ? *m : quant::QuantizedMultiplier{};
}

// QuantizeMultiplierDouble for use with quant::MultiplyByQuantizedMultiplier, which requires a
// shift in [-31, 31]: InvalidArgument (naming `what`) when `real` is not finite or so large that
// the shift would exceed 31 (TFLite's left shift would overflow there). Tiny values flush to a
// zero multiplier, as in TFLite.
inline absl::StatusOr<quant::QuantizedMultiplier> RescaleMultiplier(double real,
                                                                    const std::string& what) {
  if (!std::isfinite(real)) {
    return absl::InvalidArgumentError(absl::StrCat(what, " = ", real, " is not finite"));
  }
  const quant::QuantizedMultiplier m = QuantizeMultiplierDouble(real);
  if (m.shift > 31) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " = ", real, " is too large to represent as a fixed-point multiplier"));
  }
  return m;
}

// TFLite's QuantizeMultiplierSmallerThanOneExp: InvalidArgument unless 0 < real < 1 (TFLite
// aborts on a failed CHECK there).
inline absl::StatusOr<quant::QuantizedMultiplier> SmallerThanOneMultiplier(
    double real, const std::string& what) {
  if (!(real > 0.0 && real < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " = ", real, " must lie in (0, 1) for this kernel"));
  }
  return QuantizeMultiplierDouble(real);
}

}  // namespace compressd::kernels::quantized

#endif  // COMPRESSD_CORE_KERNELS_QUANTIZED_UTIL_H_
