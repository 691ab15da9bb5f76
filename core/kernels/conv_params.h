// Parameters shared by the reference and optimized convolution-like kernels (CONV_2D,
// DEPTHWISE_CONV_2D, TRANSPOSE_CONV, pooling) and the padding rule TFLite uses.
//
// Layouts: input/output NHWC; CONV_2D filter OHWI; DEPTHWISE_CONV_2D filter 1HW(C·M);
// TRANSPOSE_CONV filter OHWI; FULLY_CONNECTED weights [out, in].
#ifndef COMPRESSD_CORE_KERNELS_CONV_PARAMS_H_
#define COMPRESSD_CORE_KERNELS_CONV_PARAMS_H_

#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/ir/builtin_options.h"

namespace compressd::kernels {

struct ConvParams {
  int32_t stride_h = 1;
  int32_t stride_w = 1;
  int32_t dilation_h = 1;
  int32_t dilation_w = 1;
  // Padding before the first row/column; padding after is implied by the output size.
  int32_t pad_top = 0;
  int32_t pad_left = 0;
  int32_t depth_multiplier = 1;  // DEPTHWISE_CONV_2D only
  float act_min = -std::numeric_limits<float>::infinity();
  float act_max = std::numeric_limits<float>::infinity();
};

struct PoolParams {
  int32_t stride_h = 1;
  int32_t stride_w = 1;
  int32_t filter_h = 1;
  int32_t filter_w = 1;
  int32_t pad_top = 0;
  int32_t pad_left = 0;
  float act_min = -std::numeric_limits<float>::infinity();
  float act_max = std::numeric_limits<float>::infinity();
};

struct FloatActivationRange {
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();
};

// The clamp range a fused activation imposes on float outputs. TANH and SIGN_BIT are not clamps;
// callers reject them in Prepare for ops that only support clamping activations.
inline FloatActivationRange ActivationRange(ir::Activation act) {
  switch (act) {
    case ir::Activation::kRelu:
      return {0.0f, std::numeric_limits<float>::infinity()};
    case ir::Activation::kRelu6:
      return {0.0f, 6.0f};
    case ir::Activation::kReluN1To1:
      return {-1.0f, 1.0f};
    default:
      return {};
  }
}

inline bool IsClampActivation(ir::Activation act) {
  return act == ir::Activation::kNone || act == ir::Activation::kRelu ||
         act == ir::Activation::kRelu6 || act == ir::Activation::kReluN1To1;
}

inline float ApplyActivation(float v, float act_min, float act_max) {
  return std::min(std::max(v, act_min), act_max);
}

struct PaddedSize {
  int32_t output = 0;      // output extent along the axis
  int32_t pad_before = 0;  // padding before the first element
};

// TFLite's rule: SAME gives ceil(in / stride) outputs, VALID gives
// ceil((in - effective_filter + 1) / stride); total padding max((out-1)*stride + eff - in, 0) with
// the smaller half before. Requires in >= 0, filter >= 1, stride >= 1, dilation >= 1 (Prepare
// checks); output may be 0 for VALID when the filter is larger than the input.
inline PaddedSize ComputePaddedSize(ir::Padding padding, int32_t in, int32_t filter,
                                    int32_t stride, int32_t dilation) {
  const int64_t eff = (static_cast<int64_t>(filter) - 1) * dilation + 1;
  int64_t out = 0;
  if (padding == ir::Padding::kSame) {
    out = (in + stride - 1) / stride;
  } else {
    out = in - eff + 1 <= 0 ? 0 : (in - eff + stride) / stride;
  }
  const int64_t total = std::max<int64_t>((out - 1) * stride + eff - in, 0);
  return {static_cast<int32_t>(out), static_cast<int32_t>(total / 2)};
}

}  // namespace compressd::kernels

#endif  // COMPRESSD_CORE_KERNELS_CONV_PARAMS_H_
