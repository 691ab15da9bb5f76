#include <cstdint>
#include <limits>
#include <vector>

#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;

template <typename To, typename From>
std::vector<To> Cast(ir::DataType from, ir::DataType to, const std::vector<From>& values) {
  OpHarness h(CastKernel());
  h.AddInput(from, Shape{static_cast<int32_t>(values.size())}, values);
  h.AddOutput(to);
  const absl::Status s = h.Run();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(h.OutputShape(0), Shape{static_cast<int32_t>(values.size())});
  return h.OutputData<To>(0);
}

TEST(CastTest, FloatToIntegersTruncatesTowardZero) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> in = {1.9f, -1.9f, 0.5f, -0.0f, 300.0f, 3e9f, -3e9f, nan};
  using F = ir::DataType;
  EXPECT_EQ((Cast<int32_t, float>(F::kFloat32, F::kInt32, in)),
            (std::vector<int32_t>{1, -1, 0, 0, 300, std::numeric_limits<int32_t>::max(),
                                  std::numeric_limits<int32_t>::min(), 0}));
  EXPECT_EQ((Cast<int8_t, float>(F::kFloat32, F::kInt8, in)),
            (std::vector<int8_t>{1, -1, 0, 0, 127, 127, -128, 0}));
  EXPECT_EQ((Cast<uint8_t, float>(F::kFloat32, F::kUInt8, in)),
            (std::vector<uint8_t>{1, 0, 0, 0, 255, 255, 0, 0}));
  EXPECT_EQ((Cast<int64_t, float>(F::kFloat32, F::kInt64, {1099511627776.0f, -2.5f})),
            (std::vector<int64_t>{int64_t{1} << 40, -2}));
  EXPECT_EQ((Cast<int16_t, float>(F::kFloat32, F::kInt16, {40000.0f, -7.99f})),
            (std::vector<int16_t>{32767, -7}));
}

TEST(CastTest, IntegerConversionsWrapAndWiden) {
  using F = ir::DataType;
  EXPECT_EQ((Cast<int8_t, int32_t>(F::kInt32, F::kInt8, {300, -129, 127})),
            (std::vector<int8_t>{44, 127, 127}));
  EXPECT_EQ((Cast<int8_t, uint8_t>(F::kUInt8, F::kInt8, {200, 5})),
            (std::vector<int8_t>{-56, 5}));
  EXPECT_EQ((Cast<int64_t, int8_t>(F::kInt8, F::kInt64, {-128, 127})),
            (std::vector<int64_t>{-128, 127}));
  EXPECT_EQ((Cast<float, int64_t>(F::kInt64, F::kFloat32, {-3, (int64_t{1} << 40) + 1})),
            (std::vector<float>{-3.0f, 1099511627776.0f}));
  EXPECT_EQ((Cast<float, uint8_t>(F::kUInt8, F::kFloat32, {255})), (std::vector<float>{255.0f}));
}

TEST(CastTest, BoolIsOneBytePerElement) {
  using F = ir::DataType;
  EXPECT_EQ((Cast<uint8_t, float>(F::kFloat32, F::kBool, {0.0f, -0.0f, 0.1f, -2.0f})),
            (std::vector<uint8_t>{0, 0, 1, 1}));
  EXPECT_EQ((Cast<uint8_t, int64_t>(F::kInt64, F::kBool, {0, int64_t{1} << 40})),
            (std::vector<uint8_t>{0, 1}));
  // Any nonzero byte is true.
  EXPECT_EQ((Cast<float, uint8_t>(F::kBool, F::kFloat32, {0, 1, 2})),
            (std::vector<float>{0.0f, 1.0f, 1.0f}));
  EXPECT_EQ((Cast<int32_t, uint8_t>(F::kBool, F::kInt32, {0, 255})),
            (std::vector<int32_t>{0, 1}));
  EXPECT_EQ((Cast<uint8_t, uint8_t>(F::kBool, F::kBool, {0, 7})), (std::vector<uint8_t>{0, 1}));
}

TEST(CastTest, RejectsUnsupportedTypes) {
  OpHarness half(CastKernel());
  half.AddInput(ir::DataType::kFloat16, Shape{1}, std::vector<uint16_t>{0});
  half.AddOutput(ir::DataType::kFloat32);
  EXPECT_EQ(half.Run().code(), absl::StatusCode::kUnimplemented);
  OpHarness str(CastKernel());
  str.AddInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{0});
  str.AddOutput(ir::DataType::kString);
  EXPECT_EQ(str.Run().code(), absl::StatusCode::kUnimplemented);
  OpHarness two(CastKernel());
  two.AddInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{0});
  two.AddInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{0});
  two.AddOutput(ir::DataType::kInt32);
  EXPECT_EQ(two.Run().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::kernels
