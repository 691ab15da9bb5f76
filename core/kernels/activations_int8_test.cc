// Quantized RELU / RELU6 / RELU_N1_TO_1 (int8, int16), HARD_SWISH (int8) and LOGISTIC (int8):
// exact equality with TFLite's arithmetic written out here independently, closeness to the ideal
// double-precision result, and every Prepare check. int16 LOGISTIC: closeness to the ideal
// sigmoid and monotonicity over every input (its bit-exactness with TFLite is checked against the
// real runtime in tests/compat/int16_logistic_oracle_test.cc).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
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

std::vector<int8_t> AllInt8() {
  std::vector<int8_t> v;
  for (int x = -128; x <= 127; ++x) v.push_back(static_cast<int8_t>(x));
  return v;
}

template <typename T>
absl::Status RunUnary(const OpKernel& k, ir::DataType type, const std::vector<T>& in,
                      std::optional<ir::QuantParams> qi, std::optional<ir::QuantParams> qo,
                      std::vector<T>* out) {
  OpHarness h(k);
  h.AddInput(type, Shape{static_cast<int32_t>(in.size())}, in, qi);
  h.AddOutput(type, Shape(), qo);
  const absl::Status s = h.Run();
  if (s.ok()) *out = h.OutputData<T>(0);
  return s;
}

struct ReluKind {
  const OpKernel& kernel;
  float lo;
  float hi;  // +inf for RELU
};

// TFLite's QuantizedReluX written out.
template <typename T>
int32_t ExpectedRelu(const ReluKind& k, int32_t x, float si, int32_t zi, float so, int32_t zo) {
  const auto m = testing::TestQuantizeMultiplier(si / so);  // float division
  const int32_t tmin = std::numeric_limits<T>::min(), tmax = std::numeric_limits<T>::max();
  const int32_t lo = std::max(tmin, zo + static_cast<int32_t>(std::round(k.lo / so)));
  const int32_t hi = std::isinf(k.hi) ? tmax
                                      : std::min(tmax, zo + static_cast<int32_t>(std::round(k.hi / so)));
  const int32_t v = zo + quant::MultiplyByQuantizedMultiplier(x - zi, m.multiplier, m.shift);
  return std::clamp(v, lo, hi);
}

TEST(ReluInt8Test, AllInputsMatchTfliteArithmeticAndIdeal) {
  const ReluKind kinds[] = {{ReluKernel(), 0.0f, INFINITY},
                            {Relu6Kernel(), 0.0f, 6.0f},
                            {ReluN1To1Kernel(), -1.0f, 1.0f}};
  std::mt19937 rng(7);
  const std::vector<int8_t> in = AllInt8();
  for (int iter = 0; iter < 60; ++iter) {
    const ReluKind& k = kinds[iter % 3];
    const float si = testing::RandomScale(rng, 1e-3f, 0.2f);
    const float so = iter % 4 == 0 ? si : testing::RandomScale(rng, 1e-3f, 0.2f);
    const int32_t zi = testing::RandomZeroPoint<int8_t>(rng);
    const int32_t zo = testing::RandomZeroPoint<int8_t>(rng);
    SCOPED_TRACE(::testing::Message() << "iter " << iter << " si " << si << " so " << so);
    std::vector<int8_t> out;
    const absl::Status s = RunUnary(k.kernel, ir::DataType::kInt8, in, Q(si, zi), Q(so, zo), &out);
    ASSERT_TRUE(s.ok()) << s;
    for (size_t i = 0; i < in.size(); ++i) {
      ASSERT_EQ(out[i], ExpectedRelu<int8_t>(k, in[i], si, zi, so, zo)) << "x " << int(in[i]);
      const double real = std::clamp((in[i] - zi) * double{si}, double{k.lo}, double{k.hi});
      const int32_t ideal = testing::IdealQuantize(real, so, zo, -128, 127);
      ASSERT_LE(std::abs(out[i] - ideal), 1) << "x " << int(in[i]);
    }
  }
}

