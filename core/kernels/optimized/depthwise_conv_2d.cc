#include "core/kernels/optimized/depthwise_conv_2d.h"

#include <algorithm>
#include <cstdint>

#include "core/base/cpu_features.h"
#include "core/base/thread_pool.h"
#include "core/kernels/optimized/depthwise_ukernel.h"
#include "core/kernels/optimized/portable_simd.h"

namespace compressd::kernels::optimized {
namespace {

bool UseAvx2(const ConvParams& params) {
#if defined(__x86_64__)
  return params.depth_multiplier == 1 && GetCpuFeatures().avx2_fma;
#else
  (void)params;
  return false;
#endif
}

// Rows per parallel chunk: at least ~128k multiply-adds (~10 us), so that waking a thread pays.
constexpr int64_t kMinChunkMacs = 128 * 1024;

struct DepthwiseJob {
  DepthwiseArgs args;
  bool avx2;
};

void RunRows(const DepthwiseJob& job, int64_t begin, int64_t end) {
#if defined(__x86_64__)
  if (job.avx2) {
    DepthwiseRowsAvx2(job.args, begin, end);
    return;
  }
#endif
  DepthwiseRowsPortable(job.args, begin, end);
}

}  // namespace

using portable::Load4;
using portable::Store4;

void DepthwiseRowsPortable(const DepthwiseArgs& a, int64_t row_begin, int64_t row_end) {
  const ConvParams& p = *a.params;
  const int64_t dm = a.depth_multiplier;
  for (int64_t row = row_begin; row < row_end; ++row) {
    const int64_t b = row / a.out_h;
    const int64_t oy = row % a.out_h;
    const int64_t iy0 = oy * p.stride_h - p.pad_top;
    for (int64_t ox = 0; ox < a.out_w; ++ox) {
      float* __restrict out = a.output + (row * a.out_w + ox) * a.out_c;
      for (int64_t oc = 0; oc < a.out_c; ++oc) out[oc] = a.bias == nullptr ? 0.0f : a.bias[oc];
      const int64_t ix0 = ox * p.stride_w - p.pad_left;
      for (int64_t ky = 0; ky < a.filter_h; ++ky) {
        const int64_t iy = iy0 + ky * p.dilation_h;
        if (iy < 0 || iy >= a.in_h) continue;
        for (int64_t kx = 0; kx < a.filter_w; ++kx) {
          const int64_t ix = ix0 + kx * p.dilation_w;
          if (ix < 0 || ix >= a.in_w) continue;
          const float* __restrict in = a.input + ((b * a.in_h + iy) * a.in_w + ix) * a.in_c;
          const float* __restrict w = a.filter + (ky * a.filter_w + kx) * a.out_c;
          if (dm == 1) {
            int64_t c = 0;
            for (; c + 4 <= a.out_c; c += 4) {
              Store4(out + c, Load4(out + c) + Load4(in + c) * Load4(w + c));
            }
            for (; c < a.out_c; ++c) out[c] += in[c] * w[c];
          } else {
            for (int64_t ic = 0; ic < a.in_c; ++ic) {
              for (int64_t m = 0; m < dm; ++m) out[ic * dm + m] += in[ic] * w[ic * dm + m];
            }
          }
        }
      }
      for (int64_t oc = 0; oc < a.out_c; ++oc) {
        out[oc] = std::min(std::max(out[oc], p.act_min), p.act_max);
      }
    }
  }
}

const char* DepthwiseConv2DPath(const ConvParams& params, const Shape& filter_shape) {
#if defined(__x86_64__)
  if (UseAvx2(params)) {
    const char* name = DepthwiseAvx2SpecializedName(params, filter_shape.dim(2));
    return name != nullptr ? name : "avx2_generic";
  }
#else
  (void)filter_shape;
#endif
  (void)params;
  return "portable";
}

void DepthwiseConv2D(const ConvParams& params, const Shape& input_shape, const float* input,
                     const Shape& filter_shape, const float* filter, const float* bias,
                     const Shape& output_shape, float* output, ThreadPool* pool) {
  DepthwiseJob job;
  DepthwiseArgs& a = job.args;
  a.params = &params;
  a.batch = input_shape.dim(0);
  a.in_h = input_shape.dim(1);
  a.in_w = input_shape.dim(2);
  a.in_c = input_shape.dim(3);
  a.out_h = output_shape.dim(1);
  a.out_w = output_shape.dim(2);
  a.out_c = output_shape.dim(3);
  a.filter_h = filter_shape.dim(1);
  a.filter_w = filter_shape.dim(2);
  a.depth_multiplier = params.depth_multiplier;
  a.input = input;
  a.filter = filter;
  a.bias = bias;
  a.output = output;
  job.avx2 = UseAvx2(params);
  const int64_t rows = a.batch * a.out_h;
  if (rows == 0 || a.out_w == 0 || a.out_c == 0) return;
  const int64_t row_macs = a.out_w * a.out_c * a.filter_h * a.filter_w;
  if (pool == nullptr || pool->num_threads() <= 1) {
    RunRows(job, 0, rows);
    return;
  }
  const int64_t min_chunk = std::max<int64_t>(1, kMinChunkMacs / std::max<int64_t>(1, row_macs));
  pool->ParallelFor(rows, min_chunk,
                    [&job](int64_t begin, int64_t end) { RunRows(job, begin, end); });
}

}  // namespace compressd::kernels::optimized
