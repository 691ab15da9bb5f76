// Validation helpers for the NN operator glue (core/kernels/<op>.cc of the ops declared in
// nn_kernels.h). Each returns OK or a status whose message names the offending tensor and its
// values; the interpreter prefixes the operator index and name. Stateless and thread-safe.
#ifndef COMPRESSD_CORE_KERNELS_NN_KERNEL_UTIL_H_
#define COMPRESSD_CORE_KERNELS_NN_KERNEL_UTIL_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/ir/builtin_options.h"
#include "core/ir/data_type.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::nn {

// "float32", "int8", ... for messages.
std::string TypeName(ir::DataType type);

// The operator has between min_inputs and max_inputs inputs (omitted optional inputs count) and
// exactly num_outputs outputs.
absl::Status CheckArity(const OpContext& ctx, int min_inputs, int max_inputs, int num_outputs);

// Input `i` (which CheckArity has shown to exist); InvalidArgument when it is omitted or has a
// negative dimension. `what` names it in messages ("filter").
absl::StatusOr<const TensorView*> RequiredInput(const OpContext& ctx, int i, const char* what);

// Input `i`, or nullptr when the operator has fewer inputs or the input is omitted (index -1).
// InvalidArgument when present with a negative dimension.
absl::StatusOr<const TensorView*> OptionalInput(const OpContext& ctx, int i, const char* what);

absl::Status CheckRank(const TensorView& t, int rank, const char* what);
absl::Status CheckRankRange(const TensorView& t, int min_rank, int max_rank, const char* what);

// InvalidArgument when t.type != type (a model whose tensors disagree).
absl::Status CheckType(const TensorView& t, ir::DataType type, const char* what);

// Unimplemented: the kernel has no implementation for `type` yet.
absl::Status UnsupportedType(ir::DataType type, const char* what);

// The tensor is constant and holds at least FlatSize elements of its type.
// Unimplemented (naming `why`) when it is not constant; InvalidArgument when its bytes are short.
absl::Status CheckConstantData(const TensorView& t, const char* what, const char* why);

// A constant tensor's bytes (if it has data) cover its shape. Non-constant tensors pass.
absl::Status CheckDataCoversShape(const TensorView& t, const char* what);

// extent <= INT32_MAX, so that kernels' int32 index arithmetic (e.g. input extent plus the dilated
// filter extent) cannot overflow. `what` names the quantity.
absl::Status CheckIndexExtent(int64_t extent, const char* what);

// value >= 1.
absl::Status CheckAtLeastOne(int32_t value, const char* what);

// The clamp range of a fused activation; InvalidArgument for TANH / SIGN_BIT and unknown values,
// which no float kernel here implements.
absl::StatusOr<FloatActivationRange> ClampActivation(ir::Activation act);

// t.quant is affine quantization the (de)quantize kernels can use: one finite scale (zero_point
// empty or one value), or per-channel with dim(quantized_dimension) scales and as many zero points;
// zero points within int32; scales > 0 when require_positive_scale. InvalidArgument otherwise.
absl::Status CheckAffineQuant(const TensorView& t, const char* what, bool require_positive_scale);

// Sets output i's shape after checking that its declared type is `type`.
absl::Status SetOutput(OpContext& ctx, int i, ir::DataType type, const Shape& shape);

}  // namespace compressd::kernels::nn

#endif  // COMPRESSD_CORE_KERNELS_NN_KERNEL_UTIL_H_
