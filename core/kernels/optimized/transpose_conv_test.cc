// The optimized transpose convolutions against reference/transpose_conv.h, bit for bit, over
// random geometries: overlapping windows (filter > stride), gaps (filter < stride), windows
// clipped by padding and by small outputs, both output channel counts below and above a vector,
// batches, and windows too large for the local buffer.
#include "core/kernels/optimized/transpose_conv.h"

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/kernels/reference/transpose_conv.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized {
namespace {

std::vector<float> RandomFloats(int64_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(-2.0f, 2.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = d(rng);
  return v;
}

struct Case {
  int32_t batch, in_h, in_w, in_c, out_c, kh, kw, stride_h, stride_w, pad_top, pad_left, out_h,
      out_w;
  std::string ToString() const {
    return "batch=" + std::to_string(batch) + " in=" + std::to_string(in_h) + "x" +
           std::to_string(in_w) + "x" + std::to_string(in_c) + " out_c=" + std::to_string(out_c) +
           " k=" + std::to_string(kh) + "x" + std::to_string(kw) + " s=" +
           std::to_string(stride_h) + "x" + std::to_string(stride_w) + " pad=" +
           std::to_string(pad_top) + "," + std::to_string(pad_left) + " out=" +
           std::to_string(out_h) + "x" + std::to_string(out_w);
  }
};

// Bitwise equality (so -0.0 and NaN payloads count too).
void ExpectSameBits(const std::vector<float>& want, const std::vector<float>& got) {
  ASSERT_EQ(want.size(), got.size());
  int failures = 0;
  for (size_t i = 0; i < want.size() && failures < 5; ++i) {
    if (std::memcmp(&want[i], &got[i], sizeof(float)) != 0) {
      ADD_FAILURE() << "element " << i << ": " << got[i] << ", want " << want[i];
      ++failures;
    }
  }
}

void Check(const Case& c, std::mt19937& rng) {
  SCOPED_TRACE(c.ToString());
  ConvParams p;
  p.stride_h = c.stride_h;
  p.stride_w = c.stride_w;
  p.pad_top = c.pad_top;
  p.pad_left = c.pad_left;
  p.act_min = -1.5f;
  p.act_max = 1.75f;
  const Shape in_s{c.batch, c.in_h, c.in_w, c.in_c};
  const Shape f_s{c.out_c, c.kh, c.kw, c.in_c};
  const Shape out_s{c.batch, c.out_h, c.out_w, c.out_c};
  const std::vector<float> in = RandomFloats(in_s.FlatSize(), rng);
  const std::vector<float> f = RandomFloats(f_s.FlatSize(), rng);
  const std::vector<float> bias = RandomFloats(c.out_c, rng);
  const PackedTransposeConvFilter packed = PackTransposeConvFilter(f_s, f.data());
  const size_t n = static_cast<size_t>(out_s.FlatSize());
  {
    std::vector<float> want(n, 7.0f), got(n, 7.0f);
    reference::TransposeConv(p, in_s, in.data(), f_s, f.data(), bias.data(), out_s, want.data());
    TransposeConv(p, in_s, in.data(), packed, bias.data(), out_s, got.data());
    ExpectSameBits(want, got);
  }
  {
    std::vector<float> want(n, 7.0f), got(n, 7.0f);
    reference::TransposeConv(p, in_s, in.data(), f_s, f.data(), nullptr, out_s, want.data());
    TransposeConv(p, in_s, in.data(), packed, nullptr, out_s, got.data());
    ExpectSameBits(want, got);
  }
  {
    std::vector<float> want(n, 7.0f), got(n, 7.0f);
    reference::TransposeConvBias(p, in_s, in.data(), f_s, f.data(), bias.data(), out_s,
                                 want.data());
    TransposeConvBias(p, in_s, in.data(), packed, bias.data(), out_s, got.data());
    ExpectSameBits(want, got);
  }
}

TEST(TransposeConvTest, MediaPipeUpsamplingShape) {
  // selfie_segmentation's last layer (smaller): 2x2 filter, stride 2, one output channel.
  std::mt19937 rng(1);
  Check({1, 16, 16, 16, 1, 2, 2, 2, 2, 0, 0, 32, 32}, rng);
  Check({1, 9, 7, 8, 3, 4, 4, 2, 2, 1, 1, 18, 14}, rng);
}

TEST(TransposeConvTest, RandomGeometryMatchesReferenceBitForBit) {
  std::mt19937 rng(2);
  std::uniform_int_distribution<int> pick(0, 1 << 30);
  for (int iter = 0; iter < 150; ++iter) {
    Case c;
    c.batch = 1 + pick(rng) % 2;
    c.in_h = 1 + pick(rng) % 6;
    c.in_w = 1 + pick(rng) % 6;
    c.in_c = 1 + pick(rng) % 9;
    const int32_t out_cs[] = {1, 2, 3, 8, 9, 17};
    c.out_c = out_cs[pick(rng) % 6];
    c.kh = 1 + pick(rng) % 5;
    c.kw = 1 + pick(rng) % 5;
    c.stride_h = 1 + pick(rng) % 3;
    c.stride_w = 1 + pick(rng) % 3;
    c.pad_top = pick(rng) % c.kh;
    c.pad_left = pick(rng) % c.kw;
    // Output extents around the natural one: clipped and with uncovered margins.
    c.out_h = std::max(1, (c.in_h - 1) * c.stride_h + c.kh - c.pad_top + pick(rng) % 5 - 2);
    c.out_w = std::max(1, (c.in_w - 1) * c.stride_w + c.kw - c.pad_left + pick(rng) % 5 - 2);
    Check(c, rng);
  }
}

TEST(TransposeConvTest, WindowLargerThanTheLocalBuffer) {
  // 8 x 8 x 80 = 5120 floats of window: accumulated in place, same order.
  std::mt19937 rng(3);
  Check({1, 3, 3, 5, 80, 8, 8, 3, 3, 2, 2, 13, 12}, rng);
}

}  // namespace
}  // namespace compressd::kernels::optimized
