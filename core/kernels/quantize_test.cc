#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;

ir::QuantParams Quant(std::vector<float> scale, std::vector<int64_t> zero_point, int dim = 0) {
  ir::QuantParams q;
  q.scale = std::move(scale);
  q.zero_point = std::move(zero_point);
  q.quantized_dimension = dim;
  return q;
}

template <typename T>
std::vector<T> Quantize(ir::DataType type, Shape shape, const std::vector<float>& values,
                        ir::QuantParams quant) {
  OpHarness h(QuantizeKernel());
  h.AddInput(ir::DataType::kFloat32, shape, values);
  h.AddOutput(type, Shape(), quant);
  const absl::Status s = h.Run();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(h.OutputShape(0), shape);
  return h.OutputData<T>(0);
}

TEST(QuantizeTest, RoundsHalfAwayFromZeroAndClamps) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(Quantize<int8_t>(ir::DataType::kInt8, Shape{8},
                             {0.25f, -0.25f, 0.74f, 0.76f, 100.0f, -100.0f, nan, 0.0f},
                             Quant({0.5f}, {0})),
            (std::vector<int8_t>{1, -1, 1, 2, 127, -128, 0, 0}));
  EXPECT_EQ(Quantize<uint8_t>(ir::DataType::kUInt8, Shape{5}, {-0.5f, 0.5f, 1000, -1000, 1.5f},
                              Quant({1.0f}, {128})),
            (std::vector<uint8_t>{127, 129, 255, 0, 130}));
  EXPECT_EQ(Quantize<int16_t>(ir::DataType::kInt16, Shape{4}, {1.0f, -2.5f, 1e9f, -1e9f},
                              Quant({0.5f}, {})),
            (std::vector<int16_t>{2, -5, 32767, -32768}));
  // Zero point shifts after rounding: round(-0.5) = -1, then + 3 = 2.
  EXPECT_EQ(Quantize<int8_t>(ir::DataType::kInt8, Shape{1}, {-0.25f}, Quant({0.5f}, {3})),
            (std::vector<int8_t>{2}));
}

TEST(QuantizeTest, DividesInFloat) {
  // x / scale in float: 0.3f / 0.1f rounds to 3.0000002f in float -> 3.
  const float x = 0.3f, scale = 0.1f;
  EXPECT_EQ(Quantize<int8_t>(ir::DataType::kInt8, Shape{1}, {x}, Quant({scale}, {0})),
            (std::vector<int8_t>{static_cast<int8_t>(std::round(x / scale))}));
}

TEST(QuantizeTest, Int16DividesInDouble) {
  // 0.25f / 0.1f is 2.49999996 exactly: float division rounds it to the tie 2.5 (-> 3), double
  // division keeps it below (-> 2). int8 divides in float, int16 in double, as TFLite's kernels.
  const float x = 0.25f, scale = 0.1f;
  ASSERT_EQ(x / scale, 2.5f);
  ASSERT_LT(static_cast<double>(x) / static_cast<double>(scale), 2.5);
  EXPECT_EQ(Quantize<int8_t>(ir::DataType::kInt8, Shape{2}, {x, -x}, Quant({scale}, {0})),
            (std::vector<int8_t>{3, -3}));
  EXPECT_EQ(Quantize<int16_t>(ir::DataType::kInt16, Shape{2}, {x, -x}, Quant({scale}, {0})),
            (std::vector<int16_t>{2, -2}));
}

TEST(QuantizeTest, PerChannel) {
  // [2, 2] along dim 1: column scales 0.5 and 2, zero points 0 and -10.
  EXPECT_EQ(Quantize<int8_t>(ir::DataType::kInt8, Shape{2, 2}, {1, 3, -1, 500},
                             Quant({0.5f, 2.0f}, {0, -10}, 1)),
            (std::vector<int8_t>{2, -8, -2, 127}));
}

TEST(QuantizeTest, RejectsBadQuantizationAndTypes) {
  struct Bad {
    const char* name;
    ir::DataType in_type, out_type;
    std::optional<ir::QuantParams> quant;
    absl::StatusCode code;
  };
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  const auto F32 = ir::DataType::kFloat32, I8 = ir::DataType::kInt8;
  const std::vector<Bad> cases = {
      {"no quantization", F32, I8, std::nullopt, kInvalid},
      {"zero scale", F32, I8, Quant({0.0f}, {0}), kInvalid},
      {"negative scale", F32, I8, Quant({-1.0f}, {0}), kInvalid},
      {"NaN scale", F32, I8, Quant({NAN}, {0}), kInvalid},
      {"channel count", F32, I8, Quant({1, 1, 1}, {0, 0, 0}, 0), kInvalid},
      {"requantize int8 -> int8 without input quantization", I8, I8, Quant({1}, {0}), kInvalid},
      {"float output", F32, F32, Quant({1}, {0}), absl::StatusCode::kUnimplemented},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    OpHarness h(QuantizeKernel());
    h.AddInput(c.in_type, Shape{2, 2}, std::vector<float>(4));
    h.AddOutput(c.out_type, Shape(), c.quant);
    EXPECT_EQ(h.Run().code(), c.code);
  }
}

}  // namespace
}  // namespace compressd::kernels
