// IntegerArithmetic::kXnnpack for ADD, MUL, QUANTIZE (float32 -> int8, int8 -> int8), MEAN
// (global average pooling) and RESIZE_BILINEAR: exact equality on random data with straightforward
// loops written here from XNNPACK's formulas (see op_kernel.h), and kTfliteBuiltin unchanged (same
// bytes as a harness that never sets the profile).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "core/kernels/nn_kernels.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/quant_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;
using testing::Q;
using testing::RandomScale;
using testing::RandomValues;

// Round half to even, computed without nearbyint.
int64_t RoundEven(double x) {
  const double f = std::floor(x);
  const double d = x - f;
  int64_t r = static_cast<int64_t>(f);
  if (d > 0.5 || (d == 0.5 && (r % 2 != 0))) ++r;
  return r;
}

// xnn_qs8_quantize of an activation bound.
int32_t Bound(float v, float scale, int32_t zp) {
  float q = v / scale + static_cast<float>(zp);
  q = std::clamp(q, -128.0f, 127.0f);
  return static_cast<int32_t>(RoundEven(q));
}

void ActBounds(ir::Activation act, float* lo, float* hi) {
  *lo = -INFINITY;
  *hi = INFINITY;
  if (act == ir::Activation::kRelu) *lo = 0.0f;
  if (act == ir::Activation::kRelu6) *lo = 0.0f, *hi = 6.0f;
  if (act == ir::Activation::kReluN1To1) *lo = -1.0f, *hi = 1.0f;
}

int32_t RandomZp(std::mt19937& rng) { return std::uniform_int_distribution<int>(-128, 127)(rng); }

const ir::Activation kActs[] = {ir::Activation::kNone, ir::Activation::kRelu,
                                ir::Activation::kRelu6, ir::Activation::kReluN1To1};

template <typename Options>
std::vector<int8_t> RunBinary(const OpKernel& k, Options o, IntegerArithmetic a, bool set,
                              const Shape& sa, const std::vector<int8_t>& va, float qa, int32_t za,
                              const Shape& sb, const std::vector<int8_t>& vb, float qb, int32_t zb,
                              float qo, int32_t zo) {
  OpHarness h(k, o);
  if (set) h.set_integer_arithmetic(a);
  h.AddInput(ir::DataType::kInt8, sa, va, Q(qa, za));
  h.AddInput(ir::DataType::kInt8, sb, vb, Q(qb, zb));
  h.AddOutput(ir::DataType::kInt8, Shape(), Q(qo, zo));
  EXPECT_TRUE(h.Run().ok());
  return h.OutputData<int8_t>(0);
}

TEST(AddXnnpackTest, MatchesXnnpackFormula) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 300; ++iter) {
    const Shape sa{2, 3, 4, 5};
    const Shape sb = iter % 3 == 0 ? Shape{1, 1, 1, 5} : Shape{2, 3, 4, 5};
    const auto va = RandomValues<int8_t>(rng, sa.FlatSize());
    const auto vb = RandomValues<int8_t>(rng, sb.FlatSize());
    const float so = RandomScale(rng, 0.01f, 1.0f);
    const float s1 = so * RandomScale(rng, 0.002f, 200.0f);
    const float s2 = so * RandomScale(rng, 0.002f, 200.0f);
    const int32_t z1 = RandomZp(rng), z2 = RandomZp(rng), zo = RandomZp(rng);
    const ir::Activation act = kActs[iter % 4];
    const auto got = RunBinary(AddKernel(), ir::AddOptions{act}, IntegerArithmetic::kXnnpack, true,
                               sa, va, s1, z1, sb, vb, s2, z2, so, zo);
    // Expected: XNNPACK's qs8 ADD.
    const float r1 = s1 / so, r2 = s2 / so;
    const bool supported = r1 >= std::ldexp(1.0f, -10) && r1 < 256.0f &&
                           r2 >= std::ldexp(1.0f, -10) && r2 < 256.0f;
    const auto builtin = RunBinary(AddKernel(), ir::AddOptions{act},
                                   IntegerArithmetic::kTfliteBuiltin, false, sa, va, s1, z1, sb,
                                   vb, s2, z2, so, zo);
    if (!supported) {  // the delegate declines: builtin arithmetic
      EXPECT_EQ(got, builtin);
      continue;
    }
    const int e = std::ilogb(std::max(r1, r2));
    const int shift = 20 - e;
    const int64_t m1 = RoundEven(std::ldexp(static_cast<double>(r1), shift));
    const int64_t m2 = RoundEven(std::ldexp(static_cast<double>(r2), shift));
    float lo, hi;
    ActBounds(act, &lo, &hi);
    const int32_t omin = Bound(lo, so, zo), omax = Bound(hi, so, zo);
    std::vector<int8_t> want(got.size());
    for (size_t i = 0; i < want.size(); ++i) {
      const int64_t a = va[i];
      const int64_t b = vb[sb.FlatSize() == 5 ? i % 5 : i];
      const int64_t acc = m1 * (a - z1) + m2 * (b - z2) + (int64_t{1} << (shift - 1));
      const int64_t q =
          static_cast<int64_t>(std::floor(std::ldexp(static_cast<double>(acc), -shift)));
      want[i] = static_cast<int8_t>(std::clamp<int64_t>(q + zo, omin, omax));
    }
    ASSERT_EQ(got, want) << "iter " << iter;
  }
}

