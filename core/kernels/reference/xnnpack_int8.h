// XNNPACK's signed 8-bit (QS8) arithmetic, as TensorFlow Lite computes it when its XNNPACK
// delegate runs an int8 operator (IntegerArithmetic::kXnnpack, see op_kernel.h). Written from
// XNNPACK's parameter initialisers (src/params-init.c / microparams-init.c) and scalar
// microkernels; XNNPACK's SIMD variants of the same microkernel family compute identical results.
//
//   Output clamp: a fused activation [lo, hi] (float; -inf/+inf when absent) becomes
//     XnnQuantizeBound(v) = (int8) lrintf(clamp(v / scale + (float)zp, -128, 127))
//     (xnn_qs8_quantize), intersected with [-128, 127].
//   fp32 requantization (conv, depthwise, fully connected, mul, global average pooling;
//     xnn_init_qs8_*_minmax_fp32_scalar_{fmagic,lrintf}_params): for an int32 accumulator acc
//     out = clamp(lrintf((float)acc * scale), min - zp, max - zp) + zp, where lrintf rounds half
//     to even (the "magic bias" variants add 1.5*2^23 in float and compute the same).
//   ADD (xnn_init_qs8_add_minmax_scalar_params, qs8-vadd scalar): with
//     s = 20 - floor(log2(max(|sa|, |sb|))), sa = a_scale/out_scale, sb = b_scale/out_scale,
//     ma = lrintf(sa * 2^s), mb = lrintf(sb * 2^s) (exact power-of-two scaling in float),
//     acc = 2^(s-1) - ma*a_zp - mb*b_zp + ma*a + mb*b      (int32)
//     out = clamp(acc >> s (arithmetic), min - zp, max - zp) + zp.
//   QUANTIZE float32 -> int8 (xnn_init_f32_qs8_cvt_scalar_params, f32-qs8-vcvt scalar):
//     out = clamp(lrintf(x * (1.0f / scale)), -128 - zp, 127 - zp) + zp.
//   QUANTIZE int8 -> int8 (xnn_init_qs8_cvt_scalar_params, qs8-vcvt scalar): Q8 multiplier
//     m = lrintf(256 * in_scale / out_scale), out = clamp((x*m + (zo<<8) - m*zi + 128) >> 8).
//   RESIZE_BILINEAR (xnn_indirection_init_resize_bilinear2d_hwc_q11, s8-ibilinear scalar): float
//     source coordinates, 11-bit weights lrintf(frac * 2048), integer interpolation
//     ((tl*2^11 + (tr-tl)*ah) * 2^11 + (bottom-top)*av + 2^21) >> 22.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_XNNPACK_INT8_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_XNNPACK_INT8_H_

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "core/kernels/reference/broadcast.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

// Round to nearest, ties to even (lrintf in the default rounding mode), for |x| < 2^31.
inline int32_t XnnRoundToInt(float x) { return static_cast<int32_t>(std::nearbyint(x)); }

// xnn_qs8_quantize: the int8 value XNNPACK uses as the bound `v` of a fused activation.
inline int32_t XnnQuantizeBound(float v, float scale, int32_t zero_point) {
  const float q = v / scale + static_cast<float>(zero_point);
  return XnnRoundToInt(std::min(std::max(q, -128.0f), 127.0f));
}

// [min, max] of an int8 output with the fused activation range [lo, hi] (float, +-inf allowed).
struct XnnOutputRange {
  int32_t min = -128;
  int32_t max = 127;
};
inline XnnOutputRange XnnActivationRange(float lo, float hi, float scale, int32_t zero_point) {
  return XnnOutputRange{XnnQuantizeBound(lo, scale, zero_point),
                        XnnQuantizeBound(hi, scale, zero_point)};
}

