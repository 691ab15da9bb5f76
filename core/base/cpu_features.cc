#include "core/base/cpu_features.h"

#include <cstdlib>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace compressd {

bool CpuFeatures::Supports(CpuIsa isa) const {
  switch (isa) {
    case CpuIsa::kPortable:
      return true;
    case CpuIsa::kAvx2Fma:
      return avx2_fma;
    case CpuIsa::kAvx512:
      return avx2_fma && avx512f && avx512bw && avx512vl;
    case CpuIsa::kNeon:
      return neon;
  }
  return false;
}

std::string CpuFeatures::BestIsaName() const {
  if (Supports(CpuIsa::kAvx512)) return "avx512";
  if (Supports(CpuIsa::kAvx2Fma)) return "avx2";
  if (Supports(CpuIsa::kNeon)) return "neon";
  return "portable";
}

std::string CpuFeatures::ToString() const {
  std::string s;
  auto add = [&s](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += ' ';
    s += name;
  };
  add(avx2, "avx2");
  add(fma, "fma");
  add(f16c, "f16c");
  add(avx512f, "avx512f");
  add(avx512bw, "avx512bw");
  add(avx512vl, "avx512vl");
  add(avx512vnni, "avx512vnni");
  add(neon, "neon");
  return s.empty() ? "portable" : s;
}

CpuFeatures DetectCpuFeatures() {
  CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
  // libgcc's __builtin_cpu_supports also checks XGETBV, i.e. that the OS saves YMM/ZMM state.
  __builtin_cpu_init();
  f.avx2 = __builtin_cpu_supports("avx2");
  f.fma = __builtin_cpu_supports("fma");
  // Clang's __builtin_cpu_supports does not know "f16c": read CPUID.1:ECX bit 29 directly (its
  // use needs the YMM state, which the avx2 check above already requires of the OS).
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  f.f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & (1u << 29)) != 0;
  f.avx2_fma = f.avx2 && f.fma && f.f16c;
  f.avx512f = __builtin_cpu_supports("avx512f");
  f.avx512bw = __builtin_cpu_supports("avx512bw");
  f.avx512vl = __builtin_cpu_supports("avx512vl");
  f.avx512vnni = __builtin_cpu_supports("avx512vnni");
#elif defined(__aarch64__) || defined(__ARM_NEON)
  f.neon = true;
#endif
  return f;
}

CpuFeatures ApplyCpuOverride(const CpuFeatures& hw, std::string_view override_value) {
  if (override_value.empty() || override_value == "native") return hw;
  CpuFeatures f = hw;
  auto drop_avx512 = [&f] {
    f.avx512f = f.avx512bw = f.avx512vl = f.avx512vnni = false;
  };
  if (override_value == "avx512") return f;
  if (override_value == "avx2") {
    drop_avx512();
    return f;
  }
  if (override_value == "neon") {
    // Nothing x86 survives; NEON stays only if the hardware has it.
    CpuFeatures n;
    n.neon = hw.neon;
    return n;
  }
  // "portable" and anything unknown.
  return CpuFeatures{};
}

const CpuFeatures& GetCpuFeatures() {
  static const CpuFeatures features = [] {
    const char* env = std::getenv("COMPRESSD_CPU");
    return ApplyCpuOverride(DetectCpuFeatures(), env == nullptr ? "" : env);
  }();
  return features;
}

const char* CpuIsaName(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::kPortable:
      return "portable";
    case CpuIsa::kAvx2Fma:
      return "avx2";
    case CpuIsa::kAvx512:
      return "avx512";
    case CpuIsa::kNeon:
      return "neon";
  }
  return "unknown";
}

}  // namespace compressd
