#include "core/data/tensor_data.h"

#include <cstdint>
#include <limits>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::data {
namespace {

using ir::DataType;
using ::testing::HasSubstr;

TEST(TensorDataTest, CheckedNumElements) {
  const std::vector<int32_t> scalar;
  EXPECT_EQ(CheckedNumElements(scalar), 1);
  const std::vector<int32_t> s = {2, 3, 4};
  EXPECT_EQ(CheckedNumElements(s), 24);
  EXPECT_EQ(CheckedNumElements(s, 8), 24);
  const std::vector<int32_t> zero = {5, 0, 7};
  EXPECT_EQ(CheckedNumElements(zero), 0);
  const std::vector<int32_t> negative = {2, -1};
  EXPECT_EQ(CheckedNumElements(negative), std::nullopt);
  constexpr int32_t kBig = std::numeric_limits<int32_t>::max();
  const std::vector<int32_t> two_big = {kBig, kBig};  // ~4.6e18 fits in int64
  EXPECT_EQ(CheckedNumElements(two_big), int64_t{kBig} * kBig);
  EXPECT_EQ(CheckedNumElements(two_big, 4), std::nullopt);  // * 4 overflows
  const std::vector<int32_t> three_big = {kBig, kBig, kBig};
  EXPECT_EQ(CheckedNumElements(three_big), std::nullopt);
  const std::vector<int32_t> big_then_zero = {kBig, kBig, kBig, 0};
  EXPECT_EQ(CheckedNumElements(big_then_zero), std::nullopt);  // overflow seen before the 0
}

TEST(TensorDataTest, NumElementsAndValues) {
  TensorData t;
  t.type = DataType::kFloat32;
  t.shape = {2, 2};
  t.bytes.resize(16);
  EXPECT_EQ(t.NumElements(), 4);
  std::span<float> v = t.mutable_values<float>();
  ASSERT_EQ(v.size(), 4u);
  v[3] = 2.5f;
  EXPECT_EQ(t.values<float>()[3], 2.5f);
  EXPECT_TRUE(t.values<int16_t>().empty());  // element size mismatch
  t.shape = {-1};
  EXPECT_EQ(t.NumElements(), 0);
}

TEST(TensorDataTest, ZeroTensor) {
  const std::vector<int32_t> shape = {2, 3};
  absl::StatusOr<TensorData> t = ZeroTensor(DataType::kInt16, shape);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->type, DataType::kInt16);
  EXPECT_EQ(t->shape, shape);
  EXPECT_EQ(t->bytes, std::vector<uint8_t>(12, 0));
  EXPECT_EQ(ZeroTensor(DataType::kString, shape).status().code(), absl::StatusCode::kUnimplemented);
  const std::vector<int32_t> bad = {3, -2};
  EXPECT_EQ(ZeroTensor(DataType::kFloat32, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TensorDataTest, CheckTensorData) {
  TensorData t;
  t.type = DataType::kInt32;
  t.shape = {3};
  t.bytes.resize(12);
  EXPECT_TRUE(CheckTensorData(t).ok());
  t.bytes.resize(11);
  absl::Status s = CheckTensorData(t);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("needs 12 bytes, has 11"));
  t.type = DataType::kInt4;
  EXPECT_EQ(CheckTensorData(t).code(), absl::StatusCode::kUnimplemented);
}

TEST(TensorDataTest, FormatShape) {
  const std::vector<int32_t> s = {1, 224, 224, 3};
  EXPECT_EQ(FormatShape(s), "[1,224,224,3]");
  EXPECT_EQ(FormatShape(std::vector<int32_t>{}), "[]");
}

}  // namespace
}  // namespace compressd::data
