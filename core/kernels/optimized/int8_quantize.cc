#include "core/kernels/optimized/int8_quantize.h"

#include <algorithm>
#include <cmath>

#include "core/base/cpu_features.h"

namespace compressd::kernels::optimized {

void QuantizeFloatToInt8Portable(float scale, int32_t zero_point, const float* input,
                                 int8_t* output, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    float r = std::round(input[i] / scale);
    if (std::isnan(r)) r = 0.0f;
    r = std::min(std::max(r, -256.0f), 256.0f);  // beyond this the clamp below decides
    const int32_t q = static_cast<int32_t>(r) + zero_point;
    output[i] = static_cast<int8_t>(std::min(std::max(q, -128), 127));
  }
}

void QuantizeFloatToInt8(float scale, int32_t zero_point, const float* input, int8_t* output,
                         int64_t n) {
  int64_t done = 0;
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) done = QuantizeFloatToInt8Avx2(scale, zero_point, input, output, n);
#endif
  QuantizeFloatToInt8Portable(scale, zero_point, input + done, output + done, n - done);
}

}  // namespace compressd::kernels::optimized
