#include "core/kernels/optimized/max_pool.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/kernels/reference/pooling.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized {
namespace {

MaxPoolGeometry RandomGeometry(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  MaxPoolGeometry g;
  g.batches = pick(1, 2);
  g.in_h = pick(1, 9);
  g.in_w = pick(1, 9);
  g.depth = pick(1, 70);  // 32/16-lane int8 and 8-lane float blocks plus tails
  g.filter_h = pick(1, 4);
  g.filter_w = pick(1, 4);
  g.stride_h = pick(1, 3);
  g.stride_w = pick(1, 3);
  g.pad_top = pick(0, g.filter_h - 1);
  g.pad_left = pick(0, g.filter_w - 1);
  g.out_h = (g.in_h + 2 * g.pad_top - g.filter_h) / g.stride_h + 1;
  g.out_w = (g.in_w + 2 * g.pad_left - g.filter_w) / g.stride_w + 1;
  if (g.out_h < 1) g.out_h = 1;
  if (g.out_w < 1) g.out_w = 1;
  return g;
}

TEST(MaxPoolTest, FloatMatchesTheReferenceIncludingNaNs) {
  std::mt19937 rng(21);
  for (int iter = 0; iter < 150; ++iter) {
    const MaxPoolGeometry g = RandomGeometry(rng);
    const Shape in_shape{g.batches, g.in_h, g.in_w, g.depth};
    const Shape out_shape{g.batches, g.out_h, g.out_w, g.depth};
    std::normal_distribution<float> value(0.0f, 3.0f);
    std::vector<float> in(in_shape.FlatSize());
    for (float& v : in) v = value(rng);
    if (iter % 5 == 0) in[in.size() / 2] = std::numeric_limits<float>::quiet_NaN();
    PoolParams p;
    p.stride_h = g.stride_h;
    p.stride_w = g.stride_w;
    p.filter_h = g.filter_h;
    p.filter_w = g.filter_w;
    p.pad_top = g.pad_top;
    p.pad_left = g.pad_left;
    p.act_min = iter % 2 ? 0.0f : -std::numeric_limits<float>::infinity();
    p.act_max = iter % 3 ? 6.0f : std::numeric_limits<float>::infinity();
    std::vector<float> want(out_shape.FlatSize()), got(out_shape.FlatSize());
    reference::MaxPool(p, in_shape, in.data(), out_shape, want.data());
    MaxPoolFloat(g, p.act_min, p.act_max, in.data(), got.data());
    ASSERT_EQ(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)), 0)
        << "iter " << iter;
  }
}

TEST(MaxPoolTest, Int8MatchesTheReference) {
  std::mt19937 rng(22);
  for (int iter = 0; iter < 150; ++iter) {
    const MaxPoolGeometry g = RandomGeometry(rng);
    const Shape in_shape{g.batches, g.in_h, g.in_w, g.depth};
    const Shape out_shape{g.batches, g.out_h, g.out_w, g.depth};
    std::vector<int8_t> in(in_shape.FlatSize());
    for (int8_t& v : in) v = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
    reference::IntegerPoolParams p;
    p.stride_h = g.stride_h;
    p.stride_w = g.stride_w;
    p.filter_h = g.filter_h;
    p.filter_w = g.filter_w;
    p.pad_top = g.pad_top;
    p.pad_left = g.pad_left;
    p.act_min = iter % 2 ? -128 : -20;
    p.act_max = iter % 3 ? 127 : 50;
    std::vector<int8_t> want(out_shape.FlatSize()), got(out_shape.FlatSize());
    reference::IntegerPool<int8_t, true>(p, in_shape, in.data(), out_shape, want.data());
    MaxPoolInt8(g, static_cast<int8_t>(p.act_min), static_cast<int8_t>(p.act_max), in.data(),
                got.data());
    ASSERT_EQ(want, got) << "iter " << iter;
  }
}

}  // namespace
}  // namespace compressd::kernels::optimized
