#include <cmath>
#include <random>
#include <vector>

#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/nn_test_util.h"
#include "core/kernels/testing/op_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::ExpectAllNear;
using testing::OpHarness;
using testing::RandomFloats;
using testing::RandomInt;

ir::ResizeBilinearOptions Options(bool align_corners, bool half_pixel_centers) {
  ir::ResizeBilinearOptions o;
  o.align_corners = align_corners;
  o.half_pixel_centers = half_pixel_centers;
  return o;
}

std::vector<float> Resize(const ir::ResizeBilinearOptions& o, Shape in_shape,
                          const std::vector<float>& in, int oh, int ow, Shape* out_shape) {
  OpHarness h(ResizeBilinearKernel(), o);
  h.AddInput(ir::DataType::kFloat32, in_shape, in);
  h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{oh, ow});
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  EXPECT_TRUE(s.ok()) << s;
  *out_shape = h.OutputShape(0);
  return h.OutputData<float>(0);
}

TEST(ResizeBilinearTest, HandComputedModes) {
  const std::vector<float> in = {1, 2, 3, 4};
  Shape shape;
  EXPECT_EQ(Resize(Options(false, false), Shape{1, 2, 2, 1}, in, 4, 4, &shape),
            (std::vector<float>{1, 1.5f, 2, 2, 2, 2.5f, 3, 3, 3, 3.5f, 4, 4, 3, 3.5f, 4, 4}));
  EXPECT_EQ(shape, (Shape{1, 4, 4, 1}));
  EXPECT_EQ(Resize(Options(true, false), Shape{1, 2, 2, 1}, in, 3, 3, &shape),
            (std::vector<float>{1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4}));
  EXPECT_EQ(Resize(Options(false, true), Shape{1, 2, 2, 1}, in, 4, 4, &shape),
            (std::vector<float>{1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f,
                                3.5f, 3, 3.25f, 3.75f, 4}));
}

// Independent bilinear interpolation in double with TFLite's coordinate rules.
std::vector<double> Naive(const ir::ResizeBilinearOptions& o, int n, int ih, int iw, int c,
                          int oh, int ow, const std::vector<float>& in) {
  auto source = [&](int i, int in_size, int out_size) {
    const double scale = (o.align_corners && out_size > 1)
                             ? static_cast<double>(in_size - 1) / (out_size - 1)
                             : static_cast<double>(in_size) / out_size;
    double v = o.half_pixel_centers ? (i + 0.5) * scale - 0.5 : i * scale;
    return v;
  };
  std::vector<double> out;
  for (int b = 0; b < n; ++b)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int ch = 0; ch < c; ++ch) {
          const double sy = source(y, ih, oh), sx = source(x, iw, ow);
          const int y0 = std::max(0, static_cast<int>(std::floor(sy)));
          const int y1 = std::min(ih - 1, static_cast<int>(std::ceil(sy)));
          const int x0 = std::max(0, static_cast<int>(std::floor(sx)));
          const int x1 = std::min(iw - 1, static_cast<int>(std::ceil(sx)));
          auto at = [&](int yy, int xx) { return static_cast<double>(in[((b * ih + yy) * iw + xx) * c + ch]); };
          const double dy = sy - y0, dx = sx - x0;
          out.push_back(at(y0, x0) * (1 - dy) * (1 - dx) + at(y1, x0) * dy * (1 - dx) +
                        at(y0, x1) * (1 - dy) * dx + at(y1, x1) * dy * dx);
        }
  return out;
}

TEST(ResizeBilinearTest, RandomShapesMatchNaive) {
  std::mt19937 rng(71);
  for (int iter = 0; iter < 60; ++iter) {
    const int n = RandomInt(rng, 1, 2), ih = RandomInt(rng, 1, 6), iw = RandomInt(rng, 1, 6);
    const int c = RandomInt(rng, 1, 3), oh = RandomInt(rng, 1, 12), ow = RandomInt(rng, 1, 12);
    const int mode = RandomInt(rng, 0, 2);
    const auto o = Options(mode == 1, mode == 2);
    SCOPED_TRACE(::testing::Message() << ih << "x" << iw << " -> " << oh << "x" << ow << " mode "
                                      << mode);
    const auto in = RandomFloats(rng, n * ih * iw * c);
    Shape shape;
    const auto got = Resize(o, Shape{n, ih, iw, c}, in, oh, ow, &shape);
    EXPECT_EQ(shape, (Shape{n, oh, ow, c}));
    ExpectAllNear(got, Naive(o, n, ih, iw, c, oh, ow, in), 1e-5, 1e-5);
  }
}

TEST(ResizeBilinearTest, RejectsMalformedOperators) {
  auto run = [](const ir::ResizeBilinearOptions& o, Shape in, Shape size_shape,
                std::vector<int32_t> size, bool size_const) {
    OpHarness h(ResizeBilinearKernel(), o);
    h.AddInput(ir::DataType::kFloat32, in, std::vector<float>(in.FlatSize()));
    if (size_const) {
      h.AddConstInput(ir::DataType::kInt32, size_shape, size);
    } else {
      h.AddInput(ir::DataType::kInt32, size_shape, size);
    }
    h.AddOutput(ir::DataType::kFloat32);
    return h.Run().code();
  };
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  EXPECT_EQ(run(Options(true, true), Shape{1, 2, 2, 1}, Shape{2}, {4, 4}, true), kInvalid);
  EXPECT_EQ(run(Options(false, false), Shape{2, 2, 1}, Shape{2}, {4, 4}, true), kInvalid);
  EXPECT_EQ(run(Options(false, false), Shape{1, 2, 2, 1}, Shape{3}, {4, 4, 4}, true), kInvalid);
  EXPECT_EQ(run(Options(false, false), Shape{1, 2, 2, 1}, Shape{2}, {0, 4}, true), kInvalid);
  EXPECT_EQ(run(Options(false, false), Shape{1, 2, 2, 1}, Shape{2}, {4, -1}, true), kInvalid);
  EXPECT_EQ(run(Options(false, false), Shape{1, 0, 2, 1}, Shape{2}, {4, 4}, true), kInvalid);
  EXPECT_EQ(run(Options(false, false), Shape{1, 2, 2, 1}, Shape{2}, {4, 4}, false),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace compressd::kernels
