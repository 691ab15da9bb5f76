#include "core/kernels/optimized/int8_binary.h"

#include <algorithm>

#include "core/base/cpu_features.h"
#include "core/quant/fixed_point.h"

namespace compressd::kernels::optimized {
namespace {

int8_t AddOne(const Int8AddParams& p, int32_t a, int32_t b) {
  const int32_t a_shifted = quant::WrappingShiftLeft(p.input1_offset + a, p.left_shift);
  const int32_t b_shifted = quant::WrappingShiftLeft(p.input2_offset + b, p.left_shift);
  const int32_t a_scaled =
      quant::MultiplyByQuantizedMultiplier(a_shifted, p.input1_multiplier, p.input1_shift);
  const int32_t b_scaled =
      quant::MultiplyByQuantizedMultiplier(b_shifted, p.input2_multiplier, p.input2_shift);
  const int32_t raw = quant::MultiplyByQuantizedMultiplier(a_scaled + b_scaled,
                                                           p.output_multiplier, p.output_shift) +
                      p.output_offset;
  return static_cast<int8_t>(std::min(std::max(raw, p.act_min), p.act_max));
}

int8_t MulOne(const Int8MulParams& p, int32_t a, int32_t b) {
  const int32_t product = (p.input1_offset + a) * (p.input2_offset + b);
  const int32_t raw =
      quant::MultiplyByQuantizedMultiplier(product, p.output_multiplier, p.output_shift) +
      p.output_offset;
  return static_cast<int8_t>(std::min(std::max(raw, p.act_min), p.act_max));
}

}  // namespace

void Int8MulElementwisePortable(const Int8MulParams& p, const int8_t* a, const int8_t* b,
                                int8_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = MulOne(p, a[i], b[i]);
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
  for (int64_t i = 0; i < n; ++i) out[i] = AddOne(p, a[i], b[i]);
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
