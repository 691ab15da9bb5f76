// Quantized AVERAGE_POOL_2D / MAX_POOL_2D (int8, int16): exact equality with a naive window loop
// using TFLite's rounding ((sum +- count/2) / count) and quantized activation clamp, within 1 LSB
// of the ideal average, and the Prepare checks.
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

ir::Pool2DOptions Options(bool same, int sh, int sw, int fh, int fw, ir::Activation act) {
  ir::Pool2DOptions o;
  o.padding = same ? ir::Padding::kSame : ir::Padding::kValid;
  o.stride_h = sh;
  o.stride_w = sw;
  o.filter_height = fh;
  o.filter_width = fw;
  o.activation = act;
  return o;
}

template <typename T>
void CheckRandom(ir::DataType type, bool symmetric, uint32_t seed) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 150; ++iter) {
    const int n = testing::RandomValues<uint8_t>(rng, 1, 1, 2)[0];
    const int ih = std::uniform_int_distribution<int>(1, 7)(rng);
    const int iw = std::uniform_int_distribution<int>(1, 7)(rng);
    const int c = std::uniform_int_distribution<int>(1, 3)(rng);
    const bool same = std::uniform_int_distribution<int>(0, 1)(rng);
    const auto o = Options(same, std::uniform_int_distribution<int>(1, 3)(rng),
                           std::uniform_int_distribution<int>(1, 3)(rng),
                           std::uniform_int_distribution<int>(1, 4)(rng),
                           std::uniform_int_distribution<int>(1, 4)(rng),
                           static_cast<ir::Activation>(std::uniform_int_distribution<int>(0, 3)(rng)));
    if (!same && (o.filter_height > ih || o.filter_width > iw)) continue;
    const bool is_max = std::uniform_int_distribution<int>(0, 1)(rng);
    const float scale = testing::RandomScale(rng, 0.005f, 0.1f);
    const int32_t zp = symmetric ? 0 : testing::RandomZeroPoint<T>(rng);
    SCOPED_TRACE(::testing::Message() << "iter " << iter << (is_max ? " max" : " avg") << " act "
                                      << int(o.activation));
    const auto in = testing::RandomValues<T>(rng, int64_t{n} * ih * iw * c);
    OpHarness h(is_max ? MaxPool2DKernel() : AveragePool2DKernel(), o);
    h.AddInput(type, Shape{n, ih, iw, c}, in, Q(scale, zp));
    h.AddOutput(type, Shape(), Q(scale, zp));
    const absl::Status s = h.Run();
    ASSERT_TRUE(s.ok()) << s;
    auto extent = [&](int in_size, int k, int stride, int* pad) {
      const int out = same ? (in_size + stride - 1) / stride : (in_size - k + stride) / stride;
      *pad = std::max((out - 1) * stride + k - in_size, 0) / 2;
      return out;
    };
    int pt, pl;
    const int oh = extent(ih, o.filter_height, o.stride_h, &pt);
    const int ow = extent(iw, o.filter_width, o.stride_w, &pl);
    ASSERT_EQ(h.OutputShape(0), (Shape{n, oh, ow, c}));
    // Quantized activation range (CalculateActivationRangeQuantized).
    const int32_t tmin = std::numeric_limits<T>::min(), tmax = std::numeric_limits<T>::max();
    auto q = [&](float f) { return zp + static_cast<int32_t>(std::round(f / scale)); };
    int32_t lo = tmin, hi = tmax;
    double rlo = -INFINITY, rhi = INFINITY;
    if (o.activation == ir::Activation::kRelu) lo = std::max(tmin, q(0)), rlo = 0;
    if (o.activation == ir::Activation::kRelu6) {
      lo = std::max(tmin, q(0)), hi = std::min(tmax, q(6)), rlo = 0, rhi = 6;
    }
    if (o.activation == ir::Activation::kReluN1To1) {
      lo = std::max(tmin, q(-1)), hi = std::min(tmax, q(1)), rlo = -1, rhi = 1;
    }
    const auto out = h.OutputData<T>(0);
    size_t k = 0;
    for (int b = 0; b < n; ++b)
      for (int y = 0; y < oh; ++y)
        for (int x = 0; x < ow; ++x)
          for (int ch = 0; ch < c; ++ch, ++k) {
            int32_t sum = 0, mx = tmin, count = 0;
            for (int fy = 0; fy < o.filter_height; ++fy)
              for (int fx = 0; fx < o.filter_width; ++fx) {
                const int yy = y * o.stride_h - pt + fy, xx = x * o.stride_w - pl + fx;
                if (yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
                const int32_t v = in[((b * ih + yy) * iw + xx) * c + ch];
                sum += v;
                mx = std::max(mx, v);
                ++count;
              }
            ASSERT_GT(count, 0);
            const int32_t avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
            const int32_t expected = std::clamp(is_max ? mx : avg, lo, hi);
            ASSERT_EQ(out[k], expected) << "output " << k;
            const double real = is_max ? (mx - zp) * double{scale}
                                       : (double(sum) / count - zp) * double{scale};
            const int32_t ideal =
                testing::IdealQuantize(std::clamp(real, rlo, rhi), scale, zp, lo, hi);
            ASSERT_LE(std::abs(out[k] - ideal), 1) << "output " << k;
          }
  }
}

