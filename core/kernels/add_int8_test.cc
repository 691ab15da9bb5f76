// Quantized ADD (int8, int16): exact equality with a direct loop written here from TFLite's
// add.cc arithmetic (multipliers computed by the test's own TestQuantizeMultiplier, elements with
// quant::MultiplyByQuantizedMultiplier), within 1 LSB of the ideal double-precision result, and
// every Prepare check.
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

// CalculateActivationRangeQuantized, written out.
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
absl::Status RunOp(const Case<T>& c, ir::DataType type, std::vector<T>* out, Shape* out_shape,
                 bool pot_scale_int16 = true) {
  ir::AddOptions o;
  o.activation = c.act;
  o.pot_scale_int16 = pot_scale_int16;
  OpHarness h(AddKernel(), o);
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

// TFLite's general quantized ADD, element by element.
template <typename T>
std::vector<T> Expected(const Case<T>& c, const Shape& out_shape, int left_shift) {
  const double twice_max = static_cast<float>(2 * std::max(c.sa, c.sb));
  const auto m1 = testing::TestQuantizeMultiplier(c.sa / twice_max);
  const auto m2 = testing::TestQuantizeMultiplier(c.sb / twice_max);
  const auto mo = testing::TestQuantizeMultiplier(
      twice_max / static_cast<float>(static_cast<float>(1 << left_shift) * c.so));
  int32_t lo, hi;
  ActRange(c.act, c.so, c.zo, std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), &lo,
           &hi);
  const auto sa = testing::BroadcastStrides(c.a_shape, out_shape);
  const auto sb = testing::BroadcastStrides(c.b_shape, out_shape);
  std::vector<T> out(out_shape.FlatSize());
  for (int64_t i = 0; i < out_shape.FlatSize(); ++i) {
    const int32_t x = (c.a[testing::BroadcastIndex(i, out_shape, sa)] - c.za) * (1 << left_shift);
    const int32_t y = (c.b[testing::BroadcastIndex(i, out_shape, sb)] - c.zb) * (1 << left_shift);
    const int32_t xs = quant::MultiplyByQuantizedMultiplier(x, m1.multiplier, m1.shift);
    const int32_t ys = quant::MultiplyByQuantizedMultiplier(y, m2.multiplier, m2.shift);
    const int32_t r = quant::MultiplyByQuantizedMultiplier(xs + ys, mo.multiplier, mo.shift) + c.zo;
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
  c.sb = std::uniform_int_distribution<int>(0, 3)(rng) == 0 ? c.sa
                                                              : testing::RandomScale(rng, 1e-3f, 1.0f);
  // The output scale must keep TFLite's output multiplier below 1; typical models have it near
  // the larger input scale.
  c.so = std::max(c.sa, c.sb) * testing::RandomScale(rng, 0.5f, 3.0f);
  c.za = symmetric ? 0 : testing::RandomZeroPoint<T>(rng);
  c.zb = symmetric ? 0 : testing::RandomZeroPoint<T>(rng);
  c.zo = symmetric ? 0 : testing::RandomZeroPoint<T>(rng);
  c.act = kActs[std::uniform_int_distribution<int>(0, 3)(rng)];
  return c;
}

TEST(AddInt8Test, HandComputed) {
  // Both inputs and the output at scale 0.5, zero point 0: exact sums.
  Case<int8_t> c{Shape{4}, Shape{4}, {1, -2, 100, -100}, {3, 4, 100, -100}, 0.5f, 0.5f, 0.5f,
                 0,        0,        0,                  ir::Activation::kNone};
  std::vector<int8_t> out;
  Shape shape;
  ASSERT_TRUE(RunOp(c, ir::DataType::kInt8, &out, &shape).ok());
  EXPECT_EQ(out, (std::vector<int8_t>{4, 2, 127, -128}));
  // RELU6 on a scale of 0.1 clamps to [zp, zp + 60].
  c.so = 0.1f;
  c.zo = -20;
  c.act = ir::Activation::kRelu6;
  ASSERT_TRUE(RunOp(c, ir::DataType::kInt8, &out, &shape).ok());
  EXPECT_EQ(out, (std::vector<int8_t>{0, -10, 40, -20}));
}

TEST(AddInt8Test, RandomMatchesTfliteArithmeticAndIdeal) {
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 300; ++iter) {
    const Case<int8_t> c = RandomCase<int8_t>(rng, false);
    SCOPED_TRACE(::testing::Message() << "iter " << iter << " a " << c.a_shape.ToString() << " b "
                                      << c.b_shape.ToString() << " act " << int(c.act));
    std::vector<int8_t> out;
    Shape shape;
    const absl::Status s = RunOp(c, ir::DataType::kInt8, &out, &shape);
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_EQ(shape, testing::BroadcastOf(c.a_shape, c.b_shape));
    ASSERT_EQ(out, Expected(c, shape, 20));
    const auto sa = testing::BroadcastStrides(c.a_shape, shape);
    const auto sb = testing::BroadcastStrides(c.b_shape, shape);
    int32_t lo, hi;
    ActRange(c.act, c.so, c.zo, -128, 127, &lo, &hi);
    for (int64_t i = 0; i < shape.FlatSize(); ++i) {
      const double real = (c.a[testing::BroadcastIndex(i, shape, sa)] - c.za) * double{c.sa} +
                          (c.b[testing::BroadcastIndex(i, shape, sb)] - c.zb) * double{c.sb};
      const int32_t ideal =
          testing::IdealQuantize(ActApply(c.act, real), c.so, c.zo, lo, hi);
      ASSERT_LE(std::abs(out[i] - ideal), 1) << "element " << i << " real " << real;
    }
  }
}

