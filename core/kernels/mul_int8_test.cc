// Quantized MUL (int8, int16): exact equality with a direct loop written from TFLite's mul.cc
// arithmetic, within 1 LSB of the ideal result, broadcasting, every fused activation, and the
// Prepare checks.
#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/quant_test_util.h"
#include "core/quant/fixed_point.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;
using testing::Q;

const ir::Activation kActs[] = {ir::Activation::kNone, ir::Activation::kRelu,
                                ir::Activation::kRelu6, ir::Activation::kReluN1To1};

void ActRange(ir::Activation act, float scale, int32_t zp, int32_t qmin, int32_t qmax, int32_t* lo,
              int32_t* hi) {
  auto q = [&](float f) { return zp + static_cast<int32_t>(std::round(f / scale)); };
  *lo = qmin;
  *hi = qmax;
  if (act == ir::Activation::kRelu) *lo = std::max(qmin, q(0.0f));
  if (act == ir::Activation::kRelu6) {
    *lo = std::max(qmin, q(0.0f));
    *hi = std::min(qmax, q(6.0f));
  }
  if (act == ir::Activation::kReluN1To1) {
    *lo = std::max(qmin, q(-1.0f));
    *hi = std::min(qmax, q(1.0f));
  }
}

double ActApply(ir::Activation act, double v) {
  if (act == ir::Activation::kRelu) return std::max(v, 0.0);
  if (act == ir::Activation::kRelu6) return std::clamp(v, 0.0, 6.0);
  if (act == ir::Activation::kReluN1To1) return std::clamp(v, -1.0, 1.0);
  return v;
}

template <typename T>
struct Case {
  Shape a_shape, b_shape;
  std::vector<T> a, b;
  float sa, sb, so;
  int32_t za, zb, zo;
  ir::Activation act;
};

template <typename T>
absl::Status RunOp(const Case<T>& c, ir::DataType type, std::vector<T>* out, Shape* out_shape) {
  ir::MulOptions o;
  o.activation = c.act;
  OpHarness h(MulKernel(), o);
  h.AddInput(type, c.a_shape, c.a, Q(c.sa, c.za));
  h.AddInput(type, c.b_shape, c.b, Q(c.sb, c.zb));
  h.AddOutput(type, Shape(), Q(c.so, c.zo));
  const absl::Status s = h.Run();
  if (s.ok()) {
    *out = h.OutputData<T>(0);
    *out_shape = h.OutputShape(0);
  }
  return s;
}

template <typename T>
std::vector<T> Expected(const Case<T>& c, const Shape& out_shape) {
  const float real = c.sa * c.sb / c.so;  // float, as TFLite
  const auto m = testing::TestQuantizeMultiplier(real);
  int32_t lo, hi;
  ActRange(c.act, c.so, c.zo, std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), &lo,
           &hi);
  const auto sa = testing::BroadcastStrides(c.a_shape, out_shape);
  const auto sb = testing::BroadcastStrides(c.b_shape, out_shape);
  std::vector<T> out(out_shape.FlatSize());
  for (int64_t i = 0; i < out_shape.FlatSize(); ++i) {
    const int32_t x = c.a[testing::BroadcastIndex(i, out_shape, sa)] - c.za;
    const int32_t y = c.b[testing::BroadcastIndex(i, out_shape, sb)] - c.zb;
    const int32_t r = quant::MultiplyByQuantizedMultiplier(x * y, m.multiplier, m.shift) + c.zo;
    out[i] = static_cast<T>(std::clamp(r, lo, hi));
  }
  return out;
}

template <typename T>
Case<T> RandomCase(std::mt19937& rng, bool symmetric) {
  Case<T> c;
  testing::RandomBroadcastShapes(rng, &c.a_shape, &c.b_shape);
  c.a = testing::RandomValues<T>(rng, c.a_shape.FlatSize());
  c.b = testing::RandomValues<T>(rng, c.b_shape.FlatSize());
  c.sa = testing::RandomScale(rng, 1e-3f, 1.0f);
  c.sb = testing::RandomScale(rng, 1e-3f, 1.0f);
  const double range = std::numeric_limits<T>::max();
  // Output scale near the product's range (sometimes much smaller, so that results saturate).
  c.so = static_cast<float>(c.sa * c.sb * range * testing::RandomScale(rng, 0.05f, 2.0f));
  c.za = symmetric ? 0 : testing::RandomZeroPoint<T>(rng);
  c.zb = symmetric ? 0 : testing::RandomZeroPoint<T>(rng);
  c.zo = symmetric ? 0 : testing::RandomZeroPoint<T>(rng);
  c.act = kActs[std::uniform_int_distribution<int>(0, 3)(rng)];
  return c;
}

