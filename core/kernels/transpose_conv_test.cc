#include <algorithm>
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

ir::TransposeConvOptions Options(ir::Padding padding, int sh, int sw,
                                 ir::Activation act = ir::Activation::kNone) {
  ir::TransposeConvOptions o;
  o.padding = padding;
  o.stride_h = sh;
  o.stride_w = sw;
  o.activation = act;
  return o;
}

// Gather form of the transposed convolution: output (oy, ox) receives input (iy, ix) through
// filter tap (fy, fx) when iy * stride - pad + fy == oy. Padding as TFLite: that of a forward
// convolution from the output extent.
std::vector<double> Naive(int n, int ih, int iw, int ic, int oh, int ow, int oc, int kh, int kw,
                          const ir::TransposeConvOptions& o, const std::vector<float>& in,
                          const std::vector<float>& w, const float* bias) {
  auto pad = [&](int out_size, int k, int stride) {
    const int conv_out = o.padding == ir::Padding::kSame ? (out_size + stride - 1) / stride
                                                         : (out_size - k + stride) / stride;
    return std::max((conv_out - 1) * stride + k - out_size, 0) / 2;
  };
  const int pt = pad(oh, kh, o.stride_h), pl = pad(ow, kw, o.stride_w);
  const auto range = ActivationRange(o.activation);
  std::vector<double> out;
  for (int b = 0; b < n; ++b)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int c = 0; c < oc; ++c) {
          double sum = 0;
          for (int fy = 0; fy < kh; ++fy)
            for (int fx = 0; fx < kw; ++fx) {
              const int ny = y + pt - fy, nx = x + pl - fx;
              if (ny < 0 || nx < 0 || ny % o.stride_h || nx % o.stride_w) continue;
              const int iy = ny / o.stride_h, ix = nx / o.stride_w;
              if (iy >= ih || ix >= iw) continue;
              for (int i = 0; i < ic; ++i) {
                sum += static_cast<double>(in[((b * ih + iy) * iw + ix) * ic + i]) *
                       w[((c * kh + fy) * kw + fx) * ic + i];
              }
            }
          if (bias) sum += bias[c];
          out.push_back(std::min<double>(std::max<double>(sum, range.min), range.max));
        }
  return out;
}

TEST(TransposeConvTest, HandComputedStrideTwo) {
  // 1x2x2x1 input {1,2,3,4}, 2x2 filter of ones, stride 2, VALID: each input fills a 2x2 block.
  OpHarness h(TransposeConvKernel(), Options(ir::Padding::kValid, 2, 2));
  h.AddConstInput(ir::DataType::kInt32, Shape{4}, std::vector<int32_t>{1, 4, 4, 1});
  h.AddConstInput(ir::DataType::kFloat32, Shape{1, 2, 2, 1}, std::vector<float>{1, 1, 1, 1});
  h.AddInput(ir::DataType::kFloat32, Shape{1, 2, 2, 1}, std::vector<float>{1, 2, 3, 4});
  h.AddConstInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{10});
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{1, 4, 4, 1}));
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{11, 11, 12, 12, 11, 11, 12, 12,
                                                        13, 13, 14, 14, 13, 13, 14, 14}));
}

TEST(TransposeConvTest, RandomShapesMatchNaive) {
  std::mt19937 rng(21);
  for (int iter = 0; iter < 60; ++iter) {
    const int n = RandomInt(rng, 1, 2), ih = RandomInt(rng, 1, 5), iw = RandomInt(rng, 1, 5);
    const int ic = RandomInt(rng, 1, 3), oc = RandomInt(rng, 1, 3);
    const int kh = RandomInt(rng, 1, 4), kw = RandomInt(rng, 1, 4);
    const auto o = Options(RandomInt(rng, 0, 1) ? ir::Padding::kSame : ir::Padding::kValid,
                           RandomInt(rng, 1, 3), RandomInt(rng, 1, 3),
                           static_cast<ir::Activation>(RandomInt(rng, 0, 3)));
    // Output extents around the natural ones (TFLite accepts any positive extent).
    const int oh = std::max(1, ih * o.stride_h + RandomInt(rng, -1, 2));
    const int ow = std::max(1, iw * o.stride_w + RandomInt(rng, -1, 2));
    const bool has_bias = RandomInt(rng, 0, 1) == 1;
    SCOPED_TRACE(::testing::Message() << "iter " << iter);
    const auto in = RandomFloats(rng, n * ih * iw * ic);
    const auto w = RandomFloats(rng, oc * kh * kw * ic);
    const auto bias = RandomFloats(rng, oc);
    OpHarness h(TransposeConvKernel(), o);
    h.AddConstInput(ir::DataType::kInt32, Shape{4}, std::vector<int32_t>{n, oh, ow, oc});
    h.AddConstInput(ir::DataType::kFloat32, Shape{oc, kh, kw, ic}, w);
    h.AddInput(ir::DataType::kFloat32, Shape{n, ih, iw, ic}, in);
    if (has_bias) h.AddConstInput(ir::DataType::kFloat32, Shape{oc}, bias);
    h.AddOutput(ir::DataType::kFloat32);
    const absl::Status s = h.Run();
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_EQ(h.OutputShape(0), (Shape{n, oh, ow, oc}));
    ExpectAllNear(h.OutputData<float>(0),
                  Naive(n, ih, iw, ic, oh, ow, oc, kh, kw, o, in, w,
                        has_bias ? bias.data() : nullptr));
  }
}

