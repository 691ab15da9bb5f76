#include "core/kernels/optimized/int8_binary.h"

#include "core/base/cpu_features.h"

namespace compressd::kernels::optimized {

void Int8MulElementwisePortable(const Int8MulParams& p, const int8_t* a, const int8_t* b,
                                int8_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    out[i] = static_cast<int8_t>(reference::QuantizedMulElement(p, a[i], b[i]));
  }
}

void Int8MulElementwise(const Int8MulParams& p, const int8_t* a, const int8_t* b, int8_t* out,
                        int64_t n) {
  int64_t done = 0;
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) done = Int8MulElementwiseAvx2(p, a, b, out, n);
#endif
  Int8MulElementwisePortable(p, a + done, b + done, out + done, n - done);
}

void Int8AddElementwisePortable(const Int8AddParams& p, const int8_t* a, const int8_t* b,
                                int8_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    out[i] = static_cast<int8_t>(reference::QuantizedAddElement(p, a[i], b[i]));
  }
}

void Int8AddElementwise(const Int8AddParams& p, const int8_t* a, const int8_t* b, int8_t* out,
                        int64_t n) {
  int64_t done = 0;
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) done = Int8AddElementwiseAvx2(p, a, b, out, n);
#endif
  Int8AddElementwisePortable(p, a + done, b + done, out + done, n - done);
}

}  // namespace compressd::kernels::optimized
