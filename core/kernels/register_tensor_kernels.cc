#include "core/ir/builtin_op.h"
#include "core/kernels/op_resolver.h"
#include "core/kernels/tensor_kernels.h"

namespace compressd::kernels {

void RegisterTensorKernels(OpResolver& resolver) {
  using ir::BuiltinOp;
  resolver.AddBuiltin(BuiltinOp::kAdd, AddKernel());
  resolver.AddBuiltin(BuiltinOp::kSub, SubKernel());
  resolver.AddBuiltin(BuiltinOp::kMul, MulKernel());
  resolver.AddBuiltin(BuiltinOp::kDiv, DivKernel());
  resolver.AddBuiltin(BuiltinOp::kSquaredDifference, SquaredDifferenceKernel());
  resolver.AddBuiltin(BuiltinOp::kMaximum, MaximumKernel());
  resolver.AddBuiltin(BuiltinOp::kMinimum, MinimumKernel());

  resolver.AddBuiltin(BuiltinOp::kMean, MeanKernel());
  resolver.AddBuiltin(BuiltinOp::kSum, SumKernel());
  resolver.AddBuiltin(BuiltinOp::kReduceMax, ReduceMaxKernel());

  resolver.AddBuiltin(BuiltinOp::kPad, PadKernel());
  resolver.AddBuiltin(BuiltinOp::kPadV2, PadV2Kernel());
  resolver.AddBuiltin(BuiltinOp::kMirrorPad, MirrorPadKernel());

  resolver.AddBuiltin(BuiltinOp::kReshape, ReshapeKernel());
  resolver.AddBuiltin(BuiltinOp::kSqueeze, SqueezeKernel());
  resolver.AddBuiltin(BuiltinOp::kExpandDims, ExpandDimsKernel());

  resolver.AddBuiltin(BuiltinOp::kConcatenation, ConcatenationKernel());
  resolver.AddBuiltin(BuiltinOp::kSplit, SplitKernel());
  resolver.AddBuiltin(BuiltinOp::kSplitV, SplitVKernel());
  resolver.AddBuiltin(BuiltinOp::kPack, PackKernel());
  resolver.AddBuiltin(BuiltinOp::kUnpack, UnpackKernel());

  resolver.AddBuiltin(BuiltinOp::kSlice, SliceKernel());
  resolver.AddBuiltin(BuiltinOp::kStridedSlice, StridedSliceKernel());
  resolver.AddBuiltin(BuiltinOp::kTranspose, TransposeKernel());
  resolver.AddBuiltin(BuiltinOp::kGather, GatherKernel());

  resolver.AddBuiltin(BuiltinOp::kRelu, ReluKernel());
  resolver.AddBuiltin(BuiltinOp::kRelu6, Relu6Kernel());
  resolver.AddBuiltin(BuiltinOp::kReluN1To1, ReluN1To1Kernel());
  resolver.AddBuiltin(BuiltinOp::kLeakyRelu, LeakyReluKernel());
  resolver.AddBuiltin(BuiltinOp::kHardSwish, HardSwishKernel());
  resolver.AddBuiltin(BuiltinOp::kLogistic, LogisticKernel());
  resolver.AddBuiltin(BuiltinOp::kTanh, TanhKernel());
  resolver.AddBuiltin(BuiltinOp::kElu, EluKernel());

  resolver.AddBuiltin(BuiltinOp::kExp, ExpKernel());
  resolver.AddBuiltin(BuiltinOp::kSqrt, SqrtKernel());
  resolver.AddBuiltin(BuiltinOp::kRsqrt, RsqrtKernel());
  resolver.AddBuiltin(BuiltinOp::kAbs, AbsKernel());
  resolver.AddBuiltin(BuiltinOp::kNeg, NegKernel());
}

}  // namespace compressd::kernels
