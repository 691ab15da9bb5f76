#include "core/kernels/optimized/int8_depthwise_conv_2d.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/base/cpu_features.h"
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
using testing::NaiveInt8DepthwiseConv2D;
using testing::QuantParams;
using testing::RandomInt8;
using testing::RandomQuantParams;
using testing::UseFp32Requant;

struct DwCase {
  int32_t batch, channels, depth_multiplier;
  AxisCase h, w;
  bool bias;
  bool realistic;
  bool per_channel = true;
  bool fp32 = false;  // XNNPACK's fp32 requantization
};

std::string CaseString(const DwCase& c) {
  return "batch=" + std::to_string(c.batch) + " in_c=" + std::to_string(c.channels) +
         " dm=" + std::to_string(c.depth_multiplier) + " H{" + AxisString(c.h) + "} W{" +
         AxisString(c.w) + "} bias=" + std::to_string(c.bias) +
         " realistic=" + std::to_string(c.realistic) +
         " per_channel=" + std::to_string(c.per_channel) + " fp32=" + std::to_string(c.fp32);
}

// Runs the case through the AVX2 path (when the CPU has it and dm == 1) and the portable path,
// each with and without a thread pool, and compares every output with the naive loops. The
// output buffer starts filled with a sentinel so that unwritten elements are caught.
void CheckCase(const DwCase& c, std::mt19937& rng, ThreadPool* pool = nullptr) {
  const int32_t out_c = c.channels * c.depth_multiplier;
  QuantParams q = RandomQuantParams(out_c, c.realistic, rng);
  if (c.fp32) UseFp32Requant(q, rng);
  if (!c.per_channel) {
    for (int32_t i = 1; i < out_c; ++i) {
      q.multiplier[i] = q.multiplier[0];
      q.shift[i] = q.shift[0];
      if (c.fp32) q.fp32_scale[i] = q.fp32_scale[0];
    }
  }
  SCOPED_TRACE(CaseString(c) + " " + q.ToString());
  const ConvParams p = MakeParams(c.h, c.w, c.depth_multiplier);
  const Shape in_s{c.batch, c.h.in, c.w.in, c.channels};
  const Shape f_s{1, c.h.filter, c.w.filter, out_c};
  const Shape out_s{c.batch, c.h.out, c.w.out, out_c};
  ASSERT_TRUE(Int8DepthwiseConv2DSupports(p, in_s, f_s));
  const std::vector<int8_t> in = RandomInt8(in_s.FlatSize(), rng);
  const std::vector<int8_t> f = RandomInt8(f_s.FlatSize(), rng);
  const std::vector<int8_t> want =
      NaiveInt8DepthwiseConv2D(p, in_s, in, f_s, f, c.bias, q, out_s);
  Int8Requant rq;
  rq.input_offset = -q.input_zero_point;
  rq.output_zero_point = q.output_zero_point;
  rq.multiplier = q.multiplier.data();
  rq.shift = q.shift.data();
  rq.fp32_scale = q.fp32_scale.empty() ? nullptr : q.fp32_scale.data();
  rq.act_min = q.act_min;
  rq.act_max = q.act_max;
  rq.per_channel = c.per_channel;
  for (bool simd : {true, false}) {
    const PackedInt8DepthwiseFilter filter =
        PackInt8DepthwiseFilter(f_s, f.data(), c.depth_multiplier, simd);
    const std::string path = Int8DepthwiseConv2DPath(p, filter);
    if (!simd) {
      EXPECT_EQ(path, "portable");
    } else if (c.depth_multiplier == 1 && GetCpuFeatures().avx2_fma) {
      EXPECT_EQ(path, "avx2");
    }
    for (ThreadPool* tp : {static_cast<ThreadPool*>(nullptr), pool}) {
      const int threads = tp == nullptr ? 1 : tp->num_threads();
      const int64_t bytes = Int8DepthwiseScratchBytes(p, in_s, filter, out_s, threads);
      AlignedBuffer aligned((bytes + 3) / 4);  // 64-byte aligned; exact size (for ASan)
      std::vector<int8_t> got(static_cast<size_t>(out_s.FlatSize()), 77);
      Int8DepthwiseConv2D(p, in_s, in.data(), filter, c.bias ? q.bias.data() : nullptr, rq,
                          out_s, got.data(), bytes > 0 ? aligned.data() : nullptr, tp);
      ExpectSameInt8(want, got.data(), path + " threads=" + std::to_string(threads));
      if (tp == nullptr && pool == nullptr) break;
    }
  }
}

