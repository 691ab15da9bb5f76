#include "core/passes/integer_op_rules.h"

namespace compressd::passes {

std::optional<IntegerOpRule> FindIntegerOpRule(ir::BuiltinOp op) {
  using B = ir::BuiltinOp;
  IntegerOpRule r;
  switch (op) {
    case B::kConv2d:
      r = {ParamRule::kWeighted, true, 3, 4};
      break;
    case B::kDepthwiseConv2d:
      r = {ParamRule::kWeighted, true, 3, 5};
      break;
    case B::kFullyConnected:
      r = {ParamRule::kWeighted, true, 4, 7};
      break;
    case B::kAdd:
      r = {ParamRule::kFree, true, 2, 3};
      break;
    case B::kSub:
      r = {ParamRule::kFree, true, 2, 3};
      break;
    case B::kMul:
      r = {ParamRule::kFree, true, 2, 4};
      break;
    case B::kHardSwish:
      r = {ParamRule::kFree, false, 1, 1};
      break;
    case B::kRelu:
    case B::kRelu6:
      r = {ParamRule::kFree, true, 2, 3};
      break;
    case B::kMean:
      r = {ParamRule::kFree, true, 2, 3};
      break;
    case B::kLogistic:
      r = {ParamRule::kFixed, true, 2, 3, 1.0f / 256.0f, -128, 1.0f / 32768.0f};
      break;
    case B::kTanh:  // int16 TANH: TFLite has one, compressd's interpreter not yet
      r = {ParamRule::kFixed, false, 2, 3, 1.0f / 128.0f, 0, 1.0f / 32768.0f};
      break;
    case B::kMaxPool2d:
    case B::kAveragePool2d:
      r = {ParamRule::kSameAsInput, true, 2, 3};
      break;
    case B::kPad:
      r = {ParamRule::kSameAsInput, true, 2, 4};
      break;
    case B::kReshape:
    case B::kSqueeze:
    case B::kExpandDims:
      r = {ParamRule::kSameAsInput, true, 1, 1};
      break;
    case B::kResizeBilinear:
      r = {ParamRule::kSameAsInput, true, 2, 4};
      break;
    case B::kResizeNearestNeighbor:
      r = {ParamRule::kSameAsInput, true, 2, 4};
      break;
    case B::kConcatenation:
      r = {ParamRule::kAllSame, true, 2, 3};
      break;
    default:
      return std::nullopt;
  }
  return r;
}

}  // namespace compressd::passes