// Equal shapes and a row operand ([1,1,1,C] against [1,H,W,C], either side) run the vectorized
// path; C = 19 and H*W = 6 cover full 8-lane blocks and tails.
TEST(AddInt8Test, VectorizedShapesMatchTfliteArithmetic) {
  std::mt19937 rng(99);
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
    ASSERT_EQ(out, Expected(c, shape, 20)) << "iter " << iter;
  }
}

TEST(AddInt8Test, ExtremeValuesAndZeroPoints) {
  for (int32_t za : {-128, 0, 127}) {
    for (int32_t zo : {-128, 127}) {
      Case<int8_t> c{Shape{1, 4}, Shape{2, 1}, {-128, -1, 0, 127}, {-128, 127}, 0.02f, 0.05f,
                     0.1f,        za,          -za / 2,            zo,          ir::Activation::kNone};
      std::vector<int8_t> out;
      Shape shape;
      ASSERT_TRUE(RunOp(c, ir::DataType::kInt8, &out, &shape).ok());
      EXPECT_EQ(shape, (Shape{2, 4}));
      EXPECT_EQ(out, Expected(c, shape, 20));
    }
  }
}

TEST(AddInt16Test, RandomMatchesTfliteArithmeticAndIdeal) {
  std::mt19937 rng(99);
  for (int iter = 0; iter < 150; ++iter) {
    const Case<int16_t> c = RandomCase<int16_t>(rng, true);
    SCOPED_TRACE(::testing::Message() << "iter " << iter);
    std::vector<int16_t> out;
    Shape shape;
    const absl::Status s = RunOp(c, ir::DataType::kInt16, &out, &shape, /*pot_scale_int16=*/false);
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_EQ(out, Expected(c, shape, 15));
    const auto sa = testing::BroadcastStrides(c.a_shape, shape);
    const auto sb = testing::BroadcastStrides(c.b_shape, shape);
    int32_t lo, hi;
    ActRange(c.act, c.so, 0, -32768, 32767, &lo, &hi);
    for (int64_t i = 0; i < shape.FlatSize(); ++i) {
      const double real = c.a[testing::BroadcastIndex(i, shape, sa)] * double{c.sa} +
                          c.b[testing::BroadcastIndex(i, shape, sb)] * double{c.sb};
      const int32_t ideal = testing::IdealQuantize(ActApply(c.act, real), c.so, 0, lo, hi);
      ASSERT_LE(std::abs(out[i] - ideal), 1) << "element " << i;
    }
  }
}

