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

using testing::Iota;
using testing::OpHarness;
using testing::RandInt;
using testing::RandShape;
using testing::Unravel;

TEST(ConcatenationTest, RandomShapesAndAxesMatchNaive) {
  std::mt19937 rng(111);
  for (int iter = 0; iter < 200; ++iter) {
    const int rank = RandInt(rng, 1, 6);
    const Shape base = RandShape(rng, rank, 1, 3);
    const int axis = RandInt(rng, 0, rank - 1);
    const int n = RandInt(rng, 1, 4);
    std::vector<Shape> shapes;
    std::vector<std::vector<float>> data;
    Shape out_shape = base;
    int32_t total = 0;
    for (int i = 0; i < n; ++i) {
      Shape s = base;
      s.set_dim(axis, RandInt(rng, 0, 3));
      total += s.dim(axis);
      shapes.push_back(s);
      data.push_back(Iota<float>(s.FlatSize(), 1000.0f * (i + 1)));
    }
    out_shape.set_dim(axis, total);
    // Naive: locate each output element's source input along the axis.
    std::vector<float> want(static_cast<size_t>(out_shape.FlatSize()));
    for (int64_t o = 0; o < out_shape.FlatSize(); ++o) {
      std::vector<int64_t> idx = Unravel(o, out_shape);
      int k = 0;
      while (idx[axis] >= shapes[k].dim(axis)) idx[axis] -= shapes[k++].dim(axis);
      want[o] = data[k][testing::Ravel(idx, shapes[k])];
    }
    const int axis_option = RandInt(rng, 0, 1) ? axis : axis - rank;
    OpHarness h(ConcatenationKernel(), ir::ConcatenationOptions{axis_option});
    for (int i = 0; i < n; ++i) h.AddInput(ir::DataType::kFloat32, shapes[i], data[i]);
    h.AddOutput(ir::DataType::kFloat32);
    SCOPED_TRACE(base.ToString() + " axis " + std::to_string(axis_option));
    TT_ASSERT_OK(h.Run());
    ASSERT_EQ(h.OutputShape(0), out_shape);
    ASSERT_EQ(h.OutputData<float>(0), want);
  }
}

TEST(ConcatenationTest, FusedActivationForFloat) {
  OpHarness h(ConcatenationKernel(), ir::ConcatenationOptions{0, ir::Activation::kRelu6});
  h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>{-1.0f, 3.0f});
  h.AddInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{7.0f});
  h.AddOutput(ir::DataType::kFloat32);
  TT_ASSERT_OK(h.Run());
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{0.0f, 3.0f, 6.0f}));
}

TEST(ConcatenationTest, NoActivationKeepsInfinity) {
  const float inf = std::numeric_limits<float>::infinity();
  OpHarness h(ConcatenationKernel(), ir::ConcatenationOptions{0});
  h.AddInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{inf});
  h.AddInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>{-inf});
  h.AddOutput(ir::DataType::kFloat32);
  TT_ASSERT_OK(h.Run());
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{inf, -inf}));
}

TEST(ConcatenationTest, QuantizedAndWideTypes) {
  ir::QuantParams q;
  q.scale = {0.1f};
  q.zero_point = {5};
  {
    OpHarness h(ConcatenationKernel(), ir::ConcatenationOptions{-1});
    h.AddInput(ir::DataType::kInt8, Shape{2, 1}, std::vector<int8_t>{1, 2}, q);
    h.AddInput(ir::DataType::kInt8, Shape{2, 2}, std::vector<int8_t>{3, 4, 5, 6}, q);
    h.AddOutput(ir::DataType::kInt8, Shape(), q);
    TT_ASSERT_OK(h.Run());
    EXPECT_EQ(h.OutputShape(0), (Shape{2, 3}));
    EXPECT_EQ(h.OutputData<int8_t>(0), (std::vector<int8_t>{1, 3, 4, 2, 5, 6}));
  }
  {
    OpHarness h(ConcatenationKernel(), ir::ConcatenationOptions{0});
    h.AddInput(ir::DataType::kInt64, Shape{1}, std::vector<int64_t>{int64_t{1} << 50});
    h.AddInput(ir::DataType::kInt64, Shape{1}, std::vector<int64_t>{-2});
    h.AddOutput(ir::DataType::kInt64);
    TT_ASSERT_OK(h.Run());
    EXPECT_EQ(h.OutputData<int64_t>(0), (std::vector<int64_t>{int64_t{1} << 50, -2}));
  }
}

TEST(ConcatenationTest, RejectsBadInputs) {
  auto run = [](auto setup) {
    OpHarness h(ConcatenationKernel(), ir::ConcatenationOptions{1});
    setup(h);
    return h.Run();
  };
  // Mismatched non-axis dimension.
  EXPECT_EQ(run([](OpHarness& h) {
              h.AddInput(ir::DataType::kFloat32, Shape{2, 2}, std::vector<float>(4));
              h.AddInput(ir::DataType::kFloat32, Shape{3, 2}, std::vector<float>(6));
              h.AddOutput(ir::DataType::kFloat32);
            }).code(),
            absl::StatusCode::kInvalidArgument);
  // Mismatched rank.
  EXPECT_EQ(run([](OpHarness& h) {
              h.AddInput(ir::DataType::kFloat32, Shape{2, 2}, std::vector<float>(4));
              h.AddInput(ir::DataType::kFloat32, Shape{2, 2, 1}, std::vector<float>(4));
              h.AddOutput(ir::DataType::kFloat32);
            }).code(),
            absl::StatusCode::kInvalidArgument);
  // Mismatched type.
  EXPECT_EQ(run([](OpHarness& h) {
              h.AddInput(ir::DataType::kFloat32, Shape{2, 2}, std::vector<float>(4));
              h.AddInput(ir::DataType::kInt32, Shape{2, 2}, std::vector<int32_t>(4));
              h.AddOutput(ir::DataType::kFloat32);
            }).code(),
            absl::StatusCode::kInvalidArgument);
  // Axis out of range.
  EXPECT_EQ(run([](OpHarness& h) {
              h.AddInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>(2));
              h.AddOutput(ir::DataType::kFloat32);
            }).code(),
            absl::StatusCode::kInvalidArgument);
  // Different quantization.
  EXPECT_EQ(run([](OpHarness& h) {
              ir::QuantParams a;
              a.scale = {0.5f};
              a.zero_point = {0};
              ir::QuantParams b = a;
              b.scale = {0.25f};
              h.AddInput(ir::DataType::kInt8, Shape{1, 1}, std::vector<int8_t>(1), a);
              h.AddInput(ir::DataType::kInt8, Shape{1, 1}, std::vector<int8_t>(1), b);
              h.AddOutput(ir::DataType::kInt8, Shape(), a);
            }).code(),
            absl::StatusCode::kUnimplemented);
  // Activation on int32.
  {
    OpHarness h(ConcatenationKernel(), ir::ConcatenationOptions{0, ir::Activation::kRelu});
    h.AddInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>(1));
    h.AddOutput(ir::DataType::kInt32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kUnimplemented);
  }
  // TANH activation.
  {
    OpHarness h(ConcatenationKernel(), ir::ConcatenationOptions{0, ir::Activation::kTanh});
    h.AddInput(ir::DataType::kFloat32, Shape{1}, std::vector<float>(1));
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), absl::StatusCode::kUnimplemented);
  }
}

}  // namespace
}  // namespace compressd::kernels
