// PAD / PADV2 on int8 (TFLite's pad.cc: the pad value is the output zero point for PAD, the
// constant_values element for PADV2, which must carry the output's quantization), compared with a
// direct loop, plus error cases.
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/quant_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;
using testing::Q;

TEST(PadInt8Test, RandomMatchesDirectLoop) {
  std::mt19937 rng(41);
  for (int iter = 0; iter < 60; ++iter) {
    const bool v2 = iter % 2;
    const int h = std::uniform_int_distribution<int>(1, 4)(rng);
    const int w = std::uniform_int_distribution<int>(1, 4)(rng);
    const std::vector<int32_t> pads = {std::uniform_int_distribution<int>(0, 2)(rng),
                                       std::uniform_int_distribution<int>(0, 2)(rng),
                                       std::uniform_int_distribution<int>(0, 2)(rng),
                                       std::uniform_int_distribution<int>(0, 2)(rng)};
    const int32_t zp = testing::RandomZeroPoint<int8_t>(rng);
    const int8_t value = testing::RandomValues<int8_t>(rng, 1)[0];
    const auto in = testing::RandomValues<int8_t>(rng, h * w);
    OpHarness op(v2 ? PadV2Kernel() : PadKernel());
    op.AddInput(ir::DataType::kInt8, Shape{h, w}, in, Q(0.3f, zp));
    op.AddConstInput(ir::DataType::kInt32, Shape{2, 2}, pads);
    if (v2) op.AddConstInput(ir::DataType::kInt8, Shape{1}, std::vector<int8_t>{value}, Q(0.3f, zp));
    op.AddOutput(ir::DataType::kInt8, Shape(), Q(0.3f, zp));
    ASSERT_TRUE(op.Run().ok());
    const int oh = h + pads[0] + pads[1], ow = w + pads[2] + pads[3];
    ASSERT_EQ(op.OutputShape(0), (Shape{oh, ow}));
    const auto out = op.OutputData<int8_t>(0);
    for (int y = 0; y < oh; ++y) {
      for (int x = 0; x < ow; ++x) {
        const int iy = y - pads[0], ix = x - pads[2];
        const int8_t want = (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                ? in[iy * w + ix]
                                : (v2 ? value : static_cast<int8_t>(zp));
        ASSERT_EQ(out[y * ow + x], want) << iter << " at " << y << "," << x;
      }
    }
  }
}

TEST(PadInt8Test, ConstantValuesWithOtherQuantizationIsAnError) {
  OpHarness op(PadV2Kernel());
  op.AddInput(ir::DataType::kInt8, Shape{2}, std::vector<int8_t>{1, 2}, Q(0.3f, 1));
  op.AddConstInput(ir::DataType::kInt32, Shape{1, 2}, std::vector<int32_t>{1, 1});
  op.AddConstInput(ir::DataType::kInt8, Shape{1}, std::vector<int8_t>{0}, Q(0.3f, 2));
  op.AddOutput(ir::DataType::kInt8, Shape(), Q(0.3f, 1));
  const absl::Status s = op.Run();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("constant_values"), std::string::npos) << s;
}

}  // namespace
}  // namespace compressd::kernels