TEST(PoolingInt8Test, HandComputedRounding) {
  // Window sums 3, -3, 5 over 2 cells: 1.5 -> 2, -1.5 -> -2, 2.5 -> 3 (half away from zero).
  OpHarness h(AveragePool2DKernel(), Options(false, 2, 2, 1, 2, ir::Activation::kNone));
  h.AddInput(ir::DataType::kInt8, Shape{1, 1, 6, 1}, std::vector<int8_t>{1, 2, -1, -2, 2, 3},
             Q(0.1f, 0));
  h.AddOutput(ir::DataType::kInt8, Shape(), Q(0.1f, 0));
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputData<int8_t>(0), (std::vector<int8_t>{2, -2, 3}));
}

TEST(PoolingInt8Test, RandomMatchesTfliteArithmetic) {
  CheckRandom<int8_t>(ir::DataType::kInt8, false, 301);
}

TEST(PoolingInt16Test, RandomMatchesTfliteArithmetic) {
  CheckRandom<int16_t>(ir::DataType::kInt16, true, 302);
}

TEST(PoolingInt8Test, PrepareErrors) {
  struct Bad {
    const char* name;
    ir::DataType type;
    std::optional<ir::QuantParams> qi, qo;
    const char* message;
  };
  const std::vector<Bad> cases = {
      {"different scales", ir::DataType::kInt8, Q(0.1f, 0), Q(0.2f, 0), "must be equal"},
      {"different zero points", ir::DataType::kInt8, Q(0.1f, 0), Q(0.1f, 3), "must be equal"},
      {"no input quant", ir::DataType::kInt8, std::nullopt, Q(0.1f, 0), "input"},
      {"no output quant", ir::DataType::kInt8, Q(0.1f, 0), std::nullopt, "output"},
      {"zero scale", ir::DataType::kInt8, Q(0.0f, 0), Q(0.0f, 0), "scale"},
      {"int16 zero point", ir::DataType::kInt16, Q(0.1f, 2), Q(0.1f, 2), "zero point 2"},
  };
  for (bool is_max : {false, true}) {
    for (const Bad& c : cases) {
      SCOPED_TRACE(c.name);
      OpHarness h(is_max ? MaxPool2DKernel() : AveragePool2DKernel(),
                  Options(false, 1, 1, 1, 1, ir::Activation::kNone));
      if (c.type == ir::DataType::kInt8) {
        h.AddInput(c.type, Shape{1, 1, 1, 1}, std::vector<int8_t>{1}, c.qi);
      } else {
        h.AddInput(c.type, Shape{1, 1, 1, 1}, std::vector<int16_t>{1}, c.qi);
      }
      h.AddOutput(c.type, Shape(), c.qo);
      const absl::Status s = h.Run();
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
      EXPECT_NE(std::string(s.message()).find(c.message), std::string::npos) << s;
    }
  }
  OpHarness mismatch(MaxPool2DKernel(), Options(false, 1, 1, 1, 1, ir::Activation::kNone));
  mismatch.AddInput(ir::DataType::kInt8, Shape{1, 1, 1, 1}, std::vector<int8_t>{1}, Q(0.1f, 0));
  mismatch.AddOutput(ir::DataType::kInt16, Shape(), Q(0.1f, 0));
  EXPECT_FALSE(mismatch.Run().ok());
}

}  // namespace
}  // namespace compressd::kernels
