// Prepare-time helpers shared by the integer paths of CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED (core/kernels/{conv_2d,depthwise_conv_2d,fully_connected}.cc): validation of the
// tensors' quantization and TensorFlow Lite's derivation of the per-channel requantization
// parameters. Eval then runs core/kernels/reference/integer_{conv,fully_connected}.h.
//
// Schemes (TFLite's quantization spec):
//   int8   input/output int8 with one scale and a zero point in [-128, 127]; filter int8,
//          symmetric (every zero point 0), one scale or one per output channel; bias int32.
//   16x8   input/output int16 with one scale and zero point 0; filter as for int8; bias int64 or
//          (where TFLite allows it) int32.
//
// Rules taken from TFLite (tensorflow/lite/kernels/kernel_util.cc, quantization_util.cc):
//   * effective scale of channel c (PopulateConvolutionQuantizationParams, and FULLY_CONNECTED
//     with a per-channel filter):
//       (double)input_scale * (double)filter_scale[c] / (double)output_scale
//     where a single filter scale is broadcast to every channel. FULLY_CONNECTED with a
//     per-tensor filter uses GetQuantizedConvolutionMultipler instead, which multiplies the two
//     scales in float first: (double)(input_scale * filter_scale) / (double)output_scale.
//   * (multiplier, shift) = TFLite's QuantizeMultiplier in its default double-rounding build, the
//     rule of quant::QuantizeMultiplier(m, RoundingMode::kDouble)
//     (core/quant/quantized_multiplier.h), wrapped below as QuantizeMultiplierDouble.
//   * activation clamp (CalculateActivationRangeQuantized): each float bound f of the fused
//     activation becomes zero_point + (int32)round_half_away(f / scale) computed in float,
//     intersected with the output type's range; a bound whose quotient leaves int32 is an error.
//   * 16x8 accumulator: the bias's type (int64 -> int64 accumulator and TFLite's 64-bit
//     MultiplyByQuantizedMultiplier, int32 -> int32 and the 32-bit one). Without a bias: the op's
//     quantized_bias_type option when it names int32 or int64, else int32 for CONV_2D and
//     FULLY_CONNECTED (what TFLite's default kernels do: conv.cc EvalQuantizedPerChannel16x8 and
//     the optimized FULLY_CONNECTED path; TFLite's *reference* FULLY_CONNECTED kernel would use
//     int64 there) and int64 for DEPTHWISE_CONV_2D (its only 16x8 kernel).
//   * bias scale: checked only where TFLite rejects models on it (FULLY_CONNECTED with per-tensor
//     weights, GetQuantizedConvolutionMultipler's 2% of the output scale); a quantized bias must
//     have zero points 0.
//   * shifts: the int32 MultiplyByQuantizedMultiplier takes shift <= 31, TFLite's 64-bit one
//     shift <= 7 (its documented precondition); larger effective scales are rejected.
//
// All functions return InvalidArgument (or Unimplemented where noted) with a message naming the
// tensor; they are stateless and thread-safe.
#ifndef COMPRESSD_CORE_KERNELS_QUANTIZED_CONV_UTIL_H_
#define COMPRESSD_CORE_KERNELS_QUANTIZED_CONV_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/ir/builtin_options.h"
#include "core/ir/data_type.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/optimized/int8_gemm.h"
#include "core/kernels/reference/integer_conv.h"
#include "core/kernels/reference/xnnpack_int8.h"
#include "core/quant/quantized_multiplier.h"

namespace compressd::kernels::qconv {

inline bool IsQuantizedType(ir::DataType t) {
  return t == ir::DataType::kInt8 || t == ir::DataType::kInt16;
}

// quant::QuantizeMultiplier(m, RoundingMode::kDouble) (TFLite's QuantizeMultiplier without
// TFLITE_SINGLE_ROUNDING) for a finite m >= 0.
// Returns false when m is not finite or negative.
inline bool QuantizeMultiplierDouble(double m, int32_t* multiplier, int* shift) {
  *multiplier = 0;
  *shift = 0;
  if (!std::isfinite(m) || m < 0.0) return false;
  const auto q = quant::QuantizeMultiplier(m, quant::RoundingMode::kDouble);
  if (!q.ok()) return false;
  *multiplier = q->multiplier;
  *shift = q->shift;
  return true;
}

// Width of the accumulator (and of the MultiplyByQuantizedMultiplier overload) an integer op uses.
enum class Accumulator { kInt32, kInt64 };

// What Eval needs for an integer op, computed once in Prepare. Eval reads it only.
struct QuantizedConvState {
  std::vector<int32_t> multiplier;  // one per output channel
  std::vector<int32_t> shift;       // one per output channel
  int32_t input_offset = 0;         // -input zero point
  int32_t output_offset = 0;        // output zero point
  int32_t act_min = 0;
  int32_t act_max = 0;
  Accumulator accumulator = Accumulator::kInt32;
  // IntegerArithmetic::kXnnpack, int8 only: XNNPACK's per-channel float requantization scale
  // input_scale * filter_scale[c] / output_scale (float arithmetic, left to right); act_min/max
  // then hold XNNPACK's quantized activation bounds. Empty: TFLite's multiplier/shift.
  std::vector<float> fp32_scale;

