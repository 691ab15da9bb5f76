#include <cmath>
#include <cstdint>
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
std::vector<float> Dequantize(ir::DataType type, Shape shape, const std::vector<T>& values,
                              std::optional<ir::QuantParams> quant) {
  OpHarness h(DequantizeKernel());
  h.AddConstInput(type, shape, values, quant);
  h.AddOutput(ir::DataType::kFloat32);
  const absl::Status s = h.Run();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(h.OutputShape(0), shape);
  return h.OutputData<float>(0);
}

TEST(DequantizeTest, Float16) {
  const auto out = Dequantize<uint16_t>(ir::DataType::kFloat16, Shape{7},
                                        {0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00, 0x8000, 0x7e00},
                                        std::nullopt);
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -2.0f);
  EXPECT_EQ(out[2], std::ldexp(1.0f, -24));
  EXPECT_EQ(out[3], 65504.0f);
  EXPECT_EQ(out[4], INFINITY);
  EXPECT_EQ(out[5], 0.0f);
  EXPECT_TRUE(std::signbit(out[5]));
  EXPECT_TRUE(std::isnan(out[6]));
}

TEST(DequantizeTest, PerTensorIntegerTypes) {
  EXPECT_EQ(Dequantize<int8_t>(ir::DataType::kInt8, Shape{4}, {-128, -1, 0, 127},
                               Quant({0.5f}, {-1})),
            (std::vector<float>{-63.5f, 0.0f, 0.5f, 64.0f}));
  EXPECT_EQ(Dequantize<uint8_t>(ir::DataType::kUInt8, Shape{2, 2}, {0, 128, 129, 255},
                                Quant({0.25f}, {128})),
            (std::vector<float>{-32.0f, 0.0f, 0.25f, 31.75f}));
  EXPECT_EQ(Dequantize<int16_t>(ir::DataType::kInt16, Shape{3}, {-32768, 1, 32767},
                                Quant({0.125f}, {})),
            (std::vector<float>{-4096.0f, 0.125f, 4095.875f}));
  // A scale that is not a power of two: computed as double(scale) * (q - zp), then rounded.
  const float scale = 0.1f;
  EXPECT_EQ(Dequantize<int8_t>(ir::DataType::kInt8, Shape{2}, {3, -7}, Quant({scale}, {2})),
            (std::vector<float>{static_cast<float>(static_cast<double>(scale) * 1),
                                static_cast<float>(static_cast<double>(scale) * -9)}));
}

TEST(DequantizeTest, PerChannelAlongEachDimension) {
  const std::vector<int8_t> q = {-3, -2, -1, 0, 1, 2};
  // Shape [2, 3] along dim 0: rows use (0.5, zp 1) and (2, zp -1).
  EXPECT_EQ(Dequantize<int8_t>(ir::DataType::kInt8, Shape{2, 3}, q,
                               Quant({0.5f, 2.0f}, {1, -1}, 0)),
            (std::vector<float>{-2.0f, -1.5f, -1.0f, 2.0f, 4.0f, 6.0f}));
  // Along dim 1: columns use scales (1, 10, 100), zero points 0.
  EXPECT_EQ(Dequantize<int8_t>(ir::DataType::kInt8, Shape{2, 3}, q,
                               Quant({1.0f, 10.0f, 100.0f}, {0, 0, 0}, 1)),
            (std::vector<float>{-3.0f, -20.0f, -100.0f, 0.0f, 10.0f, 200.0f}));
  EXPECT_EQ(Dequantize<uint8_t>(ir::DataType::kUInt8, Shape{1, 2}, {10, 10},
                                Quant({1.0f, 3.0f}, {5, 0}, 1)),
            (std::vector<float>{5.0f, 30.0f}));
}

TEST(DequantizeTest, RejectsBadQuantizationAndTypes) {
  struct Bad {
    const char* name;
    ir::DataType type;
    Shape shape;
    std::optional<ir::QuantParams> quant;
    ir::DataType out_type;
    absl::StatusCode code;
  };
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  const auto F32 = ir::DataType::kFloat32;
  const std::vector<Bad> cases = {
      {"no quantization", ir::DataType::kInt8, Shape{2}, std::nullopt, F32, kInvalid},
      {"empty scale", ir::DataType::kInt8, Shape{2}, Quant({}, {}), F32, kInvalid},
      {"channel count", ir::DataType::kInt8, Shape{2, 3}, Quant({1, 1}, {0, 0}, 1), F32,
       kInvalid},
      {"quantized_dimension out of range", ir::DataType::kInt8, Shape{2, 2},
       Quant({1, 1}, {0, 0}, 2), F32, kInvalid},
      {"zero point count", ir::DataType::kInt8, Shape{2}, Quant({1, 1}, {0}, 0), F32, kInvalid},
      {"zero point overflow", ir::DataType::kInt8, Shape{2}, Quant({1}, {int64_t{1} << 40}), F32,
       kInvalid},
      {"infinite scale", ir::DataType::kInt8, Shape{2}, Quant({INFINITY}, {0}), F32, kInvalid},
      {"float32 input", F32, Shape{2}, std::nullopt, F32, absl::StatusCode::kUnimplemented},
      {"output declared int8", ir::DataType::kInt8, Shape{2}, Quant({1}, {0}),
       ir::DataType::kInt8, kInvalid},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    OpHarness h(DequantizeKernel());
    h.AddInput(c.type, c.shape, std::vector<float>(c.shape.FlatSize()), c.quant);
    h.AddOutput(c.out_type);
    EXPECT_EQ(h.Run().code(), c.code);
  }
}

}  // namespace
}  // namespace compressd::kernels