// fp32 requantization of one accumulator: lrintf((float)acc * scale) clamped to
// [range.min - zp, range.max - zp], plus zp.
inline int32_t XnnRequantizeFp32(int32_t acc, float scale, int32_t zero_point,
                                 XnnOutputRange range) {
  float f = static_cast<float>(acc) * scale;
  f = std::max(f, static_cast<float>(range.min - zero_point));
  f = std::min(f, static_cast<float>(range.max - zero_point));
  return XnnRoundToInt(f) + zero_point;
}

// ---- ADD ----------------------------------------------------------------------------------------

struct XnnAddParams {
  int32_t bias = 0;
  int32_t a_multiplier = 0;
  int32_t b_multiplier = 0;
  uint32_t shift = 0;
  int32_t output_zero_point = 0;
  XnnOutputRange range;
};

// Whether the delegate accepts the input-to-output scale ratios (it declines ADD otherwise):
// each ratio in [2^-10, 2^8).
inline bool XnnAddScalesSupported(float a_out_scale, float b_out_scale) {
  auto ok = [](float s) { return s >= 0x1.0p-10f && s < 0x1.0p+8f; };
  return ok(a_out_scale) && ok(b_out_scale);
}

// `a_out_scale` = a_scale / out_scale and `b_out_scale` likewise (float); both must satisfy
// XnnAddScalesSupported.
inline XnnAddParams XnnMakeAddParams(int32_t a_zp, int32_t b_zp, int32_t out_zp, float a_out_scale,
                                     float b_out_scale, XnnOutputRange range) {
  const float max_scale = std::max(a_out_scale, b_out_scale);
  const int32_t exponent = static_cast<int32_t>(std::bit_cast<uint32_t>(max_scale) >> 23) - 127;
  const uint32_t shift = static_cast<uint32_t>(20 - exponent);  // in [12, 30]
  auto scaled = [shift](float s) {
    // s * 2^shift by adding to the exponent field (exact for these normal floats).
    return XnnRoundToInt(std::bit_cast<float>(std::bit_cast<uint32_t>(s) + (shift << 23)));
  };
  XnnAddParams p;
  p.a_multiplier = scaled(a_out_scale);
  p.b_multiplier = scaled(b_out_scale);
  p.shift = shift;
  p.bias = (int32_t{1} << (shift - 1)) - p.a_multiplier * a_zp - p.b_multiplier * b_zp;
  p.output_zero_point = out_zp;
  p.range = range;
  return p;
}

inline int32_t XnnAddElement(const XnnAddParams& p, int32_t a, int32_t b) {
  const int32_t acc = p.bias + p.a_multiplier * a + p.b_multiplier * b;
  int32_t out = acc >> p.shift;  // arithmetic shift (C++20)
  out = std::max(out, p.range.min - p.output_zero_point);
  out = std::min(out, p.range.max - p.output_zero_point);
  return out + p.output_zero_point;
}

inline void XnnAdd(const XnnAddParams& p, const Shape& a_shape, const int8_t* a,
                   const Shape& b_shape, const int8_t* b, const Shape& out_shape, int8_t* out) {
  BroadcastBinary(a_shape, a, b_shape, b, out_shape, out, [&p](int8_t x, int8_t y) {
    return static_cast<int8_t>(XnnAddElement(p, x, y));
  });
}

// ---- MUL ----------------------------------------------------------------------------------------

// qs8-vmul fp32: out = requant((a - a_zp) * (b - b_zp)) with scale = (a_scale * b_scale) / out_scale
// in float.
struct XnnMulParams {
  int32_t a_zero_point = 0;
  int32_t b_zero_point = 0;
  int32_t output_zero_point = 0;
  float scale = 0.0f;
  XnnOutputRange range;
};

// The delegate declines MUL unless the product-to-output scale is in [2^-16, 2^8).
inline bool XnnMulScaleSupported(float product_out_scale) {
  return product_out_scale >= 0x1.0p-16f && product_out_scale < 0x1.0p+8f;
}

