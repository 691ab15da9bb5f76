#include "core/quant/quant_params.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace compressd::quant {
namespace {

std::string ShapeString(std::span<const int32_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) absl::StrAppend(&s, i ? "," : "", shape[i]);
  return s + "]";
}

absl::Status CheckRange(float min, float max) {
  if (!std::isfinite(min) || !std::isfinite(max)) {
    return absl::InvalidArgumentError(
        absl::StrCat("quantization range [", min, ", ", max, "] is not finite"));
  }
  if (min > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("quantization range [", min, ", ", max, "] has min > max"));
  }
  return absl::OkStatus();
}

// outer x channels x inner decomposition of `shape` around `axis` (-1: one channel).
struct ChannelLayout {
  int64_t outer = 1;
  int64_t channels = 1;
  int64_t inner = 1;
};

absl::StatusOr<ChannelLayout> LayoutFor(size_t num_values, std::span<const int32_t> shape,
                                        int32_t axis) {
  int64_t n = 1;
  for (int32_t d : shape) {
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("shape ", ShapeString(shape), " has a negative dimension"));
    }
    n *= d;
  }
  if (static_cast<uint64_t>(n) != num_values) {
    return absl::InvalidArgumentError(
        absl::StrCat("shape ", ShapeString(shape), " needs ", n, " values, got ", num_values));
  }
  if (axis < -1 || axis >= static_cast<int32_t>(shape.size())) {
    return absl::InvalidArgumentError(
        absl::StrCat("quantization axis ", axis, " out of range for shape ", ShapeString(shape)));
  }
  ChannelLayout layout;
  if (axis == -1) {
    layout.inner = n;
    return layout;
  }
  for (int32_t i = 0; i < axis; ++i) layout.outer *= shape[i];
  layout.channels = shape[axis];
  for (size_t i = static_cast<size_t>(axis) + 1; i < shape.size(); ++i) layout.inner *= shape[i];
  return layout;
}

template <typename T>
absl::StatusOr<SymmetricTensor<T>> QuantizeSymmetric(std::span<const float> values,
                                                     std::span<const int32_t> shape, int32_t axis,
                                                     int32_t qmax) {
  auto layout_or = LayoutFor(values.size(), shape, axis);
  if (!layout_or.ok()) return layout_or.status();
  const ChannelLayout layout = *layout_or;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("value ", values[i], " at index ", i, " is not finite"));
    }
  }
  const auto channel_of = [&](int64_t index) { return (index / layout.inner) % layout.channels; };
  std::vector<float> max_abs(static_cast<size_t>(layout.channels), 0.0f);
  for (size_t i = 0; i < values.size(); ++i) {
    float& m = max_abs[static_cast<size_t>(channel_of(static_cast<int64_t>(i)))];
    m = std::max(m, std::fabs(values[i]));
  }
  SymmetricTensor<T> out;
  out.axis = axis;
  out.scales.resize(max_abs.size());
  // Multiplier applied to each value; TFLite multiplies by qmax / max|x| computed in float. When
  // that overflows (max|x| subnormal) the value is divided by the scale instead.
  std::vector<float> inverse(max_abs.size(), 0.0f);
  std::vector<bool> divide(max_abs.size(), false);
  for (size_t c = 0; c < max_abs.size(); ++c) {
    out.scales[c] = SymmetricScale(max_abs[c], qmax);
    if (max_abs[c] > 0.0f) {
      inverse[c] = static_cast<float>(qmax) / max_abs[c];
      const bool scale_clamped = max_abs[c] / static_cast<float>(qmax) < out.scales[c];
      divide[c] = scale_clamped || !std::isfinite(inverse[c]);
    }
  }
  out.values.resize(values.size());
  const float limit = static_cast<float>(qmax);
  for (size_t i = 0; i < values.size(); ++i) {
    const size_t c = static_cast<size_t>(channel_of(static_cast<int64_t>(i)));
    const float scaled = divide[c] ? static_cast<float>(static_cast<double>(values[i]) /
                                                        static_cast<double>(out.scales[c]))
                                   : values[i] * inverse[c];
    const float q = std::clamp(std::round(scaled), -limit, limit);
    out.values[i] = static_cast<T>(q);
  }
  return out;
}

