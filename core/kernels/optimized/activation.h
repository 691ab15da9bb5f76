// Elementwise activations over flat arrays: the float RELU family and 256-entry int8 lookup
// tables (the int8 RELU / RELU6 / RELU_N1_TO_1 / HARD_SWISH / LOGISTIC kernels tabulate their
// function of the input byte in Prepare).
//
// Contracts (bit-exact with core/kernels/reference, tested against it):
//   ReluFloat:       out = in < 0 ? 0 : in          (reference::Relu: -0.0 and NaN pass through)
//   ReluRangeFloat:  out = in > upper ? upper : (in < lower ? lower : in)
//                    (reference::ReluRange; lower < upper; NaN and -0.0 pass through)
//   Int8LutApply:    out = table[uint8(in)]          (reference::LookupTable)
// `in` and `out` may be the same buffer (or not overlap at all). The dispatching functions use
// AVX2 (8 floats / 32 bytes per step) on AVX2+FMA CPUs (GetCpuFeatures(), honouring COMPRESSD_CPU)
// and the *Portable functions otherwise; every variant handles any n >= 0.
//
// Thread safety: pure functions of their arguments.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_ACTIVATION_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_ACTIVATION_H_

#include <array>
#include <cstdint>

namespace compressd::kernels::optimized {

void ReluFloat(const float* in, float* out, int64_t n);
void ReluRangeFloat(const float* in, float* out, int64_t n, float lower, float upper);
void ReluFloatPortable(const float* in, float* out, int64_t n);
void ReluRangeFloatPortable(const float* in, float* out, int64_t n, float lower, float upper);

// A byte table with its shape analysed once (MakeInt8Lut): when table[x] equals
// clamp(x + offset, lo, hi) for every int8 x (the RELU family with equal input and output scales,
// whatever the zero points), the kernels compute that with saturating byte arithmetic instead of
// looking values up. Otherwise they look up (AVX2: 16 vpshufb per 32 bytes).
struct Int8Lut {
  std::array<int8_t, 256> table{};  // indexed by the input's byte, uint8_t(x)
  bool affine = false;              // the clamp form below holds for all 256 inputs
  int32_t offset = 0;               // in [-127, 127]
  int8_t lo = -128, hi = 127;       // lo <= hi
};

Int8Lut MakeInt8Lut(const std::array<int8_t, 256>& table);

void Int8LutApply(const Int8Lut& lut, const int8_t* in, int8_t* out, int64_t n);
void Int8LutApplyPortable(const Int8Lut& lut, const int8_t* in, int8_t* out, int64_t n);

#if defined(__x86_64__)
// AVX2 bodies (activation_avx2.cc), all n elements (scalar tails).
void ReluFloatAvx2(const float* in, float* out, int64_t n);
void ReluRangeFloatAvx2(const float* in, float* out, int64_t n, float lower, float upper);
void Int8LutApplyAvx2(const Int8Lut& lut, const int8_t* in, int8_t* out, int64_t n);
#endif

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_ACTIVATION_H_