template <typename T>
void CheckRandom(ir::DataType type, bool symmetric, uint32_t seed, int iters) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < iters; ++iter) {
    const Case<T> c = RandomCase<T>(rng, symmetric);
    SCOPED_TRACE(::testing::Message() << "iter " << iter << " a " << c.a_shape.ToString() << " b "
                                      << c.b_shape.ToString() << " act " << int(c.act));
    std::vector<T> out;
    Shape shape;
    const absl::Status s = RunOp(c, type, &out, &shape);
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_EQ(shape, testing::BroadcastOf(c.a_shape, c.b_shape));
    ASSERT_EQ(out, Expected(c, shape));
    const auto sa = testing::BroadcastStrides(c.a_shape, shape);
    const auto sb = testing::BroadcastStrides(c.b_shape, shape);
    int32_t lo, hi;
    ActRange(c.act, c.so, c.zo, std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), &lo,
             &hi);
    for (int64_t i = 0; i < shape.FlatSize(); ++i) {
      const double real = (c.a[testing::BroadcastIndex(i, shape, sa)] - c.za) * double{c.sa} *
                          (c.b[testing::BroadcastIndex(i, shape, sb)] - c.zb) * double{c.sb};
      const int32_t ideal = testing::IdealQuantize(ActApply(c.act, real), c.so, c.zo, lo, hi);
      ASSERT_LE(std::abs(out[i] - ideal), 1) << "element " << i << " real " << real;
    }
  }
}

TEST(MulInt8Test, HandComputed) {
  Case<int8_t> c{Shape{4}, Shape{1}, {2, -3, 100, -100}, {4}, 0.5f, 0.25f, 0.125f,
                 0,        0,        0,                  ir::Activation::kNone};
  std::vector<int8_t> out;
  Shape shape;
  ASSERT_TRUE(RunOp(c, ir::DataType::kInt8, &out, &shape).ok());
  // real = a * 0.5 * 4 * 0.25 = a * 0.5; quantized at 0.125: a * 4.
  EXPECT_EQ(out, (std::vector<int8_t>{8, -12, 127, -128}));
}

TEST(MulInt8Test, RandomMatchesTfliteArithmeticAndIdeal) {
  CheckRandom<int8_t>(ir::DataType::kInt8, false, 555, 300);
}

TEST(MulInt16Test, RandomMatchesTfliteArithmeticAndIdeal) {
  CheckRandom<int16_t>(ir::DataType::kInt16, true, 556, 150);
}

// Equal shapes and a row operand ([1,1,1,C] against [1,H,W,C], either side) run the vectorized
// path; C = 19 and H*W = 6 cover full 8-lane blocks and tails.
TEST(MulInt8Test, VectorizedShapesMatchTfliteArithmetic) {
  std::mt19937 rng(98);
  const Shape full{1, 2, 3, 19}, row{1, 1, 1, 19};
  const std::pair<Shape, Shape> shapes[] = {{full, full}, {full, row}, {row, full}};
  for (int iter = 0; iter < 30; ++iter) {
    Case<int8_t> c = RandomCase<int8_t>(rng, false);
    std::tie(c.a_shape, c.b_shape) = shapes[iter % 3];
    c.a = testing::RandomValues<int8_t>(rng, c.a_shape.FlatSize());
    c.b = testing::RandomValues<int8_t>(rng, c.b_shape.FlatSize());
    std::vector<int8_t> out;
    Shape shape;
    ASSERT_TRUE(RunOp(c, ir::DataType::kInt8, &out, &shape).ok());
    ASSERT_EQ(shape, full);
    ASSERT_EQ(out, Expected(c, shape)) << "iter " << iter;
  }
}

TEST(MulInt8Test, PrepareErrors) {
  const auto ok = Q(0.1f, 0);
  struct Bad {
    const char* name;
    std::optional<ir::QuantParams> qa, qb, qo;
    ir::DataType type;
    ir::Activation act;
    absl::StatusCode code;
    const char* message;
  };
  const std::vector<Bad> cases = {
      {"no quant input 0", std::nullopt, ok, ok, ir::DataType::kInt8, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "input 0"},
      {"no quant output", ok, ok, std::nullopt, ir::DataType::kInt8, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "output"},
      {"zero scale", ok, Q(0.0f, 0), ok, ir::DataType::kInt8, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "scale"},
      {"NaN scale", ok, ok, Q(std::nanf(""), 0), ir::DataType::kInt8, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "scale"},
      {"zero point out of range", ok, Q(0.1f, -129), ok, ir::DataType::kInt8,
       ir::Activation::kNone, absl::StatusCode::kInvalidArgument, "zero point -129"},
      {"huge multiplier", Q(1e30f, 0), Q(1e30f, 0), Q(1e-30f, 0), ir::DataType::kInt8,
       ir::Activation::kNone, absl::StatusCode::kInvalidArgument, "input 0 scale"},
      {"sign bit activation", ok, ok, ok, ir::DataType::kInt8, ir::Activation::kSignBit,
       absl::StatusCode::kUnimplemented, "activation"},
      {"int16 zero point", ok, ok, Q(0.1f, 1), ir::DataType::kInt16, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "zero point 1"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    ir::MulOptions o;
    o.activation = c.act;
    OpHarness h(MulKernel(), o);
    if (c.type == ir::DataType::kInt8) {
      h.AddInput(c.type, Shape{2}, std::vector<int8_t>{1, 2}, c.qa);
      h.AddInput(c.type, Shape{2}, std::vector<int8_t>{1, 2}, c.qb);
    } else {
      h.AddInput(c.type, Shape{2}, std::vector<int16_t>{1, 2}, c.qa);
      h.AddInput(c.type, Shape{2}, std::vector<int16_t>{1, 2}, c.qb);
    }
    h.AddOutput(c.type, Shape(), c.qo);
    const absl::Status s = h.Run();
    EXPECT_EQ(s.code(), c.code) << s;
    EXPECT_NE(std::string(s.message()).find(c.message), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace compressd::kernels
