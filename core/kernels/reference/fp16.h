// IEEE 754 binary16 ("half") <-> binary32 conversion in portable C++ (no F16C needed).
//
// HalfToFloat is exact for every input: zeros, subnormals (mantissa * 2^-24), normals, infinities;
// NaNs keep their sign and payload (shifted into the top mantissa bits).
// FloatToHalf rounds to nearest, ties to even, as the F16C instruction VCVTPS2PH does with
// rounding mode 0: values >= 65520 in magnitude become infinity, tiny values round to
// subnormals or signed zero; NaNs become quiet NaNs keeping the top 10 payload bits.
// Pure functions, thread-safe.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_FP16_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_FP16_H_

#include <cstdint>
#include <cstring>

namespace compressd::kernels::reference {

inline float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1fu) {  // infinity or NaN
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {  // normal: rebias 15 -> 127
    bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {  // signed zero
    bits = sign;
  } else {  // subnormal mantissa * 2^-24: normalize so the leading 1 sits at bit 10
    uint32_t float_exponent = 113;  // the exponent field of 2^-14
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --float_exponent;
    }
    bits = sign | (float_exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

inline uint16_t FloatToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t abs = bits & 0x7fffffffu;
  if (abs > 0x7f800000u) {  // NaN: quiet, top payload bits kept
    return static_cast<uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
  }
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // >= 65520 -> inf
  if (abs >= 0x38800000u) {  // normal half range (>= 2^-14)
    const uint32_t exponent = (abs >> 23) - 112u;
    const uint32_t mantissa = abs & 0x7fffffu;
    uint32_t half = (exponent << 10) | (mantissa >> 13);
    const uint32_t rest = mantissa & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // may carry into exponent
    return static_cast<uint16_t>(sign | half);
  }
  if (abs <= 0x33000000u) return sign;  // <= 2^-25 rounds to zero (the tie goes to even 0)
  // Subnormal result: round (1.mantissa * 2^(e-127)) / 2^-24 to an integer.
  const uint32_t exponent = abs >> 23;  // 102..112
  const uint32_t mantissa = (abs & 0x7fffffu) | 0x800000u;
  const uint32_t shift = 126u - exponent;  // 14..24
  uint32_t half = mantissa >> shift;
  const uint32_t rest = mantissa & ((1u << shift) - 1u);
  const uint32_t halfway = 1u << (shift - 1u);
  if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
  return static_cast<uint16_t>(sign | half);
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_FP16_H_
