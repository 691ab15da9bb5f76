// Single-precision GEMM with a pre-packed constant operand, the engine behind the optimized
// CONV_2D and FULLY_CONNECTED kernels:
//
//   C[m x N] = clamp(A[m x K] * B[K x N] + bias[N], act_min, act_max)
//
// A (activations) is read in place: row-major with a leading dimension, e.g. an NHWC tensor is
// an (N*H*W) x C matrix. B (weights) is packed once, at Prepare time, into a PackedMatrix for one
// GEMM variant (register tile + ISA). C is row-major with a leading dimension.
//
// Variants: GemmVariants() lists every variant compiled into this binary (XNNPACK style) so tests
// and benchmarks can iterate them; DefaultGemmVariant() is the fastest one the CPU supports (see
// core/base/cpu_features.h, COMPRESSD_CPU=portable forces the portable one).
//
// Determinism: for a given variant each output element's arithmetic is fixed (see
// gemm_ukernel.h), so results do not depend on the ThreadPool's thread count.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_GEMM_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_GEMM_H_

#include <cstdint>
#include <limits>
#include <span>

#include "core/base/cpu_features.h"
#include "core/kernels/optimized/aligned_buffer.h"
#include "core/kernels/optimized/gemm_ukernel.h"

namespace compressd {
class ThreadPool;
}

namespace compressd::kernels::optimized {

struct GemmVariant {
  const char* name;  // e.g. "avx2_6x16"
  CpuIsa isa;        // what the CPU must support to run it
  int mr;            // register tile rows
  int nr;            // register tile columns = packed panel width
  GemmBlockFn block;
  GemvFn gemv;  // nullptr: m == 1 goes through `block`
};

// Every variant compiled into this binary, portable first; some may need an ISA the CPU lacks.
std::span<const GemmVariant> GemmVariants();
// Whether `v` can run on this CPU (GetCpuFeatures(), i.e. honouring COMPRESSD_CPU).
bool IsSupported(const GemmVariant& v);
// The fastest supported variant. Never fails (the portable variant always exists).
const GemmVariant& DefaultGemmVariant();

// B packed for one variant. Owns its 64-byte aligned memory; movable, not copyable; immutable
// after packing, so Eval may read it from several threads.
class PackedMatrix {
 public:
  PackedMatrix() = default;

  // Packs B from its transpose, an [n x k] row-major matrix (row j = column j of B, `ld` floats
  // apart): the layout of CONV_2D's OHWI filter (k = H*W*I) and FULLY_CONNECTED's [out, in]
  // weights. Requires n >= 1, k >= 1, ld >= k.
  static PackedMatrix FromTransposed(const GemmVariant& variant, int64_t n, int64_t k,
                                     const float* b_t, int64_t ld);
  // Packs B given as a [k x n] row-major matrix (`ld` >= n floats between rows).
  static PackedMatrix FromRowMajor(const GemmVariant& variant, int64_t k, int64_t n,
                                   const float* b, int64_t ld);

  bool empty() const { return variant_ == nullptr; }
  const GemmVariant& variant() const { return *variant_; }
  int64_t n() const { return n_; }  // columns of B (output channels)
  int64_t k() const { return k_; }  // depth
  const float* data() const { return buffer_.data(); }
  int64_t panel_stride() const { return k_ * variant_->nr; }  // floats between panels
  int64_t SizeBytes() const { return buffer_.size() * static_cast<int64_t>(sizeof(float)); }

 private:
  const GemmVariant* variant_ = nullptr;
  int64_t n_ = 0;
  int64_t k_ = 0;
  AlignedBuffer buffer_;
};

struct GemmEpilogue {
  const float* bias = nullptr;  // N floats, or nullptr for no bias
  float act_min = -std::numeric_limits<float>::infinity();
  float act_max = std::numeric_limits<float>::infinity();
};

// C = clamp(A * B + bias). `m` >= 0 rows; A row r at a + r*lda (lda >= b.k()); C row r at
// c + r*ldc (ldc >= b.n()); A and C must not overlap. Writes exactly C's m x N elements. With a
// pool of more than one thread the work is split over rows (or over column panels when m is
// small). No heap allocation, no scratch.
void Gemm(int64_t m, const float* a, int64_t lda, const PackedMatrix& b, const GemmEpilogue& ep,
          float* c, int64_t ldc, ThreadPool* pool = nullptr);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_GEMM_H_
