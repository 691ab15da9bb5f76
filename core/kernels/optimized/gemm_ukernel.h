// The interface between the GEMM driver (gemm.cc) and its per-ISA kernels (gemm_portable.cc,
// gemm_avx2.cc, later gemm_neon.cc). Internal to core/kernels/optimized: op code uses gemm.h.
//
// Packed B layout (what PackedMatrix holds for a variant with register tile MR x NR):
// B (K x N) is cut into ceil(N / NR) panels of NR columns; panel p holds columns
// [p*NR, p*NR + NR) as K rows of NR contiguous floats (row k at offset k*NR), columns past N
// zero-filled. Panels follow each other (panel stride K*NR floats); the buffer is 64-byte
// aligned, so every row of a panel is NR*4-byte aligned.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_GEMM_UKERNEL_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_GEMM_UKERNEL_H_

#include <cstdint>

namespace compressd::kernels::optimized {

// One cache block of C[m x n] (+)= A[m x k] * B[k x n], computed tile by tile (MR x NR).
struct GemmBlockArgs {
  int64_t m = 0;  // rows of A and C in this call (>= 1)
  int64_t n = 0;  // columns of C in this call (>= 1); column 0 is the first column of a panel
  int64_t k = 0;  // depth of this K block (>= 1)
  const float* a = nullptr;  // A at (row 0, first k of the block); row r at a + r*lda
  int64_t lda = 0;
  const float* b = nullptr;  // first panel, already advanced to the block's first k row
  int64_t b_panel_stride = 0;  // floats from one panel to the next (K_total * NR)
  const float* bias = nullptr;  // bias[0..n) for this call's columns, or nullptr (zero)
  float* c = nullptr;           // C at (row 0, column 0); row r at c + r*ldc
  int64_t ldc = 0;
  bool first_k = true;  // start from bias (or 0); otherwise accumulate onto C's current values
  bool last_k = true;   // clamp to [act_min, act_max] before storing
  float act_min = 0;
  float act_max = 0;
};

// Computes a block. Arithmetic contract (the basis of thread-count independence): every element
// C[i][j] is computed as acc = bias[j] (or 0); acc = acc + A[i][k]*B[k][j] for k in increasing
// order (fused or not, fixed per variant), independently of m, n and of the element's position in
// its tile; the driver's K blocking round-trips acc through C exactly.
using GemmBlockFn = void (*)(const GemmBlockArgs& args);

// Matrix-vector product for m == 1 over the full depth: c[0..n) = clamp(a * B + bias). May sum in
// a different (but fixed) order than GemmBlockFn. `b` is panel 0 at k = 0.
struct GemvArgs {
  int64_t n = 0;
  int64_t k = 0;
  const float* a = nullptr;
  const float* b = nullptr;
  int64_t b_panel_stride = 0;
  const float* bias = nullptr;
  float* c = nullptr;
  float act_min = 0;
  float act_max = 0;
};
using GemvFn = void (*)(const GemvArgs& args);

// Per-ISA entry points (defined in gemm_<isa>.cc).
void GemmBlockPortable4x8(const GemmBlockArgs& args);
void GemmBlockAvx2_6x16(const GemmBlockArgs& args);
void GemvAvx2_16(const GemvArgs& args);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_GEMM_UKERNEL_H_
