// A 4-float vector for the portable kernels, written with the GCC/Clang vector extension so the
// same source becomes SSE2 on x86-64 and NEON on ARM (plain 4-float loops elsewhere). Arithmetic
// is element-wise IEEE single precision, unfused (the project builds with ISO C++, where the
// compiler does not contract a*b+c), so results do not depend on the target's vector width.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_PORTABLE_SIMD_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_PORTABLE_SIMD_H_

#include <cstring>

namespace compressd::kernels::optimized::portable {

#if defined(__GNUC__)
typedef float V4 __attribute__((vector_size(16)));
#else
struct V4 {
  float v[4];
  float& operator[](int i) { return v[i]; }
  float operator[](int i) const { return v[i]; }
  friend V4 operator+(V4 a, V4 b) {
    for (int i = 0; i < 4; ++i) a.v[i] += b.v[i];
    return a;
  }
  friend V4 operator*(V4 a, V4 b) {
    for (int i = 0; i < 4; ++i) a.v[i] *= b.v[i];
    return a;
  }
};
#endif

inline V4 Load4(const float* p) {
  V4 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline void Store4(float* p, V4 v) { std::memcpy(p, &v, sizeof(v)); }
inline V4 Broadcast4(float x) {
#if defined(__GNUC__)
  return V4{x, x, x, x};
#else
  return V4{{x, x, x, x}};
#endif
}
inline V4 Zero4() { return Broadcast4(0.0f); }

}  // namespace compressd::kernels::optimized::portable

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_PORTABLE_SIMD_H_
