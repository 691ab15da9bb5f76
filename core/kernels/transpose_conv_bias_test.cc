#include <algorithm>
#include <cstdint>
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

// TfLiteTransposeConvParams bytes: padding (1 SAME, 2 VALID), stride_w, stride_h, little-endian.
std::vector<uint8_t> CustomOptions(int32_t padding, int32_t stride_w, int32_t stride_h) {
  std::vector<uint8_t> bytes;
  for (int32_t v : {padding, stride_w, stride_h}) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<uint8_t>(static_cast<uint32_t>(v) >> (8 * i)));
  }
  return bytes;
}

// Naive computation: output extent and padding as MediaPipe's Prepare states them, then for each
// output element sum over inputs whose window covers it, plus bias.
std::vector<double> Naive(int n, int ih, int iw, int ic, int oc, int kh, int kw, bool same, int sh,
                          int sw, const std::vector<float>& in, const std::vector<float>& w,
                          const std::vector<float>& bias, int* oh, int* ow) {
  const int pad_h = same ? std::max(0, kh - (ih - 1) % sh - 1) : 0;
  const int pad_w = same ? std::max(0, kw - (iw - 1) % sw - 1) : 0;
  *oh = sh * (ih - 1) + kh - pad_h;
  *ow = sw * (iw - 1) + kw - pad_w;
  std::vector<double> out;
  for (int b = 0; b < n; ++b)
    for (int y = 0; y < *oh; ++y)
      for (int x = 0; x < *ow; ++x)
        for (int c = 0; c < oc; ++c) {
          double sum = bias[c];
          for (int iy = 0; iy < ih; ++iy)
            for (int ix = 0; ix < iw; ++ix) {
              const int fy = y - (iy * sh - pad_h / 2), fx = x - (ix * sw - pad_w / 2);
              if (fy < 0 || fy >= kh || fx < 0 || fx >= kw) continue;
              for (int i = 0; i < ic; ++i) {
                sum += static_cast<double>(in[((b * ih + iy) * iw + ix) * ic + i]) *
                       w[((c * kh + fy) * kw + fx) * ic + i];
              }
            }
          out.push_back(sum);
        }
  return out;
}

TEST(TransposeConvBiasTest, SelfieSegmentationStyleUpsampling) {
  // As in selfie_segmentation.tflite: custom_options {1,0,0,0, 2,0,0,0, 2,0,0,0} (SAME, stride 2),
  // weights [1, 2, 2, C], bias [1]: output extent doubles.
  EXPECT_EQ(CustomOptions(1, 2, 2),
            (std::vector<uint8_t>{1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0}));
  OpHarness h(TransposeConvBiasKernel());
  h.mutable_op().custom_options = CustomOptions(1, 2, 2);
  h.AddInput(ir::DataType::kFloat32, Shape{1, 2, 2, 1}, std::vector<float>{1, 2, 3, 4});
  h.AddConstInput(ir::DataType::kFloat32, Shape{1, 2, 2, 1}, std::vector<float>{1, 10, 100, 0});
  h.AddConstInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{0.5f});
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(h.OutputShape(0), (Shape{1, 4, 4, 1}));
  // Each input pixel v fills its 2x2 block with v * {1, 10; 100, 0} + 0.5.
  EXPECT_EQ(h.OutputData<float>(0),
            (std::vector<float>{1.5f, 10.5f, 2.5f, 20.5f, 100.5f, 0.5f, 200.5f, 0.5f,  //
                                3.5f, 30.5f, 4.5f, 40.5f, 300.5f, 0.5f, 400.5f, 0.5f}));
}

TEST(TransposeConvBiasTest, OddInputExtentFollowsMediaPipeFormula) {
  // in 3, kernel 2, stride 2, SAME: pad_total = 2 - (3 - 1) % 2 - 1 = 1, out = 2 * 2 + 2 - 1 = 5
  // (not 6); VALID: out = 2 * 2 + 2 = 6.
  for (auto [padding, extent] : {std::pair{1, 5}, std::pair{2, 6}}) {
    OpHarness h(TransposeConvBiasKernel());
    h.mutable_op().custom_options = CustomOptions(padding, 2, 2);
    h.AddInput(ir::DataType::kFloat32, Shape{1, 3, 3, 1}, std::vector<float>(9, 1.0f));
    h.AddConstInput(ir::DataType::kFloat32, Shape{1, 2, 2, 1}, std::vector<float>{1, 1, 1, 1});
    h.AddConstInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{0});
    h.AddOutput(ir::DataType::kFloat32);
    ASSERT_TRUE(h.Run().ok());
    EXPECT_EQ(h.OutputShape(0), (Shape{1, extent, extent, 1}));
    EXPECT_EQ(h.OutputData<float>(0), std::vector<float>(extent * extent, 1.0f));
  }
}

