// DEPTHWISE_CONV_2D: inputs (input NHWC, filter [1, KH, KW, C*M], optional bias [C*M]);
// DepthwiseConv2DOptions. As in current TFLite (depthwise_conv.cc ComputeDepthMultiplier), the
// depth multiplier is derived from the shapes (filter depth / input depth, which must divide
// exactly) and the depth_multiplier option is ignored, whatever value (0 or inconsistent) the file
// holds.
// Types: float32; int8 (int8 filter per-channel along dimension 3 or per-tensor, int32 bias);
// 16x8 (int16 input/output, int8 filter, int64 or no bias, int64 accumulator), bit-exact with
// TFLite's reference_integer_ops::DepthwiseConvPerChannel (see quantized_conv_util.h,
// reference/integer_conv.h); hybrid (float32 input/output, int8 filter with one scale per output
// channel, float32 bias: dynamic-range models) with TFLite's hybrid arithmetic
// (hybrid_conv_util.h, reference/hybrid_conv.h).
#include <memory>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/optimized/xnnpack_float_conv.h"
#include "core/kernels/hybrid_conv_util.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/optimized/depthwise_conv_2d.h"
#include "core/kernels/optimized/int8_depthwise_conv_2d.h"
#include "core/base/thread_pool.h"
#include "core/kernels/quantized_conv_util.h"
#include "core/kernels/reference/hybrid_conv.h"
#include "core/kernels/reference/integer_conv.h"