TEST(AddInt16Test, NonPowerOfTwoScalesUseTheGeneralPathEvenWithPotOption) {
  Case<int16_t> c{Shape{3}, Shape{3}, {1000, -2000, 32767}, {5, 6, 7}, 0.001f, 0.003f, 0.004f,
                  0,        0,        0,                    ir::Activation::kNone};
  std::vector<int16_t> out;
  Shape shape;
  ASSERT_TRUE(RunOp(c, ir::DataType::kInt16, &out, &shape, /*pot_scale_int16=*/true).ok());
  EXPECT_EQ(out, Expected(c, shape, 15));
}

TEST(AddInt8Test, PrepareErrors) {
  struct Bad {
    const char* name;
    std::optional<ir::QuantParams> qa, qb, qo;
    ir::DataType type = ir::DataType::kInt8;
    ir::Activation act = ir::Activation::kNone;
    absl::StatusCode code = absl::StatusCode::kInvalidArgument;
    const char* message;  // expected substring
  };
  ir::QuantParams per_channel;
  per_channel.scale = {0.1f, 0.2f};
  per_channel.zero_point = {0, 0};
  const auto ok = Q(0.1f, 0);
  const std::vector<Bad> cases = {
      {"no quant on input 0", std::nullopt, ok, ok, ir::DataType::kInt8, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "input 0"},
      {"no quant on input 1", ok, std::nullopt, ok, ir::DataType::kInt8, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "input 1"},
      {"no quant on output", ok, ok, std::nullopt, ir::DataType::kInt8, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "output"},
      {"per-channel", per_channel, ok, ok, ir::DataType::kInt8, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "per-tensor"},
      {"zero scale", Q(0.0f, 0), ok, ok, ir::DataType::kInt8, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "scale"},
      {"negative scale", ok, Q(-0.1f, 0), ok, ir::DataType::kInt8, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "scale"},
      {"NaN scale", ok, ok, Q(std::nanf(""), 0), ir::DataType::kInt8, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "scale"},
      {"infinite scale", Q(INFINITY, 0), ok, ok, ir::DataType::kInt8, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "scale"},
      {"zero point out of range", Q(0.1f, 128), ok, ok, ir::DataType::kInt8,
       ir::Activation::kNone, absl::StatusCode::kInvalidArgument, "zero point 128"},
      {"output scale too small", ok, ok, Q(1e-9f, 0), ir::DataType::kInt8, ir::Activation::kNone,
       absl::StatusCode::kInvalidArgument, "output rescale"},
      {"tanh activation", ok, ok, ok, ir::DataType::kInt8, ir::Activation::kTanh,
       absl::StatusCode::kUnimplemented, "activation"},
      {"int16 non-zero zero point", Q(0.1f, 3), ok, ok, ir::DataType::kInt16,
       ir::Activation::kNone, absl::StatusCode::kInvalidArgument, "zero point 3"},
      {"int16 power-of-two LSTM path", Q(0.125f, 0), Q(0.25f, 0), Q(0.5f, 0), ir::DataType::kInt16,
       ir::Activation::kNone, absl::StatusCode::kUnimplemented, "power-of-two"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    ir::AddOptions o;
    o.activation = c.act;
    OpHarness h(AddKernel(), o);
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

TEST(AddInt8Test, TypeMismatchIsAnError) {
  OpHarness h(AddKernel(), ir::AddOptions{});
  h.AddInput(ir::DataType::kInt8, Shape{2}, std::vector<int8_t>{1, 2}, Q(0.1f, 0));
  h.AddInput(ir::DataType::kInt16, Shape{2}, std::vector<int16_t>{1, 2}, Q(0.1f, 0));
  h.AddOutput(ir::DataType::kInt8, Shape(), Q(0.1f, 0));
  EXPECT_FALSE(h.Run().ok());
}

}  // namespace
}  // namespace compressd::kernels
