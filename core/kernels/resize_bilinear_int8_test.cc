// Quantized RESIZE_BILINEAR (int8, int16): exact equality with TFLite's integer interpolation
// (ResizeBilinearInteger) written out here, closeness to the float resize of the raw values, every
// combination of align_corners / half_pixel_centers, and the Prepare checks.
#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/quant_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;
using testing::Q;

template <typename T>
std::vector<T> Expected(const std::vector<T>& in, int n, int ih, int iw, int c, int oh, int ow,
                        bool align, bool half) {
  auto scale = [&](long long i, long long o) {
    return (align && o > 1) ? (1024 * (i - 1) + (o - 1) / 2) / (o - 1) : (1024 * i + o / 2) / o;
  };
  const long long hs = scale(ih, oh), ws = scale(iw, ow);
  std::vector<T> out;
  for (int b = 0; b < n; ++b)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int ch = 0; ch < c; ++ch) {
          const long long vy = half ? y * hs + hs / 2 - 512 : y * hs;
          const long long vx = half ? x * ws + ws / 2 - 512 : x * ws;
          const long long y0 = std::max(vy / 1024, 0LL), y1 = std::min((vy + 1023) / 1024, ih - 1LL);
          const long long x0 = std::max(vx / 1024, 0LL), x1 = std::min((vx + 1023) / 1024, iw - 1LL);
          auto at = [&](long long yy, long long xx) {
            return static_cast<long long>(in[((b * ih + yy) * iw + xx) * c + ch]);
          };
          const long long fy = vy - 1024 * y0, fx = vx - 1024 * x0;
          const long long s = at(y0, x0) * (1024 - fy) * (1024 - fx) + at(y1, x0) * fy * (1024 - fx) +
                              at(y0, x1) * (1024 - fy) * fx + at(y1, x1) * fy * fx;
          out.push_back(static_cast<T>((s + (s > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20)));
        }
  return out;
}

template <typename T>
void CheckRandom(ir::DataType type, uint32_t seed) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 120; ++iter) {
    const int n = std::uniform_int_distribution<int>(1, 2)(rng);
    const int ih = std::uniform_int_distribution<int>(1, 6)(rng);
    const int iw = std::uniform_int_distribution<int>(1, 6)(rng);
    // Up to 20 channels: int8 runs 8-lane blocks plus a tail in the vectorized path.
    const int c = std::uniform_int_distribution<int>(1, 20)(rng);
    const int oh = std::uniform_int_distribution<int>(1, 12)(rng);
    const int ow = std::uniform_int_distribution<int>(1, 12)(rng);
    const int mode = iter % 3;  // 0 plain, 1 align_corners, 2 half_pixel_centers
    ir::ResizeBilinearOptions o;
    o.align_corners = mode == 1;
    o.half_pixel_centers = mode == 2;
    const auto in = testing::RandomValues<T>(rng, int64_t{n} * ih * iw * c);
    const int32_t zp = type == ir::DataType::kInt8 ? testing::RandomZeroPoint<int8_t>(rng) : 0;
    SCOPED_TRACE(::testing::Message() << "iter " << iter << " " << ih << "x" << iw << " -> " << oh
                                      << "x" << ow << " mode " << mode);
    OpHarness h(ResizeBilinearKernel(), o);
    h.AddInput(type, Shape{n, ih, iw, c}, in, Q(0.05f, zp));
    h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{oh, ow});
    h.AddOutput(type, Shape(), Q(0.05f, zp));
    const absl::Status s = h.Run();
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_EQ(h.OutputShape(0), (Shape{n, oh, ow, c}));
    const auto out = h.OutputData<T>(0);
    ASSERT_EQ(out, Expected(in, n, ih, iw, c, oh, ow, o.align_corners, o.half_pixel_centers));
    // Against the float resize of the same values (float kernel), the integer coordinates are
    // within 1/1024 of a pixel, so results stay within 1 LSB plus that coordinate error.
    OpHarness f(ResizeBilinearKernel(), o);
    f.AddInput(ir::DataType::kFloat32, Shape{n, ih, iw, c}, std::vector<float>(in.begin(), in.end()));
    f.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{oh, ow});
    f.AddOutput(ir::DataType::kFloat32);
    ASSERT_TRUE(f.Run().ok());
    const auto ref = f.OutputData<float>(0);
    const double range = double{std::numeric_limits<T>::max()} - std::numeric_limits<T>::min();
    for (size_t i = 0; i < out.size(); ++i) {
      ASSERT_LE(std::fabs(out[i] - ref[i]), 1.0 + range * 2.0 * 12 / 1024) << "element " << i;
    }
  }
}

TEST(ResizeBilinearInt8Test, UpsampleByTwoIsWithinOneLsbOfFloat) {
  ir::ResizeBilinearOptions o;
  o.half_pixel_centers = true;
  const std::vector<int8_t> in = {-128, 127, 0, 50};
  OpHarness h(ResizeBilinearKernel(), o);
  h.AddInput(ir::DataType::kInt8, Shape{1, 2, 2, 1}, in, Q(0.1f, 0));
  h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{4, 4});
  h.AddOutput(ir::DataType::kInt8, Shape(), Q(0.1f, 0));
  ASSERT_TRUE(h.Run().ok());
  OpHarness f(ResizeBilinearKernel(), o);
  f.AddInput(ir::DataType::kFloat32, Shape{1, 2, 2, 1}, std::vector<float>(in.begin(), in.end()));
  f.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{4, 4});
  f.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(f.Run().ok());
  const auto out = h.OutputData<int8_t>(0);
  const auto ref = f.OutputData<float>(0);
  for (size_t i = 0; i < out.size(); ++i) EXPECT_LE(std::fabs(out[i] - std::round(ref[i])), 1.0);
}

TEST(ResizeBilinearInt8Test, RandomMatchesTfliteArithmetic) {
  CheckRandom<int8_t>(ir::DataType::kInt8, 61);
}

TEST(ResizeBilinearInt16Test, RandomMatchesTfliteArithmetic) {
  CheckRandom<int16_t>(ir::DataType::kInt16, 62);
}

TEST(ResizeBilinearInt8Test, PrepareErrors) {
  struct Bad {
    const char* name;
    std::optional<ir::QuantParams> qi, qo;
    const char* message;
  };
  const std::vector<Bad> cases = {
      {"different scale", Q(0.1f, 0), Q(0.2f, 0), "must be equal"},
      {"different zero point", Q(0.1f, 0), Q(0.1f, 1), "must be equal"},
      {"no input quant", std::nullopt, Q(0.1f, 0), "input"},
      {"no output quant", Q(0.1f, 0), std::nullopt, "output"},
      {"NaN scale", Q(std::nanf(""), 0), Q(std::nanf(""), 0), "scale"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    OpHarness h(ResizeBilinearKernel(), ir::ResizeBilinearOptions{});
    h.AddInput(ir::DataType::kInt8, Shape{1, 1, 1, 1}, std::vector<int8_t>{1}, c.qi);
    h.AddConstInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>{2, 2});
    h.AddOutput(ir::DataType::kInt8, Shape(), c.qo);
    const absl::Status s = h.Run();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(std::string(s.message()).find(c.message), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace compressd::kernels
