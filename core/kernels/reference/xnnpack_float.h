// Reference float32 kernels in XNNPACK's arithmetic (what TFLite computes with its XNNPACK
// delegate; the IntegerArithmetic::kXnnpack profile), each checked bit for bit against the TFLite
// runtime (tests/compat/xnnpack_float_oracle_test.cc). Every operation is rounded to float; none
// is fused.
//
//   LOGISTIC (f32-vsigmoid rr2_p5_div): z = -|x|; n = z * log2(e) + magic (rounds to an integer
//     in the low mantissa bits); s = 2^n from n's bits; t = z - n * ln2 (two-step Cody-Waite);
//     e = s + (t * s) * p(t) with a degree-5 polynomial p (Horner); f = e / (e + 1);
//     f = 0 below the denormal cutoff; x > 0 gives 1 - f.
//   Global AVERAGE_POOL_2D (f32-gavgpool 7p7x): the H * W pixels of a channel in memory order,
//     7 at a time: first ((p0 + p1) + p6) + ((p2 + p3) + (p4 + p5)), then per 7 more
//     ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + acc)), missing pixels 0; times 1 / (H * W);
//     clamp.
//   HARD_SWISH (f32-vhswish): (x * float(1/6)) * min(max(x + 3, 0), 6).
//   RESIZE_BILINEAR (f32-ibilinear): source coordinates as xnn_indirection_init_resize_bilinear2d
//     (reference/xnnpack_int8.h XnnResizeCoordinate, its float weight); then
//     t = tl + (tr - tl) * ah, b = bl + (br - bl) * ah, out = t + (b - t) * av.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_XNNPACK_FLOAT_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_XNNPACK_FLOAT_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/kernels/reference/xnnpack_int8.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

inline float XnnSigmoid(float x) {
  constexpr float kMagicBias = 0x1.8000FEp23f;
  constexpr float kLog2e = 0x1.715476p+0f;
  constexpr float kMinusLn2Hi = -0x1.62E400p-1f;
  constexpr float kMinusLn2Lo = -0x1.7F7D1Cp-20f;
  constexpr float kC5 = 0x1.0F9F9Cp-7f;
  constexpr float kC4 = 0x1.573A1Ap-5f;
  constexpr float kC3 = 0x1.555A80p-3f;
  constexpr float kC2 = 0x1.FFFDC6p-2f;
  constexpr float kC1 = 0x1.FFFFF6p-1f;
  constexpr float kDenormCutoff = -0x1.5D589Ep+6f;
  const float z = -std::fabs(x);
  float n = z * kLog2e;
  n = n + kMagicBias;
  uint32_t n_bits;
  std::memcpy(&n_bits, &n, sizeof(n_bits));
  const uint32_t s_bits = n_bits << 23;
  float s;
  std::memcpy(&s, &s_bits, sizeof(s));
  n = n - kMagicBias;
  float t = n * kMinusLn2Hi;
  t = t + z;
  const float t_lo = n * kMinusLn2Lo;
  t = t_lo + t;
  float p = t * kC5;
  p = p + kC4;
  p = t * p;
  p = p + kC3;
  p = t * p;
  p = p + kC2;
  p = t * p;
  p = p + kC1;
  t = t * s;
  float e = t * p;
  e = e + s;
  const float d = e + 1.0f;
  float f = e / d;
  if (z < kDenormCutoff) f = 0.0f;
  return std::signbit(x) ? f : 1.0f - f;  // XNNPACK selects on the sign bit
}

inline void LogisticXnnpack(const Shape& shape, const float* in, float* out) {
  const int64_t n = shape.FlatSize();
  for (int64_t i = 0; i < n; ++i) out[i] = XnnSigmoid(in[i]);
}

// in: [batches, pixels, channels]; out: [batches, channels].
inline void GlobalAveragePoolXnnpack(int64_t batches, int64_t pixels, int64_t channels,
                                     const float* in, float act_min, float act_max, float* out) {
  const float scale = 1.0f / static_cast<float>(static_cast<int32_t>(pixels));
  for (int64_t b = 0; b < batches; ++b) {
    const float* image = in + b * pixels * channels;
    for (int64_t c = 0; c < channels; ++c) {
      auto px = [&](int64_t i) { return i < pixels ? image[i * channels + c] : 0.0f; };
      float acc;
      {
        const float s01 = px(0) + px(1);
        const float s23 = px(2) + px(3);
        const float s45 = px(4) + px(5);
        const float s016 = s01 + px(6);
        const float s2345 = s23 + s45;
        acc = s016 + s2345;
      }
      for (int64_t i = 7; i < pixels; i += 7) {
        const float s01 = px(i) + px(i + 1);
        const float s23 = px(i + 2) + px(i + 3);
        const float s45 = px(i + 4) + px(i + 5);
        const float s6a = px(i + 6) + acc;
        const float s0123 = s01 + s23;
        const float s456a = s45 + s6a;
        acc = s0123 + s456a;
      }
      const float v = acc * scale;
      out[b * channels + c] = std::min(std::max(v, act_min), act_max);
    }
  }
}

// HARD_SWISH as XNNPACK's f32-vhswish computes it (TFLite with its XNNPACK delegate):
// (x * float(1/6)) * min(max(x + 3, 0), 6), each operation rounded to float.
inline void HardSwishXnnpack(const Shape& shape, const float* in, float* out) {
  constexpr float kSixth = 0x1.555556p-3f;
  const int64_t n = shape.FlatSize();
  for (int64_t i = 0; i < n; ++i) {
    const float v = in[i];
    const float clamped = std::min(std::max(v + 3.0f, 0.0f), 6.0f);
    out[i] = (v * kSixth) * clamped;
  }
}

// NHWC float resize.
inline void ResizeBilinearXnnpack(bool align_corners, bool half_pixel_centers,
                                  const Shape& in_shape, const float* in, const Shape& out_shape,
                                  float* out) {
  XnnResizeBilinearLoop(align_corners, half_pixel_centers, in_shape, in, out_shape, out,
                        [](float tl, float tr, float bl, float br, const XnnResizeTap& tx,
                           const XnnResizeTap& ty) {
                          const float td = tr - tl;
                          const float bd = br - bl;
                          const float top = tl + td * tx.frac;
                          const float bottom = bl + bd * tx.frac;
                          const float d = bottom - top;
                          return top + d * ty.frac;
                        });
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_XNNPACK_FLOAT_H_
