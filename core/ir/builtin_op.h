// Builtin operator codes. Values are TFLite's BuiltinOperator numbers. The enum names only the ops
// the core interprets or rewrites; any other value is carried as-is (it is an int32 enum), so
// unknown operators pass through the IR untouched.
#ifndef COMPRESSD_CORE_IR_BUILTIN_OP_H_
#define COMPRESSD_CORE_IR_BUILTIN_OP_H_

#include <cstdint>

namespace compressd::ir {

enum class BuiltinOp : int32_t {
  kAdd = 0,
  kAveragePool2d = 1,
  kConcatenation = 2,
  kConv2d = 3,
  kDepthwiseConv2d = 4,
  kDepthToSpace = 5,
  kDequantize = 6,
  kFloor = 8,
  kFullyConnected = 9,
  kL2Normalization = 11,
  kLogistic = 14,
  kMaxPool2d = 17,
  kMul = 18,
  kRelu = 19,
  kReluN1To1 = 20,
  kRelu6 = 21,
  kReshape = 22,
  kResizeBilinear = 23,
  kSoftmax = 25,
  kSpaceToDepth = 26,
  kTanh = 28,
  kCustom = 32,
  kPad = 34,
  kGather = 36,
  kTranspose = 39,
  kMean = 40,
  kSub = 41,
  kDiv = 42,
  kSqueeze = 43,
  kStridedSlice = 45,
  kExp = 47,
  kSplit = 49,
  kLogSoftmax = 50,
  kCast = 53,
  kPrelu = 54,
  kMaximum = 55,
  kMinimum = 57,
  kNeg = 59,
  kPadV2 = 60,
  kSlice = 65,
  kTransposeConv = 67,
  kExpandDims = 70,
  kSum = 74,
  kSqrt = 75,
  kRsqrt = 76,
  kReduceMax = 82,
  kPack = 83,
  kUnpack = 88,
  kResizeNearestNeighbor = 97,
  kLeakyRelu = 98,
  kSquaredDifference = 99,
  kMirrorPad = 100,
  kAbs = 101,
  kSplitV = 102,
  kElu = 111,
  kQuantize = 114,
  kHardSwish = 117,
  kDensify = 124,
  kBatchMatmul = 126,
  // Op codes above this value are stored in OperatorCode.builtin_code only; the legacy int8
  // field deprecated_builtin_code then holds this placeholder.
  kPlaceholderForGreaterOpCodes = 127,
};

}  // namespace compressd::ir

#endif  // COMPRESSD_CORE_IR_BUILTIN_OP_H_
