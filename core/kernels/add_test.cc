#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "core/kernels/tensor_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/tensor_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::BroadcastCase;
using testing::ExpectSameFloats;
using testing::NaiveBroadcast;
using testing::OpHarness;
using testing::RandBroadcastCase;
using testing::RandFloats;
using testing::RunBinaryOp;

constexpr float kLowest = std::numeric_limits<float>::lowest();
constexpr float kMax = std::numeric_limits<float>::max();

// TFLite's float activation bounds, written out independently of the kernel.
void Bounds(ir::Activation act, float* lo, float* hi) {
  *lo = kLowest;
  *hi = kMax;
  if (act == ir::Activation::kRelu) *lo = 0.0f;
  if (act == ir::Activation::kRelu6) {
    *lo = 0.0f;
    *hi = 6.0f;
  }
  if (act == ir::Activation::kReluN1To1) {
    *lo = -1.0f;
    *hi = 1.0f;
  }
}

void CheckAddCase(const BroadcastCase& c, ir::Activation act, std::mt19937& rng) {
  const std::vector<float> a = RandFloats(rng, c.a.FlatSize(), -8.0f, 8.0f);
  const std::vector<float> b = RandFloats(rng, c.b.FlatSize(), -8.0f, 8.0f);
  float lo;
  float hi;
  Bounds(act, &lo, &hi);
  const std::vector<float> expected = NaiveBroadcast(
      c.a, a, c.b, b, c.out, [&](float x, float y) { return std::min(std::max(x + y, lo), hi); });
  std::vector<float> out;
  Shape out_shape;
  TT_ASSERT_OK(RunBinaryOp(AddKernel(), ir::AddOptions{act}, ir::DataType::kFloat32, c.a, a, c.b, b,
                           &out, &out_shape));
  ASSERT_EQ(out_shape, c.out) << c.a.ToString() << " + " << c.b.ToString();
  ExpectSameFloats(out, expected);
}

