// PAD / PADV2: constant padding (TFLite semantics; both ops share one implementation there too).
// Inputs: (input, paddings[, constant_values]). paddings is a constant int32/int64 [rank, 2]
// tensor of non-negative (before, after) counts. constant_values, when present, is a
// one-element tensor of the input's type (for quantized types with the output's quantization);
// otherwise the pad value is 0, or the output zero point for quantized int8/uint8/int16 outputs.
// Any fixed-size element type.
#include "core/kernels/reference/pad.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

struct PadState : OpState {
  std::array<int32_t, Shape::kMaxRank> before{};
  int element_size = 0;
  bool value_from_input = false;        // constant_values input present
  std::array<uint8_t, 16> pad_value{};  // raw pad element otherwise
};

// The default pad element: the output zero point for quantized int8/uint8/int16, else 0.
absl::Status DefaultPadValue(const TensorView& out, PadState& state) {
  state.pad_value.fill(0);
  if (!IsQuantizedIntType(out.type) || !out.IsQuantized()) return absl::OkStatus();
  if (out.quant->zero_point.size() > 1) {
    return absl::UnimplementedError(
        "padding a per-channel quantized tensor without constant_values is not supported");
  }
  const int64_t zp = out.quant->zero_point.empty() ? 0 : out.quant->zero_point[0];
  int64_t lo = 0;
  int64_t hi = 0;
  switch (out.type) {
    case ir::DataType::kInt8:
      lo = std::numeric_limits<int8_t>::min();
      hi = std::numeric_limits<int8_t>::max();
      break;
    case ir::DataType::kUInt8:
      lo = 0;
      hi = std::numeric_limits<uint8_t>::max();
      break;
    default:
      lo = std::numeric_limits<int16_t>::min();
      hi = std::numeric_limits<int16_t>::max();
      break;
  }
  if (zp < lo || zp > hi) {
    return absl::InvalidArgumentError(
        absl::StrCat("output zero point ", zp, " is out of range for ", TypeName(out.type)));
  }
  if (out.type == ir::DataType::kInt16) {
    const int16_t v = static_cast<int16_t>(zp);
    std::memcpy(state.pad_value.data(), &v, sizeof(v));
  } else {
    state.pad_value[0] = static_cast<uint8_t>(zp & 0xFF);  // int8 two's complement or uint8
  }
  return absl::OkStatus();
}

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputsInRange(ctx, 2, 3));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 0));
  ASSIGN_OR_RETURN(const TensorView* paddings, GetInput(ctx, 1));
  auto state = std::make_unique<PadState>();
  ASSIGN_OR_RETURN(state->element_size, FixedElementSize(in->type, "input"));
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, in->type));

  const int rank = in->shape.rank();
  std::vector<int32_t> before;
  std::vector<int32_t> after;
  RETURN_IF_ERROR(ReadPaddings(*paddings, rank, &before, &after));
  std::vector<int64_t> out_dims(rank);
  for (int d = 0; d < rank; ++d) {
    out_dims[d] = static_cast<int64_t>(in->shape.dim(d)) + before[d] + after[d];
    state->before[d] = before[d];
  }
  RETURN_IF_ERROR(SetOutputShape(ctx, 0, out_dims));

  const TensorView* value = ctx.num_inputs() == 3 ? ctx.input(2) : nullptr;
  if (value != nullptr) {
    ASSIGN_OR_RETURN(value, GetInput(ctx, 2));
    if (value->type != in->type) {
      return absl::InvalidArgumentError(absl::StrCat(
          "constant_values has type ", TypeName(value->type), ", the input ", TypeName(in->type)));
    }
    if (value->shape.FlatSize() != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "constant_values must hold one element, has shape ", value->shape.ToString()));
    }
    RETURN_IF_ERROR(CheckSameQuantization(*value, *ctx.output(0), "constant_values"));
    state->value_from_input = true;
  } else {
    RETURN_IF_ERROR(DefaultPadValue(*ctx.output(0), *state));
  }
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& in = *ctx.input(0);
  TensorView& out = *ctx.output(0);
  const PadState& state = *ctx.state_as<PadState>();
  const void* value = state.value_from_input ? ctx.input(2)->data : state.pad_value.data();
  return DispatchByElementSize(state.element_size, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T pad_value;
    std::memcpy(&pad_value, value, sizeof(T));
    reference::Pad(in.shape, in.data_as<const T>(), state.before.data(), out.shape, pad_value,
                   out.data_as<T>());
  });
}

}  // namespace

const OpKernel& PadKernel() {
  static const OpKernel kernel{"PAD", Prepare, Eval};
  return kernel;
}

const OpKernel& PadV2Kernel() {
  static const OpKernel kernel{"PADV2", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