TEST(TransposeConvBiasTest, RandomShapesMatchNaive) {
  std::mt19937 rng(31);
  for (int iter = 0; iter < 50; ++iter) {
    const int n = RandomInt(rng, 1, 2), ih = RandomInt(rng, 1, 5), iw = RandomInt(rng, 1, 5);
    const int ic = RandomInt(rng, 1, 3), oc = RandomInt(rng, 1, 3);
    const int kh = RandomInt(rng, 1, 4), kw = RandomInt(rng, 1, 4);
    const int sh = RandomInt(rng, 1, 3), sw = RandomInt(rng, 1, 3);
    const bool same = RandomInt(rng, 0, 1) == 1;
    SCOPED_TRACE(::testing::Message() << "iter " << iter);
    const auto in = RandomFloats(rng, n * ih * iw * ic);
    const auto w = RandomFloats(rng, oc * kh * kw * ic);
    const auto bias = RandomFloats(rng, oc);
    OpHarness h(TransposeConvBiasKernel());
    h.mutable_op().custom_options = CustomOptions(same ? 1 : 2, sw, sh);
    h.AddInput(ir::DataType::kFloat32, Shape{n, ih, iw, ic}, in);
    h.AddConstInput(ir::DataType::kFloat32, Shape{oc, kh, kw, ic}, w);
    h.AddConstInput(ir::DataType::kFloat32, Shape{oc}, bias);
    h.AddOutput(ir::DataType::kFloat32);
    const absl::Status s = h.Run();
    ASSERT_TRUE(s.ok()) << s;
    int oh, ow;
    const auto expected = Naive(n, ih, iw, ic, oc, kh, kw, same, sh, sw, in, w, bias, &oh, &ow);
    EXPECT_EQ(h.OutputShape(0), (Shape{n, oh, ow, oc}));
    ExpectAllNear(h.OutputData<float>(0), expected);
  }
}

TEST(TransposeConvBiasTest, RejectsMalformedOperators) {
  struct Bad {
    const char* name;
    std::vector<uint8_t> options;
    Shape weights, bias;
    bool drop_bias;
  };
  const std::vector<Bad> cases = {
      {"short options", {1, 0, 0, 0, 2, 0, 0, 0}, Shape{1, 2, 2, 1}, Shape{1}, false},
      {"padding 0", CustomOptions(0, 2, 2), Shape{1, 2, 2, 1}, Shape{1}, false},
      {"padding 3", CustomOptions(3, 2, 2), Shape{1, 2, 2, 1}, Shape{1}, false},
      {"zero stride", CustomOptions(1, 0, 2), Shape{1, 2, 2, 1}, Shape{1}, false},
      {"negative stride", CustomOptions(1, 2, -1), Shape{1, 2, 2, 1}, Shape{1}, false},
      {"bias size", CustomOptions(1, 2, 2), Shape{1, 2, 2, 1}, Shape{2}, false},
      {"depth mismatch", CustomOptions(1, 2, 2), Shape{1, 2, 2, 3}, Shape{1}, false},
      {"missing bias", CustomOptions(1, 2, 2), Shape{1, 2, 2, 1}, Shape{1}, true},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    OpHarness h(TransposeConvBiasKernel());
    h.mutable_op().custom_options = c.options;
    h.AddInput(ir::DataType::kFloat32, Shape{1, 3, 3, 1}, std::vector<float>(9));
    h.AddConstInput(ir::DataType::kFloat32, c.weights, std::vector<float>(c.weights.FlatSize()));
    if (!c.drop_bias) {
      h.AddConstInput(ir::DataType::kFloat32, c.bias, std::vector<float>(c.bias.FlatSize()));
    }
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace compressd::kernels
