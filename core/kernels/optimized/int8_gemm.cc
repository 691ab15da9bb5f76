#include "core/kernels/optimized/int8_gemm.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/base/thread_pool.h"

namespace compressd::kernels::optimized {
namespace {

constexpr Int8GemmVariant kVariants[] = {
    {"portable_4x8c2", CpuIsa::kPortable, 4, 8, Int8GemmBlockPortable4x8, Int8WidenPortable},
#if defined(__x86_64__)
    {"avx2_4x16c2", CpuIsa::kAvx2Fma, 4, 16, Int8GemmBlockAvx2_4x16, Int8WidenAvx2},
#endif
};

// Cache blocking over columns only (the kernels run the full depth in registers, since the int8
// output cannot carry a partial sum): a block of NC columns keeps its packed B (KP * 2 * NC
// bytes) within kBBlockBytes (~192 KB of L2) while the row tiles of A stream past it.
constexpr int64_t kBBlockBytes = 192 * 1024;
// Below this many multiply-adds a GEMM is not worth waking threads for.
constexpr int64_t kMinParallelMacs = 1 << 20;

int64_t ColumnBlock(const Int8GemmVariant& v, int64_t n, int64_t k) {
  const int64_t nc = std::max<int64_t>(v.nr, kBBlockBytes / KPadded(k) / v.nr * v.nr);
  return std::min(nc, (n + v.nr - 1) / v.nr * v.nr);
}

struct GemmJob {
  int64_t m;
  const int16_t* a;
  int64_t lda;
  const PackedInt8Matrix* b;
  const int32_t* bias;
  Int8OutputStage out;
  int8_t* c;
  int64_t ldc;
  int64_t nc;
};

// Rows [row_begin, row_end) x columns [col_begin, col_end); col_begin is a panel boundary.
void RunRange(const GemmJob& job, int64_t row_begin, int64_t row_end, int64_t col_begin,
              int64_t col_end) {
  const PackedInt8Matrix& b = *job.b;
  const Int8GemmVariant& v = b.variant();
  for (int64_t n0 = col_begin; n0 < col_end; n0 += job.nc) {
    Int8GemmBlockArgs g;
    g.m = row_end - row_begin;
    g.n = std::min(job.nc, col_end - n0);
    g.k_pairs = KPadded(b.k()) / 2;
    g.a = job.a + row_begin * job.lda;
    g.lda = job.lda;
    g.b = b.data() + n0 / v.nr * b.panel_stride();
    g.b_panel_stride = b.panel_stride();
    g.bias = job.bias == nullptr ? nullptr : job.bias + n0;
    g.out = job.out;
    AdvanceOutputStage(n0, &g.out);
    g.c = job.c + row_begin * job.ldc + n0;
    g.ldc = job.ldc;
    v.block(g);
  }
}

}  // namespace

void SetOutputStage(const Int8Requant& rq, int64_t channels, Int8OutputStage* out) {
  out->multiplier = rq.multiplier;
  out->shift = rq.shift;
  out->fp32_scale = rq.fp32_scale;
  out->per_channel = rq.per_channel;
  out->output_zero_point = rq.output_zero_point;
  out->act_min = rq.act_min;
  out->act_max = rq.act_max;
  out->any_left_shift = false;
  out->any_min_multiplier = false;
  if (rq.fp32_scale != nullptr) return;
  const int64_t n = rq.per_channel ? channels : 1;
  for (int64_t j = 0; j < n; ++j) {
    out->any_left_shift |= rq.shift[j] > 0;
    out->any_min_multiplier |= rq.multiplier[j] == std::numeric_limits<int32_t>::min();
  }
}

std::span<const Int8GemmVariant> Int8GemmVariants() { return kVariants; }

bool IsSupported(const Int8GemmVariant& v) { return GetCpuFeatures().Supports(v.isa); }

const Int8GemmVariant& DefaultInt8GemmVariant() {
  static const Int8GemmVariant* best = [] {
    const Int8GemmVariant* b = &kVariants[0];
    for (const Int8GemmVariant& v : kVariants) {
      if (IsSupported(v)) b = &v;  // later entries are faster
    }
    return b;
  }();
  return *best;
}

void WidenInt8WithOffset(const Int8GemmVariant& variant, const int8_t* src, int64_t n,
                         int32_t offset, int16_t* dst) {
  variant.widen(src, n, offset, dst);
}

void WidenInt8WithOffset(const int8_t* src, int64_t n, int32_t offset, int16_t* dst) {
  DefaultInt8GemmVariant().widen(src, n, offset, dst);
}

PackedInt8Matrix PackedInt8Matrix::FromTransposed(const Int8GemmVariant& variant, int64_t n,
                                                  int64_t k, const int8_t* b_t, int64_t ld) {
  PackedInt8Matrix p;
  p.variant_ = &variant;
  p.n_ = n;
  p.k_ = k;
  const int64_t nr = variant.nr;
  const int64_t panels = (n + nr - 1) / nr;
  const int64_t bytes = panels * p.panel_stride();
  p.buffer_ = AlignedBuffer((bytes + 3) / 4);  // zero-filled: padding columns and depth
  int8_t* dst = reinterpret_cast<int8_t*>(p.buffer_.data());
  for (int64_t col = 0; col < n; ++col) {
    int8_t* panel = dst + col / nr * p.panel_stride() + 2 * (col % nr);
    const int8_t* src = b_t + col * ld;
    for (int64_t kk = 0; kk < k; ++kk) panel[kk / 2 * (2 * nr) + kk % 2] = src[kk];
  }
  return p;
}

void Int8Gemm(int64_t m, const int16_t* a, int64_t lda, const PackedInt8Matrix& b,
              const int32_t* bias, const Int8Requant& rq, int8_t* c, int64_t ldc,
              ThreadPool* pool) {
  if (m <= 0 || b.empty()) return;
  const Int8GemmVariant& v = b.variant();
  const int64_t n = b.n();
  GemmJob job{m, a, lda, &b, bias, {}, c, ldc, ColumnBlock(v, n, b.k())};
  SetOutputStage(rq, n, &job.out);
  const int threads = pool == nullptr ? 1 : pool->num_threads();
  if (threads <= 1 || m * n * b.k() < kMinParallelMacs) {
    RunRange(job, 0, m, 0, n);
    return;
  }
  const int64_t row_tiles = (m + v.mr - 1) / v.mr;
  const int64_t panels = (n + v.nr - 1) / v.nr;
  if (row_tiles >= 4 * threads || panels < threads) {
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
