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

template <typename T>
std::vector<T> RunUnary(const OpKernel& kernel, ir::DataType type, const Shape& shape,
                        const std::vector<T>& x) {
  OpHarness h(kernel);
  h.AddInput(type, shape, x);
  h.AddOutput(type);
  const absl::Status s = h.Run();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(h.OutputShape(0), shape);
  return s.ok() ? h.OutputData<T>(0) : std::vector<T>();
}

TEST(ElementwiseTest, FloatFunctionsMatchDoublePrecision) {
  std::mt19937 rng(71);
  const std::vector<float> x = RandFloats(rng, 300, -10.0f, 10.0f);
  const std::vector<float> pos = RandFloats(rng, 300, 1e-3f, 100.0f);
  const Shape shape{3, 100};
  auto expect = [&](const OpKernel& k, const std::vector<float>& in, auto f) {
    std::vector<double> want;
    for (float v : in) want.push_back(f(static_cast<double>(v)));
    ExpectNearFloats(RunUnary(k, ir::DataType::kFloat32, shape, in), want, 1e-6, 1e-6);
  };
  expect(ExpKernel(), x, [](double v) { return std::exp(v); });
  expect(SqrtKernel(), pos, [](double v) { return std::sqrt(v); });
  expect(RsqrtKernel(), pos, [](double v) { return 1.0 / std::sqrt(v); });
  expect(AbsKernel(), x, [](double v) { return std::fabs(v); });
  expect(NegKernel(), x, [](double v) { return -v; });
}

TEST(ElementwiseTest, SpecialFloatValues) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> y = RunUnary(SqrtKernel(), ir::DataType::kFloat32, Shape{3},
                                  std::vector<float>{-1.0f, 0.0f, inf});
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[2], inf);
  y = RunUnary(RsqrtKernel(), ir::DataType::kFloat32, Shape{1}, std::vector<float>{0.0f});
  EXPECT_EQ(y[0], inf);
  y = RunUnary(NegKernel(), ir::DataType::kFloat32, Shape{1}, std::vector<float>{0.0f});
  EXPECT_TRUE(std::signbit(y[0]));  // -0
}

TEST(ElementwiseTest, Int32AbsAndNeg) {
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  const std::vector<int32_t> x = {-5, 0, 7, kMin};
  EXPECT_EQ(RunUnary(AbsKernel(), ir::DataType::kInt32, Shape{2, 2}, x),
            (std::vector<int32_t>{5, 0, 7, kMin}));  // |INT_MIN| wraps to itself
  EXPECT_EQ(RunUnary(NegKernel(), ir::DataType::kInt32, Shape{4}, x),
            (std::vector<int32_t>{5, 0, -7, kMin}));
}

TEST(ElementwiseTest, RejectsUnsupportedTypes) {
  {
    OpHarness h(ExpKernel());
    h.AddInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{1});
    h.AddOutput(ir::DataType::kInt32);
    const absl::Status s = h.Run();
    EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
    EXPECT_NE(s.message().find("int32"), absl::string_view::npos) << s;
  }
  {
    OpHarness h(AbsKernel());
    h.AddInput(ir::DataType::kInt64, Shape{1}, std::vector<int64_t>{1});
    h.AddOutput(ir::DataType::kInt64);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kUnimplemented);
  }
}

}  // namespace
}  // namespace compressd::kernels
