#include "core/kernels/optimized/int8_gemm.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/base/thread_pool.h"
#include "core/kernels/optimized/int8_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized {
namespace {

using testing::NaiveOutputStage;
using testing::QuantParams;
using testing::RandomInt8;
using testing::RandomQuantParams;
using testing::UseFp32Requant;
using testing::WrapAdd;

std::vector<const Int8GemmVariant*> SupportedVariants() {
  std::vector<const Int8GemmVariant*> out;
  for (const Int8GemmVariant& v : Int8GemmVariants()) {
    if (IsSupported(v)) out.push_back(&v);
  }
  return out;
}

Int8Requant MakeRequant(const QuantParams& q) {
  Int8Requant rq;
  rq.input_offset = -q.input_zero_point;
  rq.output_zero_point = q.output_zero_point;
  rq.multiplier = q.multiplier.data();
  rq.shift = q.shift.data();
  rq.fp32_scale = q.fp32_scale.empty() ? nullptr : q.fp32_scale.data();
  rq.act_min = q.act_min;
  rq.act_max = q.act_max;
  return rq;
}

struct Problem {
  int64_t m, n, k;
  int64_t lda, ldc;  // >= KPadded(k), >= n
  bool bias;
  bool realistic;
  bool per_channel = true;
  bool fp32 = false;  // XNNPACK's fp32 requantization
};

// Runs `p` with `variant`: A = random int8 widened with a random input offset (values in
// [-255, 255]), B = random int8 including -128; checks every element against a naive loop and
// that the columns of C past n keep their sentinel.
void CheckProblem(const Int8GemmVariant& variant, const Problem& p, std::mt19937& rng,
                  ThreadPool* pool = nullptr) {
  QuantParams q = RandomQuantParams(p.per_channel ? p.n : 1, p.realistic, rng);
  if (p.bias && !p.per_channel) {
    q.bias = RandomQuantParams(p.n, p.realistic, rng).bias;
  }
  if (p.fp32) UseFp32Requant(q, rng);
  SCOPED_TRACE(std::string(variant.name) + " m=" + std::to_string(p.m) +
               " n=" + std::to_string(p.n) + " k=" + std::to_string(p.k) +
               " lda=" + std::to_string(p.lda) + " ldc=" + std::to_string(p.ldc) +
               " bias=" + std::to_string(p.bias) + " realistic=" + std::to_string(p.realistic) +
               " per_channel=" + std::to_string(p.per_channel) + " " + q.ToString());
  const std::vector<int8_t> x = RandomInt8(p.m * p.lda, rng);
  std::vector<int16_t> a(static_cast<size_t>(p.m * p.lda));
  WidenInt8WithOffset(variant, x.data(), p.m * p.lda, -q.input_zero_point, a.data());
  const std::vector<int8_t> w = RandomInt8(p.n * p.k, rng);  // [n, k] = B transposed
  const PackedInt8Matrix packed = PackedInt8Matrix::FromTransposed(variant, p.n, p.k, w.data(),
                                                                   p.k);
  ASSERT_EQ(packed.n(), p.n);
  ASSERT_EQ(packed.k(), p.k);
  const int8_t sentinel = 99;
  std::vector<int8_t> c(static_cast<size_t>(p.m * p.ldc), sentinel);
  Int8Requant rq = MakeRequant(q);
  rq.per_channel = p.per_channel;
  Int8Gemm(p.m, a.data(), p.lda, packed, p.bias ? q.bias.data() : nullptr, rq, c.data(), p.ldc,
           pool);
  int failures = 0;
  for (int64_t i = 0; i < p.m && failures < 5; ++i) {
    for (int64_t j = 0; j < p.ldc && failures < 5; ++j) {
      const int8_t got = c[i * p.ldc + j];
      if (j >= p.n) {
        if (got != sentinel) {
          ADD_FAILURE() << "wrote past n at (" << i << "," << j << ")";
          ++failures;
        }
        continue;
      }
      int32_t acc = 0;
      for (int64_t kk = 0; kk < p.k; ++kk) {
        acc = WrapAdd(acc, (int32_t{x[i * p.lda + kk]} - q.input_zero_point) * w[j * p.k + kk]);
      }
      if (p.bias) acc = WrapAdd(acc, q.bias[j]);
      const int8_t want = NaiveOutputStage(acc, q, p.per_channel ? j : 0);
      if (got != want) {
        ADD_FAILURE() << "C(" << i << "," << j << ") = " << int{got} << ", want " << int{want}
                      << " (acc " << acc << ")";
        ++failures;
      }
    }
  }
}

TEST(Int8GemmTest, RegistryHasPortableAndDefaultIsSupported) {
  ASSERT_FALSE(Int8GemmVariants().empty());
  EXPECT_EQ(Int8GemmVariants()[0].isa, CpuIsa::kPortable);
  EXPECT_TRUE(IsSupported(DefaultInt8GemmVariant()));
  for (const Int8GemmVariant& v : Int8GemmVariants()) {
    EXPECT_GT(v.mr, 0) << v.name;
    EXPECT_GT(v.nr, 0) << v.name;
    EXPECT_NE(v.block, nullptr) << v.name;
    EXPECT_NE(v.widen, nullptr) << v.name;
  }
#if defined(__x86_64__)
  if (GetCpuFeatures().avx2_fma) {
    EXPECT_EQ(DefaultInt8GemmVariant().isa, CpuIsa::kAvx2Fma);
  }
#endif
}

TEST(Int8GemmTest, HandComputedTwoByTwo) {
  // A = [[1, 2], [3, 4]] - 1 (input zero point 1), B = [[5, 6], [7, -8]]:
  // (A - 1) * B = [[0, 1], [2, 3]] * B = [[7, -8], [31, -12]]; bias [1, -100] -> [[8, -108],
  // [32, -112]]; multiplier 2^30 with shift 0 halves with ties up (floor((x + 1) / 2))
  // -> [[4, -54], [16, -56]]; output zero point 3.
  const int8_t x[] = {1, 2, 3, 4};
  const int8_t b_t[] = {5, 7, 6, -8};  // B transposed
  const int32_t bias[] = {1, -100};
  const int32_t mult[] = {1 << 30, 1 << 30};
  const int32_t shift[] = {0, 0};
  Int8Requant rq;
  rq.input_offset = -1;
  rq.output_zero_point = 3;
  rq.multiplier = mult;
  rq.shift = shift;
  for (const Int8GemmVariant* v : SupportedVariants()) {
    int16_t a[4];
    WidenInt8WithOffset(*v, x, 4, rq.input_offset, a);
    const PackedInt8Matrix packed = PackedInt8Matrix::FromTransposed(*v, 2, 2, b_t, 2);
    int8_t c[4] = {0, 0, 0, 0};
    Int8Gemm(2, a, 2, packed, bias, rq, c, 2);
    EXPECT_EQ(c[0], 4 + 3) << v->name;
    EXPECT_EQ(c[1], -54 + 3) << v->name;
    EXPECT_EQ(c[2], 16 + 3) << v->name;
    EXPECT_EQ(c[3], -56 + 3) << v->name;
  }
}

TEST(Int8GemmTest, WidenMatchesScalarForAllLengthsAndOffsets) {
  std::mt19937 rng(7);
  const std::vector<int8_t> src = RandomInt8(200, rng);
  for (const Int8GemmVariant* v : SupportedVariants()) {
    for (int32_t offset : {-127, -1, 0, 1, 128}) {
      for (int64_t n = 0; n <= 70; ++n) {
        std::vector<int16_t> dst(static_cast<size_t>(n) + 1, 12345);
        WidenInt8WithOffset(*v, src.data() + 3, n, offset, dst.data());
        for (int64_t i = 0; i < n; ++i) {
          ASSERT_EQ(dst[i], src[3 + i] + offset) << v->name << " n=" << n << " i=" << i;
        }
        ASSERT_EQ(dst[n], 12345) << v->name << " wrote past n=" << n;
      }
    }
  }
}

TEST(Int8GemmTest, RandomShapesAllVariants) {
  std::mt19937 rng(42);
  const int64_t ms[] = {1, 2, 3, 4, 5, 7, 8, 13, 33};
  const int64_t ns[] = {1, 3, 8, 9, 15, 16, 17, 31, 33, 64};
  const int64_t ks[] = {1, 2, 3, 7, 16, 33, 100};
  for (const Int8GemmVariant* v : SupportedVariants()) {
    for (int64_t m : ms) {
      for (int64_t n : ns) {
        for (int64_t k : ks) {
          const bool realistic = (m + n + k) % 2 == 0;
          CheckProblem(*v, {m, n, k, KPadded(k), n, (m + k) % 3 != 0, realistic}, rng);
        }
      }
    }
  }
}

TEST(Int8GemmTest, Fp32RequantizationAllVariants) {
  // XNNPACK's fp32 output stage: every tile remainder, per channel and per tensor.
  std::mt19937 rng(47);
  const int64_t ms[] = {1, 3, 4, 5, 13};
  const int64_t ns[] = {1, 8, 9, 16, 17, 33};
  const int64_t ks[] = {1, 16, 33};
  for (const Int8GemmVariant* v : SupportedVariants()) {
    for (int64_t m : ms) {
      for (int64_t n : ns) {
        for (int64_t k : ks) {
          Problem p{m, n, k, KPadded(k) + 2, n + 1, (m + k) % 3 != 0, true};
          p.per_channel = (m + n) % 4 != 0;
          p.fp32 = true;
          CheckProblem(*v, p, rng);
        }
      }
    }
  }
}

TEST(Int8GemmTest, LeadingDimensionsAndPerTensor) {
  std::mt19937 rng(43);
  for (const Int8GemmVariant* v : SupportedVariants()) {
    CheckProblem(*v, {9, 20, 17, 30, 27, true, true}, rng);
    CheckProblem(*v, {6, 5, 8, 8, 11, false, false}, rng);
    Problem p{11, 37, 45, 46, 40, true, true};
    p.per_channel = false;
    CheckProblem(*v, p, rng);
    p.realistic = false;
    CheckProblem(*v, p, rng);
  }
}

TEST(Int8GemmTest, LargeDepthAndWideMatrices) {
  std::mt19937 rng(44);
  for (const Int8GemmVariant* v : SupportedVariants()) {
    CheckProblem(*v, {1, 1000, 1024, 1024, 1000, true, true}, rng);  // FC GEMV
    CheckProblem(*v, {50, 70, 4608, 4608, 70, true, true}, rng);     // 3x3x512 depth
    CheckProblem(*v, {37, 700, 300, 300, 700, true, false}, rng);    // several column blocks
  }
}

TEST(Int8GemmTest, ExtremeOperandsHitEveryRequantCorner) {
  // All-(-255) activations times all-(-128) weights: the largest accumulators (k * 32640),
  // with every multiplier/shift corner.
  for (const Int8GemmVariant* v : SupportedVariants()) {
    const int64_t m = 5, n = 24, k = 129;
    std::vector<int8_t> x(static_cast<size_t>(m * KPadded(k)), -128);
    std::vector<int16_t> a(x.size());
    WidenInt8WithOffset(*v, x.data(), static_cast<int64_t>(x.size()), -127, a.data());
    std::vector<int8_t> w(static_cast<size_t>(n * k), -128);
    for (int64_t j = 0; j < n; j += 3) w[j * k] = 127;
    const PackedInt8Matrix packed = PackedInt8Matrix::FromTransposed(*v, n, k, w.data(), k);
    QuantParams q;
    q.input_zero_point = 127;
    const int32_t kMin = std::numeric_limits<int32_t>::min();
    const int32_t kMax = std::numeric_limits<int32_t>::max();
    const int32_t mults[] = {kMin, kMax, 0, 1 << 30, -(1 << 30), 1, -1, 1518500250};
    const int32_t shifts[] = {-31, 31, 0, 1, -1, 30, -30, 7};
    for (int64_t j = 0; j < n; ++j) {
      q.multiplier.push_back(mults[j % 8]);
      q.shift.push_back(shifts[(j / 8 + j) % 8]);
      q.bias.push_back(j % 2 == 0 ? kMin : kMax - static_cast<int32_t>(j));
    }
    for (int32_t zp : {-128, 0, 127}) {
      q.output_zero_point = zp;
      std::vector<int8_t> c(static_cast<size_t>(m * n));
      Int8Gemm(m, a.data(), KPadded(k), packed, q.bias.data(), MakeRequant(q), c.data(), n);
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          int32_t acc = 0;
          for (int64_t kk = 0; kk < k; ++kk) acc = WrapAdd(acc, -255 * int32_t{w[j * k + kk]});
          acc = WrapAdd(acc, q.bias[j]);
          ASSERT_EQ(c[i * n + j], NaiveOutputStage(acc, q, j))
              << v->name << " (" << i << "," << j << ") zp=" << zp;
        }
      }
    }
  }
}

