#include "core/kernels/optimized/gemm.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/base/thread_pool.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

struct Problem {
  int64_t m, n, k;
  int64_t lda, ldc;  // >= k, >= n
  bool bias;
  float act_min, act_max;
};

std::vector<float> RandomVector(int64_t size, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(size));
  for (float& x : v) x = dist(rng);
  return v;
}

// Runs `p` with `variant` and checks every element against a naive double-precision triple loop:
// |got - want| <= 1e-5 * sum_k |a*b| (+ the bias) + 1e-6. Columns beyond n in each C row must keep
// their sentinel (the kernel writes exactly m x n elements).
void CheckProblem(const GemmVariant& variant, const Problem& p, std::mt19937& rng,
                  ThreadPool* pool = nullptr) {
  SCOPED_TRACE(std::string(variant.name) + " m=" + std::to_string(p.m) +
               " n=" + std::to_string(p.n) + " k=" + std::to_string(p.k) +
               " lda=" + std::to_string(p.lda) + " ldc=" + std::to_string(p.ldc) +
               " bias=" + std::to_string(p.bias) + " clamp=[" + std::to_string(p.act_min) + "," +
               std::to_string(p.act_max) + "]");
  const std::vector<float> a = RandomVector(p.m * p.lda, rng);
  const std::vector<float> w = RandomVector(p.n * p.k, rng);  // [n, k] = B transposed
  const std::vector<float> bias = RandomVector(p.n, rng);
  const PackedMatrix packed = PackedMatrix::FromTransposed(variant, p.n, p.k, w.data(), p.k);
  ASSERT_EQ(packed.n(), p.n);
  ASSERT_EQ(packed.k(), p.k);
  std::vector<float> c(static_cast<size_t>(p.m * p.ldc), kNaN);
  const float sentinel = 12345.0f;
  for (int64_t i = 0; i < p.m; ++i) {
    for (int64_t j = p.n; j < p.ldc; ++j) c[i * p.ldc + j] = sentinel;
  }
  GemmEpilogue ep;
  ep.bias = p.bias ? bias.data() : nullptr;
  ep.act_min = p.act_min;
  ep.act_max = p.act_max;
  Gemm(p.m, a.data(), p.lda, packed, ep, c.data(), p.ldc, pool);
  int failures = 0;
  for (int64_t i = 0; i < p.m && failures < 5; ++i) {
    for (int64_t j = 0; j < p.ldc && failures < 5; ++j) {
      const float got = c[i * p.ldc + j];
      if (j >= p.n) {
        if (got != sentinel) {
          ADD_FAILURE() << "wrote past n at (" << i << "," << j << ")";
          ++failures;
        }
        continue;
      }
      double want = p.bias ? bias[j] : 0.0;
      double mag = std::fabs(want);
      for (int64_t kk = 0; kk < p.k; ++kk) {
        const double prod = static_cast<double>(a[i * p.lda + kk]) * w[j * p.k + kk];
        want += prod;
        mag += std::fabs(prod);
      }
      want = std::min<double>(std::max<double>(want, p.act_min), p.act_max);
      const double tol = 1e-5 * mag + 1e-6;
      if (!(std::fabs(got - want) <= tol)) {
        ADD_FAILURE() << "C(" << i << "," << j << ") = " << got << ", want " << want
                      << " (tol " << tol << ")";
        ++failures;
      }
    }
  }
}

std::vector<const GemmVariant*> SupportedVariants() {
  std::vector<const GemmVariant*> out;
  for (const GemmVariant& v : GemmVariants()) {
    if (IsSupported(v)) out.push_back(&v);
  }
  return out;
}

TEST(GemmTest, RegistryHasPortableAndDefaultIsSupported) {
  ASSERT_FALSE(GemmVariants().empty());
  EXPECT_EQ(GemmVariants()[0].isa, CpuIsa::kPortable);
  EXPECT_TRUE(IsSupported(DefaultGemmVariant()));
  for (const GemmVariant& v : GemmVariants()) {
    EXPECT_GT(v.mr, 0) << v.name;
    EXPECT_GT(v.nr, 0) << v.name;
    EXPECT_NE(v.block, nullptr) << v.name;
  }
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) {
    EXPECT_EQ(DefaultGemmVariant().isa, CpuIsa::kAvx2Fma);
  }
