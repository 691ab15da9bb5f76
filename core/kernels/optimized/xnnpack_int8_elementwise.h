// Elementwise int8 operators with XNNPACK's arithmetic (IntegerArithmetic::kXnnpack), the fast
// counterparts of reference/xnnpack_int8.h:
//   QUANTIZE float32 -> int8 (f32-qs8-vcvt)  XnnQuantizeF32ToInt8   ~ reference::XnnQuantizeF32
//   QUANTIZE int8 -> int8 (qs8-vcvt)         XnnRequantizeInt8      ~ reference::XnnRequantize
//   ADD (qs8-vadd)                           XnnAddInt8             ~ reference::XnnAddElement
//   MUL (qs8-vmul fp32)                      XnnMulInt8             ~ reference::XnnMulElement
// ADD and MUL run over Int8Runs (int8_binary.h): equal shapes and a row broadcast; other
// broadcasts stay with the reference kernels.
//
// Bit-exact with the reference functions for every input they define (tested against them).
// NaN in QUANTIZE float32: the reference converts NaN to int32 (undefined in C++); these kernels
// output the zero point, which is what the reference computes on x86-64 and what the builtin
// QUANTIZE gives.
// Dispatch: AVX2 on AVX2+FMA CPUs (GetCpuFeatures(), honouring COMPRESSD_CPU), scalar loops
// otherwise (the *Portable functions, also the AVX2 paths' tails).
//
// Thread safety: pure functions of their arguments.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_XNNPACK_INT8_ELEMENTWISE_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_XNNPACK_INT8_ELEMENTWISE_H_

#include <cstdint>

#include "core/kernels/optimized/int8_binary.h"
#include "core/kernels/reference/xnnpack_int8.h"

namespace compressd::kernels::optimized {

// out = clamp(lrintf(x * (1.0f / scale)), -128 - zp, 127 - zp) + zp. scale > 0 and finite;
// zero_point in [-128, 127].
void XnnQuantizeF32ToInt8(float scale, int32_t zero_point, const float* input, int8_t* output,
                          int64_t n);
void XnnQuantizeF32ToInt8Portable(float scale, int32_t zero_point, const float* input,
                                  int8_t* output, int64_t n);

// p from reference::XnnMakeRequantizeParams (in/out scale ratio XnnRequantizeScaleSupported,
// 8-bit zero points). `output` may alias `input`.
void XnnRequantizeInt8(const reference::XnnRequantizeParams& p, const int8_t* input,
                       int8_t* output, int64_t n);
void XnnRequantizeInt8Portable(const reference::XnnRequantizeParams& p, const int8_t* input,
                               int8_t* output, int64_t n);

// p from reference::XnnMakeAddParams / a reference::XnnMulParams with 8-bit zero points and a
// scale XnnMulScaleSupported. `out` may alias `a` or `b` (with their step equal to `length`).
void XnnAddInt8(const reference::XnnAddParams& p, const Int8Runs& runs);
void XnnMulInt8(const reference::XnnMulParams& p, const Int8Runs& runs);

// One contiguous run of n elements, scalar (the reference for the SIMD paths, and their tails).
void XnnAddInt8Portable(const reference::XnnAddParams& p, const int8_t* a, const int8_t* b,
                        int8_t* out, int64_t n);
void XnnMulInt8Portable(const reference::XnnMulParams& p, const int8_t* a, const int8_t* b,
                        int8_t* out, int64_t n);

#if defined(__x86_64__)
// AVX2 bodies (xnnpack_int8_elementwise_avx2.cc). The unary ones handle the first n - n % 8
// elements and return how many; the binary ones handle every run (scalar tails included).
int64_t XnnQuantizeF32ToInt8Avx2(float scale, int32_t zero_point, const float* input,
                                 int8_t* output, int64_t n);
int64_t XnnRequantizeInt8Avx2(const reference::XnnRequantizeParams& p, const int8_t* input,
                              int8_t* output, int64_t n);
void XnnAddInt8Avx2(const reference::XnnAddParams& p, const Int8Runs& runs);
void XnnMulInt8Avx2(const reference::XnnMulParams& p, const Int8Runs& runs);
#endif

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_XNNPACK_INT8_ELEMENTWISE_H_
