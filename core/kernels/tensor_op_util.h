// Validation helpers shared by the op glue of the elementwise and tensor-manipulation kernels
// (core/kernels/{add,reduce,pad,strided_slice,...}.cc). All helpers run in Prepare (they may
// allocate) and return InvalidArgument / Unimplemented statuses whose messages name the offending
// input and its values; the interpreter prefixes the operator index and name.
#ifndef COMPRESSD_CORE_KERNELS_TENSOR_OP_UTIL_H_
#define COMPRESSD_CORE_KERNELS_TENSOR_OP_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/ir/builtin_options.h"
#include "core/ir/data_type.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/shape.h"

namespace compressd::kernels {

// "float32", "int8", ... as a std::string (absl::StrCat does not take std::string_view here).
std::string TypeName(ir::DataType type);

// The clamp range of a fused activation as TFLite computes it for float outputs
// (CalculateActivationRange): NONE clamps to [lowest, max] of the type, so an infinite result
// becomes ±FLT_MAX exactly as in TFLite. Only NONE/RELU/RELU6/RELU_N1_TO_1 are valid here;
// callers check IsClampActivation first.
template <typename T>
struct ActivationBounds {
  T min;
  T max;
};
ActivationBounds<float> FloatActivationBounds(ir::Activation act);
ActivationBounds<int32_t> Int32ActivationBounds(ir::Activation act);

// Unimplemented unless `act` is NONE, RELU, RELU6 or RELU_N1_TO_1.
absl::Status CheckClampActivation(ir::Activation act);

// Exact input/output counts.
absl::Status CheckNumInputs(const OpContext& ctx, int expected);
absl::Status CheckNumInputsInRange(const OpContext& ctx, int min, int max);
absl::Status CheckNumOutputs(const OpContext& ctx, int expected);

// Input `i`, which must be present (not an omitted optional input), have a rank <= kMaxRank and
// non-negative dimensions; a constant input must also hold at least FlatSize elements of data.
absl::StatusOr<const TensorView*> GetInput(const OpContext& ctx, int i);

// The output's declared type must be `expected`.
absl::Status CheckOutputType(OpContext& ctx, int i, ir::DataType expected);

// Sets output `i`'s shape after checking that every dimension fits in int32 and that the byte size
// fits in int64. `dims` are int64 so callers can pass unchecked sums/products.
absl::Status SetOutputShape(OpContext& ctx, int i, const std::vector<int64_t>& dims);
absl::Status SetOutputShape(OpContext& ctx, int i, const Shape& shape);

// Bytes per element of a type that pure data-movement ops can copy (> 0), or Unimplemented for
// string/resource/variant/int4.
absl::StatusOr<int> FixedElementSize(ir::DataType type, const char* what);

// `axis` in [-rank, rank) mapped to [0, rank). `what` names the axis in messages.
absl::StatusOr<int> NormalizeAxis(int64_t axis, int rank, const char* what);

// The values of a constant int32 or int64 tensor, widened to int64. InvalidArgument when the
// tensor is not constant (the output shape would depend on run-time data) or has another type.
absl::StatusOr<std::vector<int64_t>> ReadConstantInts(const TensorView& t, const char* what);

// int8, uint8 and int16: the types whose values may be quantized.
bool IsQuantizedIntType(ir::DataType type);

// For int8/uint8/int16 tensors, `in` must carry the same quantization (scales and zero points)
// as `out`: data-movement kernels copy raw values and never rescale. OK for other types.
absl::Status CheckSameQuantization(const TensorView& in, const TensorView& out, const char* what);

// Type-generic data movement: calls f(TypeTag<U>{}) where U is a trivially copyable type of
// exactly `element_size` bytes (uint8_t, uint16_t, uint32_t, uint64_t or Bytes16). Copying
// through U preserves every bit pattern (float NaN payloads included).
template <typename T>
struct TypeTag {
  using type = T;
};
struct Bytes16 {
  uint64_t lo;
  uint64_t hi;
};
template <typename F>
absl::Status DispatchByElementSize(int element_size, F&& f) {
  switch (element_size) {
    case 1:
      f(TypeTag<uint8_t>{});
      return absl::OkStatus();
    case 2:
      f(TypeTag<uint16_t>{});
      return absl::OkStatus();
    case 4:
      f(TypeTag<uint32_t>{});
      return absl::OkStatus();
    case 8:
      f(TypeTag<uint64_t>{});
      return absl::OkStatus();
    case 16:
      f(TypeTag<Bytes16>{});
      return absl::OkStatus();
    default:
      return absl::UnimplementedError(
          absl::StrCat("no copy kernel for elements of ", element_size, " bytes"));
  }
}

// Reads a constant int32/int64 paddings tensor of shape [rank, 2] into before/after values, each
// in [0, INT32_MAX].
absl::Status ReadPaddings(const TensorView& paddings, int rank, std::vector<int32_t>* before,
                          std::vector<int32_t>* after);

// Eval helper of the shape-only ops (RESHAPE, SQUEEZE, EXPAND_DIMS): copies the input's
// FlatSize() elements into the output (which has the same element count and type). Does nothing
// when the interpreter made both views share one buffer.
void CopyTensorData(const TensorView& in, TensorView& out);

// Two inputs of the same type and one output of that type; sets the output shape to the
// broadcast of the input shapes (InvalidArgument when incompatible). Returns the element type.
absl::StatusOr<ir::DataType> PrepareBroadcastBinary(OpContext& ctx);

// One input and one output of the same type and shape (elementwise unary operators). Returns the
// element type.
absl::StatusOr<ir::DataType> PrepareUnary(OpContext& ctx);

}  // namespace compressd::kernels

#endif  // COMPRESSD_CORE_KERNELS_TENSOR_OP_UTIL_H_
