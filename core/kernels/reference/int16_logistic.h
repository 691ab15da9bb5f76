// Reference int16 LOGISTIC, bit-exact with TensorFlow Lite's default kernel (activations.cc
// SigmoidPrepare / SigmoidEval for int16, the reference_integer_ops::Logistic table path):
//
//   Prepare (input scale s, zero points 0, output scale exactly 1/32768):
//     m = double(s) * 4096 * 3; shift = 0; while (m <= 32767 / 2 && shift <= 30) { m *= 2; ++shift; }
//     multiplier = int32(m)                      (truncation)
//     The power-of-two input scale 2^-12 is the one case TFLite sends to another kernel (gemmlowp
//     fixed point); compressd does not implement that case.
//   Eval, per element x:
//     v = (x * multiplier + (shift > 0 ? 2^(shift - 1) : 0)) >> shift   (arithmetic shift)
//     a = |v|; i = a >> 9; t = a & 511          (v is in units of 1/12288, i in units of 1/24)
//     r = i >= 255 ? 32767 << 10 : (T[i] << 9) + t * (T[i + 1] - T[i])     (unsigned)
//     r = v >= 0 ? r + 2^9 : 2^25 - r + 2^9 - 1;   out = r >> 10
//   with T the 256-entry table of sigmoid(i / 24) in unsigned 0.16 fixed point that TFLite's
//   kernel interpolates (kInt16SigmoidTable below).
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_INT16_LOGISTIC_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_INT16_LOGISTIC_H_

#include <array>
#include <cmath>
#include <cstdint>

#include "core/kernels/reference/int16_sigmoid_table.h"

namespace compressd::kernels::reference {

struct Int16LogisticParams {
  int32_t input_multiplier = 0;
  int input_left_shift = 0;
};

// True when `input_scale` is the power of two 2^-12, which TFLite evaluates with its gemmlowp
// fixed-point kernel instead of the table (not implemented here).
inline bool IsInt16LogisticPowerOfTwoCase(float input_scale) {
  int exponent = 0;
  const double mantissa = std::frexp(static_cast<double>(input_scale), &exponent);
  return mantissa == 0.5 && exponent - 1 == -12;
}

// The table path's parameters for an input scale (positive, finite; not the power-of-two case).
inline Int16LogisticParams Int16LogisticPrepare(float input_scale) {
  double multiplier = static_cast<double>(input_scale) * 4096.0 * 3.0;
  int shift = 0;
  while (multiplier <= 32767.0 / 2.0 && shift <= 30) {
    ++shift;
    multiplier *= 2.0;
  }
  return {static_cast<int32_t>(multiplier), shift};
}

inline int16_t Int16LogisticElement(const Int16LogisticParams& p, int16_t x) {
  const int32_t round = p.input_left_shift > 0 ? int32_t{1} << (p.input_left_shift - 1) : 0;
  // x * multiplier: |x| <= 2^15 and multiplier < 2^15 (after the loop it is <= 32767 unless the
  // scale is large, where TFLite's product would overflow too); computed in int64 and truncated
  // to int32 as TFLite's int32 arithmetic wraps on the targets it runs on.
  const int32_t product =
      static_cast<int32_t>(static_cast<int64_t>(x) * static_cast<int64_t>(p.input_multiplier));
  const int32_t v = static_cast<int32_t>(
                        static_cast<uint32_t>(product) + static_cast<uint32_t>(round)) >>
                    p.input_left_shift;
  const uint32_t a = v < 0 ? 0u - static_cast<uint32_t>(v) : static_cast<uint32_t>(v);
  const uint32_t i = a >> 9;
  uint32_t r;
  if (i >= 255) {
    r = uint32_t{0x7FFF} << 10;
  } else {
    const uint32_t lo = kInt16SigmoidTable[i];
    const uint32_t hi = kInt16SigmoidTable[i + 1];
    const uint32_t t = a & 0x1ff;
    r = (lo << 9) + t * (hi - lo);
  }
  r = v >= 0 ? r + (1u << 9) : (1u << (16 + 9)) - r + (1u << 9) - 1;
  return static_cast<int16_t>(r >> 10);
}

inline void Int16Logistic(const Int16LogisticParams& p, int64_t size, const int16_t* in,
                          int16_t* out) {
  for (int64_t k = 0; k < size; ++k) out[k] = Int16LogisticElement(p, in[k]);
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_INT16_LOGISTIC_H_
