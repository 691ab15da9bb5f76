#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "core/kernels/tensor_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/tensor_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::ExpectNearFloats;
using testing::OpHarness;
using testing::RandFloats;

const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

std::vector<float> RunUnary(const OpKernel& kernel, const Shape& shape, const std::vector<float>& x,
                            ir::BuiltinOptions options = {}) {
  OpHarness h(kernel, std::move(options));
  h.AddInput(ir::DataType::kFloat32, shape, x);
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(h.OutputShape(0), shape);
  return s.ok() ? h.OutputData<float>(0) : std::vector<float>();
}

TEST(ActivationsTest, ReluFamilyOnHandValues) {
  const std::vector<float> x = {-7.0f, -1.5f, -0.5f, 0.0f, 0.5f, 1.5f, 5.9f, 6.5f};
  EXPECT_EQ(RunUnary(ReluKernel(), Shape{2, 4}, x),
            (std::vector<float>{0, 0, 0, 0, 0.5f, 1.5f, 5.9f, 6.5f}));
  EXPECT_EQ(RunUnary(Relu6Kernel(), Shape{8}, x),
            (std::vector<float>{0, 0, 0, 0, 0.5f, 1.5f, 5.9f, 6.0f}));
  EXPECT_EQ(RunUnary(ReluN1To1Kernel(), Shape{2, 2, 2}, x),
            (std::vector<float>{-1, -1, -0.5f, 0, 0.5f, 1, 1, 1}));
}

TEST(ActivationsTest, ReluFamilyPropagatesNanAndClampsInfinity) {
  const std::vector<float> x = {kNan, kInf, -kInf};
  std::vector<float> y = RunUnary(ReluKernel(), Shape{3}, x);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], kInf);
  EXPECT_EQ(y[2], 0.0f);
  y = RunUnary(Relu6Kernel(), Shape{3}, x);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], 6.0f);
  EXPECT_EQ(y[2], 0.0f);
}

TEST(ActivationsTest, LeakyReluWithAlpha) {
  const std::vector<float> x = {-2.0f, -0.5f, 0.0f, 3.0f};
  EXPECT_EQ(RunUnary(LeakyReluKernel(), Shape{4}, x, ir::LeakyReluOptions{0.25f}),
            (std::vector<float>{-0.5f, -0.125f, 0.0f, 3.0f}));
  EXPECT_EQ(RunUnary(LeakyReluKernel(), Shape{4}, x, ir::LeakyReluOptions{2.0f}),
            (std::vector<float>{-4.0f, -1.0f, 0.0f, 3.0f}));
}

TEST(ActivationsTest, SmoothActivationsMatchDoublePrecision) {
  std::mt19937 rng(61);
  std::vector<float> x = RandFloats(rng, 500, -12.0f, 12.0f);
  x.insert(x.end(), {-3.0f, 3.0f, 0.0f, -9.5f, 16.0f, 17.0f, -20.0f});
  const Shape shape{static_cast<int32_t>(x.size())};
  auto expect = [&](const OpKernel& k, auto f, double abs_tol, double rel_tol) {
    std::vector<double> want;
    for (float v : x) want.push_back(f(static_cast<double>(v)));
    ExpectNearFloats(RunUnary(k, shape, x), want, abs_tol, rel_tol);
  };
  expect(
      HardSwishKernel(), [](double v) { return v * std::min(6.0, std::max(0.0, v + 3)) / 6; }, 1e-6,
      1e-6);
  expect(
      LogisticKernel(), [](double v) { return 1.0 / (1.0 + std::exp(-v)); }, 1e-6, 1e-5);
  expect(
      TanhKernel(), [](double v) { return std::tanh(v); }, 1e-6, 1e-6);
  expect(
      EluKernel(), [](double v) { return v < 0 ? std::expm1(v) : v; }, 1e-6, 1e-6);
}

TEST(ActivationsTest, LogisticUsesTfliteCutoffs) {
  const std::vector<float> y = RunUnary(LogisticKernel(), Shape{3}, {17.0f, -10.0f, kNan});
  EXPECT_EQ(y[0], 1.0f);              // above 16.619...: exactly 1
  EXPECT_EQ(y[1], std::exp(-10.0f));  // below -9: exp(x)
  EXPECT_TRUE(std::isnan(y[2]));
}

TEST(ActivationsTest, EmptyAndScalarInputs) {
  EXPECT_TRUE(RunUnary(ReluKernel(), Shape{0, 3}, {}).empty());
  EXPECT_EQ(RunUnary(EluKernel(), Shape{}, {2.0f}), (std::vector<float>{2.0f}));
}

TEST(ActivationsTest, RejectsBadInputs) {
  {
    OpHarness h(ReluKernel());
    h.AddInput(ir::DataType::kInt8, Shape{2}, std::vector<int8_t>(2));
    h.AddOutput(ir::DataType::kInt8);
    // int8 is supported but needs quantization parameters.
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    OpHarness h(TanhKernel());
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddOutput(ir::DataType::kInt32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    OpHarness h(LogisticKernel());
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace compressd::kernels
