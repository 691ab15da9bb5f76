// Prepare-time helpers for the dynamic-range ("hybrid") paths of CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED: float32 input and output, int8 filter, float32 bias. Eval runs
// core/kernels/reference/hybrid_conv.h, which states TFLite's arithmetic.
//
// How TFLite reads the filter's scales (its Prepare/Eval, mirrored here):
//   * per channel: the op's hybrid per-channel kernel indexes the scales by output channel, after
//     checking scale count == filter dimension [quantized_dimension]; here the count must also
//     equal the output channels along the output-channel dimension (TFLite would read past the
//     scales otherwise), else InvalidArgument.
//   * per tensor: TFLite multiplies by the tensor's *legacy* scale (TfLiteTensor::params.scale),
//     which its interpreter sets only when the tensor has exactly one scale and one zero point
//     (GetLegacyQuantization) and leaves 0 otherwise. So does LegacyScale below: e.g. a CONV_2D
//     filter whose per-channel scales are all equal takes TFLite's per-tensor kernel (conv.cc
//     only uses the per-channel one when some scales differ) with scale 0, and TFLite outputs
//     just the bias; compressd reproduces that rather than disagree with the runtime.
// Filters must carry scales and zero points 0 (TFLite's hybrid kernels ignore filter zero points;
// a non-zero one is rejected here instead of silently ignored).
#ifndef COMPRESSD_CORE_KERNELS_HYBRID_CONV_UTIL_H_
#define COMPRESSD_CORE_KERNELS_HYBRID_CONV_UTIL_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/ir/data_type.h"
#include "core/kernels/nn_kernel_util.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/reference/hybrid_conv.h"

namespace compressd::kernels::hybrid {

inline bool IsHybrid(const TensorView& input, const TensorView& filter) {
  return input.type == ir::DataType::kFloat32 && filter.type == ir::DataType::kInt8;
}

// TFLite's legacy per-tensor scale: the scale when there is exactly one scale and one zero point,
// else 0.
inline float LegacyScale(const ir::QuantParams& q) {
  return q.scale.size() == 1 && q.zero_point.size() == 1 ? q.scale[0] : 0.0f;
}

// What Eval needs, computed once in Prepare.
struct HybridState {
  bool enabled = false;
  reference::HybridInputScheme scheme = reference::HybridInputScheme::kSymmetric;
  bool per_channel = false;
  std::vector<float> channel_scales;  // per_channel only: one per output channel
  float tensor_scale = 0.0f;          // !per_channel: TFLite's legacy scale
  int64_t batches = 0;                // quantization rows
  int64_t input_size = 0;             // input flat size
  int scratch = -1;

  reference::HybridFilterScales Scales() const {
    reference::HybridFilterScales s;
    s.per_channel = per_channel ? channel_scales.data() : nullptr;
    s.per_tensor = tensor_scale;
    return s;
  }
  // Scratch layout: the rows' quantization parameters, then the quantized input.
  static int64_t RowsBytes(int64_t batches) {
    const int64_t bytes = batches * static_cast<int64_t>(sizeof(reference::HybridRowQuant));
    return (bytes + 63) / 64 * 64;
  }
  reference::HybridRowQuant* Rows(OpContext& ctx) const {
    return static_cast<reference::HybridRowQuant*>(ctx.scratch(scratch));
  }
  int8_t* Quantized(OpContext& ctx) const {
    return static_cast<int8_t*>(ctx.scratch(scratch)) + RowsBytes(batches);
  }
};

// Checks the tensors common to every hybrid op: a quantized int8 filter with zero points 0, a
// float32 bias (if any) and a float32 output. `op` names the op in messages.
inline absl::Status CheckHybridTensors(const char* op, const TensorView& filter,
                                       const TensorView* bias, const TensorView& output,
                                       const char* filter_name) {
  if (!filter.IsQuantized()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "hybrid ", op, " (float32 input, int8 ", filter_name, "): the ", filter_name,
        " has no quantization scales"));
  }
  const ir::QuantParams& q = *filter.quant;
  for (size_t i = 0; i < q.zero_point.size(); ++i) {
    if (q.zero_point[i] != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "hybrid ", op, ": ", filter_name, " zero_point[", i, "] = ", q.zero_point[i],
          ", must be 0 (TFLite's hybrid kernels take symmetric int8 ", filter_name, "s)"));
    }
  }
  if (bias != nullptr) RETURN_IF_ERROR(nn::CheckType(*bias, ir::DataType::kFloat32, "bias"));
  if (output.type != ir::DataType::kFloat32) {
    return absl::InvalidArgumentError(absl::StrCat("hybrid ", op, ": output 0 is declared ",
                                                   nn::TypeName(output.type),
                                                   ", expected float32"));
  }
  return absl::OkStatus();
}

// Per-channel scales of `filter` for `channels` output channels along `channel_dim`, with the
// checks described in the file comment.
inline absl::StatusOr<std::vector<float>> PerChannelScales(const char* op, const TensorView& filter,
                                                          int channel_dim, int32_t channels,
                                                          const char* filter_name) {
  const ir::QuantParams& q = *filter.quant;
  const int32_t dim = q.quantized_dimension;
  // (A single channel's single scale is per channel whatever its quantized_dimension.)
  if ((dim != channel_dim && channels != 1) || q.scale.size() != static_cast<size_t>(channels)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "hybrid ", op, ": ", filter_name, " ", filter.shape.ToString(), " has ", q.scale.size(),
        " scales along quantized_dimension ", dim, "; TFLite's hybrid kernel needs one per output "
        "channel (", channels, ") along dimension ", channel_dim));
  }
  return std::vector<float>(q.scale.begin(), q.scale.end());
}

// Requests the scratch (rows' parameters + quantized input) and records the sizes.
inline absl::Status RequestScratch(OpContext& ctx, int64_t batches, int64_t input_size,
                                   HybridState* state) {
  state->batches = batches;
  state->input_size = input_size;
  const int64_t bytes = HybridState::RowsBytes(batches) + input_size;
  if (bytes > 0) {
    ASSIGN_OR_RETURN(state->scratch, ctx.RequestScratch(bytes));
  }
  return absl::OkStatus();
}

}  // namespace compressd::kernels::hybrid

#endif  // COMPRESSD_CORE_KERNELS_HYBRID_CONV_UTIL_H_
