#include "core/kernels/optimized/int8_binary.h"

#include "core/base/cpu_features.h"

namespace compressd::kernels::optimized {

void Int8AddElementwisePortable(const Int8AddParams& p, const int8_t* a, const int8_t* b,
                                int8_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    out[i] = static_cast<int8_t>(reference::QuantizedAddElement(p, a[i], b[i]));
  }
}

void Int8MulElementwisePortable(const Int8MulParams& p, const int8_t* a, const int8_t* b,
                                int8_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    out[i] = static_cast<int8_t>(reference::QuantizedMulElement(p, a[i], b[i]));
  }
}

void Int8Add(const Int8AddParams& p, const Int8Runs& runs) {
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) return Int8AddAvx2(p, runs);
#endif
  ForEachInt8Run(runs, [&p](const int8_t* a, const int8_t* b, int8_t* out, int64_t n) {
    Int8AddElementwisePortable(p, a, b, out, n);
  });
}

void Int8Mul(const Int8MulParams& p, const Int8Runs& runs) {
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) return Int8MulAvx2(p, runs);
#endif
  ForEachInt8Run(runs, [&p](const int8_t* a, const int8_t* b, int8_t* out, int64_t n) {
    Int8MulElementwisePortable(p, a, b, out, n);
  });
}

void Int8AddElementwise(const Int8AddParams& p, const int8_t* a, const int8_t* b, int8_t* out,
                        int64_t n) {
  Int8Add(p, Int8Runs{a, n, b, n, out, 1, n});
}

void Int8MulElementwise(const Int8MulParams& p, const int8_t* a, const int8_t* b, int8_t* out,
                        int64_t n) {
  Int8Mul(p, Int8Runs{a, n, b, n, out, 1, n});
}

}  // namespace compressd::kernels::optimized
