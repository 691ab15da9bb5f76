#include "core/kernels/optimized/gemm.h"

#include <algorithm>
#include <cstring>

#include "core/base/thread_pool.h"

namespace compressd::kernels::optimized {
namespace {

constexpr GemmVariant kVariants[] = {
    {"portable_4x8", CpuIsa::kPortable, 4, 8, GemmBlockPortable4x8, nullptr},
#if defined(__x86_64__)
    {"avx2_6x16", CpuIsa::kAvx2Fma, 6, 16, GemmBlockAvx2_6x16, GemvAvx2_16},
#endif
};

// Cache blocking. A K block of at most kMaxKc keeps an MR x KC slice of A in L1 while the NR-wide
// panels of the B block stream from L2; the KC x NC block of B is kept within kBBlockFloats
// (256 KB, half of a typical 512 KB..1 MB L2). Both depend only on (N, K), never on m or on the
// thread count, which keeps the arithmetic of every element fixed.
constexpr int64_t kMaxKc = 512;
constexpr int64_t kBBlockFloats = 64 * 1024;
// Below this many multiply-adds (~20 us on one AVX2 core) a GEMM is not worth waking threads for.
constexpr int64_t kMinParallelMacs = 1 << 20;

struct Blocking {
  int64_t kc;
  int64_t nc;
};

Blocking ChooseBlocking(const GemmVariant& v, int64_t n, int64_t k) {
  const int64_t k_blocks = (k + kMaxKc - 1) / kMaxKc;
  const int64_t kc = (k + k_blocks - 1) / k_blocks;
  int64_t nc = std::max<int64_t>(v.nr, kBBlockFloats / kc / v.nr * v.nr);
  nc = std::min(nc, (n + v.nr - 1) / v.nr * v.nr);
  return {kc, nc};
}

struct GemmJob {
  int64_t m;
  const float* a;
  int64_t lda;
  const PackedMatrix* b;
  const GemmEpilogue* ep;
  float* c;
  int64_t ldc;
  Blocking blocking;
};

// Rows [row_begin, row_end) x columns [col_begin, col_end); col_begin is a panel boundary.
void RunRange(const GemmJob& job, int64_t row_begin, int64_t row_end, int64_t col_begin,
              int64_t col_end) {
  const PackedMatrix& b = *job.b;
  const GemmVariant& v = b.variant();
  const int64_t k = b.k();
  const int64_t panel_stride = b.panel_stride();
  if (job.m == 1 && v.gemv != nullptr) {
    GemvArgs g;
    g.n = col_end - col_begin;
    g.k = k;
    g.a = job.a;
    g.b = b.data() + col_begin / v.nr * panel_stride;
    g.b_panel_stride = panel_stride;
    g.bias = job.ep->bias == nullptr ? nullptr : job.ep->bias + col_begin;
    g.c = job.c + col_begin;
    g.act_min = job.ep->act_min;
    g.act_max = job.ep->act_max;
    v.gemv(g);
    return;
  }
  const int64_t kc = job.blocking.kc;
  const int64_t nc = job.blocking.nc;
  for (int64_t n0 = col_begin; n0 < col_end; n0 += nc) {
    for (int64_t k0 = 0; k0 < k; k0 += kc) {
      GemmBlockArgs g;
      g.m = row_end - row_begin;
      g.n = std::min(nc, col_end - n0);
      g.k = std::min(kc, k - k0);
      g.a = job.a + row_begin * job.lda + k0;
      g.lda = job.lda;
      g.b = b.data() + n0 / v.nr * panel_stride + k0 * v.nr;
      g.b_panel_stride = panel_stride;
      g.bias = job.ep->bias == nullptr ? nullptr : job.ep->bias + n0;
      g.c = job.c + row_begin * job.ldc + n0;
      g.ldc = job.ldc;
      g.first_k = k0 == 0;
      g.last_k = k0 + g.k == k;
      g.act_min = job.ep->act_min;
      g.act_max = job.ep->act_max;
      v.block(g);
    }
  }
}

}  // namespace

std::span<const GemmVariant> GemmVariants() { return kVariants; }

bool IsSupported(const GemmVariant& v) { return GetCpuFeatures().Supports(v.isa); }

const GemmVariant& DefaultGemmVariant() {
  static const GemmVariant* best = [] {
    const GemmVariant* b = &kVariants[0];
    for (const GemmVariant& v : kVariants) {
      if (IsSupported(v)) b = &v;  // later entries are faster
    }
    return b;
  }();
  return *best;
}

PackedMatrix PackedMatrix::FromTransposed(const GemmVariant& variant, int64_t n, int64_t k,
                                          const float* b_t, int64_t ld) {
  PackedMatrix p;
  p.variant_ = &variant;
  p.n_ = n;
  p.k_ = k;
  const int64_t nr = variant.nr;
  const int64_t panels = (n + nr - 1) / nr;
  p.buffer_ = AlignedBuffer(panels * nr * k);
  float* dst = p.buffer_.data();
  for (int64_t col = 0; col < n; ++col) {
    float* panel = dst + col / nr * (nr * k) + col % nr;
    const float* src = b_t + col * ld;
    for (int64_t kk = 0; kk < k; ++kk) panel[kk * nr] = src[kk];
  }
  return p;
}

PackedMatrix PackedMatrix::FromRowMajor(const GemmVariant& variant, int64_t k, int64_t n,
                                        const float* b, int64_t ld) {
  PackedMatrix p;
  p.variant_ = &variant;
  p.n_ = n;
  p.k_ = k;
  const int64_t nr = variant.nr;
  const int64_t panels = (n + nr - 1) / nr;
  p.buffer_ = AlignedBuffer(panels * nr * k);
  float* dst = p.buffer_.data();
  for (int64_t pi = 0; pi < panels; ++pi) {
    const int64_t cols = std::min(nr, n - pi * nr);
    for (int64_t kk = 0; kk < k; ++kk) {
      std::memcpy(dst + (pi * k + kk) * nr, b + kk * ld + pi * nr, cols * sizeof(float));
    }
  }
  return p;
}

void Gemm(int64_t m, const float* a, int64_t lda, const PackedMatrix& b, const GemmEpilogue& ep,
          float* c, int64_t ldc, ThreadPool* pool) {
  if (m <= 0 || b.empty()) return;
  const GemmVariant& v = b.variant();
  const int64_t n = b.n();
  GemmJob job{m, a, lda, &b, &ep, c, ldc, ChooseBlocking(v, n, b.k())};
  const int threads = pool == nullptr ? 1 : pool->num_threads();
  if (threads <= 1 || m * n * b.k() < kMinParallelMacs) {
    RunRange(job, 0, m, 0, n);
    return;
  }
  const int64_t row_tiles = (m + v.mr - 1) / v.mr;
  const int64_t panels = (n + v.nr - 1) / v.nr;
  if (row_tiles >= 4 * threads || panels < threads) {
    // Chunks are whole MR-row tiles so that tiles look the same for every thread count.
    pool->ParallelFor(row_tiles, 1, [&job](int64_t begin, int64_t end) {
      const int64_t mr = job.b->variant().mr;
      RunRange(job, begin * mr, std::min(job.m, end * mr), 0, job.b->n());
    });
  } else {
    pool->ParallelFor(panels, 1, [&job](int64_t begin, int64_t end) {
      const int64_t nr = job.b->variant().nr;
      RunRange(job, 0, job.m, begin * nr, std::min(job.b->n(), end * nr));
    });
  }
}

}  // namespace compressd::kernels::optimized
