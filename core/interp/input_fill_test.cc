#include "core/interp/input_fill.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"

namespace compressd::interp {
namespace {

TEST(InputFillTest, FloatIsSineOfHundredths) {
  std::vector<uint8_t> b(4 * 300);
  ASSERT_TRUE(FillDeterministic(ir::DataType::kFloat32, b).ok());
  float v[300];
  std::memcpy(v, b.data(), b.size());
  EXPECT_EQ(v[0], 0.0f);
  EXPECT_EQ(v[157], static_cast<float>(std::sin(1.57)));
  EXPECT_EQ(v[299], static_cast<float>(std::sin(2.99)));
}

TEST(InputFillTest, IntegersWrapLikeTypedArrays) {
  std::vector<uint8_t> i8(300), u8(300);
  ASSERT_TRUE(FillDeterministic(ir::DataType::kInt8, i8).ok());
  ASSERT_TRUE(FillDeterministic(ir::DataType::kUInt8, u8).ok());
  EXPECT_EQ(static_cast<int8_t>(i8[0]), -128);
  EXPECT_EQ(static_cast<int8_t>(i8[255]), -128);  // 255 % 255 = 0
  EXPECT_EQ(static_cast<int8_t>(i8[254]), 126);
  EXPECT_EQ(u8[0], 128);  // -128 mod 256
  EXPECT_EQ(u8[200], 72);
  std::vector<uint8_t> i32(4 * 3);
  ASSERT_TRUE(FillDeterministic(ir::DataType::kInt32, i32).ok());
  int32_t v[3];
  std::memcpy(v, i32.data(), sizeof(v));
  EXPECT_EQ(v[2], -126);
}

TEST(InputFillTest, StringIsUnimplemented) {
  std::vector<uint8_t> b(8);
  EXPECT_EQ(FillDeterministic(ir::DataType::kString, b).code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace compressd::interp
