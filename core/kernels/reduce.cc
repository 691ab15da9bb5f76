// MEAN, SUM, REDUCE_MAX over the axes of a constant axis input (TFLite semantics, see
// reference/reduce.h). Inputs: (input, axis); axis is a constant int32/int64 tensor of any shape
// whose values lie in [-rank, rank) (negative values count from the end, duplicates are allowed).
// ReducerOptions.keep_dims keeps reduced dimensions as 1. A scalar input ignores the axes, as in
// TFLite. float32 for all three; MEAN also takes int8 and int16 (zero points 0), bit-exact with
// TFLite's default kernel (reference/reduce.h): the int8 4-D keep_dims mean over axes exactly
// {1, 2} takes TFLite's optimized special case (QuantizedMean4DHW), the int16 one its integer
// reference (QuantizedMean4DHWInt16), everything else its reference path (QuantizedMean: integer
// division when input and output parameters are equal, float rescaling otherwise); an empty axis
// list copies the raw input and an empty input gives zeros, as in TFLite. Input and output need
// per-tensor quantization.
// IntegerArithmetic::kXnnpack: an int8 4-D MEAN over int32 axes {1, 2} (keep_dims or not) is what
// TFLite's XNNPACK delegate takes, as XNNPACK's qs8 global average pooling: acc = sum - n * in_zp,
// fp32 requantization with scale in_scale / (out_scale * (float)n), reference/xnnpack_int8.h.
#include "core/kernels/reference/reduce.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/quantized_util.h"
#include "core/kernels/reference/xnnpack_float.h"
#include "core/kernels/reference/xnnpack_int8.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

enum class Reducer { kMean, kSum, kMax };

constexpr const char* ReducerName(Reducer r) {
  switch (r) {
    case Reducer::kMean:
      return "MEAN";
    case Reducer::kSum:
      return "SUM";
    case Reducer::kMax:
      return "REDUCE_MAX";
  }
  return "?";
}

struct ReduceState : OpState {
  uint32_t reduce_mask = 0;  // bit d: input dimension d is reduced
  // Quantized MEAN only.
  enum class QuantMode { kGeneral, kSpecial4D, kSpecial4DInt16, kCopy, kZeros, kXnnGlobalAverage };
  QuantMode quant_mode = QuantMode::kGeneral;
  int64_t count = 1;  // reduced elements per output
  reference::QuantizedMeanParams mean;  // general path
  int32_t multiplier = 0;               // special cases: rescale multiplier and shift
  int shift = 0;
  int32_t input_zero_point = 0;         // kSpecial4DInt16
  int32_t output_zero_point = 0;        // kSpecial4DInt16
  int32_t special_bias = 0;             // 4-D special case; kXnnGlobalAverage: -count * input zp
  float xnn_scale = 0.0f;               // kXnnGlobalAverage: in_scale / (out_scale * count)
  int32_t xnn_output_zero_point = 0;    // kXnnGlobalAverage
  int scratch_index = -1;               // int32 sums of the general path
};

