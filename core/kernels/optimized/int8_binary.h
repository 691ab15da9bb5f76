// Elementwise int8 ADD and MUL of two equally long runs with TFLite's builtin arithmetic:
//   ADD (add.cc's general 8-bit path): each input is offset, shifted left by `left_shift`,
//     rescaled by its own quantized multiplier; the sum is rescaled to the output and clamped.
//   MUL (mul.cc): (a + offset1) * (b + offset2) rescaled to the output and clamped.
// Callers handle broadcasting by calling these per run (e.g. per row for a [C] operand).
//
// Bit-exact with reference::QuantizedAddElement / QuantizedMulElement
// (reference/integer_binary.h); tested against them. Dispatch: AVX2 (8 lanes,
// int8_requant_avx2.h) on AVX2+FMA CPUs (GetCpuFeatures(), honouring COMPRESSD_CPU), a scalar
// loop otherwise.
//
// Thread safety: pure function of its arguments.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_BINARY_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_BINARY_H_

#include <cstdint>

#include "core/kernels/reference/integer_binary.h"

namespace compressd::kernels::optimized {

// The reference kernels' parameters (TFLite's Prepare results; see add.cc / mul.cc).
using Int8AddParams = reference::QuantizedAddParams;
using Int8MulParams = reference::QuantizedMulParams;

// out[i] = ADD(a[i], b[i]) / MUL(a[i], b[i]) for i in [0, n). `out` may alias `a` or `b`.
// Offsets are in [-255, 255] (8-bit zero points), shifts in [-31, 31].
void Int8AddElementwise(const Int8AddParams& p, const int8_t* a, const int8_t* b, int8_t* out,
                        int64_t n);
void Int8MulElementwise(const Int8MulParams& p, const int8_t* a, const int8_t* b, int8_t* out,
                        int64_t n);

// The same with the scalar loop only (the reference for the SIMD path).
void Int8AddElementwisePortable(const Int8AddParams& p, const int8_t* a, const int8_t* b,
                                int8_t* out, int64_t n);
void Int8MulElementwisePortable(const Int8MulParams& p, const int8_t* a, const int8_t* b,
                                int8_t* out, int64_t n);

#if defined(__x86_64__)
// AVX2 bodies (int8_binary_avx2.cc): the first n - n % 8 elements; return how many.
int64_t Int8AddElementwiseAvx2(const Int8AddParams& p, const int8_t* a, const int8_t* b,
                               int8_t* out, int64_t n);
int64_t Int8MulElementwiseAvx2(const Int8MulParams& p, const int8_t* a, const int8_t* b,
                               int8_t* out, int64_t n);
#endif

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_BINARY_H_
