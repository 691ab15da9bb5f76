// QUANTIZE as requantization between integer types (TFLite's quantize.cc Requantize): exact
// equality with the formula written out here, within 1 LSB of the ideal requantization, the
// int8 <-> uint8 shift-by-128 case, and the Prepare checks.
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
#include "core/quant/fixed_point.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;
using testing::Q;

template <typename In, typename Out>
void CheckRandom(ir::DataType tin, ir::DataType tout, uint32_t seed, bool symmetric) {
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 60; ++iter) {
    const float si = testing::RandomScale(rng, 1e-4f, 1.0f);
    const float so = iter % 5 == 0 ? si : si * testing::RandomScale(rng, 0.1f, 10.0f);
    const int32_t zi = symmetric ? 0 : testing::RandomZeroPoint<In>(rng);
    const int32_t zo = symmetric ? 0 : testing::RandomZeroPoint<Out>(rng);
    auto in = testing::RandomValues<In>(rng, 300);
    in.push_back(std::numeric_limits<In>::min());
    in.push_back(std::numeric_limits<In>::max());
    SCOPED_TRACE(::testing::Message() << "iter " << iter << " si " << si << " so " << so);
    OpHarness h(QuantizeKernel());
    h.AddInput(tin, Shape{static_cast<int32_t>(in.size())}, in, Q(si, zi));
    h.AddOutput(tout, Shape(), Q(so, zo));
    const absl::Status s = h.Run();
    ASSERT_TRUE(s.ok()) << s;
    const auto out = h.OutputData<Out>(0);
    const auto m = testing::TestQuantizeMultiplier(double{si} / double{so});
    const int32_t lo = std::numeric_limits<Out>::min(), hi = std::numeric_limits<Out>::max();
    for (size_t i = 0; i < in.size(); ++i) {
      const int32_t want = std::clamp(
          quant::MultiplyByQuantizedMultiplier(in[i] - zi, m.multiplier, m.shift) + zo, lo, hi);
      ASSERT_EQ(out[i], want) << "x " << int(in[i]);
      const double real = (in[i] - zi) * double{si};
      ASSERT_LE(std::abs(out[i] - testing::IdealQuantize(real, so, zo, lo, hi)), 1);
    }
  }
}

TEST(RequantizeTest, Int8ToInt8) {
  CheckRandom<int8_t, int8_t>(ir::DataType::kInt8, ir::DataType::kInt8, 81, false);
}
TEST(RequantizeTest, Uint8ToInt8) {
  CheckRandom<uint8_t, int8_t>(ir::DataType::kUInt8, ir::DataType::kInt8, 82, false);
}
TEST(RequantizeTest, Int8ToUint8) {
  CheckRandom<int8_t, uint8_t>(ir::DataType::kInt8, ir::DataType::kUInt8, 83, false);
}
TEST(RequantizeTest, Int16ToInt16) {
  CheckRandom<int16_t, int16_t>(ir::DataType::kInt16, ir::DataType::kInt16, 84, true);
}
TEST(RequantizeTest, Int16ToInt8) {
  CheckRandom<int16_t, int8_t>(ir::DataType::kInt16, ir::DataType::kInt8, 85, false);
}

TEST(RequantizeTest, Int8ToUint8WithSameScaleIsAShiftBy128) {
  std::vector<int8_t> in;
  for (int x = -128; x <= 127; ++x) in.push_back(static_cast<int8_t>(x));
  OpHarness h(QuantizeKernel());
  h.AddInput(ir::DataType::kInt8, Shape{256}, in, Q(0.07f, -3));
  h.AddOutput(ir::DataType::kUInt8, Shape(), Q(0.07f, 125));
  ASSERT_TRUE(h.Run().ok());
  const auto out = h.OutputData<uint8_t>(0);
  for (int i = 0; i < 256; ++i) {
    EXPECT_EQ(out[i], static_cast<uint8_t>(static_cast<uint8_t>(in[i]) ^ 0x80));
  }
}

TEST(RequantizeTest, PrepareErrors) {
  struct Bad {
    const char* name;
    ir::DataType tin, tout;
    std::optional<ir::QuantParams> qi, qo;
    absl::StatusCode code;
    const char* message;
  };
  const auto I8 = ir::DataType::kInt8, U8 = ir::DataType::kUInt8, I16 = ir::DataType::kInt16,
             F32 = ir::DataType::kFloat32;
  const std::vector<Bad> cases = {
      {"no input quant", I8, I8, std::nullopt, Q(0.1f, 0), absl::StatusCode::kInvalidArgument,
       "input"},
      {"no output quant", I8, U8, Q(0.1f, 0), std::nullopt, absl::StatusCode::kInvalidArgument,
       "output"},
      {"negative scale", I8, I8, Q(-0.1f, 0), Q(0.1f, 0), absl::StatusCode::kInvalidArgument,
       "scale"},
      {"uint8 zero point out of range", U8, I8, Q(0.1f, 256), Q(0.1f, 0),
       absl::StatusCode::kInvalidArgument, "zero point 256"},
      {"int16 -> int16 zero point", I16, I16, Q(0.1f, 1), Q(0.1f, 0),
       absl::StatusCode::kInvalidArgument, "zero point 1"},
      {"int8 -> int16", I8, I16, Q(0.1f, 0), Q(0.1f, 0), absl::StatusCode::kUnimplemented,
       "requantizing"},
      {"int8 -> float", I8, F32, Q(0.1f, 0), Q(0.1f, 0), absl::StatusCode::kUnimplemented,
       "requantizing"},
      {"rescale too large", I8, I8, Q(1e30f, 0), Q(1e-30f, 0), absl::StatusCode::kInvalidArgument,
       "input scale / output scale"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    OpHarness h(QuantizeKernel());
    if (c.tin == I16) {
      h.AddInput(c.tin, Shape{2}, std::vector<int16_t>{1, 2}, c.qi);
    } else {
      h.AddInput(c.tin, Shape{2}, std::vector<int8_t>{1, 2}, c.qi);
    }
    h.AddOutput(c.tout, Shape(), c.qo);
    const absl::Status s = h.Run();
    EXPECT_EQ(s.code(), c.code) << s;
    EXPECT_NE(std::string(s.message()).find(c.message), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace compressd::kernels
