#include "core/kernels/optimized/xnnpack_int8_resize.h"

#include <cstdint>
#include <random>
#include <vector>

#include "core/kernels/reference/xnnpack_int8.h"
#include "core/kernels/shape.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized {
namespace {

struct Case {
  int32_t batches, in_h, in_w, depth, out_h, out_w;
  bool align_corners, half_pixel_centers;
};

// Runs the dispatching kernel (AVX2 on AVX2 CPUs unless COMPRESSD_CPU restricts it) and the
// portable one against reference::XnnResizeBilinear.
void ExpectMatches(const Case& c, const std::vector<int8_t>& input) {
  std::vector<XnnBilinearTap> ys, xs;
  ASSERT_TRUE(XnnResizeTaps(c.in_h, c.out_h, c.align_corners, c.half_pixel_centers, &ys));
  ASSERT_TRUE(XnnResizeTaps(c.in_w, c.out_w, c.align_corners, c.half_pixel_centers, &xs));
  const Shape in_shape{c.batches, c.in_h, c.in_w, c.depth};
  const Shape out_shape{c.batches, c.out_h, c.out_w, c.depth};
  const size_t out_size = static_cast<size_t>(out_shape.FlatSize());
  std::vector<int8_t> want(out_size), fast(out_size, 55), portable(out_size, 55);
  reference::XnnResizeBilinear(c.align_corners, c.half_pixel_centers, in_shape, input.data(),
                               out_shape, want.data());
  XnnInt8ResizeBilinear(c.batches, c.in_h, c.in_w, c.depth, ys.data(), c.out_h, xs.data(),
                        c.out_w, input.data(), fast.data());
  XnnInt8ResizeBilinearPortable(c.batches, c.in_h, c.in_w, c.depth, ys.data(), c.out_h,
                                xs.data(), c.out_w, input.data(), portable.data());
  for (size_t i = 0; i < out_size; ++i) {
    ASSERT_EQ(fast[i], want[i]) << "element " << i << " of " << in_shape.ToString() << " -> "
                                << out_shape.ToString() << " align_corners " << c.align_corners
                                << " half_pixel_centers " << c.half_pixel_centers;
    ASSERT_EQ(portable[i], want[i]) << "portable, element " << i << " of "
                                    << in_shape.ToString() << " -> " << out_shape.ToString();
  }
}

std::vector<int8_t> RandomImage(int64_t size, std::mt19937& rng, int mode) {
  std::uniform_int_distribution<int> byte(-128, 127);
  std::bernoulli_distribution coin(0.5);
  std::vector<int8_t> v(static_cast<size_t>(size));
  for (int8_t& x : v) {
    switch (mode) {
      case 0:  // uniform
        x = static_cast<int8_t>(byte(rng));
        break;
      case 1:  // extremes only: the largest differences between neighbours
        x = coin(rng) ? int8_t{127} : int8_t{-128};
        break;
      case 2:
        x = -128;
        break;
      default:
        x = 127;
        break;
    }
  }
  return v;
}

TEST(XnnInt8ResizeBilinearTest, MatchesTheReferenceOnRandomShapes) {
  std::mt19937 rng(17);
  const int32_t kDepths[] = {1, 3, 7, 8, 9, 16, 17, 24, 32, 40, 48, 129};
  std::uniform_int_distribution<int32_t> in_dim(1, 9);
  std::uniform_int_distribution<int32_t> out_dim(1, 21);
  std::uniform_int_distribution<size_t> depth(0, std::size(kDepths) - 1);
  for (int trial = 0; trial < 600; ++trial) {
    Case c;
    c.batches = 1 + trial % 2;
    c.in_h = in_dim(rng);
    c.in_w = in_dim(rng);
    c.out_h = out_dim(rng);  // upscaling and downscaling
    c.out_w = out_dim(rng);
    c.depth = kDepths[depth(rng)];
    c.align_corners = trial % 3 == 1;
    c.half_pixel_centers = trial % 3 == 2;
    ExpectMatches(c, RandomImage(int64_t{c.batches} * c.in_h * c.in_w * c.depth, rng, trial % 4));
  }
}

TEST(XnnInt8ResizeBilinearTest, MatchesTheReferenceOnModelShapes) {
  std::mt19937 rng(23);
  // 2x upsampling as in the MediaPipe models, and a 3x downscale.
  const Case kCases[] = {{1, 16, 16, 8, 32, 32, false, false}, {1, 8, 8, 32, 16, 16, false, true},
                         {1, 8, 8, 48, 16, 16, true, false},   {1, 12, 12, 16, 24, 24, false, true},
                         {1, 24, 24, 24, 8, 8, false, false},  {1, 24, 24, 24, 8, 8, true, false},
                         {1, 24, 24, 24, 8, 8, false, true},   {2, 5, 7, 128, 10, 14, false, true}};
  for (const Case& c : kCases) {
    ExpectMatches(c, RandomImage(int64_t{c.batches} * c.in_h * c.in_w * c.depth, rng, 0));
    ExpectMatches(c, RandomImage(int64_t{c.batches} * c.in_h * c.in_w * c.depth, rng, 1));
  }
}

TEST(XnnInt8ResizeBilinearTest, TapsStayInsideTheContract) {
  for (int32_t in = 1; in <= 40; ++in) {
    for (int32_t out = 1; out <= 40; ++out) {
      for (int mode = 0; mode < 3; ++mode) {
        std::vector<XnnBilinearTap> taps;
        ASSERT_TRUE(XnnResizeTaps(in, out, mode == 1, mode == 2, &taps))
            << in << " -> " << out << " mode " << mode;
        ASSERT_EQ(taps.size(), static_cast<size_t>(out));
      }
    }
  }
}

}  // namespace
}  // namespace compressd::kernels::optimized
