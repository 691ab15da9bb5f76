// Activation operators RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU, HARD_SWISH, LOGISTIC, TANH, ELU:
// elementwise, float32 (TFLite float reference semantics, see reference/unary.h).
// Quantized variants, bit-exact with TFLite's default kernels (see reference/integer_activations.h):
//   int8:  RELU, RELU6, RELU_N1_TO_1, HARD_SWISH, LOGISTIC. Each is a function of the input byte,
//          so Prepare tabulates it (256 entries, computed with TFLite's arithmetic) and Eval looks
//          values up (optimized::Int8LutApply: vectorized lookup, or saturating byte arithmetic
//          when the table is a clamp of x + offset, as RELU with equal scales). LOGISTIC requires
//          output scale 1/256 exactly (TFLite's check; TFLite's reference and generic optimized
//          kernels accept any output zero point, so does this).
//   int16: RELU, RELU6, RELU_N1_TO_1 (zero points must be 0, as in TFLite); LOGISTIC (zero points
//          0, output scale exactly 1/32768, TFLite's interpolated table, reference/int16_logistic.h;
//          the input scale 2^-12, which TFLite sends to its gemmlowp kernel, is Unimplemented).
// float32 RELU / RELU6 / RELU_N1_TO_1 run optimized::ReluFloat / ReluRangeFloat (bit-exact with
// reference/unary.h, vectorized). The int8 and float32 paths are the same in both integer
// arithmetic profiles.
// Input and output need per-tensor quantization (positive finite scale, in-range zero point).
// Other quantized combinations are Unimplemented.
#include <array>
#include <cstdint>
#include <limits>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/optimized/activation.h"
#include "core/kernels/quantized_util.h"
#include "core/kernels/reference/int16_logistic.h"
#include "core/kernels/reference/integer_activations.h"
#include "core/kernels/reference/unary.h"
#include "core/kernels/reference/xnnpack_float.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

enum class Act { kRelu, kRelu6, kReluN1To1, kLeakyRelu, kHardSwish, kLogistic, kTanh, kElu };

constexpr const char* ActName(Act act) {
  switch (act) {
    case Act::kRelu:
      return "RELU";
    case Act::kRelu6:
      return "RELU6";
    case Act::kReluN1To1:
      return "RELU_N1_TO_1";
    case Act::kLeakyRelu:
      return "LEAKY_RELU";
    case Act::kHardSwish:
      return "HARD_SWISH";
    case Act::kLogistic:
      return "LOGISTIC";
    case Act::kTanh:
      return "TANH";
    case Act::kElu:
      return "ELU";
  }
  return "?";
}

struct QuantActState : OpState {
  std::array<int8_t, 256> table{};            // int8: output for every input byte
  optimized::Int8Lut lut;                     // int8: `table` analysed for Int8LutApply
  reference::QuantizedReluParams relu;       // int16 RELU family
  reference::Int16LogisticParams logistic;   // int16 LOGISTIC
};

constexpr bool IsReluFamily(Act act) {
  return act == Act::kRelu || act == Act::kRelu6 || act == Act::kReluN1To1;
}

// TFLite's ReluPrepare + QuantizedReluX: multiplier from float(in_scale / out_scale), clamp bounds
// from the float range [lo, hi] of the activation (hi = +inf for RELU).
absl::StatusOr<reference::QuantizedReluParams> ReluParams(Act act, ir::DataType type,
                                                          const quantized::TensorQuant& in,
                                                          const quantized::TensorQuant& out) {
  const float ratio = in.scale / out.scale;  // float division, as TFLite
  ASSIGN_OR_RETURN(const quant::QuantizedMultiplier m,
                   quantized::RescaleMultiplier(ratio, "input scale / output scale"));
  float lo = 0.0f;
  float hi = std::numeric_limits<float>::infinity();
  if (act == Act::kRelu6) hi = 6.0f;
  if (act == Act::kReluN1To1) {
    lo = -1.0f;
    hi = 1.0f;
  }
  const quantized::IntRange range = quantized::TypeRange(type);
  reference::QuantizedReluParams p;
  p.input_zero_point = in.zero_point;
  p.output_zero_point = out.zero_point;
  p.output_multiplier = m.multiplier;
  p.output_shift = m.shift;
  p.act_min = std::max(range.min, quantized::QuantizeForRange(lo, out));
  p.act_max = hi == std::numeric_limits<float>::infinity()
                  ? range.max
                  : std::min(range.max, quantized::QuantizeForRange(hi, out));
  return p;
}