template <typename T>
absl::StatusOr<BiasTensor<T>> QuantizeBias(std::span<const float> bias, float input_scale,
                                           std::span<const float> weight_scales) {
  if (!std::isfinite(input_scale) || !(input_scale > 0.0f)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bias quantization: input scale ", input_scale, " is not a positive value"));
  }
  if (weight_scales.size() != 1 && weight_scales.size() != bias.size()) {
    return absl::InvalidArgumentError(absl::StrCat("bias quantization: ", weight_scales.size(),
                                                   " weight scales for a bias of ", bias.size(),
                                                   " values"));
  }
  BiasTensor<T> out;
  out.scales.resize(weight_scales.size());
  for (size_t c = 0; c < weight_scales.size(); ++c) {
    const float ws = weight_scales[c];
    if (!std::isfinite(ws) || !(ws > 0.0f)) {
      return absl::InvalidArgumentError(absl::StrCat("bias quantization: weight scale ", ws,
                                                     " (channel ", c, ") is not positive"));
    }
    out.scales[c] = input_scale * ws;
    if (!(out.scales[c] > 0.0f) || !std::isfinite(out.scales[c])) {
      return absl::InvalidArgumentError(absl::StrCat("bias quantization: scale ", input_scale,
                                                     " * ", ws, " (channel ", c,
                                                     ") is not representable as a positive float"));
    }
  }
  constexpr T kMax = std::numeric_limits<T>::max();
  const float limit = static_cast<float>(kMax);  // 2^31 or 2^63 exactly
  out.values.resize(bias.size());
  for (size_t i = 0; i < bias.size(); ++i) {
    if (!std::isfinite(bias[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("bias value ", bias[i], " at index ", i, " is not finite"));
    }
    const float scale = out.scales[out.scales.size() == 1 ? 0 : i];
    const float inverse = static_cast<float>(1.0 / static_cast<double>(scale));
    const float q = std::round(bias[i] * inverse);
    if (q >= limit) {
      out.values[i] = kMax;
    } else if (q <= -limit) {
      out.values[i] = -kMax;
    } else {
      out.values[i] = static_cast<T>(q);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<AffineParams> ChooseAsymmetricParams(float min, float max, int32_t qmin,
                                                    int32_t qmax) {
  if (absl::Status s = CheckRange(min, max); !s.ok()) return s;
  if (qmin >= qmax) {
    return absl::InvalidArgumentError(
        absl::StrCat("integer range [", qmin, ", ", qmax, "] is empty"));
  }
  const double rmin = std::min(static_cast<double>(min), 0.0);
  const double rmax = std::max(static_cast<double>(max), 0.0);
  AffineParams p;
  p.min = static_cast<float>(rmin);
  p.max = static_cast<float>(rmax);
  if (rmin == rmax) {  // [0, 0]
    p.scale = 1.0f;
    p.zero_point = std::clamp<int32_t>(0, qmin, qmax);
    return p;
  }
  const double qmin_d = qmin;
  const double qmax_d = qmax;
  const double scale = (rmax - rmin) / (qmax_d - qmin_d);
  const double from_min = qmin_d - rmin / scale;
  const double from_max = qmax_d - rmax / scale;
  const double from_min_error = std::fabs(qmin_d) + std::fabs(rmin / scale);
  const double from_max_error = std::fabs(qmax_d) + std::fabs(rmax / scale);
  const double zero_point = from_min_error < from_max_error ? from_min : from_max;
  if (zero_point < qmin_d) {
    p.zero_point = qmin;
  } else if (zero_point > qmax_d) {
    p.zero_point = qmax;
  } else {
    p.zero_point = static_cast<int32_t>(std::round(zero_point));
  }
  p.scale = static_cast<float>(scale);
  if (!(p.scale >= std::numeric_limits<float>::min())) {
    return absl::InvalidArgumentError(absl::StrCat("quantization range [", min, ", ", max,
                                                   "] is too narrow: its scale ", scale,
                                                   " underflows float"));
  }
  return p;
}

absl::StatusOr<AffineParams> ChooseSymmetricParams(float min, float max, int32_t qmax) {
  if (absl::Status s = CheckRange(min, max); !s.ok()) return s;
  if (qmax < 1) {
    return absl::InvalidArgumentError(absl::StrCat("symmetric qmax ", qmax, " must be >= 1"));
  }
  AffineParams p;
  const float max_abs = std::max(std::fabs(min), std::fabs(max));
  p.scale = SymmetricScale(max_abs, qmax);
  p.zero_point = 0;
  p.min = std::min(min, 0.0f);
  p.max = std::max(max, 0.0f);
  return p;
}

float SymmetricScale(float max_abs, int32_t qmax) {
  if (!(max_abs > 0.0f)) return 1.0f;
  const float scale = max_abs / static_cast<float>(qmax);
  // A subnormal range would give a zero or subnormal scale; use the smallest normal float (every
  // value of the tensor then rounds to 0 or ±1 steps of it).
  return std::max(scale, std::numeric_limits<float>::min());
}

absl::StatusOr<SymmetricTensor<int8_t>> QuantizeSymmetricInt8(std::span<const float> values,
                                                              std::span<const int32_t> shape,
                                                              int32_t axis) {
  return QuantizeSymmetric<int8_t>(values, shape, axis, 127);
}

absl::StatusOr<SymmetricTensor<int16_t>> QuantizeSymmetricInt16(std::span<const float> values,
                                                                std::span<const int32_t> shape,
                                                                int32_t axis) {
  return QuantizeSymmetric<int16_t>(values, shape, axis, 32767);
}

absl::StatusOr<BiasTensor<int32_t>> QuantizeBiasInt32(std::span<const float> bias,
                                                      float input_scale,
                                                      std::span<const float> weight_scales) {
  return QuantizeBias<int32_t>(bias, input_scale, weight_scales);
}

absl::StatusOr<BiasTensor<int64_t>> QuantizeBiasInt64(std::span<const float> bias,
                                                      float input_scale,
                                                      std::span<const float> weight_scales) {
  return QuantizeBias<int64_t>(bias, input_scale, weight_scales);
}

int32_t QuantizeValue(float x, float scale, int32_t zero_point, int32_t qmin, int32_t qmax) {
  const float rounded = std::round(x / scale);
  const double unclamped =
      (std::isnan(rounded) ? 0.0 : static_cast<double>(rounded)) + static_cast<double>(zero_point);
  return static_cast<int32_t>(
      std::clamp(unclamped, static_cast<double>(qmin), static_cast<double>(qmax)));
}

}  // namespace compressd::quant
