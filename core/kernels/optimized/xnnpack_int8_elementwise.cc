#include "core/kernels/optimized/xnnpack_int8_elementwise.h"

#include <algorithm>

#include "core/base/cpu_features.h"

namespace compressd::kernels::optimized {

void XnnQuantizeF32ToInt8Portable(float scale, int32_t zero_point, const float* input,
                                  int8_t* output, int64_t n) {
  // The reference's float operations in the reference's order (no add follows the multiply, so
  // contraction into an FMA cannot change them).
  const float inv_scale = 1.0f / scale;
  const float lo = static_cast<float>(-128 - zero_point);
  const float hi = static_cast<float>(127 - zero_point);
  for (int64_t i = 0; i < n; ++i) {
    float f = input[i] * inv_scale;
    f = std::max(f, lo);  // NaN passes both (comparisons with NaN are false)
    f = std::min(f, hi);
    const int32_t q = f == f ? reference::XnnRoundToInt(f) : 0;  // NaN -> the zero point
    output[i] = static_cast<int8_t>(q + zero_point);
  }
}

void XnnQuantizeF32ToInt8(float scale, int32_t zero_point, const float* input, int8_t* output,
                          int64_t n) {
  int64_t done = 0;
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) {
    done = XnnQuantizeF32ToInt8Avx2(scale, zero_point, input, output, n);
  }
#endif
  XnnQuantizeF32ToInt8Portable(scale, zero_point, input + done, output + done, n - done);
}

void XnnRequantizeInt8Portable(const reference::XnnRequantizeParams& p, const int8_t* input,
                               int8_t* output, int64_t n) {
  reference::XnnRequantize(p, n, input, output);
}

void XnnRequantizeInt8(const reference::XnnRequantizeParams& p, const int8_t* input,
                       int8_t* output, int64_t n) {
  int64_t done = 0;
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) done = XnnRequantizeInt8Avx2(p, input, output, n);
#endif
  XnnRequantizeInt8Portable(p, input + done, output + done, n - done);
}

void XnnAddInt8Portable(const reference::XnnAddParams& p, const int8_t* a, const int8_t* b,
                        int8_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    out[i] = static_cast<int8_t>(reference::XnnAddElement(p, a[i], b[i]));
  }
}

void XnnMulInt8Portable(const reference::XnnMulParams& p, const int8_t* a, const int8_t* b,
                        int8_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    out[i] = static_cast<int8_t>(reference::XnnMulElement(p, a[i], b[i]));
  }
}

void XnnAddInt8(const reference::XnnAddParams& p, const Int8Runs& runs) {
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) return XnnAddInt8Avx2(p, runs);
#endif
  ForEachInt8Run(runs, [&p](const int8_t* a, const int8_t* b, int8_t* out, int64_t n) {
    XnnAddInt8Portable(p, a, b, out, n);
  });
}

void XnnMulInt8(const reference::XnnMulParams& p, const Int8Runs& runs) {
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) return XnnMulInt8Avx2(p, runs);
#endif
  ForEachInt8Run(runs, [&p](const int8_t* a, const int8_t* b, int8_t* out, int64_t n) {
    XnnMulInt8Portable(p, a, b, out, n);
  });
}

}  // namespace compressd::kernels::optimized
