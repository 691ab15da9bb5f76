#include "core/kernels/optimized/xnnpack_int8_resize.h"

#include "core/base/cpu_features.h"
#include "core/kernels/optimized/bilinear_pixels.h"
#include "core/kernels/reference/xnnpack_int8.h"

namespace compressd::kernels::optimized {
namespace {

template <bool kAllowAvx2>
void Resize(int32_t batches, int32_t in_h, int32_t in_w, int32_t depth, const XnnBilinearTap* ys,
            int32_t out_h, const XnnBilinearTap* xs, int32_t out_w, const int8_t* input,
            int8_t* output) {
#if defined(__x86_64__)
  const bool avx2 = kAllowAvx2 && GetCpuFeatures().avx2_fma;
#endif
  ForEachBilinearPixel(
      batches, in_h, in_w, depth, ys, out_h, xs, out_w, input, output,
      [&](const int8_t* tl, const int8_t* tr, const int8_t* bl, const int8_t* br,
          const XnnBilinearTap& ty, const XnnBilinearTap& tx, int8_t* out) {
        int32_t c = 0;
#if defined(__x86_64__)
        if (avx2) c = XnnInt8BilinearPixelAvx2(tl, tr, bl, br, tx.alpha, ty.alpha, out, depth);
#endif
        for (; c < depth; ++c) {
          out[c] = static_cast<int8_t>(
              reference::XnnBilinearElement(tl[c], tr[c], bl[c], br[c], tx.alpha, ty.alpha));
        }
      });
}

}  // namespace

bool XnnResizeTaps(int64_t in_size, int64_t out_size, bool align_corners, bool half_pixel_centers,
                   std::vector<XnnBilinearTap>* taps) {
  taps->resize(static_cast<size_t>(out_size));
  for (int64_t o = 0; o < out_size; ++o) {
    const reference::XnnResizeTap t =
        reference::XnnResizeCoordinate(o, in_size, out_size, align_corners, !half_pixel_centers);
    if (t.lo < 0 || t.lo >= in_size || t.hi < 0 || t.hi >= in_size || t.alpha < 0 ||
        t.alpha > 2048) {
      return false;
    }
    (*taps)[static_cast<size_t>(o)] = {static_cast<int32_t>(t.lo), static_cast<int32_t>(t.hi),
                                       t.alpha};
  }
  return true;
}

void XnnInt8ResizeBilinear(int32_t batches, int32_t in_h, int32_t in_w, int32_t depth,
                           const XnnBilinearTap* ys, int32_t out_h, const XnnBilinearTap* xs,
                           int32_t out_w, const int8_t* input, int8_t* output) {
  Resize<true>(batches, in_h, in_w, depth, ys, out_h, xs, out_w, input, output);
}

void XnnInt8ResizeBilinearPortable(int32_t batches, int32_t in_h, int32_t in_w, int32_t depth,
                                   const XnnBilinearTap* ys, int32_t out_h,
                                   const XnnBilinearTap* xs, int32_t out_w, const int8_t* input,
                                   int8_t* output) {
  Resize<false>(batches, in_h, in_w, depth, ys, out_h, xs, out_w, input, output);
}

}  // namespace compressd::kernels::optimized
