#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include "core/kernels/conv_params.h"
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

ir::Pool2DOptions Options(ir::Padding padding, int sh, int sw, int fh, int fw,
                          ir::Activation act = ir::Activation::kNone) {
  ir::Pool2DOptions o;
  o.padding = padding;
  o.stride_h = sh;
  o.stride_w = sw;
  o.filter_height = fh;
  o.filter_width = fw;
  o.activation = act;
  return o;
}

TEST(PoolingTest, AverageExcludesPaddingFromTheCount) {
  // 3x3 input 1..9, 2x2 SAME stride 1: bottom/right windows are partial.
  OpHarness h(AveragePool2DKernel(), Options(ir::Padding::kSame, 1, 1, 2, 2));
  h.AddInput(ir::DataType::kFloat32, Shape{1, 3, 3, 1},
             std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9});
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{1, 3, 3, 1}));
  EXPECT_EQ(h.OutputData<float>(0),
            (std::vector<float>{3, 4, 4.5f, 6, 7, 7.5f, 7.5f, 8.5f, 9}));
}

TEST(PoolingTest, MaxHandComputed) {
  OpHarness h(MaxPool2DKernel(), Options(ir::Padding::kValid, 2, 2, 2, 2));
  h.AddInput(ir::DataType::kFloat32, Shape{1, 2, 4, 1},
             std::vector<float>{-1, -5, 3, 0, -2, -3, 1, 2});
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{1, 1, 2, 1}));
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{-1, 3}));
}

TEST(PoolingTest, RandomShapesMatchNaive) {
  std::mt19937 rng(61);
  for (int iter = 0; iter < 80; ++iter) {
    const int n = RandomInt(rng, 1, 2), ih = RandomInt(rng, 1, 8), iw = RandomInt(rng, 1, 8);
    const int c = RandomInt(rng, 1, 3);
    const bool same = RandomInt(rng, 0, 1);
    const auto o = Options(same ? ir::Padding::kSame : ir::Padding::kValid, RandomInt(rng, 1, 3),
                           RandomInt(rng, 1, 3), RandomInt(rng, 1, 4), RandomInt(rng, 1, 4),
                           static_cast<ir::Activation>(RandomInt(rng, 0, 3)));
    if (!same && (o.filter_height > ih || o.filter_width > iw)) continue;
    const bool is_max = RandomInt(rng, 0, 1);
    SCOPED_TRACE(::testing::Message() << "iter " << iter << (is_max ? " max" : " avg"));
    const auto in = RandomFloats(rng, n * ih * iw * c, -3, 3);
    OpHarness h(is_max ? MaxPool2DKernel() : AveragePool2DKernel(), o);
    h.AddInput(ir::DataType::kFloat32, Shape{n, ih, iw, c}, in);
    h.AddOutput(ir::DataType::kFloat32);
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
    EXPECT_EQ(h.OutputShape(0), (Shape{n, oh, ow, c}));
    const auto range = ActivationRange(o.activation);
    std::vector<double> expected;
    for (int b = 0; b < n; ++b)
      for (int y = 0; y < oh; ++y)
        for (int x = 0; x < ow; ++x)
          for (int ch = 0; ch < c; ++ch) {
            double sum = 0, max = -std::numeric_limits<double>::infinity();
            int count = 0;
            for (int fy = 0; fy < o.filter_height; ++fy)
              for (int fx = 0; fx < o.filter_width; ++fx) {
                const int yy = y * o.stride_h - pt + fy, xx = x * o.stride_w - pl + fx;
                if (yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
                const float v = in[((b * ih + yy) * iw + xx) * c + ch];
                sum += v;
                max = std::max<double>(max, v);
                ++count;
              }
            ASSERT_GT(count, 0);
            expected.push_back(std::clamp<double>(is_max ? max : sum / count, range.min, range.max));
          }
    ExpectAllNear(h.OutputData<float>(0), expected);
  }
}

TEST(PoolingTest, RejectsMalformedOperators) {
  struct Bad {
    const char* name;
    Shape input;
    ir::Pool2DOptions options;
  };
  const auto V = ir::Padding::kValid;
  const std::vector<Bad> cases = {
      {"rank 3", Shape{4, 4, 1}, Options(V, 1, 1, 2, 2)},
      {"zero stride", Shape{1, 4, 4, 1}, Options(V, 0, 1, 2, 2)},
      {"zero filter", Shape{1, 4, 4, 1}, Options(V, 1, 1, 0, 2)},
      {"negative filter", Shape{1, 4, 4, 1}, Options(V, 1, 1, 2, -1)},
      {"VALID filter larger than input", Shape{1, 4, 4, 1}, Options(V, 1, 1, 5, 2)},
      {"tanh", Shape{1, 4, 4, 1}, Options(V, 1, 1, 2, 2, ir::Activation::kTanh)},
  };
  for (const Bad& c : cases) {
    for (const OpKernel* k : {&AveragePool2DKernel(), &MaxPool2DKernel()}) {
      SCOPED_TRACE(::testing::Message() << c.name << " " << k->name);
      OpHarness h(*k, c.options);
      h.AddInput(ir::DataType::kFloat32, c.input, std::vector<float>(c.input.FlatSize()));
      h.AddOutput(ir::DataType::kFloat32);
      EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
    }
  }
  OpHarness int8(MaxPool2DKernel(), Options(V, 1, 1, 1, 1));
  int8.AddInput(ir::DataType::kInt8, Shape{1, 1, 1, 1}, std::vector<int8_t>(1));
  int8.AddOutput(ir::DataType::kInt8);
  // int8 is supported but needs quantization parameters.
  EXPECT_EQ(int8.Run().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
