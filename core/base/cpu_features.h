// Run-time CPU feature detection for kernel dispatch.
//
// Kernels compiled for an instruction set beyond the build's baseline (files *_avx2.cc,
// *_avx512.cc) may only be called when GetCpuFeatures() reports that set. Detection runs once per
// process; the environment variable COMPRESSD_CPU can restrict it (never extend it) for tests and
// benchmarks:
//   COMPRESSD_CPU=portable   no SIMD extension beyond the baseline (plain C++ kernels)
//   COMPRESSD_CPU=avx2       at most AVX2+FMA+F16C (hides AVX-512)
//   COMPRESSD_CPU=avx512     at most AVX-512 (i.e. everything the hardware has on x86)
//   unset, "" or "native"    everything the hardware has
// Unknown values are treated as "portable" (the safe choice).
//
// Thread safety: GetCpuFeatures() is safe to call from any thread.
#ifndef COMPRESSD_CORE_BASE_CPU_FEATURES_H_
#define COMPRESSD_CORE_BASE_CPU_FEATURES_H_

#include <string>
#include <string_view>

namespace compressd {

// Instruction-set levels a kernel variant may require, from weakest to strongest per
// architecture. kPortable runs everywhere the build runs.
enum class CpuIsa { kPortable, kAvx2Fma, kAvx512, kNeon };

struct CpuFeatures {
  // x86-64. `avx2_fma` is the kernel-dispatch level: AVX2 and FMA and F16C, with OS support for
  // the YMM state (what *_avx2.cc files are compiled for).
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx2_fma = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512vnni = false;
  // ARM: Advanced SIMD (always present on aarch64).
  bool neon = false;

  // Whether kernels requiring `isa` may run.
  bool Supports(CpuIsa isa) const;
  // The strongest dispatch level: "avx512", "avx2", "neon" or "portable".
  std::string BestIsaName() const;
  // E.g. "avx2 fma f16c"; "portable" when nothing is set.
  std::string ToString() const;
};

// The features of the machine the process runs on, ignoring COMPRESSD_CPU.
CpuFeatures DetectCpuFeatures();

// `hw` restricted by an override string (the syntax of COMPRESSD_CPU above).
CpuFeatures ApplyCpuOverride(const CpuFeatures& hw, std::string_view override_value);

// DetectCpuFeatures() restricted by COMPRESSD_CPU; computed on the first call and cached.
const CpuFeatures& GetCpuFeatures();

const char* CpuIsaName(CpuIsa isa);

}  // namespace compressd

#endif  // COMPRESSD_CORE_BASE_CPU_FEATURES_H_
