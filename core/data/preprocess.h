// Turning a decoded image into a model input tensor.
//
// Steps, in this order:
//   1. Resize the 8-bit RGB image to the input's H x W (aspect ratio is not preserved) with
//      bilinear interpolation and half-pixel centers, exactly TFLite's RESIZE_BILINEAR with
//      half_pixel_centers=true, align_corners=false: for output column x,
//        src = (x + 0.5) * in_w / out_w - 0.5,  x0 = max(floor(src), 0),
//        x1 = min(ceil(src), in_w - 1),  f = src - floor(src),
//        value = (1 - f) * p[x0] + f * p[x1]   (separably in y). No antialiasing when shrinking.
//      The result stays float (no rounding to 8 bits). Same size = exact copy.
//   2. Channels: C = 3 keeps RGB, or swaps to BGR with order=bgr; C = 1 takes the ITU-R BT.601
//      luma Y = 0.299 R + 0.587 G + 0.114 B.
//   3. Values v in [0, 255] map per range: 0_1 → v / 255, -1_1 → v / 127.5 - 1, 0_255 → v, or
//      mean/std → (v - mean[c]) / std[c], c being the channel index of the MODEL's order (give
//      BGR means for a BGR model). A 1-channel input uses mean[0]/std[0] (all three must agree).
//   4. Output element type from the input: float32 as is; uint8/int8 quantized with the input's
//      per-tensor scale and zero point: q = clamp(round(real / scale) + zero_point), round half
//      away from zero (as TFLite's QUANTIZE).
// Output shape: [1, H, W, C] (layout=nhwc, the default) or [1, C, H, W] (layout=nchw), C = 1 or 3,
// taken from the input's shape, which must be rank 4 with batch 1 and H * W at most
// kMaxModelInputPixels (the model file is untrusted too; this bounds the float buffers).
//
// String form (command line, e.g. `--preprocess "mean=127.5;std=127.5;order=bgr"`):
//   spec  := "" | item { sep item }        sep := "," | ";"      (spaces around tokens ignored)
//   item  := key "=" value | number        (a bare number continues the previous key's list)
//   key   := range | order | layout | mean | std        (case-insensitive; each at most once)
//   range  = 0_1 | -1_1 | 0_255   (alias key: scale)                      default 0_1
//   order  = rgb | bgr                                                    default rgb
//   layout = nhwc | nchw                                                  default nhwc
//   mean   = M | M0,M1,M2  and/or  std = S | S0,S1,S2   (pixel units, 0..255; std > 0)
//            select the mean/std mapping (missing mean = 0, missing std = 1); not with range.
// Examples: "" (= "range=0_1"), "scale=0_1,order=rgb", "range=-1_1",
//           "mean=127.5,127.5,127.5;std=127.5,127.5,127.5", "mean=123.68,116.78,103.94,std=58.4".
#ifndef COMPRESSD_CORE_DATA_PREPROCESS_H_
#define COMPRESSD_CORE_DATA_PREPROCESS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/data/image.h"
#include "core/data/input_spec.h"
#include "core/data/tensor_data.h"

namespace compressd::data {

inline constexpr int64_t kMaxModelInputPixels = int64_t{1} << 24;  // 4096 x 4096

enum class ValueRange { kZeroToOne, kMinusOneToOne, kZeroTo255, kMeanStd };
enum class ChannelOrder { kRgb, kBgr };
enum class TensorLayout { kNhwc, kNchw };

struct PreprocessSpec {
  ValueRange range = ValueRange::kZeroToOne;
  ChannelOrder order = ChannelOrder::kRgb;
  TensorLayout layout = TensorLayout::kNhwc;
  std::array<float, 3> mean = {0.0f, 0.0f, 0.0f};  // kMeanStd only, model channel order
  std::array<float, 3> std = {1.0f, 1.0f, 1.0f};   // kMeanStd only, all > 0

  bool operator==(const PreprocessSpec&) const = default;
};

// Parses the string form above. INVALID_ARGUMENT naming the offending token.
absl::StatusOr<PreprocessSpec> ParsePreprocessSpec(absl::string_view text);

// Canonical string form, e.g. "range=0_1;order=rgb;layout=nhwc"; ParsePreprocessSpec of it yields
// the same spec (floats printed with enough digits to round-trip).
std::string PreprocessSpecToString(const PreprocessSpec& spec);

// Step 1: resizes to out_width x out_height; returns out_height * out_width * 3 floats (row-major,
// interleaved RGB, values in [0, 255]). Preconditions: image non-empty, out sizes > 0.
std::vector<float> ResizeBilinear(const Image& image, int out_width, int out_height);

// Steps 1-4 for one model input. INVALID_ARGUMENT when the input's shape is not an image shape for
// spec.layout, or its quantization is unusable (scale <= 0, zero point out of range);
// RESOURCE_EXHAUSTED beyond kMaxModelInputPixels; UNIMPLEMENTED for element types other than
// float32, uint8, int8. Messages name the input.
absl::StatusOr<TensorData> ImageToTensor(const Image& image, const InputSpec& input,
                                         const PreprocessSpec& spec);

}  // namespace compressd::data

#endif  // COMPRESSD_CORE_DATA_PREPROCESS_H_