  reference::IntegerRequantParams Params() const {
    reference::IntegerRequantParams p;
    p.multiplier = multiplier.data();
    p.shift = shift.data();
    p.input_offset = input_offset;
    p.output_offset = output_offset;
    p.act_min = act_min;
    p.act_max = act_max;
    p.fp32_scale = fp32_scale.empty() ? nullptr : fp32_scale.data();
    return p;
  }
};

// The optimized int8 kernels' view of the same requantization (either arithmetic). Points into
// `q`.
inline optimized::Int8Requant OptimizedRequant(const QuantizedConvState& q) {
  optimized::Int8Requant r;
  r.input_offset = q.input_offset;
  r.output_zero_point = q.output_offset;
  r.multiplier = q.multiplier.data();
  r.shift = q.shift.data();
  r.fp32_scale = q.fp32_scale.empty() ? nullptr : q.fp32_scale.data();
  r.act_min = q.act_min;
  r.act_max = q.act_max;
  r.per_channel = true;
  return r;
}

// Scale and zero point of a per-tensor quantized activation (input or output).
struct TensorQuant {
  float scale = 0.0f;
  int32_t zero_point = 0;
};

// How a FULLY_CONNECTED-style per-tensor multiplier is formed (see the file comment).
enum class ScaleProduct {
  kDouble,                   // (double)in * (double)filter[c] / (double)out, always
  kFloatWhenPerTensorFilter  // FULLY_CONNECTED: (double)(in * filter) / (double)out for one scale
};

// Describes one op's integer path for PrepareQuantizedConv.
struct QuantizedConvSpec {
  const char* filter_name = "filter";  // "filter" or "weights" in messages
  int channel_dim = 0;                 // the filter's output-channel dimension
  ScaleProduct scale_product = ScaleProduct::kDouble;
  // FULLY_CONNECTED with a per-tensor filter and a bias: TFLite's GetQuantizedConvolutionMultipler
  // rejects |input_scale*filter_scale - bias_scale| / output_scale > 0.02.
  bool check_per_tensor_bias_scale = false;
  // 16x8: whether an int32 bias is accepted (CONV_2D, FULLY_CONNECTED) besides int64, and the
  // accumulator used without a bias when the options name no quantized_bias_type.
  bool int16_accepts_int32_bias = true;
  Accumulator int16_default_accumulator = Accumulator::kInt32;
  // The op's quantized_bias_type option (kFloat32 = unset), for 16x8 only.
  ir::DataType quantized_bias_type = ir::DataType::kFloat32;
  // kXnnpack: int8 uses XNNPACK's fp32 requantization (QuantizedConvState::fp32_scale). The op
  // passes kXnnpack only when TFLite's XNNPACK delegate would take the node.
  IntegerArithmetic arithmetic = IntegerArithmetic::kTfliteBuiltin;
};

// The single scale and zero point of an int8/int16 activation tensor `t` of type `type`.
// int8: zero point in [-128, 127]; int16: zero point 0. Missing quantization is InvalidArgument.
inline absl::StatusOr<TensorQuant> ActivationQuant(const TensorView& t, ir::DataType type,
                                                   const char* what) {
  if (!t.IsQuantized()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " (", nn::TypeName(type), ") has no quantization parameters"));
  }
  const ir::QuantParams& q = *t.quant;
  if (q.scale.size() != 1 || q.zero_point.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be quantized per-tensor (one scale and zero point), has ",
                     q.scale.size(), " scales and ", q.zero_point.size(), " zero points"));
  }
  TensorQuant out;
  out.scale = q.scale[0];
  if (!std::isfinite(out.scale) || !(out.scale > 0.0f)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " scale ", out.scale, " is not a positive finite number"));
  }
  const int64_t zp = q.zero_point.empty() ? 0 : q.zero_point[0];
  if (type == ir::DataType::kInt16) {
    if (zp != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " zero point ", zp, " must be 0 (16x8 quantization is symmetric)"));
    }
  } else if (zp < std::numeric_limits<int8_t>::min() || zp > std::numeric_limits<int8_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " zero point ", zp, " is outside the int8 range [-128, 127]"));
  }
  out.zero_point = static_cast<int32_t>(zp);
  return out;
}