TEST(Int8DepthwiseConv2DTest, MobileNetShapes) {
  std::mt19937 rng(1);
  // {channels, filter, stride, in}: 3x3 / 5x5, stride 1 / 2, SAME.
  const int32_t cases[][4] = {{32, 3, 1, 14},  {64, 3, 2, 15}, {128, 3, 1, 8}, {24, 3, 2, 16},
                              {40, 5, 1, 9},   {48, 5, 2, 12}, {16, 3, 1, 7},  {96, 5, 2, 7},
                              {144, 3, 1, 6},  {8, 3, 1, 5}};
  for (const auto& k : cases) {
    const AxisCase h = MakeAxis(k[3], k[1], k[2], 1, 0, rng);
    const AxisCase w = MakeAxis(k[3] + 1, k[1], k[2], 1, 0, rng);
    CheckCase({1, k[0], 1, h, w, true, true}, rng);
    CheckCase({1, k[0], 1, h, w, true, false}, rng);
  }
}

TEST(Int8DepthwiseConv2DTest, RandomGeometry) {
  // Channel counts around the 16-lane groups, every filter size 1..7 (odd and even heights),
  // strides 1..3, dilations 1..2, SAME / VALID / random explicit padding, batch 1..2.
  std::mt19937 rng(2);
  std::uniform_int_distribution<int> pick(0, 1 << 30);
  const int32_t channel_counts[] = {1, 3, 8, 15, 16, 17, 24, 31, 33, 50};
  for (int iter = 0; iter < 150; ++iter) {
    const int32_t channels = channel_counts[pick(rng) % 10];
    const int32_t fh = 1 + pick(rng) % 7, fw = 1 + pick(rng) % 7;
    const int32_t sh = 1 + pick(rng) % 3, sw = 1 + pick(rng) % 3;
    const int32_t dh = 1 + pick(rng) % 2, dw = 1 + pick(rng) % 2;
    const int padding = pick(rng) % 3;
    const AxisCase h = MakeAxis(1 + pick(rng) % 13, fh, sh, dh, padding, rng);
    const AxisCase w = MakeAxis(1 + pick(rng) % 13, fw, sw, dw, padding, rng);
    if (h.out <= 0 || w.out <= 0) continue;
    const int32_t batch = 1 + pick(rng) % 2;
    CheckCase({batch, channels, 1, h, w, pick(rng) % 4 != 0, pick(rng) % 2 == 0,
               pick(rng) % 5 != 0},
              rng);
  }
}

TEST(Int8DepthwiseConv2DTest, Fp32RequantizationLikeXnnpack) {
  // XNNPACK's fp32 output stage on every row kernel (3x3 and 5x5 at strides 1 and 2, the
  // generic one), partial channel groups, per-tensor scales and depth multipliers above one.
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> pick(0, 1 << 30);
  const int32_t channel_counts[] = {1, 8, 16, 17, 24, 33};
  for (int iter = 0; iter < 80; ++iter) {
    const int32_t fh = 1 + pick(rng) % 5, fw = 1 + pick(rng) % 5;
    const int32_t stride = 1 + pick(rng) % 2;
    const int32_t dilation = iter % 8 == 7 ? 2 : 1;
    const int padding = pick(rng) % 3;
    const AxisCase h = MakeAxis(1 + pick(rng) % 13, fh, stride, dilation, padding, rng);
    const AxisCase w = MakeAxis(1 + pick(rng) % 13, fw, stride, dilation, padding, rng);
    if (h.out <= 0 || w.out <= 0) continue;
    DwCase c{1 + pick(rng) % 2, channel_counts[pick(rng) % 6], iter % 10 == 9 ? 2 : 1, h, w,
             pick(rng) % 4 != 0, true, pick(rng) % 5 != 0};
    c.fp32 = true;
    CheckCase(c, rng);
  }
}