#endif
}

TEST(GemmTest, HandComputedTwoByTwo) {
  // A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]]  ->  A*B = [[19, 22], [43, 50]]; bias [1, -100].
  const float a[] = {1, 2, 3, 4};
  const float b_t[] = {5, 7, 6, 8};  // B transposed
  const float bias[] = {1, -100};
  for (const GemmVariant* v : SupportedVariants()) {
    const PackedMatrix packed = PackedMatrix::FromTransposed(*v, 2, 2, b_t, 2);
    float c[4] = {kNaN, kNaN, kNaN, kNaN};
    GemmEpilogue ep;
    ep.bias = bias;
    ep.act_min = 0.0f;
    ep.act_max = 44.0f;
    Gemm(2, a, 2, packed, ep, c, 2);
    EXPECT_EQ(c[0], 20.0f) << v->name;
    EXPECT_EQ(c[1], 0.0f) << v->name;  // 22 - 100 clamped to 0
    EXPECT_EQ(c[2], 44.0f) << v->name;  // 44 is the max
    EXPECT_EQ(c[3], 0.0f) << v->name;
  }
}

TEST(GemmTest, EveryTailOfMNK) {
  std::mt19937 rng(1);
  for (const GemmVariant* v : SupportedVariants()) {
    for (int64_t x = 1; x <= 70; ++x) {
      CheckProblem(*v, {x, 19, 13, 13, 19, true, -kInf, kInf}, rng);
      CheckProblem(*v, {7, x, 11, 11, x, x % 2 == 0, -kInf, kInf}, rng);
      CheckProblem(*v, {13, 17, x, x, 17, true, -kInf, kInf}, rng);
      CheckProblem(*v, {1, x, x, x + 3, x, x % 3 == 0, -kInf, kInf}, rng);  // GEMV
    }
  }
}

TEST(GemmTest, RandomShapesStridesAndClamps) {
  std::mt19937 rng(2);
  std::uniform_int_distribution<int64_t> dim(1, 70);
  std::uniform_int_distribution<int64_t> extra(0, 5);
  for (const GemmVariant* v : SupportedVariants()) {
    for (int iter = 0; iter < 300; ++iter) {
      Problem p;
      p.m = dim(rng);
      p.n = dim(rng);
      p.k = dim(rng);
      p.lda = p.k + extra(rng);
      p.ldc = p.n + extra(rng);
      p.bias = iter % 2 == 0;
      p.act_min = iter % 3 == 0 ? -kInf : -0.5f;
      p.act_max = iter % 5 == 0 ? kInf : 0.7f;
      CheckProblem(*v, p, rng);
    }
  }
}

TEST(GemmTest, LargeShapesCrossCacheBlocks) {
  std::mt19937 rng(3);
  for (const GemmVariant* v : SupportedVariants()) {
    CheckProblem(*v, {300, 200, 700, 700, 200, true, 0.0f, 6.0f}, rng);   // K blocks
    CheckProblem(*v, {37, 600, 1300, 1301, 603, true, -kInf, kInf}, rng);  // N and K blocks
    CheckProblem(*v, {1, 1000, 2000, 2000, 1000, true, -kInf, kInf}, rng);  // big GEMV
    CheckProblem(*v, {4096, 64, 32, 32, 64, true, 0.0f, kInf}, rng);        // 1x1 conv shape
  }
}

