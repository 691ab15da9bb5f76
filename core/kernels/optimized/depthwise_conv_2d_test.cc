#include "core/kernels/optimized/depthwise_conv_2d.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/base/cpu_features.h"
#include "core/base/thread_pool.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/optimized/depthwise_ukernel.h"
#include "core/kernels/optimized/test_util.h"
#include "gtest/gtest.h"

#if __has_include("core/kernels/reference/depthwise_conv_2d.h")
#include "core/kernels/reference/depthwise_conv_2d.h"
#define COMPRESSD_HAVE_REFERENCE_DEPTHWISE_CONV_2D 1
#endif

namespace compressd::kernels::optimized {
namespace {

using testing::ExpectClose;
using testing::Expected;
using testing::NaiveDepthwiseConv2D;
using testing::RandomVector;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

struct DwCase {
  int batch, in_h, in_w, in_c, depth_multiplier, filter_h, filter_w;
  int stride_h, stride_w, dilation_h, dilation_w;
  ir::Padding padding;
  bool bias;
  float act_min, act_max;

  std::string ToString() const {
    return "in=[" + std::to_string(batch) + "," + std::to_string(in_h) + "," +
           std::to_string(in_w) + "," + std::to_string(in_c) + "] dm=" +
           std::to_string(depth_multiplier) + " filter=" + std::to_string(filter_h) + "x" +
           std::to_string(filter_w) + " stride=" + std::to_string(stride_h) + "x" +
           std::to_string(stride_w) + " dilation=" + std::to_string(dilation_h) + "x" +
           std::to_string(dilation_w) +
           (padding == ir::Padding::kSame ? " SAME" : " VALID") + " bias=" +
           std::to_string(bias) + " clamp=[" + std::to_string(act_min) + "," +
           std::to_string(act_max) + "]";
  }
};

// Runs the dispatching kernel with no pool / 1 / 3 threads (bit-identical, close to the naive
// loops) and the portable row kernel directly (close to the naive loops). Outputs start as NaN
// with a guard after them.
void RunCase(const DwCase& dc, std::mt19937& rng) {
  SCOPED_TRACE(dc.ToString());
  ConvParams p;
  p.stride_h = dc.stride_h;
  p.stride_w = dc.stride_w;
  p.dilation_h = dc.dilation_h;
  p.dilation_w = dc.dilation_w;
  p.depth_multiplier = dc.depth_multiplier;
  p.act_min = dc.act_min;
  p.act_max = dc.act_max;
  const PaddedSize ph =
      ComputePaddedSize(dc.padding, dc.in_h, dc.filter_h, dc.stride_h, dc.dilation_h);
  const PaddedSize pw =
      ComputePaddedSize(dc.padding, dc.in_w, dc.filter_w, dc.stride_w, dc.dilation_w);
  p.pad_top = ph.pad_before;
  p.pad_left = pw.pad_before;
  const int out_c = dc.in_c * dc.depth_multiplier;
  const Shape in_s{dc.batch, dc.in_h, dc.in_w, dc.in_c};
  const Shape f_s{1, dc.filter_h, dc.filter_w, out_c};
  const Shape out_s{dc.batch, ph.output, pw.output, out_c};
  const std::vector<float> in = RandomVector(in_s.FlatSize(), rng);
  const std::vector<float> f = RandomVector(f_s.FlatSize(), rng);
  const std::vector<float> bias = RandomVector(out_c, rng);
  const float* bias_ptr = dc.bias ? bias.data() : nullptr;
  const Expected want = NaiveDepthwiseConv2D(p, in_s, in, f_s, f, bias_ptr, out_s);
  const int64_t out_size = out_s.FlatSize();
  constexpr int64_t kGuard = 16;
  const float guard_value = 4242.0f;
  SCOPED_TRACE(DepthwiseConv2DPath(p, f_s));

  ThreadPool pool1(1);
  ThreadPool pool3(3);
  ThreadPool* pools[] = {nullptr, &pool1, &pool3};
  std::vector<float> first;
  for (ThreadPool* pool : pools) {
    SCOPED_TRACE(pool == nullptr ? 0 : pool->num_threads());
    std::vector<float> out(out_size + kGuard, kNaN);
    std::fill(out.begin() + out_size, out.end(), guard_value);
    DepthwiseConv2D(p, in_s, in.data(), f_s, f.data(), bias_ptr, out_s, out.data(), pool);
    for (int64_t i = out_size; i < out_size + kGuard; ++i) {
      ASSERT_EQ(out[i], guard_value) << "wrote past the output";
    }
    out.resize(out_size);
    if (first.empty()) {
      ExpectClose(want, out.data(), "vs naive");
      first = out;
    } else {
      ASSERT_EQ(std::memcmp(first.data(), out.data(), out_size * sizeof(float)), 0)
          << "thread count changed the result";
    }
  }
  // The portable rows directly (the dispatcher only picks them without AVX2 or for dm > 1).
  DepthwiseArgs a;
  a.params = &p;
  a.batch = dc.batch;
  a.in_h = dc.in_h;
  a.in_w = dc.in_w;
  a.in_c = dc.in_c;
  a.out_h = ph.output;
  a.out_w = pw.output;
  a.out_c = out_c;
  a.filter_h = dc.filter_h;
  a.filter_w = dc.filter_w;
  a.depth_multiplier = dc.depth_multiplier;
  a.input = in.data();
  a.filter = f.data();
  a.bias = bias_ptr;
  std::vector<float> portable(out_size, kNaN);
  a.output = portable.data();
  DepthwiseRowsPortable(a, 0, static_cast<int64_t>(dc.batch) * ph.output);
  ExpectClose(want, portable.data(), "portable vs naive");
#ifdef COMPRESSD_HAVE_REFERENCE_DEPTHWISE_CONV_2D
  std::vector<float> ref(out_size, kNaN);
  reference::DepthwiseConv2D(p, in_s, in.data(), f_s, f.data(), bias_ptr, out_s, ref.data());
  ExpectClose(want, ref.data(), "reference kernel vs naive");
  Expected ref_as_want = want;
  for (int64_t i = 0; i < out_size; ++i) ref_as_want.value[i] = ref[i];
  ExpectClose(ref_as_want, first.data(), "vs reference kernel");
#endif
}

TEST(DepthwiseConv2DTest, HandComputed3x3SameTwoChannels) {
  // Channel 0: input 1..9, filter all ones -> neighbourhood sums. Channel 1: input all 1, filter
  // 1..9 -> sum of the filter taps that land inside. Bias {0, 10}.
  const Shape in_s{1, 3, 3, 2}, f_s{1, 3, 3, 2}, out_s{1, 3, 3, 2};
  std::vector<float> in(18), f(18);
  for (int i = 0; i < 9; ++i) {
    in[2 * i] = static_cast<float>(i + 1);
    in[2 * i + 1] = 1.0f;
    f[2 * i] = 1.0f;
    f[2 * i + 1] = static_cast<float>(i + 1);
  }
  const float bias[] = {0.0f, 10.0f};
  ConvParams p;
  p.pad_top = p.pad_left = 1;
  std::vector<float> out(18, kNaN);
  DepthwiseConv2D(p, in_s, in.data(), f_s, f.data(), bias, out_s, out.data(), nullptr);
  const float ch0[] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
  // Filter taps inside for output (y, x): rows max(0,1-y)..min(2,3-y), same for columns.
  const float ch1[] = {10 + 5 + 6 + 8 + 9, 10 + 4 + 5 + 6 + 7 + 8 + 9, 10 + 4 + 5 + 7 + 8,
                       10 + 2 + 3 + 5 + 6 + 8 + 9, 10 + 45, 10 + 1 + 2 + 4 + 5 + 7 + 8,
                       10 + 2 + 3 + 5 + 6, 10 + 1 + 2 + 3 + 4 + 5 + 6, 10 + 1 + 2 + 4 + 5};
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(out[2 * i], ch0[i]) << "pixel " << i;
    EXPECT_EQ(out[2 * i + 1], ch1[i]) << "pixel " << i;
  }
}

TEST(DepthwiseConv2DTest, PathSelection) {
  ConvParams p;
  const Shape f3{1, 3, 3, 8}, f5{1, 5, 5, 8}, f4{1, 4, 4, 8};
  if (GetCpuFeatures().avx2_fma) {
    EXPECT_STREQ(DepthwiseConv2DPath(p, f3), "avx2_kw3_sw1");
    EXPECT_STREQ(DepthwiseConv2DPath(p, f5), "avx2_kw5_sw1");
    EXPECT_STREQ(DepthwiseConv2DPath(p, f4), "avx2_generic");
    p.stride_h = p.stride_w = 2;
    EXPECT_STREQ(DepthwiseConv2DPath(p, f3), "avx2_kw3_sw2");
    EXPECT_STREQ(DepthwiseConv2DPath(p, f5), "avx2_kw5_sw2");
    p.dilation_w = 2;
    EXPECT_STREQ(DepthwiseConv2DPath(p, f3), "avx2_generic");
    p.dilation_w = 1;
    p.depth_multiplier = 2;
    EXPECT_STREQ(DepthwiseConv2DPath(p, f3), "portable");
  } else {
    EXPECT_STREQ(DepthwiseConv2DPath(p, f3), "portable");
  }
}

TEST(DepthwiseConv2DTest, SpecializedPathsAllTiles) {
  // Widths that exercise 8-, 4- and 1-pixel interior tiles and both borders, channel counts
  // with and without a masked tail, every specialized kernel, both paddings.
  std::mt19937 rng(20);
  for (int k : {3, 5}) {
    for (int s : {1, 2}) {
      for (int w : {1, 2, 5, 9, 14, 23, 37}) {
        for (int c : {1, 8, 13, 24}) {
          for (ir::Padding pad : {ir::Padding::kSame, ir::Padding::kValid}) {
            RunCase({1, 6, w, c, 1, k, k, s, s, 1, 1, pad, true, -kInf, kInf}, rng);
            if (HasFatalFailure()) return;
          }
        }
      }
    }
  }
}

TEST(DepthwiseConv2DTest, ModelShapes) {
  std::mt19937 rng(21);
  RunCase({1, 128, 128, 24, 1, 3, 3, 1, 1, 1, 1, ir::Padding::kSame, true, 0.0f, kInf}, rng);
  RunCase({1, 64, 64, 32, 1, 3, 3, 2, 2, 1, 1, ir::Padding::kSame, true, 0.0f, 6.0f}, rng);
  RunCase({1, 16, 16, 96, 1, 5, 5, 1, 1, 1, 1, ir::Padding::kSame, true, -kInf, kInf}, rng);
  RunCase({1, 8, 8, 192, 1, 5, 5, 2, 2, 1, 1, ir::Padding::kSame, false, -kInf, kInf}, rng);
  RunCase({1, 2, 2, 1152, 1, 3, 3, 1, 1, 1, 1, ir::Padding::kSame, true, -kInf, kInf}, rng);
}

TEST(DepthwiseConv2DTest, RandomShapes) {
  std::mt19937 rng(22);
  std::uniform_int_distribution<int> spatial(1, 20), channels(1, 40), coin(0, 1), dm(1, 3);
  const int filters[] = {1, 2, 3, 5};
  std::uniform_int_distribution<int> filter_pick(0, 3);
  for (int iter = 0; iter < 300; ++iter) {
    DwCase dc;
    dc.batch = 1 + coin(rng);
    dc.in_h = spatial(rng);
    dc.in_w = spatial(rng);
    dc.in_c = channels(rng);
    dc.depth_multiplier = iter % 5 == 0 ? dm(rng) : 1;
    dc.filter_h = filters[filter_pick(rng)];
    dc.filter_w = iter % 2 == 0 ? dc.filter_h : filters[filter_pick(rng)];
    dc.stride_h = 1 + coin(rng);
    dc.stride_w = iter % 2 == 0 ? dc.stride_h : 1 + coin(rng);
    dc.dilation_h = 1 + (iter % 3 == 0 ? coin(rng) : 0);
    dc.dilation_w = 1 + (iter % 3 == 0 ? coin(rng) : 0);
    dc.padding = coin(rng) ? ir::Padding::kSame : ir::Padding::kValid;
    dc.bias = coin(rng);
    dc.act_min = iter % 3 == 0 ? 0.0f : -kInf;
    dc.act_max = iter % 4 == 0 ? 0.5f : kInf;
    RunCase(dc, rng);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace compressd::kernels::optimized
