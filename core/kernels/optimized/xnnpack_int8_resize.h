// int8 RESIZE_BILINEAR with XNNPACK's arithmetic (s8-ibilinear, Q11 weights), as TFLite's XNNPACK
// delegate computes it: reference::XnnResizeBilinear (reference/xnnpack_int8.h) from taps
// precomputed once per axis (XnnResizeTaps, the reference's own XnnResizeCoordinate). Per output
// pixel and channel, with alpha_h / alpha_v in [0, 2048]:
//   top    = tl*2048 + (tr - tl)*alpha_h
//   bottom = bl*2048 + (br - bl)*alpha_h
//   acc    = top*2048 + (bottom - top)*alpha_v
//   out    = (acc + 2^21) >> 22      (arithmetic shift; within [-128, 127])
// All intermediate values are exact in int32 (|acc| <= 128 * 2^22).
//
// Bit-exact with the reference; tested against it. The channel loop runs 8 lanes at a time with
// AVX2 on AVX2+FMA CPUs (GetCpuFeatures(), honouring COMPRESSD_CPU), scalar otherwise.
//
// Thread safety: pure functions of their arguments.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_XNNPACK_INT8_RESIZE_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_XNNPACK_INT8_RESIZE_H_

#include <cstdint>
#include <vector>

namespace compressd::kernels::optimized {

// One output row's or column's source: input indices lo <= hi and the Q11 weight of hi.
struct XnnBilinearTap {
  int32_t lo = 0;
  int32_t hi = 0;
  int32_t alpha = 0;  // in [0, 2048]
};

// The reference's taps (reference::XnnResizeCoordinate) for every output index of one axis
// (in_size, out_size >= 1). False, with `taps` unspecified, if some tap falls outside the
// contract above (indices in [0, in_size), alpha in [0, 2048]); the caller then keeps the
// reference.
bool XnnResizeTaps(int64_t in_size, int64_t out_size, bool align_corners, bool half_pixel_centers,
                   std::vector<XnnBilinearTap>* taps);

// input [batches, in_h, in_w, depth], output [batches, out_h, out_w, depth] (NHWC); `ys` has
// out_h taps (indices < in_h), `xs` out_w taps (indices < in_w). `input` and `output` must not
// overlap.
void XnnInt8ResizeBilinear(int32_t batches, int32_t in_h, int32_t in_w, int32_t depth,
                           const XnnBilinearTap* ys, int32_t out_h, const XnnBilinearTap* xs,
                           int32_t out_w, const int8_t* input, int8_t* output);
// The same with the scalar channel loop only (the AVX2 path's test reference).
void XnnInt8ResizeBilinearPortable(int32_t batches, int32_t in_h, int32_t in_w, int32_t depth,
                                   const XnnBilinearTap* ys, int32_t out_h,
                                   const XnnBilinearTap* xs, int32_t out_w, const int8_t* input,
                                   int8_t* output);

#if defined(__x86_64__)
// AVX2 channel loop of one output pixel (xnnpack_int8_resize_avx2.cc): the first
// depth - depth % 8 channels; returns how many.
int32_t XnnInt8BilinearPixelAvx2(const int8_t* tl, const int8_t* tr, const int8_t* bl,
                                 const int8_t* br, int32_t alpha_h, int32_t alpha_v, int8_t* out,
                                 int32_t depth);
#endif

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_XNNPACK_INT8_RESIZE_H_