TEST(AddXnnpackTest, BuiltinProfileUnchanged) {
  std::mt19937 rng(8);
  int differing = 0;
  for (int iter = 0; iter < 50; ++iter) {
    const Shape s{1, 4, 4, 8};
    const auto va = RandomValues<int8_t>(rng, s.FlatSize());
    const auto vb = RandomValues<int8_t>(rng, s.FlatSize());
    const float so = RandomScale(rng, 0.01f, 1.0f);
    // Half of the cases with input/output scale ratios of exactly 1/2: sums of half-integers, so
    // ties are frequent (XNNPACK rounds them up, TFLite away from zero).
    const bool ties = iter % 2 == 0;
    const float s1 = ties ? so * 0.5f : so * RandomScale(rng, 0.1f, 10.0f);
    const float s2 = ties ? so * 0.5f : so * RandomScale(rng, 0.1f, 10.0f);
    const int32_t z1 = RandomZp(rng), z2 = RandomZp(rng), zo = RandomZp(rng);
    const auto def = RunBinary(AddKernel(), ir::AddOptions{}, IntegerArithmetic::kTfliteBuiltin,
                               false, s, va, s1, z1, s, vb, s2, z2, so, zo);
    const auto builtin = RunBinary(AddKernel(), ir::AddOptions{}, IntegerArithmetic::kTfliteBuiltin,
                                   true, s, va, s1, z1, s, vb, s2, z2, so, zo);
    const auto xnn = RunBinary(AddKernel(), ir::AddOptions{}, IntegerArithmetic::kXnnpack, true, s,
                               va, s1, z1, s, vb, s2, z2, so, zo);
    ASSERT_EQ(def, builtin);
    if (xnn != builtin) ++differing;
  }
  EXPECT_GT(differing, 0);  // the profiles are really different arithmetic
}

TEST(MulXnnpackTest, MatchesXnnpackFormula) {
  std::mt19937 rng(9);
  for (int iter = 0; iter < 300; ++iter) {
    const Shape sa{2, 3, 4, 5};
    const Shape sb = iter % 3 == 0 ? Shape{1, 1, 1, 5} : Shape{2, 3, 4, 5};
    const auto va = RandomValues<int8_t>(rng, sa.FlatSize());
    const auto vb = RandomValues<int8_t>(rng, sb.FlatSize());
    const float s1 = RandomScale(rng, 0.001f, 1.0f), s2 = RandomScale(rng, 0.001f, 1.0f);
    const float so = s1 * s2 * RandomScale(rng, 0.005f, 5000.0f);
    const int32_t z1 = RandomZp(rng), z2 = RandomZp(rng), zo = RandomZp(rng);
    const ir::Activation act = kActs[iter % 4];
    const auto got = RunBinary(MulKernel(), ir::MulOptions{act}, IntegerArithmetic::kXnnpack, true,
                               sa, va, s1, z1, sb, vb, s2, z2, so, zo);
    const float product = s1 * s2;
    const float scale = product / so;
    if (!(scale >= std::ldexp(1.0f, -16) && scale < 256.0f)) {
      EXPECT_EQ(got, RunBinary(MulKernel(), ir::MulOptions{act}, IntegerArithmetic::kTfliteBuiltin,
                               false, sa, va, s1, z1, sb, vb, s2, z2, so, zo));
      continue;
    }
    float lo, hi;
    ActBounds(act, &lo, &hi);
    const int32_t omin = Bound(lo, so, zo), omax = Bound(hi, so, zo);
    std::vector<int8_t> want(got.size());
    for (size_t i = 0; i < want.size(); ++i) {
      const int32_t a = va[i] - z1;
      const int32_t b = vb[sb.FlatSize() == 5 ? i % 5 : i] - z2;
      const float f = static_cast<float>(a * b) * scale;
      const int64_t q = RoundEven(f) + zo;
      want[i] = static_cast<int8_t>(std::clamp<int64_t>(q, omin, omax));
    }
    ASSERT_EQ(got, want) << "iter " << iter;
  }
}