inline int32_t XnnMulElement(const XnnMulParams& p, int32_t a, int32_t b) {
  return XnnRequantizeFp32((a - p.a_zero_point) * (b - p.b_zero_point), p.scale,
                           p.output_zero_point, p.range);
}

inline void XnnMul(const XnnMulParams& p, const Shape& a_shape, const int8_t* a,
                   const Shape& b_shape, const int8_t* b, const Shape& out_shape, int8_t* out) {
  BroadcastBinary(a_shape, a, b_shape, b, out_shape, out, [&p](int8_t x, int8_t y) {
    return static_cast<int8_t>(XnnMulElement(p, x, y));
  });
}

// ---- QUANTIZE float32 -> int8 (f32-qs8-vcvt)

// out = clamp(lrintf(x * (1.0f / scale)), -128 - zp, 127 - zp) + zp; the reciprocal in float.
inline void XnnQuantizeF32(float scale, int32_t zero_point, int64_t size, const float* in,
                           int8_t* out) {
  const float inv_scale = 1.0f / scale;
  const XnnOutputRange full;
  for (int64_t i = 0; i < size; ++i) {
    float f = in[i] * inv_scale;
    f = std::max(f, static_cast<float>(full.min - zero_point));
    f = std::min(f, static_cast<float>(full.max - zero_point));
    out[i] = static_cast<int8_t>(XnnRoundToInt(f) + zero_point);
  }
}

// ---- QUANTIZE int8 -> int8 (qs8-vcvt) ----------------------------------------------------------

// Whether the delegate takes an int8 -> int8 QUANTIZE: in_scale / out_scale in [2^-8, 2^7].
inline bool XnnRequantizeScaleSupported(float in_out_scale) {
  return in_out_scale >= 0x1.0p-8f && in_out_scale <= 0x1.0p+7f;
}

// xnn_init_qs8_cvt_scalar_params: multiplier = lrintf(256 * in_scale / out_scale) (Q8),
// out = clamp((bias + x * multiplier) >> 8, -128, 127) with
// bias = (out_zp << 8) - multiplier * in_zp + 0x80.
struct XnnRequantizeParams {
  int32_t multiplier = 0;
  int32_t bias = 0;
};
inline XnnRequantizeParams XnnMakeRequantizeParams(float in_out_scale, int32_t in_zp,
                                                   int32_t out_zp) {
  XnnRequantizeParams p;
  p.multiplier = XnnRoundToInt(256.0f * in_out_scale);
  p.bias = out_zp * 256 - p.multiplier * in_zp + 0x80;
  return p;
}
inline void XnnRequantize(const XnnRequantizeParams& p, int64_t size, const int8_t* in,
                          int8_t* out) {
  for (int64_t i = 0; i < size; ++i) {
    const int32_t v = (p.bias + in[i] * p.multiplier) >> 8;
    out[i] = static_cast<int8_t>(std::min(std::max(v, -128), 127));
  }
}

// ---- RESIZE_BILINEAR (s8-ibilinear with q11 weights)

// One source coordinate: the two neighbours and the 11-bit fractional weight of the second.
struct XnnResizeTap {
  int64_t lo = 0;
  int64_t hi = 0;
  float frac = 0.0f;  // source coordinate - lo: the float weight of `hi` (f32-ibilinear)
  int32_t alpha = 0;  // lrintf(frac * 2048), in [0, 2048] (s8-ibilinear)
};

