// FULLY_CONNECTED: inputs (input, weights [units, depth], optional bias [units]);
// FullyConnectedOptions. The input is flattened to [batches, depth] (its flat size must be a
// multiple of depth); the output is [batches, units], or the input shape with its last dimension
// replaced by units when keep_num_dims (which requires the last dimension to be depth).
// Types: float32; int8 (int8 weights per-channel along dimension 0 or per-tensor, int32 bias);
// 16x8 (int16 input/output, int8 weights, int64 bias -> int64 accumulator, int32 or no bias ->
// int32 accumulator unless quantized_bias_type says int64), bit-exact with TFLite's
// reference_integer_ops::FullyConnected(PerChannel) (see quantized_conv_util.h,
// reference/integer_fully_connected.h); hybrid (float32 input/output, int8 weights per tensor or
// per channel, float32 bias: dynamic-range models) with TFLite's hybrid arithmetic, including the
// asymmetric_quantize_inputs option (hybrid_conv_util.h, reference/hybrid_conv.h).
#include <cstdint>
#include <memory>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/hybrid_conv_util.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/optimized/fully_connected.h"
#include "core/kernels/optimized/int8_fully_connected.h"
#include "core/kernels/quantized_conv_util.h"
#include "core/kernels/optimized/xnnpack_float_conv.h"
#include "core/kernels/reference/fully_connected.h"
#include "core/kernels/reference/hybrid_conv.h"
#include "core/kernels/reference/integer_fully_connected.h"

namespace compressd::kernels {
namespace {

// Constant weights are packed once for the optimized GEMM/GEMV.
struct FullyConnectedState : OpState {
  std::unique_ptr<optimized::PackedMatrix> packed;
  qconv::QuantizedConvState quant;  // int8 / int16 inputs only
  // int8 with TFLite's builtin arithmetic and constant weights: the optimized path's packed
  // weights (bit-exact with the reference, tested there) and its scratch.
  std::unique_ptr<optimized::PackedInt8Matrix> packed_int8;
  int scratch = -1;
  hybrid::HybridState hybrid;  // float32 input with int8 weights
  // float32, constant weights, kXnnpack profile: weights packed for XNNPACK's order of operations.
  std::unique_ptr<optimized::XnnPackedWeights> xnn;
};

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 2, 3, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  ASSIGN_OR_RETURN(const TensorView* weights, nn::RequiredInput(ctx, 1, "weights"));
  ASSIGN_OR_RETURN(const TensorView* bias, nn::OptionalInput(ctx, 2, "bias"));
  const bool quantized = qconv::IsQuantizedType(input->type);
  if (input->type != ir::DataType::kFloat32 && !quantized) {
    return nn::UnsupportedType(input->type, "input");
  }
  // Quantized inputs: the weights' type is checked with their quantization below. A float32 input
  // with int8 weights is a dynamic-range ("hybrid") model (hybrid_conv_util.h).
  const bool is_hybrid = hybrid::IsHybrid(*input, *weights);
  if (!quantized && !is_hybrid && weights->type != input->type) {
    return nn::UnsupportedType(weights->type, "weights");
  }
  RETURN_IF_ERROR(nn::CheckRankRange(*input, 1, Shape::kMaxRank, "input"));
  RETURN_IF_ERROR(nn::CheckRank(*weights, 2, "weights"));
  RETURN_IF_ERROR(nn::CheckDataCoversShape(*weights, "weights"));
  const auto options = OptionsOrDefault<ir::FullyConnectedOptions>(ctx);
  if (options.weights_format != ir::FullyConnectedWeightsFormat::kDefault) {
    return absl::UnimplementedError("only the default weights format is supported");
  }
  ASSIGN_OR_RETURN(const FloatActivationRange act, nn::ClampActivation(options.activation));
  (void)act;

