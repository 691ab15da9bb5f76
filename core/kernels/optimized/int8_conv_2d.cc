#include "core/kernels/optimized/int8_conv_2d.h"

#include <algorithm>
#include <cstring>

#include "core/base/thread_pool.h"
#include "core/kernels/optimized/int8_im2col.h"

namespace compressd::kernels::optimized {
namespace {

// im2col works on blocks of output pixels: a block's patch matrix (rows x KPadded(K) int16) is
// sized to stay in L2 (~96 KB) while the GEMM reads it, with rows a multiple of 24 (a multiple
// of every variant's MR) between 24 and 480. Block boundaries depend only on the shapes, never
// on the thread count (not that it matters for exact integer results).
constexpr int64_t kBlockTargetElements = 48 * 1024;
constexpr int64_t kBlockRowQuantum = 24;
constexpr int64_t kMaxBlockRows = 480;
// Convolutions below this many multiply-adds run on one thread.
constexpr int64_t kMinParallelMacs = 1 << 20;

struct ConvDims {
  int64_t batch, in_h, in_w, in_c;
  int64_t out_h, out_w, out_c;
  int64_t filter_h, filter_w;
  int64_t m() const { return batch * out_h * out_w; }
  int64_t k() const { return filter_h * filter_w * in_c; }
  int64_t lda() const { return KPadded(k()); }
};

ConvDims GetDims(const Shape& input_shape, const Shape& filter_shape, const Shape& output_shape) {
  return {input_shape.dim(0),  input_shape.dim(1),  input_shape.dim(2),
          input_shape.dim(3),  output_shape.dim(1), output_shape.dim(2),
          output_shape.dim(3), filter_shape.dim(1), filter_shape.dim(2)};
}

int64_t BlockRows(const ConvDims& d) {
  const int64_t rows = kBlockTargetElements / d.lda() / kBlockRowQuantum * kBlockRowQuantum;
  return std::min(std::clamp(rows, kBlockRowQuantum, kMaxBlockRows),
                  (d.m() + kBlockRowQuantum - 1) / kBlockRowQuantum * kBlockRowQuantum);
}

// int16 elements per scratch slot (a block plus the im2col slack), rounded up to a whole number
// of 64-byte lines.
int64_t SlotElements(const ConvDims& d) {
  return (BlockRows(d) * d.lda() + kInt8Im2ColSlack + 31) / 32 * 32;
}

// Threads (= scratch slots) used; depends only on the shapes and the thread count, so
// Int8ConvScratchBytes and Int8Conv2D agree.
int64_t NumSlots(const ConvDims& d, int num_threads) {
  if (d.m() * d.k() * d.out_c < kMinParallelMacs) return 1;
  const int64_t blocks = (d.m() + BlockRows(d) - 1) / BlockRows(d);
  return std::max<int64_t>(1, std::min<int64_t>(num_threads, blocks));
}

bool IsPointwise(const ConvParams& p, const ConvDims& d) {
  return d.filter_h == 1 && d.filter_w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
         p.pad_top == 0 && p.pad_left == 0 && d.out_h == d.in_h && d.out_w == d.in_w;
}

// Smallest v >= 0 with v * step >= x (x may be negative), for step >= 1.
inline int64_t CeilDivNonNeg(int64_t x, int64_t step) {
  return x <= 0 ? 0 : (x + step - 1) / step;
}

// [begin, end) of the filter taps t with 0 <= origin + t*dilation < size.
inline void InsideTaps(int64_t origin, int64_t taps, int64_t dilation, int64_t size,
                       int64_t* begin, int64_t* end) {
  *begin = std::min(taps, CeilDivNonNeg(-origin, dilation));
  const int64_t last = size - 1 - origin;
  *end = last < 0 ? 0 : std::min(taps, last / dilation + 1);
  *end = std::max(*end, *begin);
}

struct Im2ColJob {
  const ConvParams* params;
  ConvDims dims;
  const int8_t* input;
  const PackedInt8ConvFilter* filter;
  const int32_t* bias;
  const Int8Requant* rq;
  int8_t* output;
  int16_t* scratch;
  int64_t block_rows;
  int64_t blocks;
  int64_t slots;
  int64_t slot_elements;
  bool pointwise;
  Int8Im2ColArgs im2col_args;
  void (*im2col)(const Int8Im2ColArgs&, int64_t, int64_t, int16_t*);
};

// Slot s owns scratch slot s and blocks [s*blocks/slots, (s+1)*blocks/slots).
void RunSlot(const Im2ColJob& job, int64_t slot) {
  int16_t* col = job.scratch + slot * job.slot_elements;
  const int64_t m = job.dims.m();
  const int64_t n = job.dims.out_c;
  const int64_t first = slot * job.blocks / job.slots;
  const int64_t last = (slot + 1) * job.blocks / job.slots;
  for (int64_t blk = first; blk < last; ++blk) {
    const int64_t r0 = blk * job.block_rows;
    const int64_t r1 = std::min(m, r0 + job.block_rows);
    if (job.pointwise) {
      // 1x1, stride 1, no padding: the im2col rows are the NHWC input rows, widened.
      const Int8WidenFn widen = job.filter->matrix.variant().widen;
      const int64_t k = job.dims.k();
      const int64_t lda = job.dims.lda();
      const int8_t* src = job.input + r0 * k;
      if (lda == k) {
        widen(src, (r1 - r0) * k, job.rq->input_offset, col);
      } else {
        int16_t* dst = col;
        for (int64_t r = r0; r < r1; ++r, src += k, dst += lda) {
          widen(src, k, job.rq->input_offset, dst);
          dst[k] = 0;
        }
      }
    } else {
      job.im2col(job.im2col_args, r0, r1, col);
    }
    Int8Gemm(r1 - r0, col, job.dims.lda(), job.filter->matrix, job.bias, *job.rq,
             job.output + r0 * n, n, nullptr);
  }
}

}  // namespace

void Int8Im2ColPortable(const Int8Im2ColArgs& a, int64_t row_begin, int64_t row_end,
                        int16_t* col) {
  const ConvParams& p = *a.params;
  const int16_t off = static_cast<int16_t>(a.offset);
  auto widen = [off](const int8_t* src, int64_t n, int16_t* dst) {
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<int16_t>(src[i] + off);
  };
  const int64_t k = a.k;
  const int64_t lda = a.lda;
  const int64_t row_elems = a.filter_w * a.in_c;  // one ky row of a patch
  int64_t ox = row_begin % a.out_w;
  int64_t oy = row_begin / a.out_w % a.out_h;
  int64_t b = row_begin / (a.out_w * a.out_h);
  for (int64_t r = row_begin; r < row_end; ++r) {
    int16_t* dst = col + (r - row_begin) * lda;
    const int64_t iy0 = oy * p.stride_h - p.pad_top;
    const int64_t ix0 = ox * p.stride_w - p.pad_left;
    int64_t kx_begin, kx_end;
    InsideTaps(ix0, a.filter_w, p.dilation_w, a.in_w, &kx_begin, &kx_end);
    for (int64_t ky = 0; ky < a.filter_h; ++ky, dst += row_elems) {
      const int64_t iy = iy0 + ky * p.dilation_h;
      if (iy < 0 || iy >= a.in_h || kx_begin == kx_end) {
        std::memset(dst, 0, static_cast<size_t>(row_elems) * sizeof(int16_t));
        continue;
      }
      const int8_t* src_row = a.input + (b * a.in_h + iy) * a.in_w * a.in_c;
      std::memset(dst, 0, static_cast<size_t>(kx_begin * a.in_c) * sizeof(int16_t));
      for (int64_t kx = kx_begin; kx < kx_end; ++kx) {
        widen(src_row + (ix0 + kx * p.dilation_w) * a.in_c, a.in_c, dst + kx * a.in_c);
      }
      std::memset(dst + kx_end * a.in_c, 0,
                  static_cast<size_t>((a.filter_w - kx_end) * a.in_c) * sizeof(int16_t));
    }
    if (lda != k) col[(r - row_begin) * lda + k] = 0;
    if (++ox == a.out_w) {
      ox = 0;
      if (++oy == a.out_h) {
        oy = 0;
        ++b;
      }
    }
  }
}

PackedInt8ConvFilter PackInt8ConvFilter(const Shape& filter_shape, const int8_t* filter,
                                        const Int8GemmVariant& variant) {
  PackedInt8ConvFilter f;
  f.output_channels = filter_shape.dim(0);
  f.filter_h = filter_shape.dim(1);
  f.filter_w = filter_shape.dim(2);
  f.input_channels = filter_shape.dim(3);
  const int64_t k = static_cast<int64_t>(f.filter_h) * f.filter_w * f.input_channels;
  f.matrix = PackedInt8Matrix::FromTransposed(variant, f.output_channels, k, filter, k);
  return f;
}

PackedInt8ConvFilter PackInt8ConvFilter(const Shape& filter_shape, const int8_t* filter) {
  return PackInt8ConvFilter(filter_shape, filter, DefaultInt8GemmVariant());
}

bool Int8Conv2DSupports(const Shape& input_shape, const Shape& filter_shape) {
  return input_shape.rank() == 4 && filter_shape.rank() == 4 &&
         input_shape.dim(3) == filter_shape.dim(3);
}

int64_t Int8ConvScratchBytes(const ConvParams& params, const Shape& input_shape,
                             const Shape& filter_shape, const Shape& output_shape,
                             int num_threads) {
  const ConvDims d = GetDims(input_shape, filter_shape, output_shape);
  if (d.m() == 0 || d.k() == 0 || d.out_c == 0) return 0;
  return NumSlots(d, std::max(1, num_threads)) * SlotElements(d) *
         static_cast<int64_t>(sizeof(int16_t));
}

void Int8Conv2D(const ConvParams& params, const Shape& input_shape, const int8_t* input,
                const PackedInt8ConvFilter& filter, const int32_t* bias, const Int8Requant& rq,
                const Shape& output_shape, int8_t* output, void* scratch, ThreadPool* pool) {
  const Shape filter_shape{filter.output_channels, filter.filter_h, filter.filter_w,
                           filter.input_channels};
  const ConvDims d = GetDims(input_shape, filter_shape, output_shape);
  if (d.m() == 0 || d.out_c == 0 || d.k() == 0 || filter.matrix.empty()) return;
  Im2ColJob job;
  job.params = &params;
  job.dims = d;
  job.input = input;
  job.filter = &filter;
  job.bias = bias;
  job.rq = &rq;
  job.output = output;
  job.scratch = static_cast<int16_t*>(scratch);
  job.block_rows = BlockRows(d);
  job.blocks = (d.m() + job.block_rows - 1) / job.block_rows;
  job.slots = NumSlots(d, pool == nullptr ? 1 : pool->num_threads());
  job.slot_elements = SlotElements(d);
  job.pointwise = IsPointwise(params, d);
  Int8Im2ColArgs& ia = job.im2col_args;
  ia.params = &params;
  ia.in_h = d.in_h;
  ia.in_w = d.in_w;
  ia.in_c = d.in_c;
  ia.out_h = d.out_h;
  ia.out_w = d.out_w;
  ia.filter_h = d.filter_h;
  ia.filter_w = d.filter_w;
  ia.k = d.k();
  ia.lda = d.lda();
  ia.input = input;
  ia.input_end = input + d.batch * d.in_h * d.in_w * d.in_c;
  ia.offset = rq.input_offset;
  job.im2col = Int8Im2ColPortable;
#if defined(__x86_64__)
  if (filter.matrix.variant().isa == CpuIsa::kAvx2Fma) job.im2col = Int8Im2ColAvx2;
#endif
  if (job.slots == 1) {
    RunSlot(job, 0);
    return;
  }
  pool->ParallelFor(job.slots, 1, [&job](int64_t begin, int64_t end) {
    for (int64_t s = begin; s < end; ++s) RunSlot(job, s);
  });
}

}  // namespace compressd::kernels::optimized
