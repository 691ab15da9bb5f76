// int8 RESIZE_BILINEAR with TFLite's integer arithmetic (reference_ops::ResizeBilinearInteger,
// reference/resize_bilinear.h) from precomputed interpolation taps: per output pixel and channel
//   sum = p00*(1024-dy)*(1024-dx) + p10*dy*(1024-dx) + p01*(1024-dy)*dx + p11*dy*dx
//   out = trunc((sum ± 2^19) / 2^20)     (the rounding term has the sign of sum)
//   saturated to [-128, 127]
// Fractions may leave [0, 1024] where TFLite's kernel extrapolates at the borders (half-pixel
// centers); within [-512, 1536] every weight is at most 1536^2 and |sum| < 2^31: exact in int32.
//
// Bit-exact with the reference; tested against it. The channel loop runs 8 lanes at a time with
// AVX2 on AVX2+FMA CPUs (GetCpuFeatures(), honouring COMPRESSD_CPU), scalar otherwise.
//
// Thread safety: pure function of its arguments.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_RESIZE_BILINEAR_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_RESIZE_BILINEAR_H_

#include <cstdint>

namespace compressd::kernels::optimized {

// One output row's or column's source: the two input indices and the fraction (1/1024 units,
// in [-512, 1536]) of the upper one.
struct BilinearTap {
  int32_t lo = 0;
  int32_t hi = 0;
  int32_t frac = 0;
};

// input [batches, in_h, in_w, depth], output [batches, out_h, out_w, depth] (NHWC); `ys` has
// out_h taps (indices < in_h), `xs` out_w taps (indices < in_w).
void Int8ResizeBilinear(int32_t batches, int32_t in_h, int32_t in_w, int32_t depth,
                        const BilinearTap* ys, int32_t out_h, const BilinearTap* xs,
                        int32_t out_w, const int8_t* input, int8_t* output);

#if defined(__x86_64__)
// AVX2 channel loop of one output pixel (int8_resize_bilinear_avx2.cc): the first
// depth - depth % 8 channels; returns how many.
int32_t Int8BilinearPixelAvx2(const int8_t* p00, const int8_t* p10, const int8_t* p01,
                              const int8_t* p11, int32_t w00, int32_t w10, int32_t w01,
                              int32_t w11, int8_t* out, int32_t depth);
#endif

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_RESIZE_BILINEAR_H_
