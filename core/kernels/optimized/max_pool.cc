#include "core/kernels/optimized/max_pool.h"

#include <algorithm>
#include <limits>

#include "core/base/cpu_features.h"

namespace compressd::kernels::optimized {
namespace {

void MaxIntoPortable(float* acc, const float* in, int32_t n) {
  for (int32_t c = 0; c < n; ++c) acc[c] = std::max(acc[c], in[c]);  // NaN in[c] never wins
}

void MaxIntoPortable(int8_t* acc, const int8_t* in, int32_t n) {
  for (int32_t c = 0; c < n; ++c) acc[c] = std::max(acc[c], in[c]);
}

template <typename T>
void MaxPool(const MaxPoolGeometry& g, T act_min, T act_max, const T* input, T* output) {
#if defined(__x86_64__)
  const bool avx2 = GetCpuFeatures().avx2_fma;
#endif
  const int64_t depth = g.depth;
  for (int32_t b = 0; b < g.batches; ++b) {
    const T* image = input + static_cast<int64_t>(b) * g.in_h * g.in_w * depth;
    for (int32_t oy = 0; oy < g.out_h; ++oy) {
      const int32_t y0 = oy * g.stride_h - g.pad_top;
      const int32_t fy_start = std::max(0, -y0);
      const int32_t fy_end = std::min(g.filter_h, g.in_h - y0);
      for (int32_t ox = 0; ox < g.out_w; ++ox) {
        const int32_t x0 = ox * g.stride_w - g.pad_left;
        const int32_t fx_start = std::max(0, -x0);
        const int32_t fx_end = std::min(g.filter_w, g.in_w - x0);
        std::fill(output, output + depth, std::numeric_limits<T>::lowest());
        for (int32_t fy = fy_start; fy < fy_end; ++fy) {
          for (int32_t fx = fx_start; fx < fx_end; ++fx) {
            const T* pixel = image + ((static_cast<int64_t>(y0 + fy) * g.in_w) + x0 + fx) * depth;
#if defined(__x86_64__)
            if (avx2) {
              if constexpr (sizeof(T) == 1) {
                MaxIntoInt8Avx2(output, pixel, g.depth);
              } else {
                MaxIntoFloatAvx2(output, pixel, g.depth);
              }
              continue;
            }
#endif
            MaxIntoPortable(output, pixel, g.depth);
          }
        }
        for (int64_t c = 0; c < depth; ++c) {
          output[c] = std::min(std::max(output[c], act_min), act_max);
        }
        output += depth;
      }
    }
  }
}

}  // namespace

void MaxPoolFloat(const MaxPoolGeometry& g, float act_min, float act_max, const float* input,
                  float* output) {
  MaxPool<float>(g, act_min, act_max, input, output);
}

void MaxPoolInt8(const MaxPoolGeometry& g, int8_t act_min, int8_t act_max, const int8_t* input,
                 int8_t* output) {
  MaxPool<int8_t>(g, act_min, act_max, input, output);
}

}  // namespace compressd::kernels::optimized
