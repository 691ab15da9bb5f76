// Reference quantized ADD and MUL (int8, uint8, int16 with TFLite's general rescaling), with
// broadcasting (broadcast.h). Bit-exact with TFLite's reference_integer_ops::Add/Mul (add.h,
// mul.h) and reference_ops::Add<int16_t>, which the default (generic optimized) kernels match.
//
// ADD (TFLite add.cc Prepare, "general quantized path"): with left_shift = 20 (8-bit) or 15
// (int16), for each element
//   a' = (a - a_zp) * 2^left_shift          b' = (b - b_zp) * 2^left_shift        (int32)
//   a'' = MBQM(a', a_mult, a_shift)          b'' = MBQM(b', b_mult, b_shift)
//   out = clamp(MBQM(a'' + b'', out_mult, out_shift) + out_zp, act_min, act_max)
// MBQM is quant::MultiplyByQuantizedMultiplier (double rounding); all shifts are <= 0 there
// (QuantizeMultiplierSmallerThanOneExp), so TFLite's SmallerThanOneExp variant is the same.
//
// MUL (TFLite mul.cc / reference_integer_ops::MulElementwise):
//   out = clamp(MBQM((a - a_zp) * (b - b_zp), mult, shift) + out_zp, act_min, act_max).
//
// Parameters come from Prepare (see add.cc / mul.cc); results are written as T after the clamp,
// which keeps them within T's range since [act_min, act_max] lies inside it.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_INTEGER_BINARY_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_INTEGER_BINARY_H_

#include <algorithm>
#include <cstdint>

#include "core/kernels/reference/broadcast.h"
#include "core/kernels/shape.h"
#include "core/quant/fixed_point.h"

namespace compressd::kernels::reference {

struct QuantizedAddParams {
  int left_shift = 20;
  int32_t input1_offset = 0;  // -zero_point of input 1
  int32_t input2_offset = 0;  // -zero_point of input 2
  int32_t output_offset = 0;  // zero_point of the output
  int32_t input1_multiplier = 0;
  int input1_shift = 0;
  int32_t input2_multiplier = 0;
  int input2_shift = 0;
  int32_t output_multiplier = 0;
  int output_shift = 0;
  int32_t act_min = 0;
  int32_t act_max = 0;
};

struct QuantizedMulParams {
  int32_t input1_offset = 0;
  int32_t input2_offset = 0;
  int32_t output_offset = 0;
  int32_t output_multiplier = 0;
  int output_shift = 0;
  int32_t act_min = 0;
  int32_t act_max = 0;
};

// One element of the quantized ADD.
inline int32_t QuantizedAddElement(const QuantizedAddParams& p, int32_t a, int32_t b) {
  const int32_t a_shifted = quant::WrappingShiftLeft(p.input1_offset + a, p.left_shift);
  const int32_t b_shifted = quant::WrappingShiftLeft(p.input2_offset + b, p.left_shift);
  const int32_t a_scaled =
      quant::MultiplyByQuantizedMultiplier(a_shifted, p.input1_multiplier, p.input1_shift);
  const int32_t b_scaled =
      quant::MultiplyByQuantizedMultiplier(b_shifted, p.input2_multiplier, p.input2_shift);
  // |a_scaled|, |b_scaled| <= 2^30 (multipliers < 1, inputs < 2^16 << 15): no overflow.
  const int32_t raw = quant::MultiplyByQuantizedMultiplier(a_scaled + b_scaled,
                                                           p.output_multiplier, p.output_shift) +
                      p.output_offset;
  return std::min(std::max(raw, p.act_min), p.act_max);
}

// One element of the quantized MUL.
inline int32_t QuantizedMulElement(const QuantizedMulParams& p, int32_t a, int32_t b) {
  // |a - zp| <= 65535 for int16 / 255 for 8-bit: the product fits in int32.
  const int32_t product = (p.input1_offset + a) * (p.input2_offset + b);
  const int32_t raw =
      quant::MultiplyByQuantizedMultiplier(product, p.output_multiplier, p.output_shift) +
      p.output_offset;
  return std::min(std::max(raw, p.act_min), p.act_max);
}

// out = ADD(a, b) over the broadcast shape `out_shape` (== BroadcastShapes(a_shape, b_shape)).
template <typename T>
inline void QuantizedAdd(const QuantizedAddParams& p, const Shape& a_shape, const T* a,
                         const Shape& b_shape, const T* b, const Shape& out_shape, T* out) {
  BroadcastBinary(a_shape, a, b_shape, b, out_shape, out, [&p](T x, T y) {
    return static_cast<T>(QuantizedAddElement(p, x, y));
  });
}

template <typename T>
inline void QuantizedMul(const QuantizedMulParams& p, const Shape& a_shape, const T* a,
                         const Shape& b_shape, const T* b, const Shape& out_shape, T* out) {
  BroadcastBinary(a_shape, a, b_shape, b, out_shape, out, [&p](T x, T y) {
    return static_cast<T>(QuantizedMulElement(p, x, y));
  });
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_INTEGER_BINARY_H_
