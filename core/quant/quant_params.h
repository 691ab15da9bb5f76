// Choosing quantization parameters and quantizing constant tensors as TFLite's converter does
// (tensorflow/lite/tools/optimize/quantization_utils.cc, kernels/internal/quantization_util.h,
// and the MLIR quantizer's fake-quant nudging, which agree on the rules below).
//
// Conventions: real = scale * (q - zero_point). Float → integer rounding is round half away from
// zero (std::round, TfLiteRound) followed by clamping to the target range.
//
//  * Asymmetric (activations): the range is first widened to include 0, then
//      scale = (max - min) / (qmax - qmin)                      (double)
//      zero_point = round(qmin - min / scale)  or  round(qmax - max / scale), whichever of the two
//                   affine equations has the smaller rounding error, clamped to [qmin, qmax].
//    A degenerate range [0, 0] gets scale 1 and zero point clamp(0) (every value is 0), as the
//    MLIR quantizer does; TFLite's kernel helper would return scale 0, which a model cannot hold.
//  * Symmetric (weights, int16 activations): zero point 0,
//      scale = max|x| / qmax (float, qmax = 127 for int8, 32767 for int16), values in [-qmax, qmax]
//      (the narrow range: int8 weights never use -128), q = round(x * (qmax / max|x|)) as TFLite
//      multiplies by the inverse. An all-zero tensor or channel gets scale 1 (TFLite's per-tensor
//      rule; its per-channel path would write scale 0) so that every scale is positive.
//      Per-channel scales run along `axis` (0 for CONV_2D / FULLY_CONNECTED filters, 3 for
//      DEPTHWISE_CONV_2D).
//  * Bias: int32 (int64 for 16x8) with zero point 0 and scale[c] = input_scale * weight_scale[c]
//    (float product), q = round(b * float(1.0 / scale[c])) saturated to ±(2^31 - 1) (±(2^63 - 1)).
//
// Errors are INVALID_ARGUMENT with the offending value and index; callers prefix the tensor name.
// Pure functions, thread-safe.
#ifndef COMPRESSD_CORE_QUANT_QUANT_PARAMS_H_
#define COMPRESSD_CORE_QUANT_QUANT_PARAMS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"

namespace compressd::quant {

struct AffineParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
  float min = 0.0f;  // the range the parameters were chosen for, widened to include 0
  float max = 0.0f;
};

// Asymmetric parameters for [min, max] over the integer range [qmin, qmax] (e.g. -128..127).
// INVALID_ARGUMENT when min or max is not finite, min > max, or qmin >= qmax.
absl::StatusOr<AffineParams> ChooseAsymmetricParams(float min, float max, int32_t qmin,
                                                    int32_t qmax);

// Symmetric parameters (zero point 0) for values in [min, max] with integers in [-qmax, qmax]
// (qmax = 32767 for TFLite's int16 activations). INVALID_ARGUMENT for non-finite bounds, min > max
// or qmax < 1.
absl::StatusOr<AffineParams> ChooseSymmetricParams(float min, float max, int32_t qmax);

// Scale of a symmetric quantization of values whose largest magnitude is `max_abs`.
float SymmetricScale(float max_abs, int32_t qmax);

// Symmetrically quantized constant: `values` in the tensor's layout, one scale per channel along
// `axis` (or a single scale when quantized per tensor, axis then -1).
template <typename T>
struct SymmetricTensor {
  std::vector<T> values;
  std::vector<float> scales;
  int32_t axis = -1;
};

// Quantizes `values` (a tensor of `shape`) to int8 in [-127, 127]; per channel along `axis` when
// axis >= 0, per tensor when axis == -1. INVALID_ARGUMENT for a non-finite value, a size that does
// not match the shape, or an axis out of range.
absl::StatusOr<SymmetricTensor<int8_t>> QuantizeSymmetricInt8(std::span<const float> values,
                                                              std::span<const int32_t> shape,
                                                              int32_t axis);

// The same for int16 in [-32767, 32767].
absl::StatusOr<SymmetricTensor<int16_t>> QuantizeSymmetricInt16(std::span<const float> values,
                                                                std::span<const int32_t> shape,
                                                                int32_t axis);

// Quantized bias: values and their per-channel (or single) scales.
template <typename T>
struct BiasTensor {
  std::vector<T> values;
  std::vector<float> scales;
};

// `weight_scales` has one entry (per-tensor) or bias.size() entries (per channel).
// INVALID_ARGUMENT for a non-finite or non-positive input scale, mismatched sizes, non-finite bias
// values. Values beyond the integer range saturate (TFLite's SafeCast).
absl::StatusOr<BiasTensor<int32_t>> QuantizeBiasInt32(std::span<const float> bias,
                                                      float input_scale,
                                                      std::span<const float> weight_scales);
absl::StatusOr<BiasTensor<int64_t>> QuantizeBiasInt64(std::span<const float> bias,
                                                      float input_scale,
                                                      std::span<const float> weight_scales);

// One value, as TFLite's QUANTIZE kernel: clamp(round(x / scale) + zero_point) into [qmin, qmax]
// (x / scale in float). NaN maps to the clamped zero point.
int32_t QuantizeValue(float x, float scale, int32_t zero_point, int32_t qmin, int32_t qmax);

// real = scale * (q - zero_point), as TFLite's DEQUANTIZE (double product, rounded to float).
inline float DequantizeValue(int64_t q, float scale, int64_t zero_point) {
  return static_cast<float>(static_cast<double>(scale) * static_cast<double>(q - zero_point));
}

}  // namespace compressd::quant

#endif  // COMPRESSD_CORE_QUANT_QUANT_PARAMS_H_
