// Float32 neural-network operator kernels (reference implementations; int8 variants will join
// them in the same files). Each accessor returns a static OpKernel defined in core/kernels/<op>.cc.
// Semantics follow TensorFlow Lite's kernels; see each file and core/kernels/reference/<op>.h.
#ifndef COMPRESSD_CORE_KERNELS_NN_KERNELS_H_
#define COMPRESSD_CORE_KERNELS_NN_KERNELS_H_

#include "core/kernels/op_kernel.h"
#include "core/kernels/op_resolver.h"

namespace compressd::kernels {

const OpKernel& Conv2DKernel();                 // CONV_2D
const OpKernel& DepthwiseConv2DKernel();        // DEPTHWISE_CONV_2D
const OpKernel& TransposeConvKernel();          // TRANSPOSE_CONV
const OpKernel& TransposeConvBiasKernel();      // custom "Convolution2DTransposeBias" (MediaPipe)
const OpKernel& FullyConnectedKernel();         // FULLY_CONNECTED
const OpKernel& BatchMatMulKernel();            // BATCH_MATMUL
const OpKernel& AveragePool2DKernel();          // AVERAGE_POOL_2D
const OpKernel& MaxPool2DKernel();              // MAX_POOL_2D
const OpKernel& ResizeBilinearKernel();         // RESIZE_BILINEAR
const OpKernel& ResizeNearestNeighborKernel();  // RESIZE_NEAREST_NEIGHBOR
const OpKernel& DepthToSpaceKernel();           // DEPTH_TO_SPACE
const OpKernel& SpaceToDepthKernel();           // SPACE_TO_DEPTH
const OpKernel& SoftmaxKernel();                // SOFTMAX
const OpKernel& LogSoftmaxKernel();             // LOG_SOFTMAX
const OpKernel& L2NormalizationKernel();        // L2_NORMALIZATION
const OpKernel& PreluKernel();                  // PRELU
const OpKernel& DequantizeKernel();             // DEQUANTIZE
const OpKernel& QuantizeKernel();               // QUANTIZE
const OpKernel& DensifyKernel();                // DENSIFY
const OpKernel& CastKernel();                   // CAST

// The custom code of MediaPipe's transpose convolution with bias.
inline constexpr char kTransposeConvBiasCustomCode[] = "Convolution2DTransposeBias";

// Adds every kernel above to `resolver` (builtins by ir::BuiltinOp, the custom op by its name).
void RegisterNnKernels(OpResolver& resolver);

}  // namespace compressd::kernels

#endif  // COMPRESSD_CORE_KERNELS_NN_KERNELS_H_