// The quantized MEAN setup (TFLite's PrepareMeanOrSum + EvalMean dispatch).
absl::Status PrepareQuantizedMean(OpContext& ctx, const TensorView& in,
                                  const std::vector<int64_t>& axes, bool axes_int32,
                                  bool keep_dims, ReduceState& state) {
  const TensorView& out = *ctx.output(0);
  ASSIGN_OR_RETURN(const quantized::TensorQuant qi, quantized::GetTensorQuant(in, "input"));
  ASSIGN_OR_RETURN(const quantized::TensorQuant qo, quantized::GetTensorQuant(out, "output"));
  if (in.type == ir::DataType::kInt16) {
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(in, qi, "input"));
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(out, qo, "output"));
  }
  using Mode = ReduceState::QuantMode;
  if (in.shape.FlatSize() == 0) {
    state.quant_mode = Mode::kZeros;
    return absl::OkStatus();
  }
  const int rank = in.shape.rank();
  // A 4-D mean over exactly the axes {1, 2} (either order, as written in the axis tensor).
  const bool height_width = rank == 4 && axes.size() == 2 &&
                            std::min(axes[0], axes[1]) == 1 && std::max(axes[0], axes[1]) == 2;
  const bool special = in.type == ir::DataType::kInt8 && keep_dims && height_width;
  // TFLite's XNNPACK delegate takes int8 MEAN of a 4-D tensor over the int32 axes {1, 2} (either
  // order, keep_dims or not) as a global average pooling.
  const bool xnn_global_average = in.type == ir::DataType::kInt8 && axes_int32 && height_width;
  if (xnn_global_average && ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack) {
    // TFLite's XNNPACK delegate runs this MEAN as XNNPACK's qs8 global average pooling:
    // acc = sum - count * in_zp, out = fp32 requantization with in_scale / (out_scale * count).
    const int64_t count = in.shape.dim(1) * in.shape.dim(2);
    if (count > (int64_t{1} << 23)) {
      return absl::InvalidArgumentError("MEAN over more than 2^23 elements per channel");
    }
    state.quant_mode = Mode::kXnnGlobalAverage;
    state.count = count;
    state.special_bias = -static_cast<int32_t>(count) * qi.zero_point;
    state.xnn_scale = qi.scale / (qo.scale * static_cast<float>(count));
    state.xnn_output_zero_point = qo.zero_point;
    return absl::OkStatus();
  }
  if (special) {
    // optimized_integer_ops::Mean: float arithmetic throughout.
    const float num = static_cast<float>(in.shape.dim(1) * in.shape.dim(2));
    float temp = static_cast<float>(qi.zero_point) * qi.scale / qo.scale;
    temp = temp > 0 ? temp + 0.5f : temp - 0.5f;
    if (!(std::fabs(temp) < 2147483520.0f)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input zero point * input scale / output scale = ", temp, " does not fit in int32"));
    }
    const int64_t bias = int64_t{qo.zero_point} - static_cast<int32_t>(temp);
    if (bias < std::numeric_limits<int32_t>::min() || bias > std::numeric_limits<int32_t>::max()) {
      return absl::InvalidArgumentError("MEAN zero-point bias overflows int32");
    }
    const float real_scale = qi.scale / (num * qo.scale);
    ASSIGN_OR_RETURN(const quant::QuantizedMultiplier m,
                     quantized::RescaleMultiplier(
                         real_scale, "input scale / (reduced element count * output scale)"));
    state.quant_mode = Mode::kSpecial4D;
    state.multiplier = m.multiplier;
    state.shift = m.shift;
    state.special_bias = static_cast<int32_t>(bias);
    return absl::OkStatus();
  }
  if (axes.empty()) {
    state.quant_mode = Mode::kCopy;
    return absl::OkStatus();
  }
  int64_t count = 1;
  for (int d = 0; d < rank; ++d) {
    if (state.reduce_mask & (1u << d)) count *= in.shape.dim(d);
  }
  state.count = count;
  if (in.type == ir::DataType::kInt16 && keep_dims && height_width) {
    // reference_integer_ops::Mean with PrepareMeanOrSum's multiplier.
    ASSIGN_OR_RETURN(const quant::QuantizedMultiplier m,
                     quantized::RescaleMultiplier(
                         static_cast<double>(qi.scale) / static_cast<double>(qo.scale),
                         "input scale / output scale"));
    state.quant_mode = Mode::kSpecial4DInt16;
    state.multiplier = m.multiplier;
    state.shift = m.shift;
    state.input_zero_point = qi.zero_point;
    state.output_zero_point = qo.zero_point;
    return absl::OkStatus();
  }
  state.quant_mode = Mode::kGeneral;
  state.mean.same_params = qi.scale == qo.scale && qi.zero_point == qo.zero_point;
  state.mean.scale = qi.scale / qo.scale;
  state.mean.bias = static_cast<float>(-qi.zero_point) * state.mean.scale;
  state.mean.output_zero_point = qo.zero_point;
  if (!state.mean.same_params && !std::isfinite(state.mean.scale)) {
    return absl::InvalidArgumentError(
        absl::StrCat("MEAN input scale / output scale = ", state.mean.scale, " is not finite"));
  }
  ASSIGN_OR_RETURN(state.scratch_index,
                   ctx.RequestScratch(reference::ReducedSize(in.shape, state.reduce_mask) *
                                      static_cast<int64_t>(sizeof(int32_t))));
  return absl::OkStatus();
}

template <typename T>
void EvalQuantizedMean(OpContext& ctx, const ReduceState& state) {
  const TensorView& in = *ctx.input(0);
  TensorView& out = *ctx.output(0);
  const T* x = in.data_as<const T>();
  T* y = out.data_as<T>();
  const int64_t out_size = out.shape.FlatSize();
  switch (state.quant_mode) {
    case ReduceState::QuantMode::kZeros:
      std::fill(y, y + out_size, T{0});
      break;
    case ReduceState::QuantMode::kCopy:
      std::copy(x, x + in.shape.FlatSize(), y);
      break;
    case ReduceState::QuantMode::kSpecial4D:
      if constexpr (std::is_same_v<T, int8_t>) {
        reference::QuantizedMean4DHW(in.shape, x, state.multiplier, state.shift,
                                     state.special_bias, y);
      }
      break;
    case ReduceState::QuantMode::kSpecial4DInt16:
      if constexpr (std::is_same_v<T, int16_t>) {
        reference::QuantizedMean4DHWInt16(in.shape, x, state.input_zero_point, state.multiplier,
                                          state.shift, state.output_zero_point, y);
      }
      break;
    case ReduceState::QuantMode::kXnnGlobalAverage:
      if constexpr (std::is_same_v<T, int8_t>) {
        const int64_t batch = in.shape.dim(0);
        const int64_t channels = in.shape.dim(3);
        for (int64_t b = 0; b < batch; ++b) {
          for (int64_t c = 0; c < channels; ++c) {
            int32_t acc = state.special_bias;
            for (int64_t i = 0; i < state.count; ++i) {
              acc += x[(b * state.count + i) * channels + c];
            }
            y[b * channels + c] = static_cast<int8_t>(reference::XnnRequantizeFp32(
                acc, state.xnn_scale, state.xnn_output_zero_point, reference::XnnOutputRange{}));
          }
        }
      }
      break;
    case ReduceState::QuantMode::kGeneral:
      reference::QuantizedMean(in.shape, x, state.reduce_mask, state.count, state.mean,
                               static_cast<int32_t*>(ctx.scratch(state.scratch_index)), y);
      break;
  }
}