namespace compressd::kernels {
namespace {

struct DepthwiseState : OpState {
  ConvParams params;
  qconv::QuantizedConvState quant;  // int8 / int16 inputs only
  // int8 with TFLite's builtin arithmetic and a constant filter: the optimized path's packed
  // filter (bit-exact with the reference, tested there) and its scratch.
  std::unique_ptr<optimized::PackedInt8DepthwiseFilter> packed_int8;
  int scratch = -1;
  hybrid::HybridState hybrid;  // float32 input with an int8 filter
};

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 2, 3, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  ASSIGN_OR_RETURN(const TensorView* filter, nn::RequiredInput(ctx, 1, "filter"));
  ASSIGN_OR_RETURN(const TensorView* bias, nn::OptionalInput(ctx, 2, "bias"));
  const bool quantized = qconv::IsQuantizedType(input->type);
  if (input->type != ir::DataType::kFloat32 && !quantized) {
    return nn::UnsupportedType(input->type, "input");
  }
  // Quantized inputs: the filter's type is checked with its quantization below. A float32 input
  // with an int8 filter is a dynamic-range ("hybrid") model (hybrid_conv_util.h).
  const bool is_hybrid = hybrid::IsHybrid(*input, *filter);
  if (!quantized && !is_hybrid) RETURN_IF_ERROR(nn::CheckType(*filter, input->type, "filter"));
  RETURN_IF_ERROR(nn::CheckRank(*input, 4, "input"));
  RETURN_IF_ERROR(nn::CheckRank(*filter, 4, "filter"));
  RETURN_IF_ERROR(nn::CheckDataCoversShape(*filter, "filter"));
  if (filter->shape.dim(0) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("filter ", filter->shape.ToString(), " must be [1, H, W, C*M]"));
  }
  const int32_t in_c = input->shape.dim(3);
  const int32_t out_c = filter->shape.dim(3);
  if (in_c < 1 || out_c % in_c != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("filter depth ", out_c, " is not a multiple of the input depth ", in_c,
                     " (input ", input->shape.ToString(), ", filter ",
                     filter->shape.ToString(), ")"));
  }
  if (bias != nullptr) {
    if (!quantized) RETURN_IF_ERROR(nn::CheckType(*bias, input->type, "bias"));
    RETURN_IF_ERROR(nn::CheckDataCoversShape(*bias, "bias"));
    if (bias->shape.FlatSize() != out_c) {
      return absl::InvalidArgumentError(absl::StrCat("bias ", bias->shape.ToString(), " must have ",
                                                     out_c, " elements (output depth)"));
    }
  }

  const auto options = OptionsOrDefault<ir::DepthwiseConv2DOptions>(ctx);
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.stride_h, "stride_h"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.stride_w, "stride_w"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.dilation_h_factor, "dilation_h_factor"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(options.dilation_w_factor, "dilation_w_factor"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(filter->shape.dim(1), "filter height"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(filter->shape.dim(2), "filter width"));
  ASSIGN_OR_RETURN(const FloatActivationRange act, nn::ClampActivation(options.activation));
  RETURN_IF_ERROR(nn::CheckIndexExtent(
      input->shape.dim(1) + int64_t{options.dilation_h_factor} * (filter->shape.dim(1) - 1) + 1,
      "input height plus dilated filter height"));
  RETURN_IF_ERROR(nn::CheckIndexExtent(
      input->shape.dim(2) + int64_t{options.dilation_w_factor} * (filter->shape.dim(2) - 1) + 1,
      "input width plus dilated filter width"));

  const PaddedSize h = ComputePaddedSize(options.padding, input->shape.dim(1),
                                         filter->shape.dim(1), options.stride_h,
                                         options.dilation_h_factor);
  const PaddedSize w = ComputePaddedSize(options.padding, input->shape.dim(2),
                                         filter->shape.dim(2), options.stride_w,
                                         options.dilation_w_factor);
  if (h.output < 1 || w.output < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "filter ", filter->shape.ToString(), " with dilation ", options.dilation_h_factor, "x",
        options.dilation_w_factor, " does not fit the input ", input->shape.ToString(),
        " (output ", h.output, "x", w.output, ")"));
  }
  auto state = std::make_unique<DepthwiseState>();
  state->params.stride_h = options.stride_h;
  state->params.stride_w = options.stride_w;
  state->params.dilation_h = options.dilation_h_factor;
  state->params.dilation_w = options.dilation_w_factor;
  state->params.pad_top = h.pad_before;
  state->params.pad_left = w.pad_before;
  state->params.depth_multiplier = out_c / in_c;
  state->params.act_min = act.min;
  state->params.act_max = act.max;
  if (is_hybrid) {
    // TFLite's depthwise_conv.cc EvalHybridPerChannel: per-channel scales only, asymmetric
    // per-image input quantization.
    RETURN_IF_ERROR(
        hybrid::CheckHybridTensors("DEPTHWISE_CONV_2D", *filter, bias, *ctx.output(0), "filter"));
    hybrid::HybridState& hs = state->hybrid;
    hs.enabled = true;
    hs.per_channel = true;
    hs.scheme = reference::HybridInputScheme::kAsymmetric;
    ASSIGN_OR_RETURN(hs.channel_scales,
                     hybrid::PerChannelScales("DEPTHWISE_CONV_2D", *filter, 3, out_c, "filter"));
    RETURN_IF_ERROR(
        hybrid::RequestScratch(ctx, input->shape.dim(0), input->shape.FlatSize(), &hs));
  } else if (quantized) {
    qconv::QuantizedConvSpec spec;
    spec.filter_name = "filter";
    spec.channel_dim = 3;
    spec.scale_product = qconv::ScaleProduct::kDouble;
    // TFLite's 16x8 depthwise kernel takes an int64 bias only and always accumulates in int64.
    spec.int16_accepts_int32_bias = false;
    spec.int16_default_accumulator = qconv::Accumulator::kInt64;
    // TFLite's XNNPACK delegate declines DEPTHWISE_CONV_2D without a bias.
    if (bias != nullptr) spec.arithmetic = ctx.integer_arithmetic();
    RETURN_IF_ERROR(qconv::PrepareQuantizedConv(*input, *filter, bias, *ctx.output(0),
                                                options.activation, out_c, spec, &state->quant));
    if (input->type == ir::DataType::kInt8 &&
        filter->is_constant &&
        optimized::Int8DepthwiseConv2DSupports(state->params, input->shape, filter->shape)) {
      state->packed_int8 = std::make_unique<optimized::PackedInt8DepthwiseFilter>(
          optimized::PackInt8DepthwiseFilter(filter->shape, filter->data_as<const int8_t>(),
                                             state->params.depth_multiplier));
      const int threads = ctx.thread_pool() ? ctx.thread_pool()->num_threads() : 1;
      const int64_t scratch = optimized::Int8DepthwiseScratchBytes(
          state->params, input->shape, *state->packed_int8,
          Shape{input->shape.dim(0), h.output, w.output, out_c}, threads);
      if (scratch > 0) {
        ASSIGN_OR_RETURN(state->scratch, ctx.RequestScratch(scratch));
      }
    }
  }
  ctx.set_state(std::move(state));
  return nn::SetOutput(ctx, 0, input->type,
                       Shape{input->shape.dim(0), h.output, w.output, out_c});
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  const TensorView& filter = *ctx.input(1);
  const TensorView* bias = ctx.num_inputs() > 2 ? ctx.input(2) : nullptr;
  TensorView& output = *ctx.output(0);
  const DepthwiseState& state = *ctx.state_as<DepthwiseState>();
  const ConvParams& params = state.params;
  switch (input.type) {
    case ir::DataType::kFloat32:
      if (state.hybrid.enabled) {
        if (state.hybrid.scratch < 0) return absl::OkStatus();  // no images
        reference::HybridDepthwiseConv2D(
            params, state.hybrid.channel_scales.data(), input.shape, input.data_as<const float>(),
            filter.shape, filter.data_as<const int8_t>(),
            bias != nullptr ? bias->data_as<const float>() : nullptr, output.shape,
            output.data_as<float>(), state.hybrid.Quantized(ctx), state.hybrid.Rows(ctx));
        return absl::OkStatus();
      }
      if (ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack && filter.is_constant) {
        // TFLite's XNNPACK delegate takes float DEPTHWISE_CONV_2D with a constant filter.
        optimized::XnnDepthwiseConv2D(params, input.shape, input.data_as<const float>(),
                                      filter.shape, filter.data_as<const float>(),
                                      bias != nullptr ? bias->data_as<const float>() : nullptr,
                                      output.shape, output.data_as<float>());
        return absl::OkStatus();
      }
      // The optimized kernel covers every case (AVX2 3x3/5x5 paths, portable fallback) and is
      // tested against reference::DepthwiseConv2D.
      optimized::DepthwiseConv2D(params, input.shape, input.data_as<const float>(), filter.shape,
                                 filter.data_as<const float>(),
                                 bias != nullptr ? bias->data_as<const float>() : nullptr,
                                 output.shape, output.data_as<float>(), ctx.thread_pool());
      return absl::OkStatus();
    case ir::DataType::kInt8:
      if (state.packed_int8) {
        optimized::Int8DepthwiseConv2D(
            params, input.shape, input.data_as<const int8_t>(), *state.packed_int8,
            bias != nullptr ? bias->data_as<const int32_t>() : nullptr,
            qconv::OptimizedRequant(state.quant), output.shape, output.data_as<int8_t>(),
            state.scratch >= 0 ? ctx.scratch(state.scratch) : nullptr, ctx.thread_pool());
        return absl::OkStatus();
      }
      reference::IntegerDepthwiseConv2D<int8_t, int32_t>(
          params, state.quant.Params(), input.shape, input.data_as<const int8_t>(), filter.shape,
          filter.data_as<const int8_t>(),
          bias != nullptr ? bias->data_as<const int32_t>() : nullptr, output.shape,
          output.data_as<int8_t>());
      return absl::OkStatus();
    case ir::DataType::kInt16:
      // Prepare allows only the int64 accumulator (bias int64 or none) here.
      reference::IntegerDepthwiseConv2D<int16_t, int64_t>(
          params, state.quant.Params(), input.shape, input.data_as<const int16_t>(), filter.shape,
          filter.data_as<const int8_t>(),
          bias != nullptr ? bias->data_as<const int64_t>() : nullptr, output.shape,
          output.data_as<int16_t>());
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& DepthwiseConv2DKernel() {
  static const OpKernel kernel{"DEPTHWISE_CONV_2D", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
