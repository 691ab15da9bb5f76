#include "core/kernels/optimized/activation.h"

#include "core/base/cpu_features.h"

namespace compressd::kernels::optimized {

void ReluFloatPortable(const float* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = in[i];
    out[i] = v < 0.0f ? 0.0f : v;
  }
}

void ReluRangeFloatPortable(const float* in, float* out, int64_t n, float lower, float upper) {
  for (int64_t i = 0; i < n; ++i) {
    const float v = in[i];
    out[i] = v > upper ? upper : (v < lower ? lower : v);
  }
}

void ReluFloat(const float* in, float* out, int64_t n) {
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) return ReluFloatAvx2(in, out, n);
#endif
  ReluFloatPortable(in, out, n);
}

void ReluRangeFloat(const float* in, float* out, int64_t n, float lower, float upper) {
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) return ReluRangeFloatAvx2(in, out, n, lower, upper);
#endif
  ReluRangeFloatPortable(in, out, n, lower, upper);
}

Int8Lut MakeInt8Lut(const std::array<int8_t, 256>& table) {
  Int8Lut lut;
  lut.table = table;
  const auto at = [&](int32_t x) -> int32_t { return table[static_cast<uint8_t>(x)]; };
  const int32_t lo = at(-128);
  const int32_t hi = at(127);
  if (lo > hi) return lut;
  // Candidate offset from the first input above the lower bound (0 for a constant table).
  int32_t offset = 0;
  for (int32_t x = -128; x <= 127; ++x) {
    if (at(x) > lo) {
      offset = at(x) - x;
      break;
    }
  }
  if (offset < -127 || offset > 127) return lut;
  for (int32_t x = -128; x <= 127; ++x) {
    const int32_t v = x + offset;
    if (at(x) != (v < lo ? lo : (v > hi ? hi : v))) return lut;
  }
  lut.affine = true;
  lut.offset = offset;
  lut.lo = static_cast<int8_t>(lo);
  lut.hi = static_cast<int8_t>(hi);
  return lut;
}

void Int8LutApplyPortable(const Int8Lut& lut, const int8_t* in, int8_t* out, int64_t n) {
  if (lut.affine) {
    const int32_t offset = lut.offset, lo = lut.lo, hi = lut.hi;
    for (int64_t i = 0; i < n; ++i) {
      const int32_t v = in[i] + offset;
      out[i] = static_cast<int8_t>(v < lo ? lo : (v > hi ? hi : v));
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) out[i] = lut.table[static_cast<uint8_t>(in[i])];
}

void Int8LutApply(const Int8Lut& lut, const int8_t* in, int8_t* out, int64_t n) {
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) return Int8LutApplyAvx2(lut, in, out, n);
#endif
  Int8LutApplyPortable(lut, in, out, n);
}

}  // namespace compressd::kernels::optimized