TEST(GemmTest, ThreadCountDoesNotChangeBits) {
  std::mt19937 rng(4);
  ThreadPool pool3(3);
  ThreadPool pool2(2);
  // Row split, column-panel split (few rows), GEMV split over panels, too small to split, and
  // a K-blocked one.
  const int64_t shapes[][3] = {{257, 70, 300}, {5, 600, 600}, {1, 1000, 1200}, {64, 17, 9},
                               {1000, 24, 1100}};
  for (const GemmVariant* v : SupportedVariants()) {
    for (const auto& s : shapes) {
      const int64_t m = s[0], n = s[1], k = s[2];
      SCOPED_TRACE(std::string(v->name) + " " + std::to_string(m) + "x" + std::to_string(n) +
                   "x" + std::to_string(k));
      const std::vector<float> a = RandomVector(m * k, rng);
      const std::vector<float> w = RandomVector(n * k, rng);
      const std::vector<float> bias = RandomVector(n, rng);
      const PackedMatrix packed = PackedMatrix::FromTransposed(*v, n, k, w.data(), k);
      GemmEpilogue ep;
      ep.bias = bias.data();
      std::vector<float> c1(m * n, kNaN), c2(m * n, kNaN), c3(m * n, kNaN);
      Gemm(m, a.data(), k, packed, ep, c1.data(), n, nullptr);
      Gemm(m, a.data(), k, packed, ep, c2.data(), n, &pool2);
      Gemm(m, a.data(), k, packed, ep, c3.data(), n, &pool3);
      for (int64_t i = 0; i < m * n; ++i) {
        ASSERT_EQ(std::memcmp(&c1[i], &c2[i], 4), 0) << "element " << i;
        ASSERT_EQ(std::memcmp(&c1[i], &c3[i], 4), 0) << "element " << i;
        ASSERT_FALSE(std::isnan(c1[i])) << "element " << i;
      }
    }
  }
}

TEST(GemmTest, FromRowMajorMatchesFromTransposed) {
  std::mt19937 rng(5);
  for (const GemmVariant* v : SupportedVariants()) {
    const int64_t k = 23, n = 37, m = 9;
    const std::vector<float> b = RandomVector(k * (n + 2), rng);  // [k, n] with ld n+2
    std::vector<float> b_t(n * k);
    for (int64_t kk = 0; kk < k; ++kk) {
      for (int64_t j = 0; j < n; ++j) b_t[j * k + kk] = b[kk * (n + 2) + j];
    }
    const PackedMatrix p1 = PackedMatrix::FromRowMajor(*v, k, n, b.data(), n + 2);
    const PackedMatrix p2 = PackedMatrix::FromTransposed(*v, n, k, b_t.data(), k);
    ASSERT_EQ(p1.SizeBytes(), p2.SizeBytes());
    EXPECT_EQ(std::memcmp(p1.data(), p2.data(), p1.SizeBytes()), 0) << v->name;
    const std::vector<float> a = RandomVector(m * k, rng);
    std::vector<float> c(m * n, kNaN);
    Gemm(m, a.data(), k, p1, GemmEpilogue{}, c.data(), n);
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double want = 0, mag = 0;
        for (int64_t kk = 0; kk < k; ++kk) {
          want += static_cast<double>(a[i * k + kk]) * b[kk * (n + 2) + j];
          mag += std::fabs(static_cast<double>(a[i * k + kk]) * b[kk * (n + 2) + j]);
        }
        EXPECT_NEAR(c[i * n + j], want, 1e-5 * mag + 1e-6) << v->name;
      }
    }
  }
}

TEST(GemmTest, NanPropagatesThroughClamp) {
  // TFLite clamps with std::min(std::max(x, lo), hi), which keeps NaN.
  const float a[] = {kNaN, 1.0f};
  const float b_t[] = {1.0f, 1.0f};
  for (const GemmVariant* v : SupportedVariants()) {
    const PackedMatrix packed = PackedMatrix::FromTransposed(*v, 1, 2, b_t, 2);
    float c = 0.0f;
    GemmEpilogue ep;
    ep.act_min = 0.0f;
    ep.act_max = 6.0f;
    Gemm(1, a, 2, packed, ep, &c, 1);
    EXPECT_TRUE(std::isnan(c)) << v->name;
  }
}

TEST(GemmTest, ZeroRowsWritesNothing) {
  const float w[] = {1.0f};
  for (const GemmVariant* v : SupportedVariants()) {
    const PackedMatrix packed = PackedMatrix::FromTransposed(*v, 1, 1, w, 1);
    float c = 7.0f;
    Gemm(0, nullptr, 1, packed, GemmEpilogue{}, &c, 1);
    EXPECT_EQ(c, 7.0f);
  }
}

}  // namespace
}  // namespace compressd::kernels::optimized