TEST(Int8GemmTest, SaturatingHighMulCorner) {
  // SaturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN) saturates to INT32_MAX: reached with
  // acc == INT32_MIN (bias INT32_MIN, zero products) and shift 0, or an odd acc shifted left by
  // 31; other channels use neighbouring values.
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  for (const Int8GemmVariant* v : SupportedVariants()) {
    const int64_t m = 3, n = 20, k = 3;
    std::vector<int8_t> x(static_cast<size_t>(m * KPadded(k)), 5);
    std::vector<int16_t> a(x.size());
    WidenInt8WithOffset(*v, x.data(), static_cast<int64_t>(x.size()), -5, a.data());  // zeros
    std::vector<int8_t> w(static_cast<size_t>(n * k), 77);
    const PackedInt8Matrix packed = PackedInt8Matrix::FromTransposed(*v, n, k, w.data(), k);
    QuantParams q;
    q.input_zero_point = 5;
    for (int64_t j = 0; j < n; ++j) {
      q.multiplier.push_back(j % 4 == 3 ? kMin + 1 : kMin);
      q.shift.push_back(j % 2 == 0 ? 0 : 31);
      q.bias.push_back(j % 2 == 0 ? kMin : static_cast<int32_t>(2 * j + 1));
    }
    for (int32_t zp : {0, 1, -128}) {
      q.output_zero_point = zp;
      std::vector<int8_t> c(static_cast<size_t>(m * n));
      Int8Gemm(m, a.data(), KPadded(k), packed, q.bias.data(), MakeRequant(q), c.data(), n);
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          ASSERT_EQ(c[i * n + j], NaiveOutputStage(q.bias[j], q, j))
              << v->name << " (" << i << "," << j << ") zp=" << zp;
        }
      }
    }
  }
}