// xnn_indirection_init_resize_bilinear2d_hwc_q11 along one axis. `legacy` is TFLite's
// !half_pixel_centers (XNN_FLAG_TENSORFLOW_LEGACY_MODE). All arithmetic in float as XNNPACK does.
inline XnnResizeTap XnnResizeCoordinate(int64_t out_index, int64_t in_size, int64_t out_size,
                                        bool align_corners, bool legacy) {
  const int32_t adjust = (align_corners && out_size != 1) ? 1 : 0;
  const float scale = static_cast<float>(static_cast<int32_t>(in_size) - adjust) /
                      static_cast<float>(static_cast<int32_t>(out_size) - adjust);
  const int64_t in_max = in_size - 1;
  float in_coord;
  if (legacy || align_corners) {
    in_coord = static_cast<float>(static_cast<int32_t>(out_index)) * scale;
  } else {
    const float offset = 0.5f * scale - 0.5f;
    in_coord = static_cast<float>(static_cast<int32_t>(out_index)) * scale + offset;
    in_coord = std::min(std::max(in_coord, 0.0f), static_cast<float>(in_max));
  }
  XnnResizeTap t;
  t.lo = static_cast<int64_t>(static_cast<int32_t>(in_coord));
  t.hi = std::min(t.lo + 1, in_max);
  t.frac = in_coord - static_cast<float>(t.lo);
  t.alpha = XnnRoundToInt(t.frac * 2048.0f);
  return t;
}

// s8-ibilinear: horizontal then vertical interpolation in Q11, rounded by (acc + 2^21) >> 22.
inline int32_t XnnBilinearElement(int32_t tl, int32_t tr, int32_t bl, int32_t br, int32_t alpha_h,
                                  int32_t alpha_v) {
  const int32_t top = tl * 2048 + (tr - tl) * alpha_h;
  const int32_t bottom = bl * 2048 + (br - bl) * alpha_h;
  const int32_t acc = top * 2048 + (bottom - top) * alpha_v;
  return (acc + (int32_t{1} << 21)) >> 22;
}

// The NHWC loop of XNNPACK's bilinear resize, shared by the int8 and float kernels: for each
// output pixel, its four source pixels (tl, tr, bl, br: the first channel of each) and its
// horizontal and vertical taps; element(tl[c], tr[c], bl[c], br[c], tx, ty) gives channel c.
template <typename T, typename Element>
inline void XnnResizeBilinearLoop(bool align_corners, bool half_pixel_centers,
                                  const Shape& in_shape, const T* in, const Shape& out_shape,
                                  T* out, Element element) {
  const int64_t batch = in_shape.dim(0), in_h = in_shape.dim(1), in_w = in_shape.dim(2);
  const int64_t channels = in_shape.dim(3);
  const int64_t out_h = out_shape.dim(1), out_w = out_shape.dim(2);
  const bool legacy = !half_pixel_centers;
  for (int64_t b = 0; b < batch; ++b) {
    const T* image = in + b * in_h * in_w * channels;
    for (int64_t y = 0; y < out_h; ++y) {
      const XnnResizeTap ty = XnnResizeCoordinate(y, in_h, out_h, align_corners, legacy);
      for (int64_t x = 0; x < out_w; ++x) {
        const XnnResizeTap tx = XnnResizeCoordinate(x, in_w, out_w, align_corners, legacy);
        const T* tl = image + (ty.lo * in_w + tx.lo) * channels;
        const T* tr = image + (ty.lo * in_w + tx.hi) * channels;
        const T* bl = image + (ty.hi * in_w + tx.lo) * channels;
        const T* br = image + (ty.hi * in_w + tx.hi) * channels;
        T* o = out + ((b * out_h + y) * out_w + x) * channels;
        for (int64_t c = 0; c < channels; ++c) o[c] = element(tl[c], tr[c], bl[c], br[c], tx, ty);
      }
    }
  }
}

// NHWC int8 resize; input and output share quantization.
inline void XnnResizeBilinear(bool align_corners, bool half_pixel_centers, const Shape& in_shape,
                              const int8_t* in, const Shape& out_shape, int8_t* out) {
  XnnResizeBilinearLoop(align_corners, half_pixel_centers, in_shape, in, out_shape, out,
                        [](int8_t tl, int8_t tr, int8_t bl, int8_t br, const XnnResizeTap& tx,
                           const XnnResizeTap& ty) {
                          return static_cast<int8_t>(
                              XnnBilinearElement(tl, tr, bl, br, tx.alpha, ty.alpha));
                        });
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_XNNPACK_INT8_H_
