// Elementwise int8 ADD and MUL over equally long runs with TFLite's builtin arithmetic:
//   ADD (add.cc's general 8-bit path): each input is offset, shifted left by `left_shift`,
//     rescaled by its own quantized multiplier; the sum is rescaled to the output and clamped.
//   MUL (mul.cc): (a + offset1) * (b + offset2) rescaled to the output and clamped.
// A broadcast such as a [C] operand against [H, W, C] is `rows` runs in which that operand does
// not advance (Int8Runs::b_step 0); the constants are set up once per call, not per run.
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

// Run r (0 <= r < rows) reads a + r * a_step and b + r * b_step and writes out + r * length,
// `length` elements each. A step of 0 reuses that operand's run; steps equal to `length` make
// the runs one contiguous array.
struct Int8Runs {
  const int8_t* a = nullptr;
  int64_t a_step = 0;
  const int8_t* b = nullptr;
  int64_t b_step = 0;
  int8_t* out = nullptr;
  int64_t rows = 0;
  int64_t length = 0;
};

// Calls run(a, b, out, length) for every run, in order (the per-run pointers of `runs`).
template <typename RunFn>
inline void ForEachInt8Run(const Int8Runs& runs, RunFn&& run) {
  for (int64_t r = 0; r < runs.rows; ++r) {
    run(runs.a + r * runs.a_step, runs.b + r * runs.b_step, runs.out + r * runs.length,
        runs.length);
  }
}

// out = ADD(a, b) / MUL(a, b) elementwise over the runs. `out` may alias `a` or `b` (with their
// step equal to `length`). Offsets are in [-255, 255] (8-bit zero points), shifts in [-31, 31].
void Int8Add(const Int8AddParams& p, const Int8Runs& runs);
void Int8Mul(const Int8MulParams& p, const Int8Runs& runs);

// One contiguous run of n elements: Int8Add / Int8Mul, and the scalar loop alone (the
// reference for the SIMD path).
void Int8AddElementwise(const Int8AddParams& p, const int8_t* a, const int8_t* b, int8_t* out,
                        int64_t n);
void Int8MulElementwise(const Int8MulParams& p, const int8_t* a, const int8_t* b, int8_t* out,
                        int64_t n);
void Int8AddElementwisePortable(const Int8AddParams& p, const int8_t* a, const int8_t* b,
                                int8_t* out, int64_t n);
void Int8MulElementwisePortable(const Int8MulParams& p, const int8_t* a, const int8_t* b,
                                int8_t* out, int64_t n);

#if defined(__x86_64__)
// AVX2 bodies (int8_binary_avx2.cc): every run, 8 lanes at a time, scalar tails.
void Int8AddAvx2(const Int8AddParams& p, const Int8Runs& runs);
void Int8MulAvx2(const Int8MulParams& p, const Int8Runs& runs);
#endif

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_BINARY_H_