TEST(QuantizeXnnpackTest, MatchesXnnpackFormula) {
  std::mt19937 rng(10);
  for (int iter = 0; iter < 100; ++iter) {
    const float scale = RandomScale(rng, 0.001f, 1.0f);
    const int32_t zp = RandomZp(rng);
    std::vector<float> in(257);
    std::uniform_real_distribution<float> d(-200.0f * scale, 200.0f * scale);
    for (float& x : in) x = d(rng);
    // Exact ties in units of the reciprocal scale.
    for (int i = 0; i < 20; ++i) {
      in[static_cast<size_t>(i)] = (static_cast<float>(i) - 10.5f) * scale;
    }
    for (bool xnn : {false, true}) {
      OpHarness h(QuantizeKernel());
      if (xnn) h.set_integer_arithmetic(IntegerArithmetic::kXnnpack);
      h.AddInput(ir::DataType::kFloat32, Shape{257}, in);
      h.AddOutput(ir::DataType::kInt8, Shape{257}, Q(scale, zp));
      ASSERT_TRUE(h.Run().ok());
      const auto got = h.OutputData<int8_t>(0);
      const float inv = 1.0f / scale;
      for (size_t i = 0; i < in.size(); ++i) {
        int64_t want;
        if (xnn) {
          want = RoundEven(static_cast<float>(in[i] * inv)) + zp;
        } else {  // TFLite builtin: round half away from zero of x / scale
          want = static_cast<int64_t>(std::round(in[i] / scale)) + zp;
        }
        want = std::clamp<int64_t>(want, -128, 127);
        ASSERT_EQ(got[i], want) << "iter " << iter << " i " << i << " xnn " << xnn;
      }
    }
  }
}

TEST(QuantizeXnnpackTest, Int8RequantizationMatchesXnnpackFormula) {
  std::mt19937 rng(13);
  std::vector<int8_t> in(256);
  for (int i = 0; i < 256; ++i) in[static_cast<size_t>(i)] = static_cast<int8_t>(i - 128);
  for (int iter = 0; iter < 200; ++iter) {
    const float si = RandomScale(rng, 0.001f, 1.0f);
    const float so = si * RandomScale(rng, 0.002f, 300.0f);
    const int32_t zi = RandomZp(rng), zo = RandomZp(rng);
    auto run = [&](bool xnn) {
      OpHarness h(QuantizeKernel());
      if (xnn) h.set_integer_arithmetic(IntegerArithmetic::kXnnpack);
      h.AddInput(ir::DataType::kInt8, Shape{256}, in, Q(si, zi));
      h.AddOutput(ir::DataType::kInt8, Shape{256}, Q(so, zo));
      EXPECT_TRUE(h.Run().ok());
      return h.OutputData<int8_t>(0);
    };
    const auto got = run(true);
    const float ratio = si / so;
    if (!(ratio >= 1.0f / 256.0f && ratio <= 128.0f)) {  // declined: builtin
      EXPECT_EQ(got, run(false));
      continue;
    }
    const int64_t m = RoundEven(256.0 * static_cast<double>(ratio));
    for (int i = 0; i < 256; ++i) {
      // (x - zi) * m / 256 + zo, rounded half up (floor of + 1/2).
      const int64_t num = (static_cast<int64_t>(i - 128) - zi) * m + 128;
      const int64_t q = static_cast<int64_t>(std::floor(static_cast<double>(num) / 256.0)) + zo;
      ASSERT_EQ(got[static_cast<size_t>(i)], std::clamp<int64_t>(q, -128, 127))
          << "iter " << iter << " x " << (i - 128);
    }
  }
}

