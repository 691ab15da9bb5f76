// MAX_POOL_2D over NHWC with the channel loop innermost: per output pixel the window's input
// pixels are folded into the output row with elementwise max (8 float / 32 int8 lanes with AVX2
// on AVX2+FMA CPUs, GetCpuFeatures() honouring COMPRESSD_CPU; scalar otherwise), then clamped to
// the fused activation range.
//
// Bit-exact with reference::MaxPool / reference::IntegerPool<int8_t, true>
// (reference/pooling.h), including their NaN behaviour (a NaN input never wins; the running
// maximum starts at the type's lowest value) and empty windows; tested against them.
//
// Thread safety: pure functions of their arguments.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_MAX_POOL_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_MAX_POOL_H_

#include <cstdint>

namespace compressd::kernels::optimized {

struct MaxPoolGeometry {
  int32_t batches = 1;
  int32_t in_h = 1, in_w = 1, depth = 1;
  int32_t out_h = 1, out_w = 1;
  int32_t stride_h = 1, stride_w = 1;
  int32_t filter_h = 1, filter_w = 1;
  int32_t pad_top = 0, pad_left = 0;
};

void MaxPoolFloat(const MaxPoolGeometry& g, float act_min, float act_max, const float* input,
                  float* output);
void MaxPoolInt8(const MaxPoolGeometry& g, int8_t act_min, int8_t act_max, const int8_t* input,
                 int8_t* output);

#if defined(__x86_64__)
// AVX2 folds (max_pool_avx2.cc): acc[c] = max(acc[c], in[c]) for c in [0, n).
void MaxIntoFloatAvx2(float* acc, const float* in, int32_t n);
void MaxIntoInt8Avx2(int8_t* acc, const int8_t* in, int32_t n);
#endif

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_MAX_POOL_H_
