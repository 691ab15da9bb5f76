#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/nn_test_util.h"
#include "core/kernels/testing/op_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;
using testing::RandomFloats;
using testing::RandomInt;

ir::ResizeNearestNeighborOptions Options(bool align_corners, bool half_pixel_centers) {
  ir::ResizeNearestNeighborOptions o;
  o.align_corners = align_corners;
  o.half_pixel_centers = half_pixel_centers;
  return o;
}

template <typename T>
std::vector<T> Resize(const ir::ResizeNearestNeighborOptions& o, ir::DataType type, Shape in_shape,
                      const std::vector<T>& in, int oh, int ow) {
  OpHarness h(ResizeNearestNeighborKernel(), o);
  h.AddInput(type, in_shape, in);
  h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{oh, ow});
  h.AddOutput(type);
  const absl::Status s = h.Run();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(h.OutputShape(0), (Shape{in_shape.dim(0), oh, ow, in_shape.dim(3)}));
  return h.OutputData<T>(0);
}

TEST(ResizeNearestNeighborTest, HandComputedModes) {
  const std::vector<float> in = {1, 2, 3, 4};
  // floor(y * 2/3): rows {0, 0, 1}.
  EXPECT_EQ(Resize(Options(false, false), ir::DataType::kFloat32, Shape{1, 2, 2, 1}, in, 3, 3),
            (std::vector<float>{1, 1, 2, 1, 1, 2, 3, 3, 4}));
  // round(y * 1/2), halves away from zero: rows {0, 1, 1}.
  EXPECT_EQ(Resize(Options(true, false), ir::DataType::kFloat32, Shape{1, 2, 2, 1}, in, 3, 3),
            (std::vector<float>{1, 2, 2, 3, 4, 4, 3, 4, 4}));
  // floor((y + 0.5) * 2/3): rows {0, 1, 1}.
  EXPECT_EQ(Resize(Options(false, true), ir::DataType::kFloat32, Shape{1, 2, 2, 1}, in, 3, 3),
            (std::vector<float>{1, 2, 2, 3, 4, 4, 3, 4, 4}));
  // Downscale 4 -> 2 with half pixel centers: floor((y + 0.5) * 2) = {1, 3}.
  EXPECT_EQ(Resize(Options(false, true), ir::DataType::kFloat32, Shape{1, 1, 4, 1},
                   std::vector<float>{10, 11, 12, 13}, 1, 2),
            (std::vector<float>{11, 13}));
  // int8 is a pure copy too.
  EXPECT_EQ(Resize(Options(false, false), ir::DataType::kInt8, Shape{1, 1, 2, 2},
                   std::vector<int8_t>{-1, -2, 5, 6}, 1, 4),
            (std::vector<int8_t>{-1, -2, -1, -2, 5, 6, 5, 6}));
}

TEST(ResizeNearestNeighborTest, RandomShapesMatchNaive) {
  std::mt19937 rng(81);
  for (int iter = 0; iter < 60; ++iter) {
    const int n = RandomInt(rng, 1, 2), ih = RandomInt(rng, 1, 6), iw = RandomInt(rng, 1, 6);
    const int c = RandomInt(rng, 1, 3), oh = RandomInt(rng, 1, 12), ow = RandomInt(rng, 1, 12);
    const bool ac = RandomInt(rng, 0, 1), hp = RandomInt(rng, 0, 1);
    const auto in = RandomFloats(rng, n * ih * iw * c);
    const auto got = Resize(Options(ac, hp), ir::DataType::kFloat32, Shape{n, ih, iw, c}, in, oh, ow);
    auto source = [&](int i, int in_size, int out_size) {
      const float scale = (ac && out_size > 1) ? (in_size - 1) / static_cast<float>(out_size - 1)
                                               : in_size / static_cast<float>(out_size);
      const float v = (i + (hp ? 0.5f : 0.0f)) * scale;
      int s = static_cast<int>(ac ? std::round(v) : std::floor(v));
      return std::max(0, std::min(s, in_size - 1));
    };
    std::vector<float> expected;
    for (int b = 0; b < n; ++b)
      for (int y = 0; y < oh; ++y)
        for (int x = 0; x < ow; ++x)
          for (int ch = 0; ch < c; ++ch)
            expected.push_back(in[((b * ih + source(y, ih, oh)) * iw + source(x, iw, ow)) * c + ch]);
    EXPECT_EQ(got, expected) << "iter " << iter;
  }
}

TEST(ResizeNearestNeighborTest, RejectsMalformedOperators) {
  OpHarness dynamic(ResizeNearestNeighborKernel(), Options(false, false));
  dynamic.AddInput(ir::DataType::kFloat32, Shape{1, 2, 2, 1}, std::vector<float>(4));
  dynamic.AddInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{4, 4});
  dynamic.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(dynamic.Run().code(), absl::StatusCode::kUnimplemented);

  OpHarness zero(ResizeNearestNeighborKernel(), Options(false, false));
  zero.AddInput(ir::DataType::kFloat32, Shape{1, 2, 2, 1}, std::vector<float>(4));
  zero.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{0, 4});
  zero.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(zero.Run().code(), absl::StatusCode::kInvalidArgument);

  OpHarness float_size(ResizeNearestNeighborKernel(), Options(false, false));
  float_size.AddInput(ir::DataType::kFloat32, Shape{1, 2, 2, 1}, std::vector<float>(4));
  float_size.AddConstInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>{4, 4});
  float_size.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(float_size.Run().code(), absl::StatusCode::kInvalidArgument);

  OpHarness wrong_out(ResizeNearestNeighborKernel(), Options(false, false));
  wrong_out.AddInput(ir::DataType::kFloat32, Shape{1, 2, 2, 1}, std::vector<float>(4));
  wrong_out.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{4, 4});
  wrong_out.AddOutput(ir::DataType::kInt8);
  EXPECT_EQ(wrong_out.Run().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