template <Reducer kReducer>
absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputs(ctx, 2));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 0));
  ASSIGN_OR_RETURN(const TensorView* axis, GetInput(ctx, 1));
  const bool quantized_mean = kReducer == Reducer::kMean && (in->type == ir::DataType::kInt8 ||
                                                              in->type == ir::DataType::kInt16);
  if (in->type != ir::DataType::kFloat32 && !quantized_mean) {
    return absl::UnimplementedError(absl::StrCat(
        ReducerName(kReducer), " of ", TypeName(in->type), " is not implemented (supported: ",
        kReducer == Reducer::kMean ? "float32, int8, int16)" : "float32)"));
  }
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, in->type));
  ASSIGN_OR_RETURN(const std::vector<int64_t> axes, ReadConstantInts(*axis, "axis input"));

  const int rank = in->shape.rank();
  auto state = std::make_unique<ReduceState>();
  if (rank > 0) {
    for (int64_t a : axes) {
      ASSIGN_OR_RETURN(const int d, NormalizeAxis(a, rank, "reduction axis"));
      state->reduce_mask |= 1u << d;
    }
  }
  const bool keep_dims = OptionsOrDefault<ir::ReducerOptions>(ctx).keep_dims;
  std::vector<int64_t> out_dims;
  for (int d = 0; d < rank; ++d) {
    if (state->reduce_mask & (1u << d)) {
      if (keep_dims) out_dims.push_back(1);
    } else {
      out_dims.push_back(in->shape.dim(d));
    }
  }
  RETURN_IF_ERROR(SetOutputShape(ctx, 0, out_dims));
  if (quantized_mean) {
    RETURN_IF_ERROR(PrepareQuantizedMean(ctx, *in, axes, axis->type == ir::DataType::kInt32,
                                         keep_dims, *state));
  }
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

template <Reducer kReducer>
absl::Status Eval(OpContext& ctx) {
  const TensorView& in = *ctx.input(0);
  TensorView& out = *ctx.output(0);
  const uint32_t mask = ctx.state_as<ReduceState>()->reduce_mask;
  if constexpr (kReducer == Reducer::kMean) {
    if (in.type == ir::DataType::kInt8) {
      EvalQuantizedMean<int8_t>(ctx, *ctx.state_as<ReduceState>());
      return absl::OkStatus();
    }
    if (in.type == ir::DataType::kInt16) {
      EvalQuantizedMean<int16_t>(ctx, *ctx.state_as<ReduceState>());
      return absl::OkStatus();
    }
  }
  if (in.type != ir::DataType::kFloat32) {
    return absl::UnimplementedError(
        absl::StrCat(ReducerName(kReducer), " of ", TypeName(in.type), " is not implemented"));
  }
  const float* x = in.data_as<const float>();
  float* y = out.data_as<float>();
  switch (kReducer) {
    case Reducer::kMean:
      if (ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack && in.shape.rank() == 4 &&
          mask == 0b0110u) {
        // TFLite's XNNPACK delegate runs a 4-D mean over H and W as global average pooling.
        reference::GlobalAveragePoolXnnpack(
            in.shape.dim(0), int64_t{in.shape.dim(1)} * in.shape.dim(2), in.shape.dim(3), x,
            -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity(), y);
        break;
      }
      reference::ReduceMean(in.shape, x, mask, y);
      break;
    case Reducer::kSum:
      reference::ReduceSum(in.shape, x, mask, y);
      break;
    case Reducer::kMax:
      reference::ReduceMax(in.shape, x, mask, y);
      break;
  }
  return absl::OkStatus();
}

template <Reducer kReducer>
const OpKernel& MakeKernel() {
  static const OpKernel kernel{ReducerName(kReducer), Prepare<kReducer>, Eval<kReducer>};
  return kernel;
}

}  // namespace

const OpKernel& MeanKernel() { return MakeKernel<Reducer::kMean>(); }
const OpKernel& SumKernel() { return MakeKernel<Reducer::kSum>(); }
const OpKernel& ReduceMaxKernel() { return MakeKernel<Reducer::kMax>(); }

}  // namespace compressd::kernels