TEST(ReluInt16Test, RandomMatchesTfliteArithmetic) {
  const ReluKind kinds[] = {{ReluKernel(), 0.0f, INFINITY},
                            {Relu6Kernel(), 0.0f, 6.0f},
                            {ReluN1To1Kernel(), -1.0f, 1.0f}};
  std::mt19937 rng(8);
  for (int iter = 0; iter < 30; ++iter) {
    const ReluKind& k = kinds[iter % 3];
    const float si = testing::RandomScale(rng, 1e-5f, 1e-3f);
    const float so = testing::RandomScale(rng, 1e-5f, 1e-3f);
    auto in = testing::RandomValues<int16_t>(rng, 500);
    in.push_back(-32768);
    in.push_back(32767);
    std::vector<int16_t> out;
    ASSERT_TRUE(RunUnary(k.kernel, ir::DataType::kInt16, in, Q(si, 0), Q(so, 0), &out).ok());
    for (size_t i = 0; i < in.size(); ++i) {
      ASSERT_EQ(out[i], ExpectedRelu<int16_t>(k, in[i], si, 0, so, 0));
      const double real = std::clamp(in[i] * double{si}, double{k.lo}, double{k.hi});
      ASSERT_LE(std::abs(out[i] - testing::IdealQuantize(real, so, 0, -32768, 32767)), 1);
    }
  }
}

TEST(LogisticInt16Test, EveryInputCloseToSigmoidAndMonotonic) {
  std::vector<int16_t> in(65536);
  for (int i = 0; i < 65536; ++i) in[static_cast<size_t>(i)] = static_cast<int16_t>(i - 32768);
  for (const float si : {1e-5f, 8.1e-5f, 3.1e-4f, 9.6e-4f, 3.05e-3f}) {
    SCOPED_TRACE(::testing::Message() << "input scale " << si);
    std::vector<int16_t> out;
    ASSERT_TRUE(
        RunUnary(LogisticKernel(), ir::DataType::kInt16, in, Q(si, 0), Q(1.0f / 32768, 0), &out)
            .ok());
    ASSERT_EQ(out.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      const double ideal = 32768.0 / (1.0 + std::exp(-static_cast<double>(in[i]) * si));
      // Table interpolation (entries 1/24 apart) plus the input's rounding to 1/12288.
      ASSERT_LE(std::abs(out[i] - ideal), 2.0) << "input " << in[i];
      if (i > 0) {
        ASSERT_GE(out[i], out[i - 1]) << "input " << in[i];
      }
    }
  }
}

// TFLite's reference_ops::HardSwish, written out with plain int32 arithmetic.
int32_t ExpectedHardSwish(int32_t x, float si, int32_t zi, float so, int32_t zo) {
  const float hires_scale = (1.0f / 128.0f) * si;
  const auto om = testing::TestQuantizeMultiplier(hires_scale / so);
  const auto rm = testing::TestQuantizeMultiplier(hires_scale / (3.0f / 32768.0f));
  auto to16 = [](int32_t m) {
    return m >= 2147483647 - 32768 ? 32767 : (m + 32768) >> 16;
  };
  auto wrap16 = [](int32_t v) { return static_cast<int32_t>(static_cast<int16_t>(v)); };
  auto srdhm = [](int32_t a, int32_t b) {  // int16 rounding doubling high mul
    if (a == -32768 && b == -32768) return 32767;
    const int32_t ab = a * b;
    return (ab + (ab >= 0 ? 16384 : 1 - 16384)) / 32768;
  };
  auto sdhm = [](int32_t a, int32_t b) {  // truncating
    if (a == -32768 && b == -32768) return 32767;
    return (a * b) / 32768;
  };
  auto rdbpot = [](int32_t v, int e) {  // int16 gemmlowp, e < 16 here
    const int32_t mask = (1 << e) - 1;
    const int32_t rem = v & mask;
    const int32_t thr = (mask >> 1) + (v < 0 ? 1 : 0);
    return (v >> e) + (rem > thr ? 1 : 0);
  };
  auto satshift = [](int32_t v, int e) {
    return static_cast<int32_t>(std::clamp<int64_t>(int64_t{v} << e, -32768, 32767));
  };
  const int32_t om16 = to16(om.multiplier), rm16 = to16(rm.multiplier);
  const int32_t hires = (x - zi) * 128;
  const int32_t pre = srdhm(hires, om16);
  int32_t r = hires;
  if (rm.shift > 0) r = satshift(r, rm.shift - 1);
  r = srdhm(r, rm16);
  if (rm.shift > 0) r = satshift(r, 1);
  if (rm.shift < 0) r = rdbpot(r, -rm.shift);
  r = wrap16((r + 32768) >> 1);
  const int32_t o = rdbpot(sdhm(r, pre), -om.shift) + zo;
  return std::clamp(wrap16(o), -128, 127);
}

