#include "core/kernels/optimized/int8_resize_bilinear.h"

#include "core/base/cpu_features.h"
#include "core/kernels/optimized/bilinear_pixels.h"

namespace compressd::kernels::optimized {

void Int8ResizeBilinear(int32_t batches, int32_t in_h, int32_t in_w, int32_t depth,
                        const BilinearTap* ys, int32_t out_h, const BilinearTap* xs,
                        int32_t out_w, const int8_t* input, int8_t* output) {
  constexpr int32_t kOne = 1 << 10;
#if defined(__x86_64__)
  const bool avx2 = GetCpuFeatures().avx2_fma;
#endif
  ForEachBilinearPixel(
      batches, in_h, in_w, depth, ys, out_h, xs, out_w, input, output,
      [&](const int8_t* p00, const int8_t* p01, const int8_t* p10, const int8_t* p11,
          const BilinearTap& ty, const BilinearTap& tx, int8_t* out) {
        // p<row><column>: p10 is the lower row's left pixel, p01 the upper row's right one.
        const int32_t w00 = (kOne - ty.frac) * (kOne - tx.frac);
        const int32_t w10 = ty.frac * (kOne - tx.frac);
        const int32_t w01 = (kOne - ty.frac) * tx.frac;
        const int32_t w11 = ty.frac * tx.frac;
        int32_t c = 0;
#if defined(__x86_64__)
        if (avx2) c = Int8BilinearPixelAvx2(p00, p10, p01, p11, w00, w10, w01, w11, out, depth);
#endif
        for (; c < depth; ++c) {
          const int32_t sum = p00[c] * w00 + p10[c] * w10 + p01[c] * w01 + p11[c] * w11;
          const int32_t rounded = sum + (sum > 0 ? (1 << 19) : -(1 << 19));
          const int32_t v = rounded / (1 << 20);  // C division: toward zero
          out[c] = static_cast<int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
        }
      });
}

}  // namespace compressd::kernels::optimized
