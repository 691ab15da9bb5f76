// Typed builtin options of the operators the core interprets or rewrites. Options of every other
// operator are carried opaquely (RawBuiltinOptions) and written back unchanged.
// Field names, order and defaults follow the TFLite options tables.
#ifndef COMPRESSD_CORE_IR_BUILTIN_OPTIONS_H_
#define COMPRESSD_CORE_IR_BUILTIN_OPTIONS_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <variant>
#include <vector>

#include "core/ir/data_type.h"

namespace compressd::ir {

// Equality of float fields: == or both NaN, so that IR equality stays reflexive (a model holding a
// NaN read from a file equals itself and its write → read round trip).
inline bool SameFloat(float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); }
inline bool SameFloats(const std::vector<float>& a, const std::vector<float>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), SameFloat);
}

enum class Padding : int8_t { kSame = 0, kValid = 1 };

enum class Activation : int8_t {
  kNone = 0,
  kRelu = 1,
  kReluN1To1 = 2,
  kRelu6 = 3,
  kTanh = 4,
  kSignBit = 5,
};

struct Conv2DOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 0;
  int32_t stride_h = 0;
  Activation activation = Activation::kNone;
  int32_t dilation_w_factor = 1;
  int32_t dilation_h_factor = 1;
  DataType quantized_bias_type = DataType::kFloat32;
  bool operator==(const Conv2DOptions&) const = default;
};

struct DepthwiseConv2DOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 0;
  int32_t stride_h = 0;
  int32_t depth_multiplier = 0;
  Activation activation = Activation::kNone;
  int32_t dilation_w_factor = 1;
  int32_t dilation_h_factor = 1;
  bool operator==(const DepthwiseConv2DOptions&) const = default;
};

struct TransposeConvOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 0;
  int32_t stride_h = 0;
  Activation activation = Activation::kNone;
  DataType quantized_bias_type = DataType::kFloat32;
  bool operator==(const TransposeConvOptions&) const = default;
};

enum class FullyConnectedWeightsFormat : int8_t { kDefault = 0, kShuffled4x16Int8 = 1 };

struct FullyConnectedOptions {
  Activation activation = Activation::kNone;
  FullyConnectedWeightsFormat weights_format = FullyConnectedWeightsFormat::kDefault;
  bool keep_num_dims = false;
  bool asymmetric_quantize_inputs = false;
  DataType quantized_bias_type = DataType::kFloat32;
  bool operator==(const FullyConnectedOptions&) const = default;
};

struct Pool2DOptions {
  Padding padding = Padding::kSame;
  int32_t stride_w = 0;
  int32_t stride_h = 0;
  int32_t filter_width = 0;
  int32_t filter_height = 0;
  Activation activation = Activation::kNone;
  bool operator==(const Pool2DOptions&) const = default;
};

struct AddOptions {
  Activation activation = Activation::kNone;
  bool pot_scale_int16 = true;
  bool operator==(const AddOptions&) const = default;
};

struct SubOptions {
  Activation activation = Activation::kNone;
  bool pot_scale_int16 = true;
  bool operator==(const SubOptions&) const = default;
};

struct MulOptions {
  Activation activation = Activation::kNone;
  bool operator==(const MulOptions&) const = default;
};

struct DivOptions {
  Activation activation = Activation::kNone;
  bool operator==(const DivOptions&) const = default;
};

struct ConcatenationOptions {
  int32_t axis = 0;
  Activation activation = Activation::kNone;
  bool operator==(const ConcatenationOptions&) const = default;
};

struct L2NormOptions {
  Activation activation = Activation::kNone;
  bool operator==(const L2NormOptions&) const = default;
};

struct ReshapeOptions {
  std::vector<int32_t> new_shape;
  bool operator==(const ReshapeOptions&) const = default;
};

struct SoftmaxOptions {
  float beta = 0.0f;
  bool operator==(const SoftmaxOptions& o) const { return SameFloat(beta, o.beta); }
};

struct ResizeBilinearOptions {
  bool align_corners = false;
  bool half_pixel_centers = false;
  bool operator==(const ResizeBilinearOptions&) const = default;
};

