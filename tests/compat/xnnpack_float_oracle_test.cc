// Float operators that TFLite's XNNPACK delegate runs, against compressd's kXnnpack profile, bit
// for bit, in the real TFLite runtime (one-operator models, many inputs):
//   * LOGISTIC on 80,001 inputs from -40 to 40 (XNNPACK's rr2_p5_div sigmoid);
//   * HARD_SWISH on 80,001 inputs from -5.05 to 5.05, clamping regions included;
//   * global AVERAGE_POOL_2D on five image sizes and MEAN over height and width (7p7x
//     summation, 1 to 147 passes);
//   * RESIZE_BILINEAR, legacy, align_corners and half_pixel_centers, up- and downscaling;
//   * CONV_2D (3x3 stride 2 with padding, 1x1), DEPTHWISE_CONV_2D (3x3, 5x5 with padding) and
//     FULLY_CONNECTED with biases and fused activations (XNNPACK's order of operations).
// The real models' float and dynamic-range agreement (interpreter_oracle_test.cc,
// hybrid_oracle_test.cc) rests on these.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/base/file_io.h"
#include "core/interp/interpreter.h"
#include "core/passes/testing/model_builder.h"
#include "core/tflite/model_writer.h"
#include "gtest/gtest.h"
#include "tests/support/test_data.h"
#include "tests/support/tflite_oracle.h"