TEST(AddTest, RandomBroadcastsWithEveryActivation) {
  std::mt19937 rng(1);
  const ir::Activation acts[] = {ir::Activation::kNone, ir::Activation::kRelu,
                                 ir::Activation::kRelu6, ir::Activation::kReluN1To1};
  for (int i = 0; i < 400; ++i) {
    const BroadcastCase c = RandBroadcastCase(rng, 6);
    SCOPED_TRACE(c.a.ToString() + " + " + c.b.ToString());
    CheckAddCase(c, acts[i % 4], rng);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(AddTest, ExplicitBroadcastKinds) {
  std::mt19937 rng(2);
  const std::vector<BroadcastCase> cases = {
      {Shape{}, Shape{}, Shape{}},                    // scalar + scalar
      {Shape{}, Shape{2, 3}, Shape{2, 3}},            // scalar + tensor
      {Shape{2, 3}, Shape{1}, Shape{2, 3}},           // tensor + one element
      {Shape{2, 3}, Shape{3}, Shape{2, 3}},           // rank mismatch
      {Shape{3, 1}, Shape{1, 4}, Shape{3, 4}},        // size-1 on both sides
      {Shape{2, 1, 3}, Shape{4, 1}, Shape{2, 4, 3}},  // mixed
      {Shape{1, 2, 1, 3, 1, 2}, Shape{2, 1, 4, 1, 5, 1}, Shape{2, 2, 4, 3, 5, 2}},  // 6-D
      {Shape{2, 1, 2, 1, 2, 1, 2, 1}, Shape{1, 2, 1, 2, 1, 2, 1, 2},
       Shape{2, 2, 2, 2, 2, 2, 2, 2}},                            // 8-D
      {Shape{5, 1, 1, 7}, Shape{5, 1, 1, 7}, Shape{5, 1, 1, 7}},  // same shape
      {Shape{1, 1, 6}, Shape{6}, Shape{1, 1, 6}},                 // same data, leading 1s
      {Shape{0, 3}, Shape{1, 3}, Shape{0, 3}},                    // empty
      {Shape{2, 0}, Shape{2, 1}, Shape{2, 0}},
      {Shape{1}, Shape{0}, Shape{0}},
  };
  for (const BroadcastCase& c : cases) {
    SCOPED_TRACE(c.a.ToString() + " + " + c.b.ToString());
    CheckAddCase(c, ir::Activation::kNone, rng);
    CheckAddCase({c.b, c.a, c.out}, ir::Activation::kRelu6, rng);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(AddTest, InfinityClampsToFloatMaxAndNanPropagates) {
  // TFLite clamps even without activation: bounds are [lowest, max].
  std::vector<float> out;
  Shape shape;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  TT_ASSERT_OK(RunBinaryOp(AddKernel(), ir::AddOptions{}, ir::DataType::kFloat32, Shape{3},
                           std::vector<float>{3e38f, -3e38f, nan}, Shape{3},
                           std::vector<float>{3e38f, -3e38f, 1.0f}, &out, &shape));
  EXPECT_EQ(out[0], kMax);
  EXPECT_EQ(out[1], kLowest);
  EXPECT_TRUE(std::isnan(out[2]));
}

TEST(AddTest, Int32WithActivationAndWrapAround) {
  const int32_t kIntMax = std::numeric_limits<int32_t>::max();
  const int32_t kIntMin = std::numeric_limits<int32_t>::min();
  std::vector<int32_t> out;
  Shape shape;
  TT_ASSERT_OK(RunBinaryOp(AddKernel(), ir::AddOptions{}, ir::DataType::kInt32, Shape{2, 2},
                           std::vector<int32_t>{kIntMax, 5, -7, 100}, Shape{2},
                           std::vector<int32_t>{1, -10}, &out, &shape));
  EXPECT_EQ(shape, (Shape{2, 2}));
  EXPECT_EQ(out, (std::vector<int32_t>{kIntMin, -5, -6, 90}));

  TT_ASSERT_OK(RunBinaryOp(AddKernel(), ir::AddOptions{ir::Activation::kRelu6},
                           ir::DataType::kInt32, Shape{4}, std::vector<int32_t>{-3, 2, 5, 9},
                           Shape{}, std::vector<int32_t>{1}, &out, &shape));
  EXPECT_EQ(out, (std::vector<int32_t>{0, 3, 6, 6}));
}

TEST(AddTest, RejectsIncompatibleShapes) {
  std::vector<float> out;
  Shape shape;
  const absl::Status s =
      RunBinaryOp(AddKernel(), ir::AddOptions{}, ir::DataType::kFloat32, Shape{2, 3},
                  std::vector<float>(6), Shape{4}, std::vector<float>(4), &out, &shape);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("[2,3]"), absl::string_view::npos) << s;
}

TEST(AddTest, RejectsUnsupportedActivationsAndTypes) {
  std::vector<float> out;
  Shape shape;
  EXPECT_EQ(
      RunBinaryOp(AddKernel(), ir::AddOptions{ir::Activation::kTanh}, ir::DataType::kFloat32,
                  Shape{2}, std::vector<float>(2), Shape{2}, std::vector<float>(2), &out, &shape)
          .code(),
      absl::StatusCode::kUnimplemented);
  EXPECT_EQ(
      RunBinaryOp(AddKernel(), ir::AddOptions{ir::Activation::kSignBit}, ir::DataType::kFloat32,
                  Shape{2}, std::vector<float>(2), Shape{2}, std::vector<float>(2), &out, &shape)
          .code(),
      absl::StatusCode::kUnimplemented);
  std::vector<int8_t> out8;
  EXPECT_EQ(RunBinaryOp(AddKernel(), ir::AddOptions{}, ir::DataType::kInt8, Shape{2},
                        std::vector<int8_t>(2), Shape{2}, std::vector<int8_t>(2), &out8, &shape)
                .code(),
            absl::StatusCode::kInvalidArgument);  // int8 needs quantization parameters
}

TEST(AddTest, RejectsMismatchedTypesAndCounts) {
  {
    OpHarness h(AddKernel(), ir::AddOptions{});
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddInput(ir::DataType::kInt32, Shape{2}, std::vector<int32_t>(2));
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    OpHarness h(AddKernel(), ir::AddOptions{});
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddOutput(ir::DataType::kInt32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    OpHarness h(AddKernel(), ir::AddOptions{});
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    OpHarness h(AddKernel(), ir::AddOptions{});
    h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
    h.AddOptionalInput();
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(AddTest, MissingOptionsMeanNoActivation) {
  OpHarness h(AddKernel());
  h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>{-1.0f, 2.0f});
  h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>{-1.5f, 0.25f});
  h.AddOutput(ir::DataType::kFloat32);
  TT_ASSERT_OK(h.Run());
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{-2.5f, 2.25f}));
}

}  // namespace
}  // namespace compressd::kernels