TEST(Int8GemmTest, RequantizationRoundsLikeTfliteAtTiesOfBothSigns) {
  // Accumulators chosen so that the requantized value lands inside int8 (where no clamp hides a
  // wrong rounding), many of them exactly on RoundingDivideByPOT's ties: with multiplier 2^30
  // SaturatingRoundingDoublingHighMul(acc) = floor((acc + 1) / 2), so acc = (2t + 1) * 2^r + e
  // for e in [-2, 2] sits on or next to the tie t + 1/2 at right shift r, on both sides of zero;
  // plus random multipliers with random and left shifts. acc = bias (A is all zero after adding
  // the input offset), one column per case.
  std::mt19937 rng(77);
  std::vector<int32_t> acc, mult, shift;
  for (int32_t r = 0; r <= 24; ++r) {
    for (int32_t t = -60; t <= 60; t += 7) {
      for (int32_t e = -2; e <= 2; ++e) {
        acc.push_back(static_cast<int32_t>((2 * int64_t{t} + 1) * (int64_t{1} << r) + e));
        mult.push_back(1 << 30);
        shift.push_back(-r);
      }
    }
  }
  std::uniform_int_distribution<int32_t> any_m(1 << 30, std::numeric_limits<int32_t>::max());
  for (int i = 0; i < 4000; ++i) {
    const int32_t m = any_m(rng);
    const int32_t s = std::uniform_int_distribution<int32_t>(-20, 3)(rng);
    // A target in [-120, 120] back through the multiplier, then a small offset.
    const double target = std::uniform_real_distribution<double>(-120.0, 120.0)(rng);
    const double a = target * std::ldexp(1.0, 31 - s) / m;
    acc.push_back(static_cast<int32_t>(std::llround(a)) +
                  std::uniform_int_distribution<int32_t>(-3, 3)(rng));
    mult.push_back(m);
    shift.push_back(s);
  }
  const int64_t n = static_cast<int64_t>(acc.size()), k = 2;
  for (const Int8GemmVariant* v : SupportedVariants()) {
    std::vector<int8_t> x(static_cast<size_t>(KPadded(k)), -7);
    std::vector<int16_t> a(x.size());
    WidenInt8WithOffset(*v, x.data(), static_cast<int64_t>(x.size()), 7, a.data());  // zeros
    std::vector<int8_t> w(static_cast<size_t>(n * k), -100);
    const PackedInt8Matrix packed = PackedInt8Matrix::FromTransposed(*v, n, k, w.data(), k);
    QuantParams q;
    q.input_zero_point = -7;
    q.multiplier = mult;
    q.shift = shift;
    q.bias = acc;
    std::vector<int8_t> c(static_cast<size_t>(n));
    Int8Gemm(1, a.data(), KPadded(k), packed, q.bias.data(), MakeRequant(q), c.data(), n);
    int failures = 0;
    for (int64_t j = 0; j < n && failures < 5; ++j) {
      const int8_t want = NaiveOutputStage(acc[j], q, j);
      if (c[j] != want) {
        ADD_FAILURE() << v->name << ": acc " << acc[j] << " multiplier " << mult[j] << " shift "
                      << shift[j] << " -> " << int{c[j]} << ", want " << int{want};
        ++failures;
      }
    }
  }
}

TEST(Int8GemmTest, ResultsDoNotDependOnThreadCount) {
  std::mt19937 rng(45);
  for (const Int8GemmVariant* v : SupportedVariants()) {
    for (int threads : {2, 3, 5}) {
      ThreadPool pool(threads);
      CheckProblem(*v, {301, 72, 130, 130, 72, true, true}, rng, &pool);  // split over rows
      CheckProblem(*v, {3, 400, 900, 900, 400, true, true}, rng, &pool);  // over panels
    }
  }
}

}  // namespace
}  // namespace compressd::kernels::optimized