// TFLite's HardSwishPrepare (float arithmetic on the scales, QuantizeMultiplier, then
// DownScaleInt32ToInt16Multiplier).
absl::StatusOr<reference::QuantizedHardSwishParams> HardSwishParams(
    const quantized::TensorQuant& in, const quantized::TensorQuant& out) {
  const float hires_input_scale = (1.0f / 128.0f) * in.scale;
  const float reluish_scale = 3.0f / 32768.0f;
  const float output_multiplier = hires_input_scale / out.scale;
  const float reluish_multiplier = hires_input_scale / reluish_scale;
  ASSIGN_OR_RETURN(const quant::QuantizedMultiplier om,
                   quantized::RescaleMultiplier(output_multiplier, "HARD_SWISH output multiplier"));
  ASSIGN_OR_RETURN(const quant::QuantizedMultiplier rm,
                   quantized::RescaleMultiplier(reluish_multiplier, "HARD_SWISH reluish multiplier"));
  if (om.shift > 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "HARD_SWISH needs input scale / (128 * output scale) < 1 (TFLite's requirement), got ",
        in.scale, " / (128 * ", out.scale, ")"));
  }
  if (rm.shift > 15) {
    return absl::InvalidArgumentError(
        absl::StrCat("HARD_SWISH input scale ", in.scale, " is too large"));
  }
  reference::QuantizedHardSwishParams p;
  p.input_zero_point = in.zero_point;
  p.output_zero_point = out.zero_point;
  p.output_multiplier_fixedpoint_int16 = reference::DownScaleInt32ToInt16Multiplier(om.multiplier);
  p.output_multiplier_exponent = om.shift;
  p.reluish_multiplier_fixedpoint_int16 = reference::DownScaleInt32ToInt16Multiplier(rm.multiplier);
  p.reluish_multiplier_exponent = rm.shift;
  return p;
}

template <Act kAct>
absl::Status PrepareInt8(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  const TensorView& output = *ctx.output(0);
  ASSIGN_OR_RETURN(const quantized::TensorQuant in, quantized::GetTensorQuant(input, "input"));
  ASSIGN_OR_RETURN(const quantized::TensorQuant out, quantized::GetTensorQuant(output, "output"));
  auto state = std::make_unique<QuantActState>();
  if constexpr (IsReluFamily(kAct)) {
    ASSIGN_OR_RETURN(const reference::QuantizedReluParams p,
                     ReluParams(kAct, ir::DataType::kInt8, in, out));
    for (int x = -128; x <= 127; ++x) {
      state->table[static_cast<uint8_t>(x)] =
          static_cast<int8_t>(reference::QuantizedReluElement(p, x));
    }
  } else if constexpr (kAct == Act::kHardSwish) {
    ASSIGN_OR_RETURN(const reference::QuantizedHardSwishParams p, HardSwishParams(in, out));
    for (int x = -128; x <= 127; ++x) {
      state->table[static_cast<uint8_t>(x)] =
          static_cast<int8_t>(reference::QuantizedHardSwishElement(p, x, -128, 127));
    }
  } else if constexpr (kAct == Act::kLogistic) {
    if (static_cast<double>(out.scale) != 1.0 / 256) {
      return absl::InvalidArgumentError(
          absl::StrCat(quantized::Describe(output, "output"), " has scale ", out.scale,
                       "; int8 LOGISTIC requires an output scale of exactly 1/256 (TFLite)"));
    }
    reference::PopulateLut<int8_t>(in.scale, in.zero_point, out.scale, out.zero_point,
                                   reference::LogisticForTable, state->table);
  } else {
    return absl::UnimplementedError(
        absl::StrCat(ActName(kAct), " of int8 is not implemented"));
  }
  state->lut = optimized::MakeInt8Lut(state->table);
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

template <Act kAct>
absl::Status PrepareInt16(OpContext& ctx) {
  if constexpr (!IsReluFamily(kAct) && kAct != Act::kLogistic) {
    return absl::UnimplementedError(absl::StrCat(ActName(kAct), " of int16 is not implemented"));
  } else {
    const TensorView& input = *ctx.input(0);
    const TensorView& output = *ctx.output(0);
    ASSIGN_OR_RETURN(const quantized::TensorQuant in, quantized::GetTensorQuant(input, "input"));
    ASSIGN_OR_RETURN(const quantized::TensorQuant out,
                     quantized::GetTensorQuant(output, "output"));
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(input, in, "input"));
    RETURN_IF_ERROR(quantized::CheckZeroPointIsZero(output, out, "output"));
    auto state = std::make_unique<QuantActState>();
    if constexpr (kAct == Act::kLogistic) {
      if (static_cast<double>(out.scale) != 1.0 / 32768) {
        return absl::InvalidArgumentError(
            absl::StrCat(quantized::Describe(output, "output"), " has scale ", out.scale,
                         "; int16 LOGISTIC requires an output scale of exactly 1/32768 (TFLite)"));
      }
      if (reference::IsInt16LogisticPowerOfTwoCase(in.scale)) {
        return absl::UnimplementedError(
            "int16 LOGISTIC with the input scale 2^-12 (TFLite's gemmlowp fixed-point case) is "
            "not implemented");
      }
      state->logistic = reference::Int16LogisticPrepare(in.scale);
    } else {
      ASSIGN_OR_RETURN(state->relu, ReluParams(kAct, ir::DataType::kInt16, in, out));
    }
    ctx.set_state(std::move(state));
    return absl::OkStatus();
  }
}

