// Reference elementwise unary operators (activations and math functions), following TFLite's
// float reference kernels exactly (activations.h, logistic.h, elu.h, hard_swish.h,
// leaky_relu.h, elementwise.cc, exp.cc, neg.h). Each reads and writes shape.FlatSize() elements;
// `in` and `out` may be the same buffer.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_UNARY_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_UNARY_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

template <typename T, typename Op>
inline void UnaryMap(const Shape& shape, const T* in, T* out, Op op) {
  const int64_t n = shape.FlatSize();
  for (int64_t i = 0; i < n; ++i) out[i] = op(in[i]);
}

// RELU: val < 0 ? 0 : val (NaN passes through).
inline void Relu(const Shape& shape, const float* in, float* out) {
  UnaryMap(shape, in, out, [](float v) { return v < 0.0f ? 0.0f : v; });
}

// RELU6 / RELU_N1_TO_1: val > upper ? upper : val < lower ? lower : val.
inline void ReluRange(const Shape& shape, const float* in, float* out, float lower, float upper) {
  UnaryMap(shape, in, out, [=](float v) { return v > upper ? upper : (v < lower ? lower : v); });
}

inline void Relu6(const Shape& shape, const float* in, float* out) {
  ReluRange(shape, in, out, 0.0f, 6.0f);
}

inline void ReluN1To1(const Shape& shape, const float* in, float* out) {
  ReluRange(shape, in, out, -1.0f, 1.0f);
}

// LEAKY_RELU: val > 0 ? val : val * alpha (alpha may be > 1 or < 0).
inline void LeakyRelu(const Shape& shape, const float* in, float* out, float alpha) {
  UnaryMap(shape, in, out, [=](float v) { return v > 0.0f ? v : v * alpha; });
}

// HARD_SWISH: x * min(6, max(0, x + 3)) / 6, evaluated in that order.
inline void HardSwish(const Shape& shape, const float* in, float* out) {
  UnaryMap(shape, in, out,
           [](float v) { return v * std::min(6.0f, std::max(0.0f, v + 3.0f)) / 6.0f; });
}

// LOGISTIC with TFLite's cut-offs: 1 above 16.619047..., exp(x) below -9.
inline void Logistic(const Shape& shape, const float* in, float* out) {
  constexpr float kCutoffUpper = 16.619047164916992188f;
  constexpr float kCutoffLower = -9.0f;
  UnaryMap(shape, in, out, [](float v) {
    if (v > kCutoffUpper) return 1.0f;
    if (v < kCutoffLower) return std::exp(v);
    return 1.0f / (1.0f + std::exp(-v));
  });
}

inline void Tanh(const Shape& shape, const float* in, float* out) {
  UnaryMap(shape, in, out, [](float v) { return std::tanh(v); });
}

// ELU (alpha 1): val < 0 ? expm1(val) : val.
inline void Elu(const Shape& shape, const float* in, float* out) {
  UnaryMap(shape, in, out, [](float v) { return v < 0.0f ? std::expm1(v) : v; });
}

inline void Exp(const Shape& shape, const float* in, float* out) {
  UnaryMap(shape, in, out, [](float v) { return std::exp(v); });
}

inline void Sqrt(const Shape& shape, const float* in, float* out) {
  UnaryMap(shape, in, out, [](float v) { return std::sqrt(v); });
}

// RSQRT: 1 / sqrt(x).
inline void Rsqrt(const Shape& shape, const float* in, float* out) {
  UnaryMap(shape, in, out, [](float v) { return 1.0f / std::sqrt(v); });
}

// ABS for float or int32; the int32 minimum maps to itself (two's complement wrap-around)
// instead of overflowing.
template <typename T>
inline void Abs(const Shape& shape, const T* in, T* out) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    UnaryMap(shape, in, out,
             [](T v) { return v < 0 ? static_cast<T>(U{0} - static_cast<U>(v)) : v; });
  } else {
    UnaryMap(shape, in, out, [](T v) { return std::abs(v); });
  }
}

// NEG for float or int32; the int32 minimum maps to itself.
template <typename T>
inline void Neg(const Shape& shape, const T* in, T* out) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    UnaryMap(shape, in, out, [](T v) { return static_cast<T>(U{0} - static_cast<U>(v)); });
  } else {
    UnaryMap(shape, in, out, [](T v) { return -v; });
  }
}

// Clamps every element to [lo, hi] (ActivationFunctionWithMinMax), in place allowed.
template <typename T>
inline void ClampAll(const Shape& shape, const T* in, T* out, T lo, T hi) {
  UnaryMap(shape, in, out, [=](T v) { return std::min(std::max(v, lo), hi); });
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_UNARY_H_
