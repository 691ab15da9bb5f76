// CONCATENATION on int8 / int16: a plain copy when every input has the output's scale and zero
// point (TFLite requires it for int8 and int16), errors naming the offending input otherwise.
#include <random>
#include <string>
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

TEST(ConcatenationInt8Test, RandomMatchesDirectLoop) {
  std::mt19937 rng(51);
  for (int iter = 0; iter < 40; ++iter) {
    const int rows = std::uniform_int_distribution<int>(1, 3)(rng);
    const int n = std::uniform_int_distribution<int>(1, 4)(rng);
    const int32_t zp = testing::RandomZeroPoint<int8_t>(rng);
    OpHarness h(ConcatenationKernel(), ir::ConcatenationOptions{1});
    std::vector<std::vector<int8_t>> ins;
    int total = 0;
    for (int i = 0; i < n; ++i) {
      const int cols = std::uniform_int_distribution<int>(0, 3)(rng);
      ins.push_back(testing::RandomValues<int8_t>(rng, rows * cols));
      h.AddInput(ir::DataType::kInt8, Shape{rows, cols}, ins.back(), Q(0.02f, zp));
      total += cols;
    }
    h.AddOutput(ir::DataType::kInt8, Shape(), Q(0.02f, zp));
    ASSERT_TRUE(h.Run().ok());
    ASSERT_EQ(h.OutputShape(0), (Shape{rows, total}));
    std::vector<int8_t> want;
    for (int r = 0; r < rows; ++r) {
      for (const auto& in : ins) {
        const int cols = static_cast<int>(in.size()) / rows;
        for (int c = 0; c < cols; ++c) want.push_back(in[r * cols + c]);
      }
    }
    ASSERT_EQ(h.OutputData<int8_t>(0), want);
  }
}

TEST(ConcatenationInt8Test, MismatchedQuantizationNamesTheInput) {
  for (const auto& bad : {Q(0.03f, 4), Q(0.02f, 5)}) {
    OpHarness h(ConcatenationKernel(), ir::ConcatenationOptions{0});
    h.AddInput(ir::DataType::kInt8, Shape{1}, std::vector<int8_t>{1}, Q(0.02f, 4));
    h.AddInput(ir::DataType::kInt8, Shape{1}, std::vector<int8_t>{2}, Q(0.02f, 4));
    h.AddInput(ir::DataType::kInt8, Shape{1}, std::vector<int8_t>{3}, bad);
    h.AddOutput(ir::DataType::kInt8, Shape(), Q(0.02f, 4));
    const absl::Status s = h.Run();
    EXPECT_FALSE(s.ok());
    EXPECT_NE(std::string(s.message()).find("input 2"), std::string::npos) << s;
  }
}

TEST(ConcatenationInt16Test, CopiesAndRequiresZeroZeroPoint) {
  {
    OpHarness h(ConcatenationKernel(), ir::ConcatenationOptions{0});
    h.AddInput(ir::DataType::kInt16, Shape{2}, std::vector<int16_t>{-32768, 5}, Q(0.001f, 0));
    h.AddInput(ir::DataType::kInt16, Shape{1}, std::vector<int16_t>{32767}, Q(0.001f, 0));
    h.AddOutput(ir::DataType::kInt16, Shape(), Q(0.001f, 0));
    ASSERT_TRUE(h.Run().ok());
    EXPECT_EQ(h.OutputData<int16_t>(0), (std::vector<int16_t>{-32768, 5, 32767}));
  }
  {
    OpHarness h(ConcatenationKernel(), ir::ConcatenationOptions{0});
    h.AddInput(ir::DataType::kInt16, Shape{1}, std::vector<int16_t>{1}, Q(0.001f, 3));
    h.AddOutput(ir::DataType::kInt16, Shape(), Q(0.001f, 3));
    const absl::Status s = h.Run();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(std::string(s.message()).find("input 0"), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace compressd::kernels
