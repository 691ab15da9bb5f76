// The interface between the int8 GEMM driver (int8_gemm.cc) and its per-ISA kernels
// (int8_gemm_portable.cc, int8_gemm_avx2.cc). Internal to core/kernels/optimized: op code uses
// int8_gemm.h.
//
// Packed B layout (what PackedInt8Matrix holds for a variant with panel width NR): B (K x N) is
// cut into ceil(N / NR) panels of NR columns. With KP = ceil(K / 2) depth pairs, panel p holds,
// for each pair q in [0, KP), NR columns x 2 int8 = 2*NR bytes: byte 2*j + t of pair q is
// B[2q + t][p*NR + j] (t = 0, 1). Columns past N and the row past an odd K are zero. Panels
// follow each other (panel stride KP*2*NR bytes); the buffer is 64-byte aligned.
//
// The AVX2 kernel sign-extends 16 bytes of a pair row (8 columns x 2 depths) to 16 int16 and
// multiplies them with vpmaddwd against the broadcast pair (A[i][2q], A[i][2q+1]): each 32-bit
// lane j gets A[i][2q]*B[2q][j] + A[i][2q+1]*B[2q+1][j]. (B pre-widened to int16 at pack time
// measured no faster in GEMMs, vpmovsxbw not being the bottleneck, and 1.4x slower in GEMVs.)
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_GEMM_UKERNEL_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_GEMM_UKERNEL_H_

#include <cstdint>

#include "core/kernels/reference/xnnpack_int8.h"
#include "core/quant/fixed_point.h"

namespace compressd::kernels::optimized {

// The per-call requantization constants as the kernels see them (int8_gemm.h's Int8Requant
// minus the input offset, already applied to A).
struct Int8OutputStage {
  const int32_t* multiplier = nullptr;  // per column of this call, or one value (!per_channel)
  const int32_t* shift = nullptr;
  // Set: XNNPACK's fp32 requantization (multiplier/shift unused), see int8_gemm.h Int8Requant.
  const float* fp32_scale = nullptr;
  bool per_channel = true;
  // Some shift > 0 (a left shift is needed) / some multiplier == INT32_MIN (the
  // SaturatingRoundingDoublingHighMul overflow case needs the saturation fix-up). Conservative
  // hints computed by the driver; kernels may skip that work when false.
  bool any_left_shift = true;
  bool any_min_multiplier = true;
  int32_t output_zero_point = 0;
  int32_t act_min = -128;
  int32_t act_max = 127;
};

// One cache block of C[m x n] = requant(A[m x K] * B[K x n] + bias), tile by tile (MR x NR),
// over the full depth.
struct Int8GemmBlockArgs {
  int64_t m = 0;        // rows of A and C in this call (>= 1)
  int64_t n = 0;        // columns of C in this call (>= 1); column 0 is the first column of a panel
  int64_t k_pairs = 0;  // ceil(K / 2) (>= 1)
  const int16_t* a = nullptr;  // row r at a + r*lda; each row has 2*k_pairs readable elements
  int64_t lda = 0;             // in int16 elements
  const int8_t* b = nullptr;   // first panel of this call
  int64_t b_panel_stride = 0;  // bytes from one panel to the next
  const int32_t* bias = nullptr;  // bias[0..n) for this call's columns, or nullptr (zero)
  Int8OutputStage out;            // multiplier/shift already advanced to this call's columns
  int8_t* c = nullptr;            // C at (row 0, column 0); row r at c + r*ldc
  int64_t ldc = 0;
};

// Computes a block; writes exactly the m x n elements of C.
using Int8GemmBlockFn = void (*)(const Int8GemmBlockArgs& args);

// dst[i] = int16(src[i]) + offset, i in [0, n), offset in [-127, 128].
using Int8WidenFn = void (*)(const int8_t* src, int64_t n, int32_t offset, int16_t* dst);

// Per-ISA entry points (defined in int8_gemm_<isa>.cc).
void Int8GemmBlockPortable4x8(const Int8GemmBlockArgs& args);
void Int8WidenPortable(const int8_t* src, int64_t n, int32_t offset, int16_t* dst);
void Int8GemmBlockAvx2_4x16(const Int8GemmBlockArgs& args);
void Int8WidenAvx2(const int8_t* src, int64_t n, int32_t offset, int16_t* dst);

// The scalar output stage of one accumulator (the definition the SIMD kernels reproduce):
// clamp(MultiplyByQuantizedMultiplier(acc, multiplier, shift) + zero_point, act_min, act_max),
// the addition with int32 wrap-around.
inline int8_t Int8RequantizeScalar(int32_t acc, int32_t multiplier, int32_t shift,
                                   int32_t zero_point, int32_t act_min, int32_t act_max) {
  const int32_t scaled = quant::MultiplyByQuantizedMultiplier(acc, multiplier, shift);
  int32_t v = static_cast<int32_t>(static_cast<uint32_t>(scaled) +
                                   static_cast<uint32_t>(zero_point));
  v = v < act_min ? act_min : v;
  v = v > act_max ? act_max : v;
  return static_cast<int8_t>(v);
}

// Moves a per-channel stage's arrays on by `columns` (a block starting at column `columns` of the
// call's); a per-tensor stage is left as it is.
inline void AdvanceOutputStage(int64_t columns, Int8OutputStage* out) {
  if (!out->per_channel) return;
  if (out->fp32_scale != nullptr) {
    out->fp32_scale += columns;
  } else {
    out->multiplier += columns;
    out->shift += columns;
  }
}

// The scalar output stage of one accumulator of channel `c` (an index into the stage's arrays,
// ignored when !per_channel), in whichever arithmetic `out` selects.
inline int8_t Int8RequantizeChannel(const Int8OutputStage& out, int32_t acc, int64_t c) {
  const int64_t i = out.per_channel ? c : 0;
  if (out.fp32_scale != nullptr) {
    return static_cast<int8_t>(reference::XnnRequantizeFp32(
        acc, out.fp32_scale[i], out.output_zero_point,
        reference::XnnOutputRange{out.act_min, out.act_max}));
  }
  return Int8RequantizeScalar(acc, out.multiplier[i], out.shift[i], out.output_zero_point,
                              out.act_min, out.act_max);
}

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_GEMM_UKERNEL_H_
