#include "core/base/cpu_features.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace compressd {
namespace {

CpuFeatures AllX86() {
  CpuFeatures f;
  f.avx2 = f.fma = f.f16c = f.avx2_fma = true;
  f.avx512f = f.avx512bw = f.avx512vl = f.avx512vnni = true;
  return f;
}

bool SameFeatures(const CpuFeatures& a, const CpuFeatures& b) {
  return a.avx2 == b.avx2 && a.fma == b.fma && a.f16c == b.f16c && a.avx2_fma == b.avx2_fma &&
         a.avx512f == b.avx512f && a.avx512bw == b.avx512bw && a.avx512vl == b.avx512vl &&
         a.avx512vnni == b.avx512vnni && a.neon == b.neon;
}

TEST(CpuFeaturesTest, PortableOverrideDropsEverything) {
  const CpuFeatures f = ApplyCpuOverride(AllX86(), "portable");
  EXPECT_FALSE(f.avx2_fma);
  EXPECT_FALSE(f.avx512f);
  EXPECT_FALSE(f.Supports(CpuIsa::kAvx2Fma));
  EXPECT_FALSE(f.Supports(CpuIsa::kAvx512));
  EXPECT_TRUE(f.Supports(CpuIsa::kPortable));
  EXPECT_EQ(f.BestIsaName(), "portable");
  EXPECT_EQ(f.ToString(), "portable");
}

TEST(CpuFeaturesTest, Avx2OverrideHidesAvx512Only) {
  const CpuFeatures f = ApplyCpuOverride(AllX86(), "avx2");
  EXPECT_TRUE(f.Supports(CpuIsa::kAvx2Fma));
  EXPECT_FALSE(f.Supports(CpuIsa::kAvx512));
  EXPECT_FALSE(f.avx512vnni);
  EXPECT_EQ(f.BestIsaName(), "avx2");
  EXPECT_EQ(f.ToString(), "avx2 fma f16c");
}

TEST(CpuFeaturesTest, OverrideNeverAddsFeatures) {
  CpuFeatures hw;  // no SIMD at all
  EXPECT_TRUE(SameFeatures(ApplyCpuOverride(hw, "avx512"), hw));
  EXPECT_TRUE(SameFeatures(ApplyCpuOverride(hw, "avx2"), hw));
  EXPECT_FALSE(ApplyCpuOverride(hw, "neon").neon);
  CpuFeatures arm;
  arm.neon = true;
  EXPECT_TRUE(ApplyCpuOverride(arm, "neon").neon);
  EXPECT_FALSE(ApplyCpuOverride(arm, "portable").neon);
}

TEST(CpuFeaturesTest, NativeAndEmptyKeepHardware) {
  EXPECT_TRUE(SameFeatures(ApplyCpuOverride(AllX86(), ""), AllX86()));
  EXPECT_TRUE(SameFeatures(ApplyCpuOverride(AllX86(), "native"), AllX86()));
  EXPECT_TRUE(SameFeatures(ApplyCpuOverride(AllX86(), "avx512"), AllX86()));
  EXPECT_EQ(AllX86().BestIsaName(), "avx512");
}

TEST(CpuFeaturesTest, UnknownOverrideIsPortable) {
  const CpuFeatures f = ApplyCpuOverride(AllX86(), "sse9");
  EXPECT_FALSE(f.Supports(CpuIsa::kAvx2Fma));
  EXPECT_EQ(f.BestIsaName(), "portable");
}

TEST(CpuFeaturesTest, Avx512NeedsAvx2FmaAndBwVl) {
  CpuFeatures f = AllX86();
  f.avx512bw = false;
  EXPECT_FALSE(f.Supports(CpuIsa::kAvx512));
  EXPECT_TRUE(f.Supports(CpuIsa::kAvx2Fma));
}

TEST(CpuFeaturesTest, GetCpuFeaturesHonoursEnvironment) {
  const char* env = std::getenv("COMPRESSD_CPU");
  const CpuFeatures expected = ApplyCpuOverride(DetectCpuFeatures(), env == nullptr ? "" : env);
  EXPECT_TRUE(SameFeatures(GetCpuFeatures(), expected));
  EXPECT_EQ(&GetCpuFeatures(), &GetCpuFeatures());  // cached
}

// Cross-checks detection against the kernel's own view in /proc/cpuinfo (Linux x86 only).
TEST(CpuFeaturesTest, DetectionMatchesProcCpuinfo) {
#if defined(__x86_64__) && defined(__linux__)
  std::ifstream in("/proc/cpuinfo");
  if (!in) GTEST_SKIP() << "no /proc/cpuinfo";
  std::string line, flags;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) == 0) {
      flags = line.substr(line.find(':') + 1) + " ";
      break;
    }
  }
  ASSERT_FALSE(flags.empty());
  auto has = [&flags](const char* name) {
    return flags.find(std::string(" ") + name + " ") != std::string::npos;
  };
  const CpuFeatures f = DetectCpuFeatures();
  EXPECT_EQ(f.avx2, has("avx2"));
  EXPECT_EQ(f.fma, has("fma"));
  EXPECT_EQ(f.f16c, has("f16c"));
  EXPECT_EQ(f.avx512f, has("avx512f"));
  EXPECT_EQ(f.avx512vnni, has("avx512_vnni"));
  EXPECT_EQ(f.avx2_fma, has("avx2") && has("fma") && has("f16c"));
#else
  GTEST_SKIP() << "x86-64 Linux only";
#endif
}

}  // namespace
}  // namespace compressd
