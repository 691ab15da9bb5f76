#include "core/kernels/nn_kernels.h"

namespace compressd::kernels {

void RegisterNnKernels(OpResolver& resolver) {
  using ir::BuiltinOp;
  resolver.AddBuiltin(BuiltinOp::kConv2d, Conv2DKernel());
  resolver.AddBuiltin(BuiltinOp::kDepthwiseConv2d, DepthwiseConv2DKernel());
  resolver.AddBuiltin(BuiltinOp::kTransposeConv, TransposeConvKernel());
  resolver.AddBuiltin(BuiltinOp::kFullyConnected, FullyConnectedKernel());
  resolver.AddBuiltin(BuiltinOp::kBatchMatmul, BatchMatMulKernel());
  resolver.AddBuiltin(BuiltinOp::kAveragePool2d, AveragePool2DKernel());
  resolver.AddBuiltin(BuiltinOp::kMaxPool2d, MaxPool2DKernel());
  resolver.AddBuiltin(BuiltinOp::kResizeBilinear, ResizeBilinearKernel());
  resolver.AddBuiltin(BuiltinOp::kResizeNearestNeighbor, ResizeNearestNeighborKernel());
  resolver.AddBuiltin(BuiltinOp::kDepthToSpace, DepthToSpaceKernel());
  resolver.AddBuiltin(BuiltinOp::kSpaceToDepth, SpaceToDepthKernel());
  resolver.AddBuiltin(BuiltinOp::kSoftmax, SoftmaxKernel());
  resolver.AddBuiltin(BuiltinOp::kLogSoftmax, LogSoftmaxKernel());
  resolver.AddBuiltin(BuiltinOp::kL2Normalization, L2NormalizationKernel());
  resolver.AddBuiltin(BuiltinOp::kPrelu, PreluKernel());
  resolver.AddBuiltin(BuiltinOp::kDequantize, DequantizeKernel());
  resolver.AddBuiltin(BuiltinOp::kQuantize, QuantizeKernel());
  resolver.AddBuiltin(BuiltinOp::kDensify, DensifyKernel());
  resolver.AddBuiltin(BuiltinOp::kCast, CastKernel());
  resolver.AddCustom(kTransposeConvBiasCustomCode, TransposeConvBiasKernel());
}

}  // namespace compressd::kernels