namespace compressd {
namespace {

using passes::testing::ModelBuilder;
using passes::testing::RawBytes;

std::vector<float> Random(size_t n, uint32_t seed, float lo = -3.0f, float hi = 3.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

std::vector<float> Ramp(int n, float step) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int k = 0; k < n; ++k) v[static_cast<size_t>(k)] = static_cast<float>(k - n / 2) * step;
  return v;
}

// Runs the one-input model in TFLite and in compressd (kXnnpack) and expects identical bytes.
void ExpectBitExact(const ir::Model& model, const std::vector<float>& input) {
  const std::string dir = testing::MakeTempDir("xnnpack_float");
  auto bytes = tflite::WriteModel(model);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  ASSERT_TRUE(WriteFileAtomic(dir + "/model.tflite", *bytes).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/input.bin", RawBytes(input)).ok());
  auto want = testing::RunTfliteOracle(dir + "/model.tflite", {dir + "/input.bin"});
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_TRUE(want->loaded) << want->error;

  interp::InterpreterOptions options;
  options.integer_arithmetic = kernels::IntegerArithmetic::kXnnpack;
  auto interp = interp::Interpreter::Create(model, options);
  ASSERT_TRUE(interp.ok()) << interp.status();
  ASSERT_TRUE((*interp)->SetInput(0, RawBytes(input)).ok());
  ASSERT_TRUE((*interp)->Invoke().ok());
  const auto got = (*interp)->output_bytes(0);
  ASSERT_EQ(got.size(), want->outputs[0].size());
  size_t differing = 0, first = 0;
  for (size_t i = 0; i < got.size(); i += 4) {
    if (std::memcmp(got.data() + i, want->outputs[0].data() + i, 4) != 0) {
      if (differing++ == 0) first = i / 4;
    }
  }
  float a = 0, b = 0;
  if (differing > 0) {
    std::memcpy(&a, want->outputs[0].data() + first * 4, 4);
    std::memcpy(&b, got.data() + first * 4, 4);
  }
  EXPECT_EQ(differing, 0u) << "of " << got.size() / 4 << " outputs; first at " << first
                           << ": TFLite " << a << ", compressd " << b;
}

ir::Model Unary(ir::BuiltinOp op, int n) {
  ModelBuilder b;
  const int32_t x = b.Tensor("x", {1, n});
  const int32_t y = b.Tensor("y", {1, n});
  b.Op(op, {x}, {y});
  b.Inputs({x});
  b.Outputs({y});
  return b.Build();
}

TEST(XnnpackFloatOracleTest, Logistic) {
  ExpectBitExact(Unary(ir::BuiltinOp::kLogistic, 80001), Ramp(80001, 1e-3f));
}

TEST(XnnpackFloatOracleTest, HardSwish) {
  ExpectBitExact(Unary(ir::BuiltinOp::kHardSwish, 80001), Ramp(80001, 1.0f / 7919.0f));
}

TEST(XnnpackFloatOracleTest, GlobalAveragePool) {
  for (auto [h, w, c] : {std::tuple{16, 16, 16}, std::tuple{8, 8, 72}, std::tuple{32, 32, 24},
                         std::tuple{5, 3, 4}, std::tuple{2, 3, 5}}) {
    SCOPED_TRACE(::testing::Message() << h << "x" << w << "x" << c);
    ModelBuilder b;
    const int32_t x = b.Tensor("x", {1, h, w, c});
    const int32_t y = b.Tensor("y", {1, 1, 1, c});
    ir::Pool2DOptions o;
    o.padding = ir::Padding::kValid;
    o.stride_w = w;
    o.stride_h = h;
    o.filter_width = w;
    o.filter_height = h;
    o.activation = c == 4 ? ir::Activation::kRelu6 : ir::Activation::kNone;
    b.Op(ir::BuiltinOp::kAveragePool2d, {x}, {y}, o);
    b.Inputs({x});
    b.Outputs({y});
    ExpectBitExact(b.Build(), Random(static_cast<size_t>(h * w * c), 5));
  }
}

TEST(XnnpackFloatOracleTest, MeanOverHeightAndWidth) {
  for (const bool keep_dims : {false, true}) {
    SCOPED_TRACE(::testing::Message() << "keep_dims " << keep_dims);
    ModelBuilder b;
    const int32_t x = b.Tensor("x", {1, 7, 9, 16});
    const int32_t axes =
        b.Constant("axes", {2}, ir::DataType::kInt32, std::vector<int32_t>{1, 2});
    const int32_t y = b.Tensor("y", keep_dims ? std::vector<int32_t>{1, 1, 1, 16}
                                              : std::vector<int32_t>{1, 16});
    ir::ReducerOptions o;
    o.keep_dims = keep_dims;
    b.Op(ir::BuiltinOp::kMean, {x, axes}, {y}, o);
    b.Inputs({x});
    b.Outputs({y});
    ExpectBitExact(b.Build(), Random(7 * 9 * 16, 16));
  }
}

TEST(XnnpackFloatOracleTest, ResizeBilinear) {
  struct Case {
    int in_h, in_w, out_h, out_w;
    bool align_corners, half_pixel_centers;
  };
  for (const Case& c : {Case{8, 8, 16, 16, false, false}, Case{8, 8, 16, 16, false, true},
                        Case{7, 5, 13, 11, true, false}, Case{16, 12, 5, 7, false, true},
                        Case{32, 32, 64, 64, false, false}}) {
    SCOPED_TRACE(::testing::Message() << c.in_h << "x" << c.in_w << " -> " << c.out_h << "x"
                                      << c.out_w << " align " << c.align_corners << " half "
                                      << c.half_pixel_centers);
    ModelBuilder b;
    const int32_t x = b.Tensor("x", {1, c.in_h, c.in_w, 3});
    const int32_t size =
        b.Constant("size", {2}, ir::DataType::kInt32, std::vector<int32_t>{c.out_h, c.out_w});
    const int32_t y = b.Tensor("y", {1, c.out_h, c.out_w, 3});
    ir::ResizeBilinearOptions o;
    o.align_corners = c.align_corners;
    o.half_pixel_centers = c.half_pixel_centers;
    b.Op(ir::BuiltinOp::kResizeBilinear, {x, size}, {y}, o, c.half_pixel_centers ? 3 : 1);
    b.Inputs({x});
    b.Outputs({y});
    ExpectBitExact(b.Build(), Random(static_cast<size_t>(c.in_h * c.in_w * 3), 6));
  }
}

TEST(XnnpackFloatOracleTest, Convolutions) {
  // CONV_2D 3x3 stride 2 SAME (padding) with RELU6, and 1x1 with no activation.
  for (const int k : {3, 1}) {
    SCOPED_TRACE(::testing::Message() << "CONV_2D " << k << "x" << k);
    ModelBuilder b;
    const int32_t x = b.Tensor("x", {1, 17, 15, 12});
    const int32_t w = b.Constant("w", {20, k, k, 12}, ir::DataType::kFloat32,
                                 Random(static_cast<size_t>(20 * k * k * 12), 7, -1, 1));
    const int32_t bias = b.Constant("b", {20}, ir::DataType::kFloat32, Random(20, 8, -1, 1));
    const int stride = k == 3 ? 2 : 1;
    const int32_t y = b.Tensor("y", {1, (17 + stride - 1) / stride, (15 + stride - 1) / stride,
                                     20});
    ir::Conv2DOptions o;
    o.padding = ir::Padding::kSame;
    o.stride_w = o.stride_h = stride;
    o.activation = k == 3 ? ir::Activation::kRelu6 : ir::Activation::kNone;
    b.Op(ir::BuiltinOp::kConv2d, {x, w, bias}, {y}, o);
    b.Inputs({x});
    b.Outputs({y});
    ExpectBitExact(b.Build(), Random(17 * 15 * 12, 9));
  }
  // DEPTHWISE_CONV_2D 3x3 stride 1 and 5x5 stride 2, SAME.
  for (const int k : {3, 5}) {
    SCOPED_TRACE(::testing::Message() << "DEPTHWISE_CONV_2D " << k << "x" << k);
    ModelBuilder b;
    const int32_t x = b.Tensor("x", {1, 14, 13, 10});
    const int32_t w = b.Constant("w", {1, k, k, 10}, ir::DataType::kFloat32,
                                 Random(static_cast<size_t>(k * k * 10), 10, -1, 1));
    const int32_t bias = b.Constant("b", {10}, ir::DataType::kFloat32, Random(10, 11, -1, 1));
    const int stride = k == 5 ? 2 : 1;
    const int32_t y =
        b.Tensor("y", {1, (14 + stride - 1) / stride, (13 + stride - 1) / stride, 10});
    ir::DepthwiseConv2DOptions o;
    o.padding = ir::Padding::kSame;
    o.stride_w = o.stride_h = stride;
    o.depth_multiplier = 1;
    o.activation = ir::Activation::kRelu;
    b.Op(ir::BuiltinOp::kDepthwiseConv2d, {x, w, bias}, {y}, o);
    b.Inputs({x});
    b.Outputs({y});
    ExpectBitExact(b.Build(), Random(14 * 13 * 10, 12));
  }
  {
    SCOPED_TRACE("FULLY_CONNECTED");
    ModelBuilder b;
    const int32_t x = b.Tensor("x", {3, 200});
    const int32_t w = b.Constant("w", {37, 200}, ir::DataType::kFloat32,
                                 Random(37 * 200, 13, -1, 1));
    const int32_t bias = b.Constant("b", {37}, ir::DataType::kFloat32, Random(37, 14, -1, 1));
    const int32_t y = b.Tensor("y", {3, 37});
    b.Op(ir::BuiltinOp::kFullyConnected, {x, w, bias}, {y}, ir::FullyConnectedOptions{});
    b.Inputs({x});
    b.Outputs({y});
    ExpectBitExact(b.Build(), Random(3 * 200, 15));
  }
}

}  // namespace
}  // namespace compressd
