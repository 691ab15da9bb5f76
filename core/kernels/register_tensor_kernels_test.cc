#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/ir/model.h"
#include "core/kernels/op_resolver.h"
#include "core/kernels/tensor_kernels.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

TEST(RegisterTensorKernelsTest, EveryOperatorResolvesToItsKernel) {
  OpResolver resolver;
  RegisterTensorKernels(resolver);
  using ir::BuiltinOp;
  const std::vector<std::pair<BuiltinOp, std::string>> ops = {
      {BuiltinOp::kAdd, "ADD"},
      {BuiltinOp::kSub, "SUB"},
      {BuiltinOp::kMul, "MUL"},
      {BuiltinOp::kDiv, "DIV"},
      {BuiltinOp::kSquaredDifference, "SQUARED_DIFFERENCE"},
      {BuiltinOp::kMaximum, "MAXIMUM"},
      {BuiltinOp::kMinimum, "MINIMUM"},
      {BuiltinOp::kMean, "MEAN"},
      {BuiltinOp::kSum, "SUM"},
      {BuiltinOp::kReduceMax, "REDUCE_MAX"},
      {BuiltinOp::kPad, "PAD"},
      {BuiltinOp::kPadV2, "PADV2"},
      {BuiltinOp::kMirrorPad, "MIRROR_PAD"},
      {BuiltinOp::kReshape, "RESHAPE"},
      {BuiltinOp::kSqueeze, "SQUEEZE"},
      {BuiltinOp::kExpandDims, "EXPAND_DIMS"},
      {BuiltinOp::kConcatenation, "CONCATENATION"},
      {BuiltinOp::kSplit, "SPLIT"},
      {BuiltinOp::kSplitV, "SPLIT_V"},
      {BuiltinOp::kPack, "PACK"},
      {BuiltinOp::kUnpack, "UNPACK"},
      {BuiltinOp::kSlice, "SLICE"},
      {BuiltinOp::kStridedSlice, "STRIDED_SLICE"},
      {BuiltinOp::kTranspose, "TRANSPOSE"},
      {BuiltinOp::kGather, "GATHER"},
      {BuiltinOp::kRelu, "RELU"},
      {BuiltinOp::kRelu6, "RELU6"},
      {BuiltinOp::kReluN1To1, "RELU_N1_TO_1"},
      {BuiltinOp::kLeakyRelu, "LEAKY_RELU"},
      {BuiltinOp::kHardSwish, "HARD_SWISH"},
      {BuiltinOp::kLogistic, "LOGISTIC"},
      {BuiltinOp::kTanh, "TANH"},
      {BuiltinOp::kElu, "ELU"},
      {BuiltinOp::kExp, "EXP"},
      {BuiltinOp::kSqrt, "SQRT"},
      {BuiltinOp::kRsqrt, "RSQRT"},
      {BuiltinOp::kAbs, "ABS"},
      {BuiltinOp::kNeg, "NEG"},
  };
  for (const auto& [op, name] : ops) {
    ir::OperatorCode code;
    code.builtin_code = op;
    code.deprecated_builtin_code = static_cast<int8_t>(std::min(static_cast<int>(op), 127));
    const OpKernel* kernel = resolver.Find(code);
    ASSERT_NE(kernel, nullptr) << name;
    EXPECT_EQ(std::string(kernel->name), name);
    EXPECT_NE(kernel->prepare, nullptr);
    EXPECT_NE(kernel->eval, nullptr);
  }
  ir::OperatorCode conv;
  conv.builtin_code = BuiltinOp::kConv2d;
  conv.deprecated_builtin_code = static_cast<int8_t>(BuiltinOp::kConv2d);
  EXPECT_EQ(resolver.Find(conv), nullptr);  // NN kernels are registered elsewhere
}

}  // namespace
}  // namespace compressd::kernels
