#include "core/kernels/optimized/conv_2d.h"

#include <algorithm>
#include <cstring>

#include "core/base/thread_pool.h"

namespace compressd::kernels::optimized {
namespace {

// im2col works on blocks of output pixels: a block's patch matrix (rows x K floats) is sized to
// stay in L2 (~96 KB) while the GEMM reads it, with rows a multiple of 24 (a multiple of every
// variant's MR) between 24 and 480. Block boundaries depend only on the shapes, never on the
// thread count.
constexpr int64_t kBlockTargetFloats = 24 * 1024;
constexpr int64_t kBlockRowQuantum = 24;
constexpr int64_t kMaxBlockRows = 480;

struct ConvDims {
  int64_t batch, in_h, in_w, in_c;
  int64_t out_h, out_w, out_c;
  int64_t filter_h, filter_w;
  int64_t m() const { return batch * out_h * out_w; }
  int64_t k() const { return filter_h * filter_w * in_c; }
};

ConvDims GetDims(const Shape& input_shape, const Shape& filter_shape, const Shape& output_shape) {
  return {input_shape.dim(0),  input_shape.dim(1),  input_shape.dim(2),
          input_shape.dim(3),  output_shape.dim(1), output_shape.dim(2),
          output_shape.dim(3), filter_shape.dim(1), filter_shape.dim(2)};
}

int64_t BlockRows(const ConvDims& d) {
  const int64_t rows = kBlockTargetFloats / d.k() / kBlockRowQuantum * kBlockRowQuantum;
  return std::min(std::clamp(rows, kBlockRowQuantum, kMaxBlockRows),
                  (d.m() + kBlockRowQuantum - 1) / kBlockRowQuantum * kBlockRowQuantum);
}

// Floats per scratch slot, rounded up to a whole number of 64-byte lines.
int64_t SlotFloats(const ConvDims& d) { return (BlockRows(d) * d.k() + 15) / 16 * 16; }

// Convolutions below this many multiply-adds run on one thread.
constexpr int64_t kMinParallelMacs = 1 << 20;

// Threads (= scratch slots) the im2col path uses; depends only on the shapes and the thread
// count, so ConvScratchBytes and Conv2D agree.
int64_t NumSlots(const ConvDims& d, int num_threads) {
  if (d.m() * d.k() * d.out_c < kMinParallelMacs) return 1;
  const int64_t blocks = (d.m() + BlockRows(d) - 1) / BlockRows(d);
  return std::max<int64_t>(1, std::min<int64_t>(num_threads, blocks));
}

// Copies n floats. The receptive-field pieces im2col copies are often tiny (3 channels x 3
// taps), where a libc memcpy call costs more than the copy; fixed-size memcpy calls below
// compile to plain vector moves.
inline void CopyFloats(float* dst, const float* src, int64_t n) {
  for (; n >= 8; n -= 8, dst += 8, src += 8) std::memcpy(dst, src, 8 * sizeof(float));
  if (n & 4) {
    std::memcpy(dst, src, 4 * sizeof(float));
    dst += 4;
    src += 4;
  }
  if (n & 2) {
    std::memcpy(dst, src, 2 * sizeof(float));
    dst += 2;
    src += 2;
  }
  if (n & 1) *dst = *src;
}

inline void ZeroFloats(float* dst, int64_t n) {
  for (; n >= 8; n -= 8, dst += 8) std::memset(dst, 0, 8 * sizeof(float));
  for (; n > 0; --n) *dst++ = 0.0f;
}

// Writes the receptive fields of output pixels [row_begin, row_end) (flattened b, oy, ox) as rows
// of K floats (ky, kx, ic order = the OHWI filter's), zeros for taps in the padding.
void Im2Col(const ConvParams& p, const ConvDims& d, const float* input, int64_t row_begin,
            int64_t row_end, float* col) {
  const int64_t k = d.k();
  const int64_t row_floats = d.filter_w * d.in_c;  // one ky row of a patch
  int64_t ox = row_begin % d.out_w;
  int64_t oy = row_begin / d.out_w % d.out_h;
  int64_t b = row_begin / (d.out_w * d.out_h);
  for (int64_t r = row_begin; r < row_end; ++r) {
    float* dst = col + (r - row_begin) * k;
    const int64_t iy0 = oy * p.stride_h - p.pad_top;
    const int64_t ix0 = ox * p.stride_w - p.pad_left;
    const bool x_inside =
        ix0 >= 0 && ix0 + (d.filter_w - 1) * p.dilation_w < d.in_w;
    for (int64_t ky = 0; ky < d.filter_h; ++ky, dst += row_floats) {
      const int64_t iy = iy0 + ky * p.dilation_h;
      if (iy < 0 || iy >= d.in_h) {
        ZeroFloats(dst, row_floats);
        continue;
      }
      const float* src_row = input + (b * d.in_h + iy) * d.in_w * d.in_c;
      if (x_inside && p.dilation_w == 1) {
        CopyFloats(dst, src_row + ix0 * d.in_c, row_floats);
        continue;
      }
      for (int64_t kx = 0; kx < d.filter_w; ++kx) {
        const int64_t ix = ix0 + kx * p.dilation_w;
        float* out = dst + kx * d.in_c;
        if (ix < 0 || ix >= d.in_w) {
          ZeroFloats(out, d.in_c);
        } else {
          CopyFloats(out, src_row + ix * d.in_c, d.in_c);
        }
      }
    }
    if (++ox == d.out_w) {
      ox = 0;
      if (++oy == d.out_h) {
        oy = 0;
        ++b;
      }
    }
  }
}

struct Im2ColJob {
  const ConvParams* params;
  ConvDims dims;
  const float* input;
  const PackedConvFilter* filter;
  GemmEpilogue ep;
  float* output;
  float* scratch;
  int64_t block_rows;
  int64_t blocks;
  int64_t slots;
  int64_t slot_floats;
};

// Slot s owns scratch slot s and blocks [s*blocks/slots, (s+1)*blocks/slots).
void RunSlot(const Im2ColJob& job, int64_t slot) {
  float* col = job.scratch + slot * job.slot_floats;
  const int64_t m = job.dims.m();
  const int64_t k = job.dims.k();
  const int64_t n = job.dims.out_c;
  const int64_t first = slot * job.blocks / job.slots;
  const int64_t last = (slot + 1) * job.blocks / job.slots;
  for (int64_t blk = first; blk < last; ++blk) {
    const int64_t r0 = blk * job.block_rows;
    const int64_t r1 = std::min(m, r0 + job.block_rows);
    Im2Col(*job.params, job.dims, job.input, r0, r1, col);
    Gemm(r1 - r0, col, k, job.filter->matrix, job.ep, job.output + r0 * n, n, nullptr);
  }
}

}  // namespace

PackedConvFilter PackConvFilter(const Shape& filter_shape, const float* filter,
                                const GemmVariant& variant) {
  PackedConvFilter f;
  f.output_channels = filter_shape.dim(0);
  f.filter_h = filter_shape.dim(1);
  f.filter_w = filter_shape.dim(2);
  f.input_channels = filter_shape.dim(3);
  const int64_t k = static_cast<int64_t>(f.filter_h) * f.filter_w * f.input_channels;
  f.matrix = PackedMatrix::FromTransposed(variant, f.output_channels, k, filter, k);
  return f;
}

PackedConvFilter PackConvFilter(const Shape& filter_shape, const float* filter) {
  return PackConvFilter(filter_shape, filter, DefaultGemmVariant());
}

bool OptimizedConv2DSupports(const Shape& input_shape, const Shape& filter_shape) {
  return input_shape.rank() == 4 && filter_shape.rank() == 4 &&
         input_shape.dim(3) == filter_shape.dim(3);
}

bool ConvIsDirectGemm(const ConvParams& params, const Shape& input_shape,
                      const Shape& filter_shape, const Shape& output_shape) {
  return filter_shape.dim(1) == 1 && filter_shape.dim(2) == 1 && params.stride_h == 1 &&
         params.stride_w == 1 && params.pad_top == 0 && params.pad_left == 0 &&
         output_shape.dim(1) == input_shape.dim(1) && output_shape.dim(2) == input_shape.dim(2);
}

int64_t ConvScratchBytes(const ConvParams& params, const Shape& input_shape,
                         const Shape& filter_shape, const Shape& output_shape, int num_threads) {
  if (ConvIsDirectGemm(params, input_shape, filter_shape, output_shape)) return 0;
  const ConvDims d = GetDims(input_shape, filter_shape, output_shape);
  if (d.m() == 0 || d.k() == 0) return 0;
  return NumSlots(d, std::max(1, num_threads)) * SlotFloats(d) *
         static_cast<int64_t>(sizeof(float));
}

void Conv2D(const ConvParams& params, const Shape& input_shape, const float* input,
            const PackedConvFilter& filter, const float* bias, const Shape& output_shape,
            float* output, void* scratch, ThreadPool* pool) {
  const Shape filter_shape{filter.output_channels, filter.filter_h, filter.filter_w,
                           filter.input_channels};
  const ConvDims d = GetDims(input_shape, filter_shape, output_shape);
  if (d.m() == 0 || d.out_c == 0 || filter.matrix.empty()) return;
  GemmEpilogue ep;
  ep.bias = bias;
  ep.act_min = params.act_min;
  ep.act_max = params.act_max;
  if (ConvIsDirectGemm(params, input_shape, filter_shape, output_shape)) {
    Gemm(d.m(), input, d.in_c, filter.matrix, ep, output, d.out_c, pool);
    return;
  }
  Im2ColJob job;
  job.params = &params;
  job.dims = d;
  job.input = input;
  job.filter = &filter;
  job.ep = ep;
  job.output = output;
  job.scratch = static_cast<float*>(scratch);
  job.block_rows = BlockRows(d);
  job.blocks = (d.m() + job.block_rows - 1) / job.block_rows;
  job.slots = NumSlots(d, pool == nullptr ? 1 : pool->num_threads());
  job.slot_floats = SlotFloats(d);
  if (job.slots == 1) {
    RunSlot(job, 0);
    return;
  }
  pool->ParallelFor(job.slots, 1, [&job](int64_t begin, int64_t end) {
    for (int64_t s = begin; s < end; ++s) RunSlot(job, s);
  });
}

}  // namespace compressd::kernels::optimized
