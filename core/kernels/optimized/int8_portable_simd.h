// Small integer vectors for the portable int8 kernels, written with the GCC/Clang vector
// extension so the same source becomes SSE2 on x86-64 and NEON on ARM (plain loops with other
// compilers), like portable_simd.h for floats.
//
// The GEMM's inner step is vpmaddwd's: 8 int16 pairs (a, b) multiplied and summed in pairs
// into 4 int32 lanes. Products are formed in int16, exact because the operands are an
// activation plus offset (|a| <= 255) and an int8 weight (|b| <= 128), |a*b| <= 32640 < 2^15;
// pair sums (|.| <= 65280) in int32; accumulation in uint32 (int32 with defined wrap-around).
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_PORTABLE_SIMD_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_PORTABLE_SIMD_H_

#include <cstdint>
#include <cstring>

namespace compressd::kernels::optimized::portable {

#if defined(__GNUC__)
typedef int16_t S8 __attribute__((vector_size(16)));  // 8 x int16
typedef int8_t B8 __attribute__((vector_size(8)));    // 8 x int8
typedef int32_t I4 __attribute__((vector_size(16)));  // 4 x int32
typedef uint32_t U4 __attribute__((vector_size(16)));  // 4 x uint32

// The int16 pair (p[0], p[1]) repeated 4 times.
inline S8 BroadcastPair(const int16_t* p) {
  int32_t pair;
  std::memcpy(&pair, p, sizeof(pair));
  const I4 v = {pair, pair, pair, pair};
  return reinterpret_cast<S8>(v);
}
// 8 int8 sign-extended to int16.
inline S8 Widen8(const int8_t* p) {
  B8 v;
  std::memcpy(&v, p, sizeof(v));
  return __builtin_convertvector(v, S8);
}
// acc[i] += a[2i]*b[2i] + a[2i+1]*b[2i+1] (the products exact in int16, see above).
inline U4 MulAddPairs(U4 acc, S8 a, S8 b) {
  const I4 prod = reinterpret_cast<I4>(a * b);
  // Both int16 halves of each 32-bit lane, sign-extended (which half is "even" does not matter
  // for their sum, so this is endian-neutral).
  const I4 low = reinterpret_cast<I4>(reinterpret_cast<U4>(prod) << 16) >> 16;
  const I4 high = prod >> 16;
  return acc + reinterpret_cast<U4>(low + high);
}
inline U4 LoadU4(const uint32_t* p) {
  U4 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline void StoreU4(uint32_t* p, U4 v) { std::memcpy(p, &v, sizeof(v)); }
#else
struct S8 {
  int16_t v[8];
};
struct U4 {
  uint32_t v[4];
};
inline S8 BroadcastPair(const int16_t* p) {
  S8 s;
  for (int i = 0; i < 8; ++i) s.v[i] = p[i % 2];
  return s;
}
inline S8 Widen8(const int8_t* p) {
  S8 s;
  for (int i = 0; i < 8; ++i) s.v[i] = p[i];
  return s;
}
inline U4 MulAddPairs(U4 acc, S8 a, S8 b) {
  for (int i = 0; i < 4; ++i) {
    acc.v[i] += static_cast<uint32_t>(a.v[2 * i] * b.v[2 * i] + a.v[2 * i + 1] * b.v[2 * i + 1]);
  }
  return acc;
}
inline U4 LoadU4(const uint32_t* p) {
  U4 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
inline void StoreU4(uint32_t* p, U4 v) { std::memcpy(p, &v, sizeof(v)); }
#endif

}  // namespace compressd::kernels::optimized::portable

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_PORTABLE_SIMD_H_