TEST(HardSwishInt8Test, AllInputsMatchTfliteArithmeticAndIdeal) {
  std::mt19937 rng(11);
  const std::vector<int8_t> in = AllInt8();
  int max_err = 0;
  for (int iter = 0; iter < 100; ++iter) {
    // Typical hard-swish ranges: input covering a few units, output a similar or smaller range.
    const float si = testing::RandomScale(rng, 0.005f, 0.1f);
    const float so = si * testing::RandomScale(rng, 0.3f, 1.5f);
    const int32_t zi = testing::RandomZeroPoint<int8_t>(rng);
    const int32_t zo = std::uniform_int_distribution<int>(-128, 0)(rng);
    SCOPED_TRACE(::testing::Message() << "iter " << iter << " si " << si << " so " << so << " zi "
                                      << zi << " zo " << zo);
    std::vector<int8_t> out;
    const absl::Status s =
        RunUnary(HardSwishKernel(), ir::DataType::kInt8, in, Q(si, zi), Q(so, zo), &out);
    ASSERT_TRUE(s.ok()) << s;
    for (size_t i = 0; i < in.size(); ++i) {
      ASSERT_EQ(out[i], ExpectedHardSwish(in[i], si, zi, so, zo)) << "x " << int(in[i]);
      const double v = (in[i] - zi) * double{si};
      const double real = v * std::clamp(v + 3.0, 0.0, 6.0) / 6.0;
      max_err = std::max(max_err, std::abs(out[i] - testing::IdealQuantize(real, so, zo, -128, 127)));
    }
  }
  // TFLite's 16-bit fixed-point hard-swish is accurate to about one output step.
  EXPECT_LE(max_err, 1);
}

TEST(LogisticInt8Test, TableMatchesTfliteAndIdeal) {
  std::mt19937 rng(12);
  const std::vector<int8_t> in = AllInt8();
  for (int iter = 0; iter < 60; ++iter) {
    const float si = testing::RandomScale(rng, 0.01f, 0.5f);
    const int32_t zi = testing::RandomZeroPoint<int8_t>(rng);
    const int32_t zo = iter % 3 == 0 ? std::uniform_int_distribution<int>(-128, 0)(rng) : -128;
    const float so = 1.0f / 256;
    SCOPED_TRACE(::testing::Message() << "iter " << iter << " si " << si << " zi " << zi);
    std::vector<int8_t> out;
    const absl::Status s =
        RunUnary(LogisticKernel(), ir::DataType::kInt8, in, Q(si, zi), Q(so, zo), &out);
    ASSERT_TRUE(s.ok()) << s;
    for (size_t i = 0; i < in.size(); ++i) {
      // LUTPopulate: float arithmetic.
      const float deq = si * static_cast<float>(in[i] - zi);
      const float t = 1.0f / (1.0f + std::exp(-deq));
      const float r = std::round(t * (1 / so));
      const int32_t q = std::clamp(static_cast<int32_t>(r + static_cast<float>(zo)), -128, 127);
      ASSERT_EQ(out[i], q) << "x " << int(in[i]);
      const double ideal_real = 1.0 / (1.0 + std::exp(-(in[i] - zi) * double{si}));
      ASSERT_LE(std::abs(out[i] - testing::IdealQuantize(ideal_real, so, zo, -128, 127)), 1);
    }
  }
}

