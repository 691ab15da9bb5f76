#include <algorithm>
#include <random>
#include <vector>

#include "core/kernels/conv_params.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/testing/nn_test_util.h"
#include "core/kernels/testing/op_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::ExpectAllNear;
using testing::OpHarness;
using testing::RandomFloats;
using testing::RandomInt;

ir::FullyConnectedOptions Options(bool keep_num_dims = false,
                                  ir::Activation act = ir::Activation::kNone) {
  ir::FullyConnectedOptions o;
  o.keep_num_dims = keep_num_dims;
  o.activation = act;
  return o;
}

TEST(FullyConnectedTest, HandComputed) {
  // input [2, 3], weights [2, 3], bias {1, -1}.
  OpHarness h(FullyConnectedKernel(), Options());
  h.AddInput(ir::DataType::kFloat32, Shape{2, 3}, std::vector<float>{1, 2, 3, -1, 0, 2});
  h.AddConstInput(ir::DataType::kFloat32, Shape{2, 3}, std::vector<float>{1, 1, 1, 0, 1, -1});
  h.AddConstInput(ir::DataType::kFloat32, Shape{2}, std::vector<float>{1, -1});
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{2, 2}));
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{7, -2, 2, -3}));
}

TEST(FullyConnectedTest, FlattensInputAndKeepsNumDims) {
  std::mt19937 rng(41);
  for (int iter = 0; iter < 40; ++iter) {
    const int a = RandomInt(rng, 1, 3), b = RandomInt(rng, 1, 4), depth = RandomInt(rng, 1, 6);
    const int units = RandomInt(rng, 1, 5);
    const bool keep = RandomInt(rng, 0, 1) == 1;
    const bool has_bias = RandomInt(rng, 0, 1) == 1;
    const auto act = static_cast<ir::Activation>(RandomInt(rng, 0, 3));
    const auto in = RandomFloats(rng, a * b * depth);
    const auto w = RandomFloats(rng, units * depth);
    const auto bias = RandomFloats(rng, units);
    OpHarness h(FullyConnectedKernel(), Options(keep, act));
    h.AddInput(ir::DataType::kFloat32, Shape{a, b, depth}, in);
    h.AddConstInput(ir::DataType::kFloat32, Shape{units, depth}, w);
    if (has_bias) {
      h.AddConstInput(ir::DataType::kFloat32, Shape{units}, bias);
    } else if (RandomInt(rng, 0, 1)) {
      h.AddOptionalInput();
    }
    h.AddOutput(ir::DataType::kFloat32);
    const absl::Status s = h.Run();
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_EQ(h.OutputShape(0), keep ? (Shape{a, b, units}) : (Shape{a * b, units}));
    const auto range = ActivationRange(act);
    std::vector<double> expected;
    for (int row = 0; row < a * b; ++row)
      for (int u = 0; u < units; ++u) {
        double sum = has_bias ? bias[u] : 0.0;
        for (int d = 0; d < depth; ++d) sum += static_cast<double>(in[row * depth + d]) * w[u * depth + d];
        expected.push_back(std::clamp<double>(sum, range.min, range.max));
      }
    ExpectAllNear(h.OutputData<float>(0), expected);
  }
}

TEST(FullyConnectedTest, InputFlattensAcrossItsLastDimension) {
  // Input [1, 4] with weights [1, 2]: two rows of 2.
  OpHarness h(FullyConnectedKernel(), Options());
  h.AddInput(ir::DataType::kFloat32, Shape{1, 4}, std::vector<float>{1, 2, 3, 4});
  h.AddConstInput(ir::DataType::kFloat32, Shape{1, 2}, std::vector<float>{1, 10});
  h.AddOutput(ir::DataType::kFloat32);
  ASSERT_TRUE(h.Run().ok());
  EXPECT_EQ(h.OutputShape(0), (Shape{2, 1}));
  EXPECT_EQ(h.OutputData<float>(0), (std::vector<float>{21, 43}));
}

TEST(FullyConnectedTest, RejectsMalformedOperators) {
  struct Bad {
    const char* name;
    Shape input, weights, bias;
    ir::FullyConnectedOptions options;
    absl::StatusCode code;
  };
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  ir::FullyConnectedOptions shuffled;
  shuffled.weights_format = ir::FullyConnectedWeightsFormat::kShuffled4x16Int8;
  const std::vector<Bad> cases = {
      {"weights rank 3", Shape{2, 3}, Shape{2, 3, 1}, Shape(), Options(), kInvalid},
      {"input not a multiple of depth", Shape{2, 5}, Shape{2, 3}, Shape(), Options(), kInvalid},
      {"bias size", Shape{2, 3}, Shape{2, 3}, Shape{3}, Options(), kInvalid},
      {"keep_num_dims with other last dim", Shape{2, 6}, Shape{2, 3}, Shape(), Options(true),
       kInvalid},
      {"tanh", Shape{2, 3}, Shape{2, 3}, Shape(), Options(false, ir::Activation::kTanh),
       kInvalid},
      {"shuffled weights", Shape{2, 3}, Shape{2, 3}, Shape(), shuffled,
       absl::StatusCode::kUnimplemented},
      {"scalar input", Shape(), Shape{2, 1}, Shape(), Options(), kInvalid},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    OpHarness h(FullyConnectedKernel(), c.options);
    h.AddInput(ir::DataType::kFloat32, c.input, std::vector<float>(c.input.FlatSize()));
    h.AddConstInput(ir::DataType::kFloat32, c.weights, std::vector<float>(c.weights.FlatSize()));
    if (c.bias.rank() > 0) {
      h.AddConstInput(ir::DataType::kFloat32, c.bias, std::vector<float>(c.bias.FlatSize()));
    }
    h.AddOutput(ir::DataType::kFloat32);
    EXPECT_EQ(h.Run().code(), c.code);
  }
  OpHarness int8(FullyConnectedKernel(), Options());
  int8.AddInput(ir::DataType::kInt8, Shape{1, 2}, std::vector<int8_t>(2));
  int8.AddConstInput(ir::DataType::kInt8, Shape{1, 2}, std::vector<int8_t>(2));
  int8.AddOutput(ir::DataType::kInt8);
  EXPECT_EQ(int8.Run().code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace compressd::kernels