TEST(MeanXnnpackTest, GlobalAveragePoolingMatchesXnnpackFormula) {
  std::mt19937 rng(11);
  for (int iter = 0; iter < 100; ++iter) {
    const int hgt = 1 + iter % 7, wid = 1 + (iter / 7) % 9, ch = 3;
    const Shape s{2, hgt, wid, ch};
    const auto v = RandomValues<int8_t>(rng, s.FlatSize());
    const float si = RandomScale(rng, 0.01f, 1.0f), so = si * RandomScale(rng, 0.3f, 3.0f);
    const int32_t zi = RandomZp(rng), zo = RandomZp(rng);
    auto run = [&](bool xnn) {
      OpHarness h(MeanKernel(), ir::ReducerOptions{iter % 2 == 0});
      if (xnn) h.set_integer_arithmetic(IntegerArithmetic::kXnnpack);
      h.AddInput(ir::DataType::kInt8, s, v, Q(si, zi));
      h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{1, 2});
      h.AddOutput(ir::DataType::kInt8, Shape(), Q(so, zo));
      EXPECT_TRUE(h.Run().ok());
      return h.OutputData<int8_t>(0);
    };
    const auto got = run(true);
    const int64_t n = hgt * wid;
    const float scale = si / (so * static_cast<float>(n));
    for (int64_t b = 0; b < 2; ++b) {
      for (int64_t c = 0; c < ch; ++c) {
        int32_t sum = 0;
        for (int64_t i = 0; i < n; ++i) sum += v[static_cast<size_t>((b * n + i) * ch + c)] - zi;
        const float f = static_cast<float>(sum) * scale;
        const int64_t want = std::clamp<int64_t>(RoundEven(f) + zo, -128, 127);
        ASSERT_EQ(got[static_cast<size_t>(b * ch + c)], want) << "iter " << iter;
      }
    }
    // The builtin profile is the default.
    OpHarness h(MeanKernel(), ir::ReducerOptions{iter % 2 == 0});
    h.set_integer_arithmetic(IntegerArithmetic::kTfliteBuiltin);
    h.AddInput(ir::DataType::kInt8, s, v, Q(si, zi));
    h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{1, 2});
    h.AddOutput(ir::DataType::kInt8, Shape(), Q(so, zo));
    ASSERT_TRUE(h.Run().ok());
    EXPECT_EQ(h.OutputData<int8_t>(0), run(false));
  }
}

TEST(ResizeBilinearXnnpackTest, MatchesXnnpackFormula) {
  std::mt19937 rng(12);
  struct Mode {
    bool align, half;
  };
  for (const Mode mode : {Mode{false, false}, Mode{true, false}, Mode{false, true}}) {
    for (int iter = 0; iter < 30; ++iter) {
      const int ih = 1 + iter % 5, iw = 2 + iter % 4, ch = 2;
      const int32_t oh = static_cast<int32_t>(1 + (iter * 7) % 11);
      const int32_t ow = static_cast<int32_t>(1 + (iter * 5) % 13);
      const Shape s{1, ih, iw, ch};
      const auto v = RandomValues<int8_t>(rng, s.FlatSize());
      OpHarness h(ResizeBilinearKernel(), ir::ResizeBilinearOptions{mode.align, mode.half});
      h.set_integer_arithmetic(IntegerArithmetic::kXnnpack);
      h.AddInput(ir::DataType::kInt8, s, v, Q(0.1f, 3));
      h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{oh, ow});
      h.AddOutput(ir::DataType::kInt8, Shape(), Q(0.1f, 3));
      ASSERT_TRUE(h.Run().ok());
      const auto got = h.OutputData<int8_t>(0);
      // Source coordinate in float, as XNNPACK's q11 indirection setup computes it.
      auto tap = [&](int64_t o, int64_t in, int64_t out, int64_t* lo, int64_t* hi, int32_t* w) {
        const bool adj = mode.align && out != 1;
        const float sc = static_cast<float>(in - (adj ? 1 : 0)) /
                         static_cast<float>(out - (adj ? 1 : 0));
        float x = static_cast<float>(o) * sc;
        if (!mode.align && mode.half) {
          x = x + (0.5f * sc - 0.5f);
          x = std::clamp(x, 0.0f, static_cast<float>(in - 1));
        }
        *lo = static_cast<int64_t>(x);
        *hi = std::min<int64_t>(*lo + 1, in - 1);
        *w = static_cast<int32_t>(RoundEven((x - static_cast<float>(*lo)) * 2048.0f));
      };
      for (int64_t y = 0; y < oh; ++y) {
        int64_t y0, y1;
        int32_t wy;
        tap(y, ih, oh, &y0, &y1, &wy);
        for (int64_t x = 0; x < ow; ++x) {
          int64_t x0, x1;
          int32_t wx;
          tap(x, iw, ow, &x0, &x1, &wx);
          for (int64_t c = 0; c < ch; ++c) {
            auto at = [&](int64_t yy, int64_t xx) {
              return static_cast<int64_t>(v[static_cast<size_t>((yy * iw + xx) * ch + c)]);
            };
            const int64_t top = at(y0, x0) * 2048 + (at(y0, x1) - at(y0, x0)) * wx;
            const int64_t bot = at(y1, x0) * 2048 + (at(y1, x1) - at(y1, x0)) * wx;
            const int64_t acc = top * 2048 + (bot - top) * wy;
            const int64_t want =
                static_cast<int64_t>(std::floor(static_cast<double>(acc + (1 << 21)) / 4194304.0));
            ASSERT_EQ(got[static_cast<size_t>((y * ow + x) * ch + c)], want)
                << "iter " << iter << " y " << y << " x " << x;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace compressd::kernels