template <Act kAct>
absl::Status Prepare(OpContext& ctx) {
  ASSIGN_OR_RETURN(const ir::DataType type, PrepareUnary(ctx));
  switch (type) {
    case ir::DataType::kFloat32:
      return absl::OkStatus();
    case ir::DataType::kInt8:
      return PrepareInt8<kAct>(ctx);
    case ir::DataType::kInt16:
      return PrepareInt16<kAct>(ctx);
    default:
      return absl::UnimplementedError(absl::StrCat(
          ActName(kAct), " of ", TypeName(type), " is not implemented (supported: float32, int8" ,
          IsReluFamily(kAct) || kAct == Act::kLogistic ? ", int16)" : ")"));
  }
}

template <Act kAct>
absl::Status Eval(OpContext& ctx) {
  const TensorView& in = *ctx.input(0);
  TensorView& out = *ctx.output(0);
  if (in.type == ir::DataType::kInt8) {
    optimized::Int8LutApply(ctx.state_as<QuantActState>()->lut, in.data_as<const int8_t>(),
                            out.data_as<int8_t>(), in.shape.FlatSize());
    return absl::OkStatus();
  }
  if (in.type == ir::DataType::kInt16) {
    const int16_t* x = in.data_as<const int16_t>();
    int16_t* y = out.data_as<int16_t>();
    const int64_t n = in.shape.FlatSize();
    if constexpr (kAct == Act::kLogistic) {
      reference::Int16Logistic(ctx.state_as<QuantActState>()->logistic, n, x, y);
      return absl::OkStatus();
    }
    const reference::QuantizedReluParams& p = ctx.state_as<QuantActState>()->relu;
    for (int64_t i = 0; i < n; ++i) {
      y[i] = static_cast<int16_t>(reference::QuantizedReluElement(p, x[i]));
    }
    return absl::OkStatus();
  }
  if (in.type != ir::DataType::kFloat32) {
    return absl::UnimplementedError(
        absl::StrCat(ActName(kAct), " of ", TypeName(in.type), " is not implemented"));
  }
  const float* x = in.data_as<const float>();
  float* y = out.data_as<float>();
  switch (kAct) {
    case Act::kRelu:  // reference::Relu
      optimized::ReluFloat(x, y, in.shape.FlatSize());
      break;
    case Act::kRelu6:  // reference::Relu6
      optimized::ReluRangeFloat(x, y, in.shape.FlatSize(), 0.0f, 6.0f);
      break;
    case Act::kReluN1To1:  // reference::ReluN1To1
      optimized::ReluRangeFloat(x, y, in.shape.FlatSize(), -1.0f, 1.0f);
      break;
    case Act::kLeakyRelu:
      reference::LeakyRelu(in.shape, x, y, OptionsOrDefault<ir::LeakyReluOptions>(ctx).alpha);
      break;
    case Act::kHardSwish:
      if (ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack) {
        reference::HardSwishXnnpack(in.shape, x, y);
      } else {
        reference::HardSwish(in.shape, x, y);
      }
      break;
    case Act::kLogistic:
      if (ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack) {
        reference::LogisticXnnpack(in.shape, x, y);
      } else {
        reference::Logistic(in.shape, x, y);
      }
      break;
    case Act::kTanh:
      reference::Tanh(in.shape, x, y);
      break;
    case Act::kElu:
      reference::Elu(in.shape, x, y);
      break;
  }
  return absl::OkStatus();
}

template <Act kAct>
const OpKernel& MakeKernel() {
  static const OpKernel kernel{ActName(kAct), Prepare<kAct>, Eval<kAct>};
  return kernel;
}

}  // namespace

const OpKernel& ReluKernel() { return MakeKernel<Act::kRelu>(); }
const OpKernel& Relu6Kernel() { return MakeKernel<Act::kRelu6>(); }
const OpKernel& ReluN1To1Kernel() { return MakeKernel<Act::kReluN1To1>(); }
const OpKernel& LeakyReluKernel() { return MakeKernel<Act::kLeakyRelu>(); }
const OpKernel& HardSwishKernel() { return MakeKernel<Act::kHardSwish>(); }
const OpKernel& LogisticKernel() { return MakeKernel<Act::kLogistic>(); }
const OpKernel& TanhKernel() { return MakeKernel<Act::kTanh>(); }
const OpKernel& EluKernel() { return MakeKernel<Act::kElu>(); }

}  // namespace compressd::kernels
