#include "core/kernels/optimized/int8_depthwise_conv_2d.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/base/cpu_features.h"
#include "core/base/thread_pool.h"
#include "core/kernels/optimized/int8_depthwise_ukernel.h"

namespace compressd::kernels::optimized {
namespace {

// Convolutions below this many multiply-adds run on one thread.
constexpr int64_t kMinParallelMacs = 1 << 19;
// Channels the portable loops accumulate at a time (a stack array).
constexpr int64_t kPortableChannelChunk = 64;

bool UsesAvx2(const ConvParams& p, const PackedInt8DepthwiseFilter& f) {
#if defined(__x86_64__)
  return f.interleaved.size() > 0 && f.depth_multiplier == 1 && GetCpuFeatures().avx2_fma &&
         Int8DepthwisePairRing(p, f.filter_h) <= kInt8DepthwiseMaxRing;
#else
  (void)p;
  (void)f;
  return false;
#endif
}

// Threads (= scratch slots) used; depends only on the shapes and the thread count, so
// Int8DepthwiseScratchBytes and Int8DepthwiseConv2D agree.
int64_t NumSlots(int64_t rows, int64_t macs, int num_threads) {
  if (macs < kMinParallelMacs) return 1;
  return std::max<int64_t>(1, std::min<int64_t>(num_threads, rows));
}

// int16 elements per scratch slot, rounded up to whole 64-byte lines.
int64_t SlotElements(const ConvParams& p, int64_t out_w, const PackedInt8DepthwiseFilter& f) {
  return (Int8DepthwiseScratchElements(p, out_w, f.filter_h, f.filter_w) + 31) / 32 * 32;
}

struct DepthwiseJob {
  Int8DepthwiseArgs args;
  bool avx2;
  int16_t* scratch;
  int64_t slot_elements;
  int64_t rows;
  int64_t slots;
};

// Slot s computes rows [s*rows/slots, (s+1)*rows/slots) with scratch slot s.
void RunSlot(const DepthwiseJob& job, int64_t slot) {
  const int64_t begin = slot * job.rows / job.slots;
  const int64_t end = (slot + 1) * job.rows / job.slots;
  if (begin == end) return;
#if defined(__x86_64__)
  if (job.avx2) {
    Int8DepthwiseRowsAvx2(job.args, begin, end, job.scratch + slot * job.slot_elements);
    return;
  }
#endif
  Int8DepthwiseRowsPortable(job.args, begin, end);
}

}  // namespace

void Int8DepthwiseRowsPortable(const Int8DepthwiseArgs& a, int64_t row_begin, int64_t row_end) {
  const ConvParams& p = *a.params;
  const int64_t dm = a.depth_multiplier;
  const Int8OutputStage& o = a.out;
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int64_t b = row / a.out_h;
    const int64_t oy = row % a.out_h;
    const int64_t iy0 = oy * p.stride_h - p.pad_top;
    for (int64_t ox = 0; ox < a.out_w; ++ox) {
      const int64_t ix0 = ox * p.stride_w - p.pad_left;
      int8_t* out = a.output + (row * a.out_w + ox) * a.out_c;
      for (int64_t c0 = 0; c0 < a.out_c; c0 += kPortableChannelChunk) {
        const int64_t cn = std::min(kPortableChannelChunk, a.out_c - c0);
        uint32_t acc[kPortableChannelChunk];  // int32 with wrap-around
        for (int64_t c = 0; c < cn; ++c) acc[c] = 0;
        for (int64_t ky = 0; ky < a.filter_h; ++ky) {
          const int64_t iy = iy0 + ky * p.dilation_h;
          if (iy < 0 || iy >= a.in_h) continue;
          for (int64_t kx = 0; kx < a.filter_w; ++kx) {
            const int64_t ix = ix0 + kx * p.dilation_w;
            if (ix < 0 || ix >= a.in_w) continue;
            const int8_t* in = a.input + ((b * a.in_h + iy) * a.in_w + ix) * a.in_c;
            const int8_t* w = a.weights + (ky * a.filter_w + kx) * a.out_c + c0;
            if (dm == 1) {
              const int8_t* x = in + c0;
              for (int64_t c = 0; c < cn; ++c) {
                acc[c] += static_cast<uint32_t>((x[c] + a.input_offset) * w[c]);
              }
            } else {
              for (int64_t c = 0; c < cn; ++c) {
                acc[c] += static_cast<uint32_t>((in[(c0 + c) / dm] + a.input_offset) * w[c]);
              }
            }
          }
        }
        for (int64_t c = 0; c < cn; ++c) {
          const int64_t oc = c0 + c;
          uint32_t v = acc[c];
          if (a.bias != nullptr) v += static_cast<uint32_t>(a.bias[oc]);
          out[oc] = Int8RequantizeChannel(o, static_cast<int32_t>(v), oc);
        }
      }
    }
  }
}

