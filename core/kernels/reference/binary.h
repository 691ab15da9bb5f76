// Reference elementwise binary operators with broadcasting (see broadcast.h), following TFLite's
// float reference kernels (add.h, sub.h, mul.h, div.h, squared_difference.cc,
// maximum_minimum.h):
//   ADD/SUB/MUL/DIV: out = min(max(x op y, act_min), act_max) (ActivationFunctionWithMinMax; with
//   no activation the bounds are lowest()/max() of the type, as TFLite's CalculateActivationRange
//   gives, so ±inf results clamp to ±FLT_MAX).
//   SQUARED_DIFFERENCE: (x - y) * (x - y).  MAXIMUM: x > y ? x : y.  MINIMUM: x < y ? x : y.
// int32 ADD/SUB/MUL wrap around on overflow (two's complement) instead of being undefined.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_BINARY_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_BINARY_H_

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "core/kernels/reference/broadcast.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

// TFLite's ActivationFunctionWithMinMax: NaN passes through.
template <typename T>
inline T ClampToRange(T v, T lo, T hi) {
  return std::min(std::max(v, lo), hi);
}

template <typename T>
inline T WrappingAdd(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}

template <typename T>
inline T WrappingSub(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else {
    return a - b;
  }
}

template <typename T>
inline T WrappingMul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
  } else {
    return a * b;
  }
}

template <typename T>
inline void Add(const Shape& a_shape, const T* a, const Shape& b_shape, const T* b,
                const Shape& out_shape, T* out, T act_min, T act_max) {
  BroadcastBinary(a_shape, a, b_shape, b, out_shape, out,
                  [=](T x, T y) { return ClampToRange(WrappingAdd(x, y), act_min, act_max); });
}

template <typename T>
inline void Sub(const Shape& a_shape, const T* a, const Shape& b_shape, const T* b,
                const Shape& out_shape, T* out, T act_min, T act_max) {
  BroadcastBinary(a_shape, a, b_shape, b, out_shape, out,
                  [=](T x, T y) { return ClampToRange(WrappingSub(x, y), act_min, act_max); });
}

template <typename T>
inline void Mul(const Shape& a_shape, const T* a, const Shape& b_shape, const T* b,
                const Shape& out_shape, T* out, T act_min, T act_max) {
  BroadcastBinary(a_shape, a, b_shape, b, out_shape, out,
                  [=](T x, T y) { return ClampToRange(WrappingMul(x, y), act_min, act_max); });
}

// Float only: x / 0 gives ±inf or NaN per IEEE 754, as in TFLite.
inline void Div(const Shape& a_shape, const float* a, const Shape& b_shape, const float* b,
                const Shape& out_shape, float* out, float act_min, float act_max) {
  BroadcastBinary(a_shape, a, b_shape, b, out_shape, out,
                  [=](float x, float y) { return ClampToRange(x / y, act_min, act_max); });
}

inline void SquaredDifference(const Shape& a_shape, const float* a, const Shape& b_shape,
                              const float* b, const Shape& out_shape, float* out) {
  BroadcastBinary(a_shape, a, b_shape, b, out_shape, out, [](float x, float y) {
    const float d = x - y;
    return d * d;
  });
}

template <typename T>
inline void Maximum(const Shape& a_shape, const T* a, const Shape& b_shape, const T* b,
                    const Shape& out_shape, T* out) {
  BroadcastBinary(a_shape, a, b_shape, b, out_shape, out, [](T x, T y) { return x > y ? x : y; });
}

template <typename T>
inline void Minimum(const Shape& a_shape, const T* a, const Shape& b_shape, const T* b,
                    const Shape& out_shape, T* out) {
  BroadcastBinary(a_shape, a, b_shape, b, out_shape, out, [](T x, T y) { return x < y ? x : y; });
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_BINARY_H_
