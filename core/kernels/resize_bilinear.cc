// RESIZE_BILINEAR: inputs (input NHWC, size int32[2] = {new_height, new_width}, constant);
// ResizeBilinearOptions (align_corners and half_pixel_centers, not both).
// float32, and int8 / int16 with TFLite's integer arithmetic (reference/resize_bilinear.h
// ResizeBilinearInteger, bit-exact with TFLite's default kernel; not dequantize-resize-quantize).
// The integer path interpolates raw values, so input and output must share scale and zero point
// (TFLite does not check this; a mismatch would silently give wrong values, here it is an error).
// IntegerArithmetic::kXnnpack, int8: XNNPACK's s8-ibilinear with q11 weights
// (reference/xnnpack_int8.h XnnResizeBilinear), as TFLite's XNNPACK delegate computes it, run by
// optimized::XnnInt8ResizeBilinear (bit-exact, vectorized over channels) from taps computed in
// Prepare.
// int8 with the builtin arithmetic runs optimized::Int8ResizeBilinear (bit-exact, vectorized over
// channels) from interpolation taps computed in Prepare.
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/nn_kernels.h"
#include "core/kernels/optimized/int8_resize_bilinear.h"
#include "core/kernels/optimized/xnnpack_int8_resize.h"
#include "core/kernels/quantized_util.h"
#include "core/kernels/reference/resize_bilinear.h"
#include "core/kernels/reference/xnnpack_float.h"
#include "core/kernels/reference/xnnpack_int8.h"

