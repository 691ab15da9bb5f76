// Elementwise and tensor-manipulation kernels (TFLite semantics). Each accessor returns a static
// OpKernel defined in core/kernels/<op>.cc; RegisterTensorKernels adds them all to a resolver.
//
// Types: math ops run float32 (ADD/SUB/MUL also int32, MAXIMUM/MINIMUM also int32/int64, ABS/NEG
// also int32); other types are rejected in Prepare with Unimplemented. Pure data-movement ops
// (reshape, squeeze, expand_dims, concatenation, split, split_v, pack, unpack, slice,
// strided_slice, transpose, gather, pad, padv2, mirror_pad) accept every fixed-size type.
#ifndef COMPRESSD_CORE_KERNELS_TENSOR_KERNELS_H_
#define COMPRESSD_CORE_KERNELS_TENSOR_KERNELS_H_

#include "core/kernels/op_kernel.h"
#include "core/kernels/op_resolver.h"

namespace compressd::kernels {

// Broadcasting binary ops (add.cc, sub.cc, mul.cc, div.cc, squared_difference.cc,
// maximum_minimum.cc).
const OpKernel& AddKernel();
const OpKernel& SubKernel();
const OpKernel& MulKernel();
const OpKernel& DivKernel();
const OpKernel& SquaredDifferenceKernel();
const OpKernel& MaximumKernel();
const OpKernel& MinimumKernel();

// Reductions (reduce.cc).
const OpKernel& MeanKernel();
const OpKernel& SumKernel();
const OpKernel& ReduceMaxKernel();

// Padding (pad.cc, mirror_pad.cc).
const OpKernel& PadKernel();
const OpKernel& PadV2Kernel();
const OpKernel& MirrorPadKernel();

// Shape changes without data changes (reshape.cc, squeeze.cc, expand_dims.cc).
const OpKernel& ReshapeKernel();
const OpKernel& SqueezeKernel();
const OpKernel& ExpandDimsKernel();

// Joining and splitting (concatenation.cc, split.cc, split_v.cc, pack.cc, unpack.cc).
const OpKernel& ConcatenationKernel();
const OpKernel& SplitKernel();
const OpKernel& SplitVKernel();
const OpKernel& PackKernel();
const OpKernel& UnpackKernel();

// Indexing (slice.cc, strided_slice.cc, transpose.cc, gather.cc).
const OpKernel& SliceKernel();
const OpKernel& StridedSliceKernel();
const OpKernel& TransposeKernel();
const OpKernel& GatherKernel();

// Activations (activations.cc).
const OpKernel& ReluKernel();
const OpKernel& Relu6Kernel();
const OpKernel& ReluN1To1Kernel();
const OpKernel& LeakyReluKernel();
const OpKernel& HardSwishKernel();
const OpKernel& LogisticKernel();
const OpKernel& TanhKernel();
const OpKernel& EluKernel();

// Elementwise math (elementwise.cc).
const OpKernel& ExpKernel();
const OpKernel& SqrtKernel();
const OpKernel& RsqrtKernel();
const OpKernel& AbsKernel();
const OpKernel& NegKernel();

// Adds every kernel above under its builtin operator code.
void RegisterTensorKernels(OpResolver& resolver);

}  // namespace compressd::kernels

#endif  // COMPRESSD_CORE_KERNELS_TENSOR_KERNELS_H_