TEST(TransposeConvTest, OmittedBiasIsAccepted) {
  OpHarness h(TransposeConvKernel(), Options(ir::Padding::kSame, 1, 1));
  h.AddConstInput(ir::DataType::kInt32, Shape{4}, std::vector<int32_t>{1, 1, 1, 1});
  h.AddConstInput(ir::DataType::kFloat32, Shape{1, 1, 1, 1}, std::vector<float>{3});
  h.AddInput(ir::DataType::kFloat32, Shape{1, 1, 1, 1}, std::vector<float>{2});
  h.AddOptionalInput();
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputData<float>(0), std::vector<float>{6});
}

TEST(TransposeConvTest, RejectsMalformedOperators) {
  struct Bad {
    const char* name;
    std::vector<int32_t> out_shape;
    bool shape_const;
    Shape weights, input, bias;
    ir::TransposeConvOptions options;
    absl::StatusCode code;
  };
  const auto V = ir::Padding::kValid;
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  const std::vector<Bad> cases = {
      {"dynamic output shape", {1, 4, 4, 1}, false, Shape{1, 2, 2, 1}, Shape{1, 2, 2, 1},
       Shape(), Options(V, 2, 2), absl::StatusCode::kUnimplemented},
      {"output_shape 3 elements", {1, 4, 4}, true, Shape{1, 2, 2, 1}, Shape{1, 2, 2, 1}, Shape(),
       Options(V, 2, 2), kInvalid},
      {"output channels != weights O", {1, 4, 4, 2}, true, Shape{1, 2, 2, 1}, Shape{1, 2, 2, 1},
       Shape(), Options(V, 2, 2), kInvalid},
      {"batch mismatch", {2, 4, 4, 1}, true, Shape{1, 2, 2, 1}, Shape{1, 2, 2, 1}, Shape(),
       Options(V, 2, 2), kInvalid},
      {"zero output height", {1, 0, 4, 1}, true, Shape{1, 2, 2, 1}, Shape{1, 2, 2, 1}, Shape(),
       Options(V, 2, 2), kInvalid},
      {"input depth != weights I", {1, 4, 4, 1}, true, Shape{1, 2, 2, 3}, Shape{1, 2, 2, 1},
       Shape(), Options(V, 2, 2), kInvalid},
      {"zero stride", {1, 4, 4, 1}, true, Shape{1, 2, 2, 1}, Shape{1, 2, 2, 1}, Shape(),
       Options(V, 0, 2), kInvalid},
      {"bias size", {1, 4, 4, 1}, true, Shape{1, 2, 2, 1}, Shape{1, 2, 2, 1}, Shape{2},
       Options(V, 2, 2), kInvalid},
      {"stride overflows int32 indexing", {1, 4, 4, 1}, true, Shape{1, 2, 2, 1},
       Shape{1, 3, 2, 1}, Shape(), Options(V, 1 << 30, 2), kInvalid},
      {"weights rank 3", {1, 4, 4, 1}, true, Shape{1, 2, 2}, Shape{1, 2, 2, 1}, Shape(),
       Options(V, 2, 2), kInvalid},
      {"tanh", {1, 4, 4, 1}, true, Shape{1, 2, 2, 1}, Shape{1, 2, 2, 1}, Shape(),
       Options(V, 2, 2, ir::Activation::kTanh), kInvalid},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    OpHarness h(TransposeConvKernel(), c.options);
    const Shape shape_shape{static_cast<int32_t>(c.out_shape.size())};
    if (c.shape_const) {
      h.AddConstInput(ir::DataType::kInt32, shape_shape, c.out_shape);
    } else {
      h.AddInput(ir::DataType::kInt32, shape_shape, c.out_shape);
    }
    h.AddConstInput(ir::DataType::kFloat32, c.weights, std::vector<float>(c.weights.FlatSize()));
    h.AddInput(ir::DataType::kFloat32, c.input, std::vector<float>(c.input.FlatSize()));
    if (c.bias.rank() > 0) {
      h.AddConstInput(ir::DataType::kFloat32, c.bias, std::vector<float>(c.bias.FlatSize()));
    }
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), c.code);
  }
}

}  // namespace
}  // namespace compressd::kernels
