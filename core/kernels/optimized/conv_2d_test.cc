#include "core/kernels/optimized/conv_2d.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/base/thread_pool.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/optimized/gemm.h"
#include "core/kernels/optimized/test_util.h"
#include "gtest/gtest.h"

#if __has_include("core/kernels/reference/conv_2d.h")
#include "core/kernels/reference/conv_2d.h"
#define COMPRESSD_HAVE_REFERENCE_CONV_2D 1
#endif

namespace compressd::kernels::optimized {
namespace {

using testing::ExpectClose;
using testing::Expected;
using testing::NaiveConv2D;
using testing::RandomVector;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

struct ConvCase {
  int batch, in_h, in_w, in_c, out_c, filter_h, filter_w;
  int stride_h, stride_w, dilation_h, dilation_w;
  ir::Padding padding;
  bool bias;
  float act_min, act_max;

  std::string ToString() const {
    return "in=[" + std::to_string(batch) + "," + std::to_string(in_h) + "," +
           std::to_string(in_w) + "," + std::to_string(in_c) + "] filter=[" +
           std::to_string(out_c) + "," + std::to_string(filter_h) + "," +
           std::to_string(filter_w) + "] stride=" + std::to_string(stride_h) + "x" +
           std::to_string(stride_w) + " dilation=" + std::to_string(dilation_h) + "x" +
           std::to_string(dilation_w) +
           (padding == ir::Padding::kSame ? " SAME" : " VALID") + " bias=" +
           std::to_string(bias) + " clamp=[" + std::to_string(act_min) + "," +
           std::to_string(act_max) + "]";
  }
};

// Runs one case with every supported GEMM variant and with no pool / 1 / 3 threads: results must
// match the naive loops (and the reference kernel when present) and be bit-identical across
// thread counts. Scratch and outputs start as NaN; a guard after the output must stay untouched.
void RunCase(const ConvCase& cc, std::mt19937& rng) {
  SCOPED_TRACE(cc.ToString());
  ConvParams p;
  p.stride_h = cc.stride_h;
  p.stride_w = cc.stride_w;
  p.dilation_h = cc.dilation_h;
  p.dilation_w = cc.dilation_w;
  p.act_min = cc.act_min;
  p.act_max = cc.act_max;
  const PaddedSize ph =
      ComputePaddedSize(cc.padding, cc.in_h, cc.filter_h, cc.stride_h, cc.dilation_h);
  const PaddedSize pw =
      ComputePaddedSize(cc.padding, cc.in_w, cc.filter_w, cc.stride_w, cc.dilation_w);
  p.pad_top = ph.pad_before;
  p.pad_left = pw.pad_before;
  const Shape in_s{cc.batch, cc.in_h, cc.in_w, cc.in_c};
  const Shape f_s{cc.out_c, cc.filter_h, cc.filter_w, cc.in_c};
  const Shape out_s{cc.batch, ph.output, pw.output, cc.out_c};
  const std::vector<float> in = RandomVector(in_s.FlatSize(), rng);
  const std::vector<float> f = RandomVector(f_s.FlatSize(), rng);
  const std::vector<float> bias = RandomVector(cc.out_c, rng);
  const float* bias_ptr = cc.bias ? bias.data() : nullptr;
  const Expected want = NaiveConv2D(p, in_s, in, f_s, f, bias_ptr, out_s);
  const int64_t out_size = out_s.FlatSize();
  constexpr int64_t kGuard = 16;
  const float guard_value = 4242.0f;

  ThreadPool pool1(1);
  ThreadPool pool3(3);
  ThreadPool* pools[] = {nullptr, &pool1, &pool3};
  const int64_t scratch_bytes = ConvScratchBytes(p, in_s, f_s, out_s, 3);
  ASSERT_GE(scratch_bytes, ConvScratchBytes(p, in_s, f_s, out_s, 1));
  EXPECT_EQ(scratch_bytes == 0, ConvIsDirectGemm(p, in_s, f_s, out_s) || out_size == 0);
  std::vector<float> scratch_storage(static_cast<size_t>(scratch_bytes / 4 + 16));
  float* scratch = scratch_storage.data();
  while (reinterpret_cast<uintptr_t>(scratch) % 64 != 0) ++scratch;

  for (const GemmVariant& v : GemmVariants()) {
    if (!IsSupported(v)) continue;
    SCOPED_TRACE(v.name);
    const PackedConvFilter filter = PackConvFilter(f_s, f.data(), v);
    std::vector<float> first;
    for (ThreadPool* pool : pools) {
      SCOPED_TRACE(pool == nullptr ? 0 : pool->num_threads());
      std::fill(scratch_storage.begin(), scratch_storage.end(), kNaN);
      std::vector<float> out(out_size + kGuard, kNaN);
      std::fill(out.begin() + out_size, out.end(), guard_value);
      Conv2D(p, in_s, in.data(), filter, bias_ptr, out_s, out.data(),
             scratch_bytes > 0 ? scratch : nullptr, pool);
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
  }
#ifdef COMPRESSD_HAVE_REFERENCE_CONV_2D
  std::vector<float> ref(out_size, kNaN);
  reference::Conv2D(p, in_s, in.data(), f_s, f.data(), bias_ptr, out_s, ref.data());
  ExpectClose(want, ref.data(), "reference kernel vs naive");
  const PackedConvFilter filter = PackConvFilter(f_s, f.data());
  std::vector<float> out(out_size, kNaN);
  Conv2D(p, in_s, in.data(), filter, bias_ptr, out_s, out.data(), scratch, nullptr);
  Expected ref_as_want = want;
  for (int64_t i = 0; i < out_size; ++i) ref_as_want.value[i] = ref[i];
  ExpectClose(ref_as_want, out.data(), "vs reference kernel");
#endif
}

TEST(Conv2DTest, HandComputed3x3Same) {
  // 3x3 input 1..9, one channel; 3x3 all-ones filter, SAME: each output is the sum of its
  // in-bounds 3x3 neighbourhood, plus bias 0.5.
  const Shape in_s{1, 3, 3, 1}, f_s{1, 3, 3, 1}, out_s{1, 3, 3, 1};
  const std::vector<float> in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<float> f(9, 1.0f);
  const float bias = 0.5f;
  ConvParams p;
  p.pad_top = p.pad_left = 1;
  const float want[] = {12.5f, 21.5f, 16.5f, 27.5f, 45.5f, 33.5f, 24.5f, 39.5f, 28.5f};
  for (const GemmVariant& v : GemmVariants()) {
    if (!IsSupported(v)) continue;
    const PackedConvFilter filter = PackConvFilter(f_s, f.data(), v);
    std::vector<float> scratch(ConvScratchBytes(p, in_s, f_s, out_s, 1) / 4 + 16);
    std::vector<float> out(9, kNaN);
    Conv2D(p, in_s, in.data(), filter, &bias, out_s, out.data(), scratch.data(), nullptr);
    for (int i = 0; i < 9; ++i) EXPECT_EQ(out[i], want[i]) << v.name << " i=" << i;
  }
}

TEST(Conv2DTest, OneByOneIsDirectAndNeedsNoScratch) {
  ConvParams p;
  const Shape in_s{1, 64, 64, 32}, f_s{64, 1, 1, 32}, out_s{1, 64, 64, 64};
  EXPECT_TRUE(ConvIsDirectGemm(p, in_s, f_s, out_s));
  EXPECT_EQ(ConvScratchBytes(p, in_s, f_s, out_s, 4), 0);
  p.stride_h = p.stride_w = 2;
  const Shape out2{1, 32, 32, 64};
  EXPECT_FALSE(ConvIsDirectGemm(p, in_s, f_s, out2));
  EXPECT_GT(ConvScratchBytes(p, in_s, f_s, out2, 1), 0);
  std::mt19937 rng(10);
  RunCase({1, 64, 64, 32, 64, 1, 1, 1, 1, 1, 1, ir::Padding::kSame, true, 0.0f, 6.0f}, rng);
  RunCase({2, 9, 7, 19, 37, 1, 1, 1, 1, 1, 1, ir::Padding::kValid, false, -kInf, kInf}, rng);
  RunCase({1, 9, 7, 19, 37, 1, 1, 2, 2, 1, 1, ir::Padding::kSame, true, -kInf, kInf}, rng);
}

TEST(Conv2DTest, ModelShapes) {
  std::mt19937 rng(11);
  // First layer of the MediaPipe detectors: 3x3 stride 2 on RGB.
  RunCase({1, 128, 128, 3, 24, 3, 3, 2, 2, 1, 1, ir::Padding::kSame, true, 0.0f, kInf}, rng);
  // 5x5 stride 1 and a 3x3 with many channels.
  RunCase({1, 16, 16, 16, 32, 5, 5, 1, 1, 1, 1, ir::Padding::kSame, true, -kInf, kInf}, rng);
  RunCase({1, 8, 8, 96, 96, 3, 3, 1, 1, 1, 1, ir::Padding::kSame, true, 0.0f, 6.0f}, rng);
  // Spatial 2x2 with 1152 channels (a late pointwise conv: few rows, many columns).
  RunCase({1, 2, 2, 1152, 192, 1, 1, 1, 1, 1, 1, ir::Padding::kSame, true, -kInf, kInf}, rng);
}

TEST(Conv2DTest, RandomShapes) {
  std::mt19937 rng(12);
  std::uniform_int_distribution<int> spatial(1, 12), channels(1, 40), coin(0, 1);
  const int filters[] = {1, 2, 3, 5};
  std::uniform_int_distribution<int> filter_pick(0, 3);
  for (int iter = 0; iter < 250; ++iter) {
    ConvCase cc;
    cc.batch = 1 + coin(rng);
    cc.in_h = spatial(rng);
    cc.in_w = spatial(rng);
    cc.in_c = channels(rng);
    cc.out_c = channels(rng);
    cc.filter_h = filters[filter_pick(rng)];
    cc.filter_w = filters[filter_pick(rng)];
    cc.stride_h = 1 + coin(rng);
    cc.stride_w = 1 + coin(rng);
    cc.dilation_h = 1 + (iter % 4 == 0 ? coin(rng) : 0);
    cc.dilation_w = 1 + (iter % 4 == 0 ? coin(rng) : 0);
    cc.padding = coin(rng) ? ir::Padding::kSame : ir::Padding::kValid;
    cc.bias = coin(rng);
    cc.act_min = iter % 3 == 0 ? 0.0f : -kInf;
    cc.act_max = iter % 5 == 0 ? 0.5f : kInf;
    RunCase(cc, rng);
    if (HasFatalFailure()) return;
  }
}

TEST(Conv2DTest, GroupedConvolutionIsNotSupported) {
  EXPECT_TRUE(OptimizedConv2DSupports(Shape{1, 8, 8, 16}, Shape{32, 3, 3, 16}));
  EXPECT_FALSE(OptimizedConv2DSupports(Shape{1, 8, 8, 16}, Shape{32, 3, 3, 8}));  // 2 groups
}

TEST(Conv2DTest, EmptyValidOutputWritesNothing) {
  // VALID with a filter larger than the input: output has zero rows.
  ConvParams p;
  const Shape in_s{1, 2, 2, 3}, f_s{4, 3, 3, 3}, out_s{1, 0, 0, 4};
  const std::vector<float> in(12, 1.0f), f(108, 1.0f);
  const PackedConvFilter filter = PackConvFilter(f_s, f.data());
  EXPECT_EQ(ConvScratchBytes(p, in_s, f_s, out_s, 2), 0);
  float out = 3.0f;
  Conv2D(p, in_s, in.data(), filter, nullptr, out_s, &out, nullptr, nullptr);
  EXPECT_EQ(out, 3.0f);
}

}  // namespace
}  // namespace compressd::kernels::optimized
