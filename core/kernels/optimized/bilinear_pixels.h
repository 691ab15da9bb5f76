// The pixel walk shared by the int8 bilinear resize kernels (int8_resize_bilinear.cc, TFLite's
// builtin arithmetic; xnnpack_int8_resize.cc, XNNPACK's): for every output pixel of an NHWC
// resize from precomputed row and column taps, the four source pixels and the two taps.
//
// Tap: any type with int32_t members lo and hi (source indices along its axis, lo <= hi).
// pixel(top_left, top_right, bottom_left, bottom_right, y_tap, x_tap, out) computes the `depth`
// channels of one output pixel at `out` from the four source pixels (each `depth` int8 values).
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_BILINEAR_PIXELS_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_BILINEAR_PIXELS_H_

#include <cstdint>

namespace compressd::kernels::optimized {

template <typename Tap, typename PixelFn>
inline void ForEachBilinearPixel(int32_t batches, int32_t in_h, int32_t in_w, int32_t depth,
                                 const Tap* ys, int32_t out_h, const Tap* xs, int32_t out_w,
                                 const int8_t* input, int8_t* output, PixelFn&& pixel) {
  const int64_t row_stride = static_cast<int64_t>(in_w) * depth;
  for (int32_t b = 0; b < batches; ++b) {
    const int8_t* image = input + static_cast<int64_t>(b) * in_h * row_stride;
    for (int32_t y = 0; y < out_h; ++y) {
      const Tap& ty = ys[y];
      const int8_t* top = image + ty.lo * row_stride;
      const int8_t* bottom = image + ty.hi * row_stride;
      for (int32_t x = 0; x < out_w; ++x) {
        const Tap& tx = xs[x];
        const int64_t left = static_cast<int64_t>(tx.lo) * depth;
        const int64_t right = static_cast<int64_t>(tx.hi) * depth;
        pixel(top + left, top + right, bottom + left, bottom + right, ty, tx, output);
        output += depth;
      }
    }
  }
}

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_BILINEAR_PIXELS_H_
