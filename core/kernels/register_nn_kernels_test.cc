#include <string>

#include "core/kernels/nn_kernels.h"
#include "core/kernels/op_resolver.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

const OpKernel* FindBuiltin(const OpResolver& r, ir::BuiltinOp op) {
  ir::OperatorCode code;
  code.builtin_code = op;
  code.deprecated_builtin_code = static_cast<int8_t>(
      static_cast<int32_t>(op) < 127 ? static_cast<int32_t>(op) : 127);
  return r.Find(code);
}

TEST(RegisterNnKernelsTest, EveryOpResolvesToItsKernel) {
  OpResolver r;
  RegisterNnKernels(r);
  const std::pair<ir::BuiltinOp, const OpKernel*> expected[] = {
      {ir::BuiltinOp::kConv2d, &Conv2DKernel()},
      {ir::BuiltinOp::kDepthwiseConv2d, &DepthwiseConv2DKernel()},
      {ir::BuiltinOp::kTransposeConv, &TransposeConvKernel()},
      {ir::BuiltinOp::kFullyConnected, &FullyConnectedKernel()},
      {ir::BuiltinOp::kBatchMatmul, &BatchMatMulKernel()},
      {ir::BuiltinOp::kAveragePool2d, &AveragePool2DKernel()},
      {ir::BuiltinOp::kMaxPool2d, &MaxPool2DKernel()},
      {ir::BuiltinOp::kResizeBilinear, &ResizeBilinearKernel()},
      {ir::BuiltinOp::kResizeNearestNeighbor, &ResizeNearestNeighborKernel()},
      {ir::BuiltinOp::kDepthToSpace, &DepthToSpaceKernel()},
      {ir::BuiltinOp::kSpaceToDepth, &SpaceToDepthKernel()},
      {ir::BuiltinOp::kSoftmax, &SoftmaxKernel()},
      {ir::BuiltinOp::kLogSoftmax, &LogSoftmaxKernel()},
      {ir::BuiltinOp::kL2Normalization, &L2NormalizationKernel()},
      {ir::BuiltinOp::kPrelu, &PreluKernel()},
      {ir::BuiltinOp::kDequantize, &DequantizeKernel()},
      {ir::BuiltinOp::kQuantize, &QuantizeKernel()},
      {ir::BuiltinOp::kDensify, &DensifyKernel()},
      {ir::BuiltinOp::kCast, &CastKernel()},
  };
  for (const auto& [op, kernel] : expected) {
    EXPECT_EQ(FindBuiltin(r, op), kernel) << kernel->name;
  }
  ir::OperatorCode custom;
  custom.builtin_code = ir::BuiltinOp::kCustom;
  custom.deprecated_builtin_code = static_cast<int8_t>(ir::BuiltinOp::kCustom);
  custom.custom_code = std::string("Convolution2DTransposeBias");
  EXPECT_EQ(r.Find(custom), &TransposeConvBiasKernel());
  EXPECT_EQ(std::string(TransposeConvBiasKernel().name), "Convolution2DTransposeBias");
  EXPECT_EQ(FindBuiltin(r, ir::BuiltinOp::kAdd), nullptr);  // not ours
}

}  // namespace
}  // namespace compressd::kernels
