// FULLY_CONNECTED: inputs (input, weights [units, depth], optional bias [units]);
// FullyConnectedOptions. The input is flattened to [batches, depth] (its flat size must be a
// multiple of depth); the output is [batches, units], or the input shape with its last dimension
// replaced by units when keep_num_dims (which requires the last dimension to be depth).
#include <cstdint>
#include <memory>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/optimized/fully_connected.h"
#include "core/kernels/reference/fully_connected.h"

namespace compressd::kernels {
namespace {

// Constant weights are packed once for the optimized GEMM/GEMV.
struct FullyConnectedState : OpState {
  std::unique_ptr<optimized::PackedMatrix> packed;
};

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 2, 3, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  ASSIGN_OR_RETURN(const TensorView* weights, nn::RequiredInput(ctx, 1, "weights"));
  ASSIGN_OR_RETURN(const TensorView* bias, nn::OptionalInput(ctx, 2, "bias"));
  if (input->type != ir::DataType::kFloat32) return nn::UnsupportedType(input->type, "input");
  if (weights->type != input->type) return nn::UnsupportedType(weights->type, "weights");
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
    RETURN_IF_ERROR(nn::CheckType(*bias, input->type, "bias"));
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
  if (weights->is_constant) {
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