  const int32_t units = weights->shape.dim(0);
  const int32_t depth = weights->shape.dim(1);
  const int rank = input->shape.rank();
  if (bias != nullptr) {
    if (!quantized) RETURN_IF_ERROR(nn::CheckType(*bias, input->type, "bias"));
    RETURN_IF_ERROR(nn::CheckDataCoversShape(*bias, "bias"));
    if (bias->shape.FlatSize() != units) {
      return absl::InvalidArgumentError(absl::StrCat("bias ", bias->shape.ToString(), " must have ",
                                                     units, " elements (weights ",
                                                     weights->shape.ToString(), ")"));
    }
  }
  if (options.keep_num_dims && input->shape.dim(rank - 1) != depth) {
    return absl::InvalidArgumentError(
        absl::StrCat("keep_num_dims needs the input's last dimension (", input->shape.ToString(),
                     ") to equal the weights' depth ", depth));
  }
  int64_t batches = 0;
  if (depth > 0) {
    if (input->shape.FlatSize() % depth != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("input ", input->shape.ToString(), " does not flatten to rows of ", depth,
                       " (weights ", weights->shape.ToString(), ")"));
    }
    batches = input->shape.FlatSize() / depth;
  } else {
    batches = input->shape.Product(0, rank - 1);  // TFLite's rule for an empty depth
  }
  if (batches > std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat("batch count ", batches, " overflows int32"));
  }
  Shape out_shape;
  if (options.keep_num_dims) {
    out_shape = input->shape;
    out_shape.set_dim(rank - 1, units);
  } else {
    out_shape = Shape{static_cast<int32_t>(batches), units};
  }
  auto state = std::make_unique<FullyConnectedState>();
  if (is_hybrid) {
    // TFLite's fully_connected.cc EvalHybridDense: input rows quantized symmetrically or, with
    // asymmetric_quantize_inputs, asymmetrically; more than one weight scale -> per-channel
    // scales, else the legacy per-tensor scale (hybrid_conv_util.h).
    RETURN_IF_ERROR(hybrid::CheckHybridTensors("FULLY_CONNECTED", *weights, bias, *ctx.output(0),
                                               "weights"));
    hybrid::HybridState& hs = state->hybrid;
    hs.enabled = true;
    hs.scheme = options.asymmetric_quantize_inputs ? reference::HybridInputScheme::kAsymmetric
                                                   : reference::HybridInputScheme::kSymmetric;
    const ir::QuantParams& q = *weights->quant;
    if (q.scale.size() > 1) {
      hs.per_channel = true;
      ASSIGN_OR_RETURN(hs.channel_scales,
                       hybrid::PerChannelScales("FULLY_CONNECTED", *weights, 0, units, "weights"));
    } else {
      hs.tensor_scale = hybrid::LegacyScale(q);
    }
    RETURN_IF_ERROR(hybrid::RequestScratch(ctx, batches, input->shape.FlatSize(), &hs));
  } else if (quantized) {
    qconv::QuantizedConvSpec spec;
    spec.filter_name = "weights";
    spec.channel_dim = 0;
    // TFLite: per-channel weights use the double product of the scales, per-tensor weights
    // GetQuantizedConvolutionMultipler (float product) and its bias-scale check.
    spec.scale_product = qconv::ScaleProduct::kFloatWhenPerTensorFilter;
    spec.check_per_tensor_bias_scale = true;
    spec.int16_accepts_int32_bias = true;
    spec.int16_default_accumulator = qconv::Accumulator::kInt32;
    spec.quantized_bias_type = options.quantized_bias_type;
    // TFLite's XNNPACK delegate takes int8 FULLY_CONNECTED only with per-tensor weights
    // (one scale, quantized_dimension 0) in the default weights format.
    if (weights->quant != nullptr && weights->quant->scale.size() == 1 &&
        weights->quant->quantized_dimension == 0) {
      spec.arithmetic = ctx.integer_arithmetic();
    }
    RETURN_IF_ERROR(qconv::PrepareQuantizedConv(*input, *weights, bias, *ctx.output(0),
                                                options.activation, units, spec, &state->quant));
    if (input->type == ir::DataType::kInt8 &&
        weights->is_constant && weights->shape.rank() == 2 && weights->shape.dim(0) >= 1 &&
        weights->shape.dim(1) >= 1) {  // the packed format needs [out >= 1, in >= 1]
      state->packed_int8 = std::make_unique<optimized::PackedInt8Matrix>(
          optimized::PackInt8FullyConnectedWeights(weights->shape,
                                                   weights->data_as<const int8_t>()));
      const int64_t scratch = optimized::Int8FullyConnectedScratchBytes(weights->shape, out_shape);
      if (scratch > 0) {
        ASSIGN_OR_RETURN(state->scratch, ctx.RequestScratch(scratch));
      }
    }
  } else if (weights->is_constant && weights->shape.rank() == 2 &&
             ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack) {
    // TFLite's XNNPACK delegate takes float FULLY_CONNECTED with constant weights.
    state->xnn = std::make_unique<optimized::XnnPackedWeights>(optimized::PackXnnWeights(
        weights->shape.dim(0), weights->shape.dim(1), weights->data_as<const float>()));
  } else if (weights->is_constant) {
    state->packed = std::make_unique<optimized::PackedMatrix>(
        optimized::PackFullyConnectedWeights(weights->shape, weights->data_as<const float>()));
  }
  ctx.set_state(std::move(state));
  return nn::SetOutput(ctx, 0, input->type, out_shape);
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  const TensorView& weights = *ctx.input(1);
  const TensorView* bias = ctx.num_inputs() > 2 ? ctx.input(2) : nullptr;
  TensorView& output = *ctx.output(0);
  const auto options = OptionsOrDefault<ir::FullyConnectedOptions>(ctx);
  switch (input.type) {
    case ir::DataType::kFloat32:
      if (const auto* state = ctx.state_as<FullyConnectedState>(); state && state->hybrid.enabled) {
        const hybrid::HybridState& hs = state->hybrid;
        if (hs.scratch < 0) return absl::OkStatus();  // no rows
        reference::HybridFullyConnected(
            hs.scheme, hs.Scales(), ActivationRange(options.activation), hs.batches,
            weights.shape.dim(1), weights.shape.dim(0), input.data_as<const float>(),
            weights.data_as<const int8_t>(),
            bias != nullptr ? bias->data_as<const float>() : nullptr, output.data_as<float>(),
            hs.Quantized(ctx), hs.Rows(ctx));
        return absl::OkStatus();
      }
      if (const auto* state = ctx.state_as<FullyConnectedState>(); state && state->xnn) {
        const int64_t units = weights.shape.dim(0);
        optimized::XnnGemm(units == 0 ? 0 : output.shape.FlatSize() / units,
                           input.data_as<const float>(), weights.shape.dim(1), *state->xnn,
                           bias != nullptr ? bias->data_as<const float>() : nullptr,
                           ActivationRange(options.activation), output.data_as<float>(), units);
        return absl::OkStatus();
      }
      if (const auto* state = ctx.state_as<FullyConnectedState>(); state && state->packed) {
        optimized::FullyConnected(ActivationRange(options.activation), input.shape,
                                  input.data_as<const float>(), *state->packed,
                                  bias != nullptr ? bias->data_as<const float>() : nullptr,
                                  output.shape, output.data_as<float>(), ctx.thread_pool());
        return absl::OkStatus();
      }
      reference::FullyConnected(ActivationRange(options.activation), input.shape,
                                input.data_as<const float>(), weights.shape,
                                weights.data_as<const float>(),
                                bias != nullptr ? bias->data_as<const float>() : nullptr,
                                output.shape, output.data_as<float>());
      return absl::OkStatus();
    case ir::DataType::kInt8: {
      const FullyConnectedState& st = *ctx.state_as<FullyConnectedState>();
      if (st.packed_int8) {
        optimized::Int8FullyConnected(
            qconv::OptimizedRequant(st.quant), input.shape, input.data_as<const int8_t>(),
            *st.packed_int8, bias != nullptr ? bias->data_as<const int32_t>() : nullptr,
            output.shape, output.data_as<int8_t>(),
            st.scratch >= 0 ? ctx.scratch(st.scratch) : nullptr, ctx.thread_pool());
        return absl::OkStatus();
      }
      const auto& quant = st.quant;
      reference::IntegerFullyConnected<int8_t, int32_t>(
          quant.Params(), weights.shape, input.data_as<const int8_t>(),
          weights.data_as<const int8_t>(),
          bias != nullptr ? bias->data_as<const int32_t>() : nullptr, output.shape,
          output.data_as<int8_t>());
      return absl::OkStatus();
    }
    case ir::DataType::kInt16: {
      const auto& quant = ctx.state_as<FullyConnectedState>()->quant;
      if (quant.accumulator == qconv::Accumulator::kInt64) {
        reference::IntegerFullyConnected<int16_t, int64_t>(
            quant.Params(), weights.shape, input.data_as<const int16_t>(),
            weights.data_as<const int8_t>(),
            bias != nullptr ? bias->data_as<const int64_t>() : nullptr, output.shape,
            output.data_as<int16_t>());
      } else {
        reference::IntegerFullyConnected<int16_t, int32_t>(
            quant.Params(), weights.shape, input.data_as<const int16_t>(),
            weights.data_as<const int8_t>(),
            bias != nullptr ? bias->data_as<const int32_t>() : nullptr, output.shape,
            output.data_as<int16_t>());
      }
      return absl::OkStatus();
    }
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& FullyConnectedKernel() {
  static const OpKernel kernel{"FULLY_CONNECTED", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
