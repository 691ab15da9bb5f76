#include "core/kernels/optimized/int8_conv_2d.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/base/thread_pool.h"
#include "core/kernels/optimized/int8_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized {
namespace {

using testing::AxisCase;
using testing::AxisString;
using testing::ExpectSameInt8;
using testing::MakeAxis;
using testing::MakeParams;
using testing::NaiveInt8Conv2D;
using testing::QuantParams;
using testing::RandomInt8;
using testing::RandomQuantParams;
using testing::UseFp32Requant;

std::vector<const Int8GemmVariant*> SupportedVariants() {
  std::vector<const Int8GemmVariant*> out;
  for (const Int8GemmVariant& v : Int8GemmVariants()) {
    if (IsSupported(v)) out.push_back(&v);
  }
  return out;
}

struct ConvCase {
  int32_t batch, in_c, out_c;
  AxisCase h, w;
  bool bias;
  bool realistic;
  bool per_channel = true;
  bool fp32 = false;  // XNNPACK's fp32 requantization
};

std::string CaseString(const ConvCase& c) {
  return "batch=" + std::to_string(c.batch) + " in_c=" + std::to_string(c.in_c) +
         " out_c=" + std::to_string(c.out_c) + " H{" + AxisString(c.h) + "} W{" +
         AxisString(c.w) + "} bias=" + std::to_string(c.bias) +
         " realistic=" + std::to_string(c.realistic) +
         " per_channel=" + std::to_string(c.per_channel) + " fp32=" + std::to_string(c.fp32);
}

Int8Requant MakeRequant(const QuantParams& q, bool per_channel) {
  Int8Requant rq;
  rq.input_offset = -q.input_zero_point;
  rq.output_zero_point = q.output_zero_point;
  rq.multiplier = q.multiplier.data();
  rq.shift = q.shift.data();
  rq.fp32_scale = q.fp32_scale.empty() ? nullptr : q.fp32_scale.data();
  rq.act_min = q.act_min;
  rq.act_max = q.act_max;
  rq.per_channel = per_channel;
  return rq;
}

// Runs the case with every supported GEMM variant, without and with `pool`, and compares every
// output with the naive loops; the output starts as a sentinel so unwritten elements show.
void CheckCase(const ConvCase& c, std::mt19937& rng, ThreadPool* pool = nullptr) {
  QuantParams q = RandomQuantParams(c.out_c, c.realistic, rng);
  if (c.fp32) UseFp32Requant(q, rng);
  if (!c.per_channel) {
    for (int32_t i = 1; i < c.out_c; ++i) {
      q.multiplier[i] = q.multiplier[0];
      q.shift[i] = q.shift[0];
      if (c.fp32) q.fp32_scale[i] = q.fp32_scale[0];
    }
  }
  SCOPED_TRACE(CaseString(c) + " " + q.ToString());
  const ConvParams p = MakeParams(c.h, c.w);
  const Shape in_s{c.batch, c.h.in, c.w.in, c.in_c};
  const Shape f_s{c.out_c, c.h.filter, c.w.filter, c.in_c};
  const Shape out_s{c.batch, c.h.out, c.w.out, c.out_c};
  ASSERT_TRUE(Int8Conv2DSupports(in_s, f_s));
  const std::vector<int8_t> in = RandomInt8(in_s.FlatSize(), rng);
  const std::vector<int8_t> f = RandomInt8(f_s.FlatSize(), rng);
  const std::vector<int8_t> want = NaiveInt8Conv2D(p, in_s, in, f_s, f, c.bias, q, out_s);
  const Int8Requant rq = MakeRequant(q, c.per_channel);
  for (const Int8GemmVariant* v : SupportedVariants()) {
    const PackedInt8ConvFilter filter = PackInt8ConvFilter(f_s, f.data(), *v);
    for (ThreadPool* tp : {static_cast<ThreadPool*>(nullptr), pool}) {
      const int threads = tp == nullptr ? 1 : tp->num_threads();
      const int64_t bytes = Int8ConvScratchBytes(p, in_s, f_s, out_s, threads);
      AlignedBuffer scratch((bytes + 3) / 4);  // exact size (overruns show under ASan)
      std::vector<int8_t> got(static_cast<size_t>(out_s.FlatSize()), 77);
      Int8Conv2D(p, in_s, in.data(), filter, c.bias ? q.bias.data() : nullptr, rq, out_s,
                 got.data(), bytes > 0 ? scratch.data() : nullptr, tp);
      ExpectSameInt8(want, got.data(), std::string(v->name) + " threads=" +
                                           std::to_string(threads));
      if (pool == nullptr) break;
    }
  }
}

TEST(Int8Conv2DTest, MobileNetShapes) {
  std::mt19937 rng(11);
  // {in_c, out_c, filter, stride, in}: 1x1 pointwise, 3x3 s1/s2, the 3-channel stem.
  const int32_t cases[][5] = {{32, 64, 1, 1, 10}, {64, 24, 1, 1, 7},  {16, 32, 3, 1, 12},
                              {3, 32, 3, 2, 17},  {24, 40, 3, 2, 9},  {40, 17, 5, 1, 8},
                              {8, 8, 1, 2, 9},    {1, 5, 3, 1, 6}};
  for (const auto& k : cases) {
    const AxisCase h = MakeAxis(k[4], k[2], k[3], 1, 0, rng);
    const AxisCase w = MakeAxis(k[4] + 2, k[2], k[3], 1, 0, rng);
    CheckCase({1, k[0], k[1], h, w, true, true}, rng);
    CheckCase({2, k[0], k[1], h, w, true, false}, rng);
  }
}

TEST(Int8Conv2DTest, RandomGeometry) {
  // Channel counts around the register tiles (odd K included), filters 1..5 wide/high, strides
  // 1..3, dilations 1..2, SAME / VALID / random explicit (odd, asymmetric) padding.
  std::mt19937 rng(12);
  std::uniform_int_distribution<int> pick(0, 1 << 30);
  const int32_t in_counts[] = {1, 2, 3, 5, 8, 16, 17};
  const int32_t out_counts[] = {1, 4, 8, 9, 16, 17, 33};
  for (int iter = 0; iter < 120; ++iter) {
    const int32_t fh = 1 + pick(rng) % 5, fw = 1 + pick(rng) % 5;
    const int32_t sh = 1 + pick(rng) % 3, sw = 1 + pick(rng) % 3;
    const int32_t dh = 1 + pick(rng) % 2, dw = 1 + pick(rng) % 2;
    const int padding = pick(rng) % 3;
    const AxisCase h = MakeAxis(1 + pick(rng) % 11, fh, sh, dh, padding, rng);
    const AxisCase w = MakeAxis(1 + pick(rng) % 11, fw, sw, dw, padding, rng);
    if (h.out <= 0 || w.out <= 0) continue;
    CheckCase({1 + pick(rng) % 2, in_counts[pick(rng) % 7], out_counts[pick(rng) % 7], h, w,
               pick(rng) % 4 != 0, pick(rng) % 2 == 0, pick(rng) % 5 != 0},
              rng);
  }
}

TEST(Int8Conv2DTest, Fp32RequantizationLikeXnnpack) {
  // The same geometry as RandomGeometry with XNNPACK's fp32 output stage.
  std::mt19937 rng(19);
  std::uniform_int_distribution<int> pick(0, 1 << 30);
  const int32_t in_counts[] = {1, 3, 8, 16, 17, 24};
  const int32_t out_counts[] = {1, 8, 9, 16, 17, 24, 33};
  for (int iter = 0; iter < 80; ++iter) {
    const int32_t fh = 1 + pick(rng) % 3, fw = 1 + pick(rng) % 3;
    const int32_t stride = 1 + pick(rng) % 2;
    const int padding = pick(rng) % 3;
    const AxisCase h = MakeAxis(1 + pick(rng) % 11, fh, stride, 1, padding, rng);
    const AxisCase w = MakeAxis(1 + pick(rng) % 11, fw, stride, 1, padding, rng);
    if (h.out <= 0 || w.out <= 0) continue;
    ConvCase c{1, in_counts[pick(rng) % 6], out_counts[pick(rng) % 7], h, w, pick(rng) % 4 != 0,
               true, pick(rng) % 5 != 0};
    c.fp32 = true;
    CheckCase(c, rng);
  }
}

TEST(Int8Conv2DTest, PointwiseAndLargeDepth) {
  std::mt19937 rng(13);
  // 1x1 stride 1 (plain widening of the NHWC rows, even and odd depth), 1x1 stride 2, and a
  // deep 3x3 (K = 2304) whose im2col blocks are few rows each.
  const AxisCase h = MakeAxis(13, 1, 1, 1, 1, rng), w = MakeAxis(11, 1, 1, 1, 1, rng);
  CheckCase({2, 64, 48, h, w, true, true}, rng);
  CheckCase({1, 33, 20, h, w, true, false}, rng);
  const AxisCase h2 = MakeAxis(13, 1, 2, 1, 0, rng), w2 = MakeAxis(11, 1, 2, 1, 0, rng);
  CheckCase({1, 16, 16, h2, w2, false, true}, rng);
  const AxisCase h3 = MakeAxis(7, 3, 1, 1, 0, rng), w3 = MakeAxis(6, 3, 1, 1, 0, rng);
  CheckCase({1, 256, 40, h3, w3, true, true}, rng);
}

TEST(Int8Conv2DTest, PaddingWithExtremeZeroPoints) {
  // Padded taps must contribute nothing for any input zero point, including the extremes; the
  // inputs equal to the zero point contribute nothing either.
  std::mt19937 rng(14);
  for (int32_t zp : {-128, 127, 0}) {
    const int32_t in_c = 7, out_c = 19;
    const AxisCase h = MakeAxis(6, 3, 1, 1, 0, rng), w = MakeAxis(5, 5, 2, 1, 0, rng);
    QuantParams q = RandomQuantParams(out_c, true, rng);
    q.input_zero_point = zp;
    const ConvParams p = MakeParams(h, w);
    const Shape in_s{1, h.in, w.in, in_c}, f_s{out_c, h.filter, w.filter, in_c},
        out_s{1, h.out, w.out, out_c};
    std::vector<int8_t> in = RandomInt8(in_s.FlatSize(), rng);
    for (size_t i = 0; i < in.size(); i += 3) in[i] = static_cast<int8_t>(zp);
    const std::vector<int8_t> f = RandomInt8(f_s.FlatSize(), rng);
    const std::vector<int8_t> want = NaiveInt8Conv2D(p, in_s, in, f_s, f, true, q, out_s);
    for (const Int8GemmVariant* v : SupportedVariants()) {
      const PackedInt8ConvFilter filter = PackInt8ConvFilter(f_s, f.data(), *v);
      AlignedBuffer scratch(Int8ConvScratchBytes(p, in_s, f_s, out_s, 1) / 4 + 16);
      std::vector<int8_t> got(static_cast<size_t>(out_s.FlatSize()), 77);
      Int8Conv2D(p, in_s, in.data(), filter, q.bias.data(), MakeRequant(q, true), out_s,
                 got.data(), scratch.data(), nullptr);
      ExpectSameInt8(want, got.data(), std::string(v->name) + " zp=" + std::to_string(zp));
    }
  }
}

TEST(Int8Conv2DTest, GroupedConvolutionIsNotSupported) {
  EXPECT_FALSE(Int8Conv2DSupports(Shape{1, 8, 8, 16}, Shape{32, 3, 3, 8}));
  EXPECT_TRUE(Int8Conv2DSupports(Shape{1, 8, 8, 16}, Shape{32, 3, 3, 16}));
}

TEST(Int8Conv2DTest, ResultsDoNotDependOnThreadCount) {
  std::mt19937 rng(15);
  for (int threads : {2, 3, 5}) {
    ThreadPool pool(threads);
    const AxisCase h = MakeAxis(30, 3, 1, 1, 0, rng), w = MakeAxis(29, 3, 1, 1, 0, rng);
    CheckCase({2, 16, 40, h, w, true, true}, rng, &pool);
    const AxisCase h1 = MakeAxis(28, 1, 1, 1, 0, rng), w1 = MakeAxis(28, 1, 1, 1, 0, rng);
    CheckCase({1, 64, 64, h1, w1, true, false}, rng, &pool);
  }
}

}  // namespace
}  // namespace compressd::kernels::optimized