TEST(ActivationsInt8Test, PrepareErrors) {
  const auto ok = Q(0.05f, 0);
  struct Bad {
    const char* name;
    const OpKernel& kernel;
    ir::DataType type;
    std::optional<ir::QuantParams> qi, qo;
    absl::StatusCode code;
    const char* message;
  };
  const std::vector<Bad> cases = {
      {"relu no input quant", ReluKernel(), ir::DataType::kInt8, std::nullopt, ok,
       absl::StatusCode::kInvalidArgument, "input"},
      {"relu6 no output quant", Relu6Kernel(), ir::DataType::kInt8, ok, std::nullopt,
       absl::StatusCode::kInvalidArgument, "output"},
      {"relu negative scale", ReluKernel(), ir::DataType::kInt8, Q(-1.0f, 0), ok,
       absl::StatusCode::kInvalidArgument, "scale"},
      {"relu NaN scale", ReluN1To1Kernel(), ir::DataType::kInt8, ok, Q(std::nanf(""), 0),
       absl::StatusCode::kInvalidArgument, "scale"},
      {"relu rescale too large", ReluKernel(), ir::DataType::kInt8, Q(1e30f, 0), Q(1e-30f, 0),
       absl::StatusCode::kInvalidArgument, "input scale / output scale"},
      {"relu int16 zero point", ReluKernel(), ir::DataType::kInt16, Q(0.01f, 5), Q(0.01f, 0),
       absl::StatusCode::kInvalidArgument, "zero point 5"},
      {"logistic wrong output scale", LogisticKernel(), ir::DataType::kInt8, ok, Q(0.01f, -128),
       absl::StatusCode::kInvalidArgument, "1/256"},
      {"logistic no quant", LogisticKernel(), ir::DataType::kInt8, std::nullopt,
       Q(1.0f / 256, -128), absl::StatusCode::kInvalidArgument, "input"},
      {"hard swish output multiplier >= 1", HardSwishKernel(), ir::DataType::kInt8, Q(10.0f, 0),
       Q(0.01f, 0), absl::StatusCode::kInvalidArgument, "HARD_SWISH"},
      {"hard swish zero point out of range", HardSwishKernel(), ir::DataType::kInt8, ok,
       Q(0.05f, 200), absl::StatusCode::kInvalidArgument, "zero point 200"},
      {"logistic int16 power-of-two input scale", LogisticKernel(), ir::DataType::kInt16,
       Q(1.0f / 4096, 0), Q(1.0f / 32768, 0), absl::StatusCode::kUnimplemented, "2^-12"},
      {"logistic int16 wrong output scale", LogisticKernel(), ir::DataType::kInt16, ok,
       Q(1.0f / 32767, 0), absl::StatusCode::kInvalidArgument, "1/32768"},
      {"logistic int16 zero point", LogisticKernel(), ir::DataType::kInt16, Q(0.01f, 3),
       Q(1.0f / 32768, 0), absl::StatusCode::kInvalidArgument, "zero point 3"},
      {"tanh int16", TanhKernel(), ir::DataType::kInt16, ok, Q(1.0f / 32768, 0),
       absl::StatusCode::kUnimplemented, "int16"},
      {"tanh int8", TanhKernel(), ir::DataType::kInt8, ok, ok, absl::StatusCode::kUnimplemented,
       "TANH"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    OpHarness h(c.kernel);
    if (c.type == ir::DataType::kInt8) {
      h.AddInput(c.type, Shape{2}, std::vector<int8_t>{1, 2}, c.qi);
    } else {
      h.AddInput(c.type, Shape{2}, std::vector<int16_t>{1, 2}, c.qi);
    }
    h.AddOutput(c.type, Shape(), c.qo);
    const absl::Status s = h.Run();
    EXPECT_EQ(s.code(), c.code) << s;
    EXPECT_NE(std::string(s.message()).find(c.message), std::string::npos) << s;
  }
}

TEST(ActivationsInt8Test, TypeMismatchIsAnError) {
  OpHarness h(ReluKernel());
  h.AddInput(ir::DataType::kInt8, Shape{2}, std::vector<int8_t>{1, 2}, Q(0.1f, 0));
  h.AddOutput(ir::DataType::kInt16, Shape(), Q(0.1f, 0));
  EXPECT_FALSE(h.Run().ok());
}

}  // namespace
}  // namespace compressd::kernels
