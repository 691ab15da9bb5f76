// Reference CAST between float32, int8, uint8, int16, int32, int64 and bool (TFLite's cast.cc
// copyCast: static_cast per element; to bool: x != 0).
//
// Bool tensors are stored one byte per element: read as "byte != 0", written as 0 or 1 (hence
// Storage<bool> = uint8_t). Float -> integer truncates toward zero like static_cast; where
// static_cast would be undefined (NaN, out of range), the result is defined here as 0 for NaN and
// saturation to the target range otherwise.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_CAST_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_CAST_H_

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace compressd::kernels::reference {

template <typename T>
using CastStorage = std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>;

template <typename To, typename From>
inline To CastValue(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (std::isnan(v)) return To(0);
    const double t = std::trunc(static_cast<double>(v));
    if (t <= static_cast<double>(std::numeric_limits<To>::min())) {
      return std::numeric_limits<To>::min();
    }
    if (t >= static_cast<double>(std::numeric_limits<To>::max())) {
      return std::numeric_limits<To>::max();
    }
    return static_cast<To>(t);
  } else {
    return static_cast<To>(v);  // integer narrowing wraps modulo 2^n (C++20)
  }
}

template <typename To, typename From>
inline void Cast(int64_t size, const CastStorage<From>* input, CastStorage<To>* output) {
  for (int64_t i = 0; i < size; ++i) {
    From v;
    if constexpr (std::is_same_v<From, bool>) {
      v = input[i] != 0;
    } else {
      v = input[i];
    }
    output[i] = static_cast<CastStorage<To>>(CastValue<To, From>(v));
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_CAST_H_
