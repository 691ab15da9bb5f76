// CONV_2D: inputs (input NHWC, filter OHWI, optional bias [Cout]); Conv2DOptions.
// Grouped convolution when the input depth is a multiple of the filter's input depth (TFLite).
// Types: float32; int8 (int8 filter per-channel along dimension 0 or per-tensor, int32 bias);
// 16x8 (int16 input/output, int8 filter, int64 bias -> int64 accumulator, int32 or no bias ->
// int32 accumulator unless quantized_bias_type says int64), bit-exact with TFLite's
// reference_integer_ops::ConvPerChannel (see quantized_conv_util.h, reference/integer_conv.h);
// hybrid (float32 input/output, int8 filter, float32 bias: dynamic-range models) with TFLite's
// hybrid arithmetic (hybrid_conv_util.h, reference/hybrid_conv.h).
#include <memory>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/optimized/xnnpack_float_conv.h"
#include "core/kernels/hybrid_conv_util.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/optimized/conv_2d.h"
#include "core/kernels/optimized/int8_conv_2d.h"
#include "core/kernels/quantized_conv_util.h"
#include "core/kernels/reference/conv_2d.h"
#include "core/kernels/reference/hybrid_conv.h"
#include "core/kernels/reference/integer_conv.h"
#include "core/base/thread_pool.h"

namespace compressd::kernels {
namespace {

struct Conv2DState : OpState {
  ConvParams params;
  // Set when the optimized path runs: a constant filter packed once at Prepare.
  std::unique_ptr<optimized::PackedConvFilter> packed;
  int scratch = -1;  // RequestScratch index for the optimized path, -1 for none
  qconv::QuantizedConvState quant;  // int8 / int16 inputs only
  // int8 with TFLite's builtin arithmetic and a constant filter: the packed filter of the
  // optimized path (bit-exact with the reference, tested there).
  std::unique_ptr<optimized::PackedInt8ConvFilter> packed_int8;
  hybrid::HybridState hybrid;  // float32 input with an int8 filter
  // float32, constant filter, one group, kXnnpack profile: the filter packed for XNNPACK's order
  // of operations (optimized/xnnpack_float_conv.h).
  std::unique_ptr<optimized::XnnPackedWeights> xnn;
};

// The hybrid path (TFLite's conv.cc EvalHybridPerChannel / EvalHybrid): per-channel scales that
// differ -> asymmetric per-image input quantization; otherwise the per-tensor kernel with
// symmetric input quantization and TFLite's legacy scale (see hybrid_conv_util.h).
absl::Status PrepareHybrid(OpContext& ctx, const TensorView& input, const TensorView& filter,
                           const TensorView* bias, const ir::Conv2DOptions& options, int32_t groups,
                           Conv2DState* state) {
  RETURN_IF_ERROR(
      hybrid::CheckHybridTensors("CONV_2D", filter, bias, *ctx.output(0), "filter"));
  if (groups != 1) {
    return absl::UnimplementedError(absl::StrCat(
        "hybrid CONV_2D with ", groups, " groups: TFLite's hybrid kernel does not support grouped "
        "convolution"));
  }
  if (options.dilation_h_factor != 1 || options.dilation_w_factor != 1) {
    return absl::UnimplementedError(absl::StrCat(
        "hybrid CONV_2D with dilation ", options.dilation_h_factor, "x", options.dilation_w_factor,
        ": TFLite's hybrid per-channel kernel ignores dilation (and its per-tensor one applies it "
        "only in newer versions)"));
  }
  hybrid::HybridState& hs = state->hybrid;
  hs.enabled = true;
  const ir::QuantParams& q = *filter.quant;
  bool scales_differ = false;
  for (float s : q.scale) scales_differ = scales_differ || s != q.scale[0];
  if (q.scale.size() > 1 && scales_differ) {
    hs.per_channel = true;
    hs.scheme = reference::HybridInputScheme::kAsymmetric;
    ASSIGN_OR_RETURN(hs.channel_scales, hybrid::PerChannelScales("CONV_2D", filter, 0,
                                                                 filter.shape.dim(0), "filter"));
  } else {
    hs.per_channel = false;
    hs.scheme = reference::HybridInputScheme::kSymmetric;
    hs.tensor_scale = hybrid::LegacyScale(q);
  }
  return hybrid::RequestScratch(ctx, input.shape.dim(0), input.shape.FlatSize(), &hs);
}

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

