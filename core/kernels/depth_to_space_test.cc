// Tests of DEPTH_TO_SPACE and of its inverse SPACE_TO_DEPTH.
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

template <typename T>
absl::Status RunOp(const OpKernel& kernel, ir::BuiltinOptions options, ir::DataType type,
                 Shape shape, const std::vector<T>& in, std::vector<T>* out, Shape* out_shape) {
  OpHarness h(kernel, std::move(options));
  h.AddInput(type, shape, in);
  h.AddOutput(type);
  absl::Status s = h.Run();
  if (s.ok()) {
    *out = h.OutputData<T>(0);
    *out_shape = h.OutputShape(0);
  }
  return s;
}

ir::DepthToSpaceOptions D2S(int bs) {
  ir::DepthToSpaceOptions o;
  o.block_size = bs;
  return o;
}
ir::SpaceToDepthOptions S2D(int bs) {
  ir::SpaceToDepthOptions o;
  o.block_size = bs;
  return o;
}

TEST(DepthSpaceTest, HandComputed) {
  std::vector<float> out;
  Shape shape;
  // Depth {1..8} of one pixel with bs 2 -> 2x2 pixels of depth 2 in (dy, dx) order.
  ASSERT_TRUE(RunOp(DepthToSpaceKernel(), D2S(2), ir::DataType::kFloat32, Shape{1, 1, 1, 8},
                  std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}, &out, &shape)
                  .ok());
  EXPECT_EQ(shape, (Shape{1, 2, 2, 2}));
  EXPECT_EQ(out, (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
  // 1x2x4x1 {1..8}, bs 2 -> 1x1x2x4: block (0,0) gets {1,2,5,6}, block (0,1) {3,4,7,8}.
  std::vector<int8_t> out8;
  ASSERT_TRUE(RunOp(SpaceToDepthKernel(), S2D(2), ir::DataType::kInt8, Shape{1, 2, 4, 1},
                  std::vector<int8_t>{1, 2, 3, 4, 5, 6, 7, 8}, &out8, &shape)
                  .ok());
  EXPECT_EQ(shape, (Shape{1, 1, 2, 4}));
  EXPECT_EQ(out8, (std::vector<int8_t>{1, 2, 5, 6, 3, 4, 7, 8}));
}

TEST(DepthSpaceTest, RandomMatchesNaiveAndRoundTrips) {
  std::mt19937 rng(91);
  for (int iter = 0; iter < 40; ++iter) {
    const int bs = RandomInt(rng, 1, 3), n = RandomInt(rng, 1, 2);
    const int h = RandomInt(rng, 1, 3), w = RandomInt(rng, 1, 3), c = RandomInt(rng, 1, 3);
    const Shape space{n, h * bs, w * bs, c};
    const auto in = RandomFloats(rng, space.FlatSize());
    std::vector<float> depth, back;
    Shape depth_shape, back_shape;
    ASSERT_TRUE(RunOp(SpaceToDepthKernel(), S2D(bs), ir::DataType::kFloat32, space, in, &depth,
                    &depth_shape)
                    .ok());
    ASSERT_EQ(depth_shape, (Shape{n, h, w, c * bs * bs}));
    for (int b = 0; b < n; ++b)
      for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
          for (int dy = 0; dy < bs; ++dy)
            for (int dx = 0; dx < bs; ++dx)
              for (int ch = 0; ch < c; ++ch) {
                ASSERT_EQ(depth[depth_shape.Offset(b, y, x, (dy * bs + dx) * c + ch)],
                          in[space.Offset(b, y * bs + dy, x * bs + dx, ch)]);
              }
    ASSERT_TRUE(RunOp(DepthToSpaceKernel(), D2S(bs), ir::DataType::kFloat32, depth_shape, depth,
                    &back, &back_shape)
                    .ok());
    EXPECT_EQ(back_shape, space);
    EXPECT_EQ(back, in);
  }
}

TEST(DepthSpaceTest, RejectsMalformedOperators) {
  std::vector<float> out;
  Shape shape;
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(RunOp(DepthToSpaceKernel(), D2S(0), ir::DataType::kFloat32, Shape{1, 1, 1, 4},
                std::vector<float>(4), &out, &shape)
                .code(),
            kInvalid);
  EXPECT_EQ(RunOp(DepthToSpaceKernel(), D2S(2), ir::DataType::kFloat32, Shape{1, 1, 1, 6},
                std::vector<float>(6), &out, &shape)
                .code(),
            kInvalid);
  EXPECT_EQ(RunOp(DepthToSpaceKernel(), D2S(2), ir::DataType::kFloat32, Shape{1, 4, 4},
                std::vector<float>(16), &out, &shape)
                .code(),
            kInvalid);
  EXPECT_EQ(RunOp(SpaceToDepthKernel(), S2D(-1), ir::DataType::kFloat32, Shape{1, 2, 2, 1},
                std::vector<float>(4), &out, &shape)
                .code(),
            kInvalid);
  EXPECT_EQ(RunOp(SpaceToDepthKernel(), S2D(2), ir::DataType::kFloat32, Shape{1, 3, 2, 1},
                std::vector<float>(6), &out, &shape)
                .code(),
            kInvalid);
  std::vector<uint8_t> bools;
  EXPECT_EQ(RunOp(SpaceToDepthKernel(), S2D(1), ir::DataType::kBool, Shape{1, 1, 1, 1},
                std::vector<uint8_t>(1), &bools, &shape)
                .code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace compressd::kernels