// The filter's scales broadcast to `channels` entries (one scale, or one per channel along
// `channel_dim`, which must be the quantized_dimension); every zero point must be 0.
inline absl::StatusOr<std::vector<float>> FilterScales(const TensorView& filter, int channel_dim,
                                                       int32_t channels, const char* what) {
  if (!filter.IsQuantized()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " (int8) has no quantization parameters"));
  }
  const ir::QuantParams& q = *filter.quant;
  const size_t n = q.scale.size();
  if (n != 1) {
    if (n != static_cast<size_t>(channels) || q.quantized_dimension != channel_dim) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " ", filter.shape.ToString(), " has ", n, " scales along quantized_dimension ",
          q.quantized_dimension, "; expected one scale or ", channels,
          " (one per output channel) along dimension ", channel_dim));
    }
  }
  if (q.zero_point.size() != 0 && q.zero_point.size() != 1 && q.zero_point.size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " has ", n, " scales but ", q.zero_point.size(), " zero points"));
  }
  for (size_t i = 0; i < q.zero_point.size(); ++i) {
    if (q.zero_point[i] != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " zero_point[", i, "] = ", q.zero_point[i],
                       ", must be 0 (int8 filters are quantized symmetrically)"));
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(q.scale[i]) || !(q.scale[i] > 0.0f)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " scale[", i, "] = ", q.scale[i], " is not a positive finite number"));
    }
  }
  if (n == 1) return std::vector<float>(static_cast<size_t>(channels), q.scale[0]);
  return std::vector<float>(q.scale.begin(), q.scale.end());
}

// The quantized clamp of a fused activation for an output of `type` (int8 or int16) with `out`'s
// quantization, as TFLite's CalculateActivationRangeQuantized computes it. InvalidArgument for
// non-clamp activations and for bounds whose quantized value leaves int32.
inline absl::Status QuantizedActivationRange(ir::Activation act, const TensorQuant& out,
                                             ir::DataType type, int32_t* act_min,
                                             int32_t* act_max) {
  RETURN_IF_ERROR(nn::ClampActivation(act).status());
  const int32_t qmin = type == ir::DataType::kInt16 ? std::numeric_limits<int16_t>::min()
                                                    : std::numeric_limits<int8_t>::min();
  const int32_t qmax = type == ir::DataType::kInt16 ? std::numeric_limits<int16_t>::max()
                                                    : std::numeric_limits<int8_t>::max();
  // zero_point + round(f / scale), in float as TFLite computes it; int64 so that the sum cannot
  // overflow (the clamp to [qmin, qmax] follows).
  auto quantize = [&](float f, int64_t* q) -> absl::Status {
    const float tmp = std::round(f / out.scale);
    if (!(tmp >= -2147483648.0f && tmp < 2147483648.0f)) {
      return absl::InvalidArgumentError(absl::StrCat("fused activation bound ", f,
                                                     " quantized with the output scale ", out.scale,
                                                     " overflows int32"));
    }
    *q = int64_t{out.zero_point} + static_cast<int64_t>(tmp);
    return absl::OkStatus();
  };
  int64_t lo = qmin;
  int64_t hi = qmax;
  int64_t q = 0;
  switch (act) {
    case ir::Activation::kRelu:
      RETURN_IF_ERROR(quantize(0.0f, &q));
      lo = std::max<int64_t>(qmin, q);
      break;
    case ir::Activation::kRelu6:
      RETURN_IF_ERROR(quantize(0.0f, &q));
      lo = std::max<int64_t>(qmin, q);
      RETURN_IF_ERROR(quantize(6.0f, &q));
      hi = std::min<int64_t>(qmax, q);
      break;
    case ir::Activation::kReluN1To1:
      RETURN_IF_ERROR(quantize(-1.0f, &q));
      lo = std::max<int64_t>(qmin, q);
      RETURN_IF_ERROR(quantize(1.0f, &q));
      hi = std::min<int64_t>(qmax, q);
      break;
    default:
      break;
  }
  // The zero point lies in [qmin, qmax] and every bound pair brackets it, so lo <= hi.
  *act_min = static_cast<int32_t>(lo);
  *act_max = static_cast<int32_t>(hi);
  return absl::OkStatus();
}