namespace compressd::kernels {
namespace {

// int8 state (set in Prepare): XNNPACK's arithmetic, or TFLite's builtin one with the
// interpolation taps of the vectorized path (optimized/int8_resize_bilinear.h).
struct Int8ResizeState : OpState {
  bool xnnpack = false;
  // Builtin arithmetic: taps per output row / column; empty when some fraction leaves
  // [-512, 1536] (degenerate scales), and the reference handles the op.
  std::vector<optimized::BilinearTap> ys, xs;
  // XNNPACK arithmetic: taps per output row / column; empty when a tap is outside the optimized
  // kernel's contract (never expected), and the reference handles the op.
  std::vector<optimized::XnnBilinearTap> xnn_ys, xnn_xs;
};

// The reference's taps for one dimension, or false when a fraction is outside [-512, 1536].
// Fractions leave [0, 1024] at the borders with half_pixel_centers (TFLite's integer kernel then
// extrapolates slightly, e.g. -256 for the first row of a 2x upsampling).
bool MakeTaps(int64_t in_size, int64_t out_size, bool align_corners, bool half_pixel_centers,
              std::vector<optimized::BilinearTap>* taps) {
  const int64_t scale = reference::resize_internal::IntegerScale(in_size, out_size, align_corners);
  taps->resize(static_cast<size_t>(out_size));
  for (int64_t o = 0; o < out_size; ++o) {
    int64_t scaled, lo, hi;
    reference::resize_internal::IntegerInterpolationValues(o, scale, half_pixel_centers, in_size,
                                                           &scaled, &lo, &hi);
    const int64_t frac = scaled - 1024 * lo;
    if (frac < -512 || frac > 1536) return false;
    (*taps)[static_cast<size_t>(o)] = {static_cast<int32_t>(lo), static_cast<int32_t>(hi),
                                       static_cast<int32_t>(frac)};
  }
  return true;
}

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(nn::CheckArity(ctx, 2, 2, 1));
  ASSIGN_OR_RETURN(const TensorView* input, nn::RequiredInput(ctx, 0, "input"));
  ASSIGN_OR_RETURN(const TensorView* size, nn::RequiredInput(ctx, 1, "size"));
  if (input->type != ir::DataType::kFloat32 && input->type != ir::DataType::kInt8 &&
      input->type != ir::DataType::kInt16) {
    return nn::UnsupportedType(input->type, "input");
  }
  RETURN_IF_ERROR(nn::CheckRank(*input, 4, "input"));
  RETURN_IF_ERROR(nn::CheckType(*size, ir::DataType::kInt32, "size"));
  if (size->shape.rank() != 1 || size->shape.dim(0) != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("size must have shape [2], got ", size->shape.ToString()));
  }
  RETURN_IF_ERROR(nn::CheckConstantData(*size, "size", "dynamic output shape"));
  const auto options = OptionsOrDefault<ir::ResizeBilinearOptions>(ctx);
  if (options.align_corners && options.half_pixel_centers) {
    return absl::InvalidArgumentError(
        "align_corners and half_pixel_centers cannot both be true");
  }
  const int32_t* hw = size->data_as<const int32_t>();
  RETURN_IF_ERROR(nn::CheckAtLeastOne(hw[0], "new height"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(hw[1], "new width"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(input->shape.dim(1), "input height"));
  RETURN_IF_ERROR(nn::CheckAtLeastOne(input->shape.dim(2), "input width"));
  if (input->type != ir::DataType::kFloat32) {
    const TensorView& output = *ctx.output(0);
    RETURN_IF_ERROR(nn::CheckType(output, input->type, "output"));
    ASSIGN_OR_RETURN(const quantized::TensorQuant qi, quantized::GetTensorQuant(*input, "input"));
    ASSIGN_OR_RETURN(const quantized::TensorQuant qo, quantized::GetTensorQuant(output, "output"));
    RETURN_IF_ERROR(quantized::CheckSameParams(*input, qi, qo, "input", "the output"));
    if (input->type == ir::DataType::kInt8) {
      auto state = std::make_unique<Int8ResizeState>();
      state->xnnpack = ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack;
      if (!state->xnnpack &&
          (!MakeTaps(input->shape.dim(1), hw[0], options.align_corners,
                     options.half_pixel_centers, &state->ys) ||
           !MakeTaps(input->shape.dim(2), hw[1], options.align_corners,
                     options.half_pixel_centers, &state->xs))) {
        state->ys.clear();
        state->xs.clear();
      }
      if (state->xnnpack &&
          (!optimized::XnnResizeTaps(input->shape.dim(1), hw[0], options.align_corners,
                                     options.half_pixel_centers, &state->xnn_ys) ||
           !optimized::XnnResizeTaps(input->shape.dim(2), hw[1], options.align_corners,
                                     options.half_pixel_centers, &state->xnn_xs))) {
        state->xnn_ys.clear();
        state->xnn_xs.clear();
      }
      ctx.set_state(std::move(state));
    }
  }
  return nn::SetOutput(ctx, 0, input->type,
                       Shape{input->shape.dim(0), hw[0], hw[1], input->shape.dim(3)});
}

absl::Status Eval(OpContext& ctx) {
  const TensorView& input = *ctx.input(0);
  TensorView& output = *ctx.output(0);
  const auto options = OptionsOrDefault<ir::ResizeBilinearOptions>(ctx);
  switch (input.type) {
    case ir::DataType::kFloat32:
      if (ctx.integer_arithmetic() == IntegerArithmetic::kXnnpack) {
        reference::ResizeBilinearXnnpack(options.align_corners, options.half_pixel_centers,
                                         input.shape, input.data_as<const float>(), output.shape,
                                         output.data_as<float>());
        return absl::OkStatus();
      }
      reference::ResizeBilinear(options.align_corners, options.half_pixel_centers, input.shape,
                                input.data_as<const float>(), output.shape,
                                output.data_as<float>());
      return absl::OkStatus();
    case ir::DataType::kInt8:
      if (const Int8ResizeState* st = ctx.state_as<Int8ResizeState>(); st->xnnpack) {
        if (!st->xnn_ys.empty()) {
          optimized::XnnInt8ResizeBilinear(
              input.shape.dim(0), input.shape.dim(1), input.shape.dim(2), input.shape.dim(3),
              st->xnn_ys.data(), output.shape.dim(1), st->xnn_xs.data(), output.shape.dim(2),
              input.data_as<const int8_t>(), output.data_as<int8_t>());
          return absl::OkStatus();
        }
        reference::XnnResizeBilinear(options.align_corners, options.half_pixel_centers,
                                     input.shape, input.data_as<const int8_t>(), output.shape,
                                     output.data_as<int8_t>());
        return absl::OkStatus();
      } else if (!st->ys.empty()) {
        optimized::Int8ResizeBilinear(
            input.shape.dim(0), input.shape.dim(1), input.shape.dim(2), input.shape.dim(3),
            st->ys.data(), output.shape.dim(1), st->xs.data(), output.shape.dim(2),
            input.data_as<const int8_t>(), output.data_as<int8_t>());
        return absl::OkStatus();
      }
      reference::ResizeBilinearInteger(options.align_corners, options.half_pixel_centers,
                                       input.shape, input.data_as<const int8_t>(), output.shape,
                                       output.data_as<int8_t>());
      return absl::OkStatus();
    case ir::DataType::kInt16:
      reference::ResizeBilinearInteger(options.align_corners, options.half_pixel_centers,
                                       input.shape, input.data_as<const int16_t>(), output.shape,
                                       output.data_as<int16_t>());
      return absl::OkStatus();
    default:
      return nn::UnsupportedType(input.type, "input");
  }
}

}  // namespace

const OpKernel& ResizeBilinearKernel() {
  static const OpKernel kernel{"RESIZE_BILINEAR", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