PackedInt8DepthwiseFilter PackInt8DepthwiseFilter(const Shape& filter_shape, const int8_t* filter,
                                                  int32_t depth_multiplier, bool allow_simd) {
  PackedInt8DepthwiseFilter f;
  f.filter_h = filter_shape.dim(1);
  f.filter_w = filter_shape.dim(2);
  f.output_channels = filter_shape.dim(3);
  f.depth_multiplier = depth_multiplier;
  const int64_t kh = f.filter_h, kw = f.filter_w, c = f.output_channels;
  const int64_t size = kh * kw * c;
  f.weights = AlignedBuffer((size + 3) / 4);
  std::memcpy(f.weights.data(), filter, static_cast<size_t>(size));
#if defined(__x86_64__)
  if (allow_simd && depth_multiplier == 1 && GetCpuFeatures().avx2_fma) {
    const int64_t groups = (c + 15) / 16;
    const int64_t pairs = Int8DepthwisePairRows(kh);
    const int64_t elements = groups * pairs * kw * 32;
    f.interleaved = AlignedBuffer((elements + 1) / 2);  // zero-filled
    int16_t* dst = reinterpret_cast<int16_t*>(f.interleaved.data());
    // Channel of lane i (0..7) of half h within a group of 16.
    auto channel = [](int h, int i) { return (i < 4 ? i : i + 4) + 4 * h; };
    for (int64_t g = 0; g < groups; ++g) {
      for (int64_t pr = 0; pr < pairs; ++pr) {
        for (int64_t kx = 0; kx < kw; ++kx) {
          int16_t* v = dst + ((g * pairs + pr) * kw + kx) * 32;
          for (int h = 0; h < 2; ++h) {
            for (int i = 0; i < 8; ++i) {
              const int64_t ch = 16 * g + channel(h, i);
              if (ch >= c) continue;
              for (int t = 0; t < 2; ++t) {
                const int64_t ky = 2 * pr + t;
                if (ky < kh) v[h * 16 + 2 * i + t] = filter[(ky * kw + kx) * c + ch];
              }
            }
          }
        }
      }
    }
  }
#else
  (void)allow_simd;
#endif
  return f;
}

bool Int8DepthwiseConv2DSupports(const ConvParams& params, const Shape& input_shape,
                                 const Shape& filter_shape) {
  return input_shape.rank() == 4 && filter_shape.rank() == 4 && params.depth_multiplier >= 1 &&
         static_cast<int64_t>(input_shape.dim(3)) * params.depth_multiplier ==
             filter_shape.dim(3);
}

int64_t Int8DepthwiseScratchBytes(const ConvParams& params, const Shape& input_shape,
                                  const PackedInt8DepthwiseFilter& filter,
                                  const Shape& output_shape, int num_threads) {
  if (!UsesAvx2(params, filter)) return 0;
  const int64_t rows = static_cast<int64_t>(output_shape.dim(0)) * output_shape.dim(1);
  const int64_t out_w = output_shape.dim(2);
  if (rows == 0 || out_w == 0 || filter.output_channels == 0) return 0;
  const int64_t macs = rows * out_w * filter.output_channels * filter.filter_h * filter.filter_w;
  (void)input_shape;
  return NumSlots(rows, macs, std::max(1, num_threads)) * SlotElements(params, out_w, filter) *
         static_cast<int64_t>(sizeof(int16_t));
}

const char* Int8DepthwiseConv2DPath(const ConvParams& params,
                                    const PackedInt8DepthwiseFilter& filter) {
  return UsesAvx2(params, filter) ? "avx2" : "portable";
}

void Int8DepthwiseConv2D(const ConvParams& params, const Shape& input_shape, const int8_t* input,
                         const PackedInt8DepthwiseFilter& filter, const int32_t* bias,
                         const Int8Requant& rq, const Shape& output_shape, int8_t* output,
                         void* scratch, ThreadPool* pool) {
  DepthwiseJob job;
  Int8DepthwiseArgs& a = job.args;
  a.params = &params;
  a.batch = input_shape.dim(0);
  a.in_h = input_shape.dim(1);
  a.in_w = input_shape.dim(2);
  a.in_c = input_shape.dim(3);
  a.out_h = output_shape.dim(1);
  a.out_w = output_shape.dim(2);
  a.out_c = output_shape.dim(3);
  a.filter_h = filter.filter_h;
  a.filter_w = filter.filter_w;
  a.depth_multiplier = filter.depth_multiplier;
  a.input = input;
  a.weights = filter.weights_data();
  a.interleaved = filter.interleaved_data();
  a.bias = bias;
  a.input_offset = rq.input_offset;
  a.output = output;
  SetOutputStage(rq, a.out_c, &a.out);
  job.rows = static_cast<int64_t>(a.batch) * a.out_h;
  if (job.rows == 0 || a.out_w == 0 || a.out_c == 0 || filter.empty()) return;
  job.avx2 = UsesAvx2(params, filter);
  job.scratch = static_cast<int16_t*>(scratch);
  job.slot_elements = SlotElements(params, a.out_w, filter);
  const int64_t macs = job.rows * a.out_w * a.out_c * a.filter_h * a.filter_w;
  job.slots = NumSlots(job.rows, macs, pool == nullptr ? 1 : pool->num_threads());
  if (job.slots == 1) {
    RunSlot(job, 0);
    return;
  }
  pool->ParallelFor(job.slots, 1, [&job](int64_t begin, int64_t end) {
    for (int64_t s = begin; s < end; ++s) RunSlot(job, s);
  });
}

}  // namespace compressd::kernels::optimized