// Validates the integer path of a convolution-like op and fills `state`. `input` is int8 or
// int16 (the caller dispatches on it); `filter` must be int8 (float32 -> Unimplemented hybrid, any
// other type -> Unimplemented); `output` must have the input's type; `bias` (optional) int32 for
// int8, int64 (or int32 when spec allows) for 16x8, with zero points 0 when quantized.
// `channels` is the output depth (the filter's extent along spec.channel_dim).
// An input without quantization parameters is Unimplemented (integer arithmetic on raw,
// unquantized integers is not a TFLite kernel); every other missing or malformed parameter is
// InvalidArgument.
inline absl::Status PrepareQuantizedConv(const TensorView& input, const TensorView& filter,
                                         const TensorView* bias, const TensorView& output,
                                         ir::Activation activation, int32_t channels,
                                         const QuantizedConvSpec& spec, QuantizedConvState* state) {
  const ir::DataType type = input.type;
  const std::string type_name = nn::TypeName(type);
  if (!input.IsQuantized()) {
    return absl::UnimplementedError(absl::StrCat(
        "input (", type_name,
        ") has no quantization parameters; only quantized integer inputs are supported"));
  }
  if (filter.type != ir::DataType::kInt8) {
    return absl::UnimplementedError(
        absl::StrCat(spec.filter_name, " type ", nn::TypeName(filter.type), " with ", type_name,
                     " input", filter.type == ir::DataType::kFloat32 ? " (hybrid)" : "",
                     " is not supported; quantized inputs need an int8 ", spec.filter_name));
  }
  if (output.type != type) {
    return absl::InvalidArgumentError(
        absl::StrCat("output 0 is declared ", nn::TypeName(output.type), ", expected ", type_name));
  }
  ASSIGN_OR_RETURN(const TensorQuant in_q, ActivationQuant(input, type, "input"));
  ASSIGN_OR_RETURN(const TensorQuant out_q, ActivationQuant(output, type, "output"));
  ASSIGN_OR_RETURN(const std::vector<float> filter_scales,
                   FilterScales(filter, spec.channel_dim, channels, spec.filter_name));
  const bool per_tensor_filter = filter.quant->scale.size() == 1;

  // Bias type and accumulator width.
  Accumulator accumulator = Accumulator::kInt32;
  if (type == ir::DataType::kInt16) {
    const ir::DataType option = spec.quantized_bias_type;
    if (option != ir::DataType::kFloat32) {
      const bool allowed = option == ir::DataType::kInt64 ||
                           (option == ir::DataType::kInt32 && spec.int16_accepts_int32_bias);
      if (!allowed) {
        return absl::InvalidArgumentError(absl::StrCat("quantized_bias_type ", nn::TypeName(option),
                                                       " is not valid for 16x8 quantization"));
      }
      if (bias != nullptr && bias->type != option) {
        return absl::InvalidArgumentError(absl::StrCat("bias is ", nn::TypeName(bias->type),
                                                       " but quantized_bias_type says ",
                                                       nn::TypeName(option)));
      }
    }
    if (bias != nullptr) {
      if (bias->type == ir::DataType::kInt64) {
        accumulator = Accumulator::kInt64;
      } else if (bias->type != ir::DataType::kInt32 || !spec.int16_accepts_int32_bias) {
        return absl::InvalidArgumentError(absl::StrCat(
            "bias must be ", spec.int16_accepts_int32_bias ? "int64 or int32" : "int64",
            " for int16 input, got ", nn::TypeName(bias->type)));
      }
    } else if (option == ir::DataType::kInt64 || option == ir::DataType::kInt32) {
      accumulator = option == ir::DataType::kInt64 ? Accumulator::kInt64 : Accumulator::kInt32;
    } else {
      accumulator = spec.int16_default_accumulator;
    }
  } else if (bias != nullptr && bias->type != ir::DataType::kInt32) {
    return absl::InvalidArgumentError(
        absl::StrCat("bias must be int32 for int8 input, got ", nn::TypeName(bias->type)));
  }
  double bias_legacy_scale = 0.0;  // TFLite's bias->params.scale: the scale when there is one
  if (bias != nullptr && bias->quant != nullptr) {
    for (size_t i = 0; i < bias->quant->zero_point.size(); ++i) {
      if (bias->quant->zero_point[i] != 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("bias zero_point[", i, "] = ", bias->quant->zero_point[i], ", must be 0"));
      }
    }
    if (bias->quant->scale.size() == 1) bias_legacy_scale = bias->quant->scale[0];
  }
  if (spec.check_per_tensor_bias_scale && per_tensor_filter && bias != nullptr) {
    // (filter_scales is empty when there are no output channels; the single scale is still there.)
    const double product =
        static_cast<double>(in_q.scale) * static_cast<double>(filter.quant->scale[0]);
    const double diff = std::fabs(product - bias_legacy_scale);
    if (!(diff / static_cast<double>(out_q.scale) <= 0.02)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bias scale ", bias_legacy_scale, " does not match input scale * ",
                       spec.filter_name, " scale = ", product,
                       " (TFLite requires |difference| <= 0.02 * output scale ", out_q.scale, ")"));
    }
  }

  state->accumulator = accumulator;
  state->input_offset = -in_q.zero_point;
  state->output_offset = out_q.zero_point;
  RETURN_IF_ERROR(
      QuantizedActivationRange(activation, out_q, type, &state->act_min, &state->act_max));

  // Requantization multipliers. The int32 MultiplyByQuantizedMultiplier takes shifts up to 31,
  // TFLite's int64 one up to 7; QuantizeMultiplier flushes shifts below -31 to a zero multiplier.
  const int max_shift = accumulator == Accumulator::kInt64 ? 7 : 31;
  state->multiplier.assign(static_cast<size_t>(channels), 0);
  state->shift.assign(static_cast<size_t>(channels), 0);
  for (int32_t c = 0; c < channels; ++c) {
    const float fs = filter_scales[static_cast<size_t>(c)];
    const double effective =
        spec.scale_product == ScaleProduct::kFloatWhenPerTensorFilter && per_tensor_filter
            ? static_cast<double>(in_q.scale * fs) / static_cast<double>(out_q.scale)
            : static_cast<double>(in_q.scale) * static_cast<double>(fs) /
                  static_cast<double>(out_q.scale);
    int32_t multiplier = 0;
    int shift = 0;
    if (!QuantizeMultiplierDouble(effective, &multiplier, &shift)) {
      return absl::InvalidArgumentError(
          absl::StrCat("output channel ", c, ": effective scale input * ", spec.filter_name,
                       " / output = ", effective, " is not a finite number"));
    }
    if (shift > max_shift) {
      return absl::InvalidArgumentError(absl::StrCat(
          "output channel ", c, ": effective scale input * ", spec.filter_name,
          " / output = ", effective, " is too large (shift ", shift, " > ", max_shift, ")"));
    }
    state->multiplier[static_cast<size_t>(c)] = multiplier;
    state->shift[static_cast<size_t>(c)] = shift;
  }
  state->fp32_scale.clear();
  if (type == ir::DataType::kInt8 && spec.arithmetic == IntegerArithmetic::kXnnpack) {
    // XNNPACK (convolution-nhwc.c / fully-connected-nc.c create functions):
    // requantization_scale[c] = input_scale * kernel_scale[c] / output_scale, in float.
    state->fp32_scale.resize(static_cast<size_t>(channels));
    for (int32_t c = 0; c < channels; ++c) {
      state->fp32_scale[static_cast<size_t>(c)] =
          in_q.scale * filter_scales[static_cast<size_t>(c)] / out_q.scale;
    }
    // The delegate's fused activation as a float range, quantized by xnn_qs8_quantize.
    float lo = -std::numeric_limits<float>::infinity();
    float hi = std::numeric_limits<float>::infinity();
    if (activation == ir::Activation::kRelu || activation == ir::Activation::kRelu6) lo = 0.0f;
    if (activation == ir::Activation::kRelu6) hi = 6.0f;
    if (activation == ir::Activation::kReluN1To1) {
      lo = -1.0f;
      hi = 1.0f;
    }
    const reference::XnnOutputRange r =
        reference::XnnActivationRange(lo, hi, out_q.scale, out_q.zero_point);
    state->act_min = r.min;
    state->act_max = r.max;
  }
  return absl::OkStatus();
}

}  // namespace compressd::kernels::qconv

#endif  // COMPRESSD_CORE_KERNELS_QUANTIZED_CONV_UTIL_H_