struct ResizeNearestNeighborOptions {
  bool align_corners = false;
  bool half_pixel_centers = false;
  bool operator==(const ResizeNearestNeighborOptions&) const = default;
};

struct StridedSliceOptions {
  int32_t begin_mask = 0;
  int32_t end_mask = 0;
  int32_t ellipsis_mask = 0;
  int32_t new_axis_mask = 0;
  int32_t shrink_axis_mask = 0;
  bool offset = false;
  bool operator==(const StridedSliceOptions&) const = default;
};

struct SplitOptions {
  int32_t num_splits = 0;
  bool operator==(const SplitOptions&) const = default;
};

struct SplitVOptions {
  int32_t num_splits = 0;
  bool operator==(const SplitVOptions&) const = default;
};

struct PackOptions {
  int32_t values_count = 0;
  int32_t axis = 0;
  bool operator==(const PackOptions&) const = default;
};

struct UnpackOptions {
  int32_t num = 0;
  int32_t axis = 0;
  bool operator==(const UnpackOptions&) const = default;
};

struct GatherOptions {
  int32_t axis = 0;
  int32_t batch_dims = 0;
  bool operator==(const GatherOptions&) const = default;
};

// MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD, REDUCE_ANY.
struct ReducerOptions {
  bool keep_dims = false;
  bool operator==(const ReducerOptions&) const = default;
};

struct LeakyReluOptions {
  float alpha = 0.0f;
  bool operator==(const LeakyReluOptions& o) const { return SameFloat(alpha, o.alpha); }
};

struct SpaceToDepthOptions {
  int32_t block_size = 0;
  bool operator==(const SpaceToDepthOptions&) const = default;
};

struct DepthToSpaceOptions {
  int32_t block_size = 0;
  bool operator==(const DepthToSpaceOptions&) const = default;
};

struct BatchMatMulOptions {
  bool adj_x = false;
  bool adj_y = false;
  bool asymmetric_quantize_inputs = false;
  bool operator==(const BatchMatMulOptions&) const = default;
};

enum class MirrorPadMode : int8_t { kReflect = 0, kSymmetric = 1 };

struct MirrorPadOptions {
  MirrorPadMode mode = MirrorPadMode::kReflect;
  bool operator==(const MirrorPadOptions&) const = default;
};

struct SqueezeOptions {
  std::vector<int32_t> squeeze_dims;
  bool operator==(const SqueezeOptions&) const = default;
};

struct CastOptions {
  DataType in_data_type = DataType::kFloat32;
  DataType out_data_type = DataType::kFloat32;
  bool operator==(const CastOptions&) const = default;
};

// Options of any other builtin operator (including option tables without fields, such as
// PadOptions): the union type number and a standalone flatbuffer whose root is the options table.
// Only core/tflite reads or writes `table`; everything else treats it as opaque bytes.
struct RawBuiltinOptions {
  uint8_t union_type = 0;
  std::vector<uint8_t> table;
  bool operator==(const RawBuiltinOptions&) const = default;
};

// std::monostate means the operator has no builtin options (union type NONE).
using BuiltinOptions =
    std::variant<std::monostate, Conv2DOptions, DepthwiseConv2DOptions, TransposeConvOptions,
                 FullyConnectedOptions, Pool2DOptions, AddOptions, SubOptions, MulOptions,
                 DivOptions, ConcatenationOptions, L2NormOptions, ReshapeOptions, SoftmaxOptions,
                 ResizeBilinearOptions, ResizeNearestNeighborOptions, StridedSliceOptions,
                 SplitOptions, SplitVOptions, PackOptions, UnpackOptions, GatherOptions,
                 ReducerOptions, LeakyReluOptions, SpaceToDepthOptions, DepthToSpaceOptions,
                 BatchMatMulOptions, MirrorPadOptions, SqueezeOptions, CastOptions,
                 RawBuiltinOptions>;

}  // namespace compressd::ir

#endif  // COMPRESSD_CORE_IR_BUILTIN_OPTIONS_H_