TEST(Int8DepthwiseConv2DTest, DepthMultiplierAboveOne) {
  std::mt19937 rng(3);
  for (int32_t dm : {2, 3, 4}) {
    for (int32_t channels : {1, 5, 16}) {
      const AxisCase h = MakeAxis(9, 3, 1, 1, 0, rng);
      const AxisCase w = MakeAxis(8, 3, 2, 1, 2, rng);
      CheckCase({2, channels, dm, h, w, true, dm % 2 == 0}, rng);
    }
  }
}

TEST(Int8DepthwiseConv2DTest, FilterLargerThanInputAndOnePixel) {
  std::mt19937 rng(4);
  // SAME padding with a 5x5 filter on 1x1 / 2x3 inputs: every output has taps in the padding.
  for (int32_t in : {1, 2, 3}) {
    const AxisCase h = MakeAxis(in, 5, 1, 1, 0, rng);
    const AxisCase w = MakeAxis(in + 1, 5, 2, 1, 0, rng);
    CheckCase({1, 20, 1, h, w, true, false}, rng);
    CheckCase({1, 16, 1, h, w, false, true}, rng);
  }
}

TEST(Int8DepthwiseConv2DTest, ExtremeValuesSaturateExactly) {
  // All inputs -128 with zero point 127 (x + offset = -255) and all weights -128: the largest
  // products, accumulated over 7x7 taps, with the realistic and the general output stages.
  std::mt19937 rng(5);
  for (bool realistic : {true, false}) {
    const int32_t channels = 35;
    const AxisCase h = MakeAxis(9, 7, 1, 1, 0, rng), w = MakeAxis(10, 7, 2, 1, 0, rng);
    QuantParams q = RandomQuantParams(channels, realistic, rng);
    q.input_zero_point = 127;
    const ConvParams p = MakeParams(h, w);
    const Shape in_s{1, h.in, w.in, channels}, f_s{1, h.filter, w.filter, channels},
        out_s{1, h.out, w.out, channels};
    const std::vector<int8_t> in(static_cast<size_t>(in_s.FlatSize()), -128);
    const std::vector<int8_t> f(static_cast<size_t>(f_s.FlatSize()), -128);
    const std::vector<int8_t> want = NaiveInt8DepthwiseConv2D(p, in_s, in, f_s, f, true, q, out_s);
    Int8Requant rq;
    rq.input_offset = -127;
    rq.output_zero_point = q.output_zero_point;
    rq.multiplier = q.multiplier.data();
    rq.shift = q.shift.data();
    rq.act_min = q.act_min;
    rq.act_max = q.act_max;
    for (bool simd : {true, false}) {
      const PackedInt8DepthwiseFilter filter = PackInt8DepthwiseFilter(f_s, f.data(), 1, simd);
      AlignedBuffer scratch(Int8DepthwiseScratchBytes(p, in_s, filter, out_s, 1) / 4 + 16);
      std::vector<int8_t> got(static_cast<size_t>(out_s.FlatSize()), 0);
      Int8DepthwiseConv2D(p, in_s, in.data(), filter, q.bias.data(), rq, out_s, got.data(),
                          scratch.data(), nullptr);
      ExpectSameInt8(want, got.data(), Int8DepthwiseConv2DPath(p, filter));
    }
  }
}

TEST(Int8DepthwiseConv2DTest, ResultsDoNotDependOnThreadCount) {
  std::mt19937 rng(6);
  for (int threads : {2, 3, 7}) {
    ThreadPool pool(threads);
    const AxisCase h = MakeAxis(40, 3, 1, 1, 0, rng), w = MakeAxis(41, 3, 1, 1, 0, rng);
    CheckCase({2, 72, 1, h, w, true, true}, rng, &pool);
    const AxisCase h5 = MakeAxis(23, 5, 2, 1, 0, rng), w5 = MakeAxis(22, 5, 2, 1, 0, rng);
    CheckCase({1, 100, 1, h5, w5, true, false}, rng, &pool);
    CheckCase({1, 30, 2, h, w, true, true}, rng, &pool);
  }
}

}  // namespace
}  // namespace compressd::kernels::optimized