  const int32_t in_c = input->shape.dim(3);
  const int32_t out_c = filter->shape.dim(0);
  const int32_t filter_in_c = filter->shape.dim(3);
  if (filter_in_c < 1 || in_c < 1 || in_c % filter_in_c != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("input depth ", in_c, " is not a positive multiple of the filter's input "
                     "depth ", filter_in_c, " (input ", input->shape.ToString(), ", filter ",
                     filter->shape.ToString(), ")"));
  }
  const int32_t groups = in_c / filter_in_c;
  if (out_c % groups != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "output depth ", out_c, " is not a multiple of the ", groups, " groups"));
  }
  if (bias != nullptr) {
    if (!quantized) RETURN_IF_ERROR(nn::CheckType(*bias, input->type, "bias"));
    RETURN_IF_ERROR(nn::CheckDataCoversShape(*bias, "bias"));
    if (bias->shape.FlatSize() != out_c) {
      return absl::InvalidArgumentError(absl::StrCat("bias ", bias->shape.ToString(), " must have ",
                                                     out_c, " elements (output depth)"));
    }
  }

  const auto options = OptionsOrDefault<ir::Conv2DOptions>(ctx);
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
  auto state = std::make_unique<Conv2DState>();
  state->params.stride_h = options.stride_h;
  state->params.stride_w = options.stride_w;
  state->params.dilation_h = options.dilation_h_factor;
  state->params.dilation_w = options.dilation_w_factor;
  state->params.pad_top = h.pad_before;
  state->params.pad_left = w.pad_before;
  state->params.act_min = act.min;
  state->params.act_max = act.max;
  const Shape output_shape{input->shape.dim(0), h.output, w.output, out_c};
  if (is_hybrid) {
    RETURN_IF_ERROR(PrepareHybrid(ctx, *input, *filter, bias, options, groups, state.get()));
  } else if (quantized) {
    qconv::QuantizedConvSpec spec;
    spec.filter_name = "filter";
    spec.channel_dim = 0;
    spec.scale_product = qconv::ScaleProduct::kDouble;
    spec.int16_accepts_int32_bias = true;
    spec.int16_default_accumulator = qconv::Accumulator::kInt32;
    spec.quantized_bias_type = options.quantized_bias_type;
    // TFLite's XNNPACK delegate declines CONV_2D without a bias (builtin arithmetic then).
    if (bias != nullptr) spec.arithmetic = ctx.integer_arithmetic();
    RETURN_IF_ERROR(qconv::PrepareQuantizedConv(*input, *filter, bias, *ctx.output(0),
                                                options.activation, out_c, spec, &state->quant));
    if (input->type == ir::DataType::kInt8 &&
        filter->is_constant && optimized::Int8Conv2DSupports(input->shape, filter->shape)) {
      state->packed_int8 = std::make_unique<optimized::PackedInt8ConvFilter>(
          optimized::PackInt8ConvFilter(filter->shape, filter->data_as<const int8_t>()));
      const int threads = ctx.thread_pool() ? ctx.thread_pool()->num_threads() : 1;
      const int64_t scratch = optimized::Int8ConvScratchBytes(state->params, input->shape,
                                                              filter->shape, output_shape, threads);
      if (scratch > 0) {
        ASSIGN_OR_RETURN(state->scratch, ctx.RequestScratch(scratch));
      }
    }
  } else if (filter->is_constant && groups == 1 &&
             ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack) {
    // TFLite's XNNPACK delegate takes float CONV_2D with a constant filter.
    const int64_t k = int64_t{filter->shape.dim(1)} * filter->shape.dim(2) * filter->shape.dim(3);
    state->xnn = std::make_unique<optimized::XnnPackedWeights>(
        optimized::PackXnnWeights(out_c, k, filter->data_as<const float>()));
    const int64_t scratch =
        optimized::XnnConvScratchBytes(state->params, filter->shape, output_shape);
    if (scratch > 0) {
      ASSIGN_OR_RETURN(state->scratch, ctx.RequestScratch(scratch));
    }
  } else if (filter->is_constant &&
             optimized::OptimizedConv2DSupports(input->shape, filter->shape)) {
    state->packed = std::make_unique<optimized::PackedConvFilter>(
        optimized::PackConvFilter(filter->shape, filter->data_as<const float>()));
    const int threads = ctx.thread_pool() ? ctx.thread_pool()->num_threads() : 1;
    const int64_t scratch = optimized::ConvScratchBytes(state->params, input->shape,
                                                        filter->shape, output_shape, threads);
    if (scratch > 0) {
      ASSIGN_OR_RETURN(state->scratch, ctx.RequestScratch(scratch));
    }
  }
  ctx.set_state(std::move(state));
  return nn::SetOutput(ctx, 0, input->type, output_shape);
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  const TensorView& filter = *ctx.input(1);
  const TensorView* bias = ctx.num_inputs() > 2 ? ctx.input(2) : nullptr;
  TensorView& output = *ctx.output(0);
  const Conv2DState& state = *ctx.state_as<Conv2DState>();
  const ConvParams& params = state.params;
  switch (input.type) {
    case ir::DataType::kFloat32:
      if (state.hybrid.enabled) {
        if (state.hybrid.scratch < 0) return absl::OkStatus();  // no images
        reference::HybridConv2D(params, state.hybrid.Scales(), input.shape,
                                input.data_as<const float>(), filter.shape,
                                filter.data_as<const int8_t>(),
                                bias != nullptr ? bias->data_as<const float>() : nullptr,
                                output.shape, output.data_as<float>(),
                                state.hybrid.Quantized(ctx), state.hybrid.Rows(ctx));
        return absl::OkStatus();
      }
      if (state.xnn) {
        optimized::XnnConv2D(params, input.shape, input.data_as<const float>(), filter.shape,
                             *state.xnn, bias != nullptr ? bias->data_as<const float>() : nullptr,
                             output.shape, output.data_as<float>(),
                             state.scratch >= 0 ? ctx.scratch(state.scratch) : nullptr);
        return absl::OkStatus();
      }
      if (state.packed) {
        optimized::Conv2D(params, input.shape, input.data_as<const float>(), *state.packed,
                          bias != nullptr ? bias->data_as<const float>() : nullptr, output.shape,
                          output.data_as<float>(),
                          state.scratch >= 0 ? ctx.scratch(state.scratch) : nullptr,
                          ctx.thread_pool());
        return absl::OkStatus();
      }
      reference::Conv2D(params, input.shape, input.data_as<const float>(), filter.shape,
                        filter.data_as<const float>(),
                        bias != nullptr ? bias->data_as<const float>() : nullptr, output.shape,
                        output.data_as<float>());
      return absl::OkStatus();
    case ir::DataType::kInt8:
      if (state.packed_int8) {
        optimized::Int8Conv2D(params, input.shape, input.data_as<const int8_t>(),
                              *state.packed_int8,
                              bias != nullptr ? bias->data_as<const int32_t>() : nullptr,
                              qconv::OptimizedRequant(state.quant), output.shape,
                              output.data_as<int8_t>(),
                              state.scratch >= 0 ? ctx.scratch(state.scratch) : nullptr,
                              ctx.thread_pool());
        return absl::OkStatus();
      }
      reference::IntegerConv2D<int8_t, int32_t>(
          params, state.quant.Params(), input.shape, input.data_as<const int8_t>(), filter.shape,
          filter.data_as<const int8_t>(),
          bias != nullptr ? bias->data_as<const int32_t>() : nullptr, output.shape,
          output.data_as<int8_t>());
      return absl::OkStatus();
    case ir::DataType::kInt16:
      if (state.quant.accumulator == qconv::Accumulator::kInt64) {
        reference::IntegerConv2D<int16_t, int64_t>(
            params, state.quant.Params(), input.shape, input.data_as<const int16_t>(),
            filter.shape, filter.data_as<const int8_t>(),
            bias != nullptr ? bias->data_as<const int64_t>() : nullptr, output.shape,
            output.data_as<int16_t>());
      } else {
        reference::IntegerConv2D<int16_t, int32_t>(
            params, state.quant.Params(), input.shape, input.data_as<const int16_t>(),
            filter.shape, filter.data_as<const int8_t>(),
            bias != nullptr ? bias->data_as<const int32_t>() : nullptr, output.shape,
            output.data_as<int16_t>());
      }
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& Conv2DKernel() {
  static const OpKernel kernel{"CONV_2D", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
