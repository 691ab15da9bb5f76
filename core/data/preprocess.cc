#include "core/data/preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/base/status_macros.h"

namespace compressd::data {
namespace {

using ir::DataType;

absl::Status SpecError(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("preprocessing spec: ", what));
}

// One axis of the resize: for each output index, the two source indices and the weight of the
// second one.
struct AxisWeights {
  std::vector<int> lo, hi;
  std::vector<float> frac;
};

AxisWeights ComputeAxis(int in_size, int out_size) {
  AxisWeights w;
  w.lo.resize(out_size);
  w.hi.resize(out_size);
  w.frac.resize(out_size);
  const float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  for (int i = 0; i < out_size; ++i) {
    const float src = (static_cast<float>(i) + 0.5f) * scale - 0.5f;
    const float fl = std::floor(src);
    w.lo[i] = std::clamp(static_cast<int>(fl), 0, in_size - 1);
    w.hi[i] = std::min(static_cast<int>(std::ceil(src)), in_size - 1);
    w.frac[i] = src - fl;
  }
  return w;
}

struct ImageShape {
  int height, width, channels;
};

absl::StatusOr<ImageShape> ImageShapeOf(const InputSpec& input, TensorLayout layout) {
  const std::vector<int32_t>& s = input.shape;
  const bool nhwc = layout == TensorLayout::kNhwc;
  auto bad = [&]() {
    return absl::InvalidArgumentError(absl::StrCat(
        "input '", input.name, "' has shape ", FormatShape(s), ", which is not an image shape ",
        nhwc ? "[1,H,W,C] (layout=nhwc)" : "[1,C,H,W] (layout=nchw)", " with C = 1 or 3"));
  };
  if (s.size() != 4 || s[0] != 1) return bad();
  ImageShape shape = nhwc ? ImageShape{s[1], s[2], s[3]} : ImageShape{s[2], s[3], s[1]};
  if (shape.channels != 1 && shape.channels != 3) return bad();
  if (shape.height <= 0 || shape.width <= 0) return bad();
  if (int64_t{shape.height} * shape.width > kMaxModelInputPixels) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "input '", input.name, "' is ", shape.width, "x", shape.height,
        " pixels, more than the limit of ", kMaxModelInputPixels, " for image inputs"));
  }
  return shape;
}

template <typename T>
void QuantizeInto(std::span<const float> real, float scale, int32_t zero_point, std::span<T> out) {
  constexpr float kMin = static_cast<float>(std::numeric_limits<T>::min());
  constexpr float kMax = static_cast<float>(std::numeric_limits<T>::max());
  for (size_t i = 0; i < real.size(); ++i) {
    const float q = std::round(real[i] / scale) + static_cast<float>(zero_point);
    out[i] = static_cast<T>(std::clamp(q, kMin, kMax));
  }
}

std::string FormatFloat(float v) { return absl::StrFormat("%.9g", v); }

absl::Status ParseFloatList(const std::string& key, const std::vector<std::string>& values,
                            bool positive, std::array<float, 3>* out) {
  if (values.size() != 1 && values.size() != 3) {
    return SpecError(absl::StrCat(key, " needs 1 or 3 values, got ", values.size()));
  }
  std::array<float, 3> parsed{};
  for (size_t i = 0; i < values.size(); ++i) {
    float v = 0;
    if (!absl::SimpleAtof(values[i], &v) || !std::isfinite(v)) {
      return SpecError(absl::StrCat(key, " value '", values[i], "' is not a finite number"));
    }
    if (positive && !(v > 0)) {
      return SpecError(absl::StrCat(key, " value ", values[i], " must be > 0"));
    }
    parsed[i] = v;
  }
  if (values.size() == 1) parsed[1] = parsed[2] = parsed[0];
  *out = parsed;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PreprocessSpec> ParsePreprocessSpec(absl::string_view text) {
  // Group tokens into key -> values; a token without '=' extends the previous key's values.
  std::vector<std::pair<std::string, std::vector<std::string>>> items;
  for (absl::string_view raw : absl::StrSplit(text, absl::ByAnyChar(",;"))) {
    const std::string token(absl::StripAsciiWhitespace(raw));
    if (token.empty()) continue;
    const size_t eq = token.find('=');
    if (eq == std::string::npos) {
      if (items.empty()) return SpecError(absl::StrCat("'", token, "' is not key=value"));
      items.back().second.push_back(token);
      continue;
    }
    std::string key = absl::AsciiStrToLower(absl::StripAsciiWhitespace(token.substr(0, eq)));
    if (key == "scale") key = "range";
    const std::string value(absl::StripAsciiWhitespace(token.substr(eq + 1)));
    if (value.empty()) return SpecError(absl::StrCat("'", token, "' has no value"));
    for (const auto& item : items) {
      if (item.first == key) return SpecError(absl::StrCat("key '", key, "' given twice"));
    }
    items.push_back({key, {value}});
  }

  PreprocessSpec spec;
  bool have_range = false, have_mean_std = false;
  for (const auto& [key, values] : items) {
    const bool list_key = key == "mean" || key == "std";
    if (!list_key && values.size() != 1) {
      return SpecError(
          absl::StrCat("key '", key, "' takes one value, got '", absl::StrJoin(values, ","), "'"));
    }
    const std::string v = absl::AsciiStrToLower(values[0]);
    if (key == "range") {
      have_range = true;
      if (v == "0_1") {
        spec.range = ValueRange::kZeroToOne;
      } else if (v == "-1_1") {
        spec.range = ValueRange::kMinusOneToOne;
      } else if (v == "0_255") {
        spec.range = ValueRange::kZeroTo255;
      } else {
        return SpecError(absl::StrCat("range '", values[0], "' is not 0_1, -1_1 or 0_255"));
      }
    } else if (key == "order") {
      if (v == "rgb") {
        spec.order = ChannelOrder::kRgb;
      } else if (v == "bgr") {
        spec.order = ChannelOrder::kBgr;
      } else {
        return SpecError(absl::StrCat("order '", values[0], "' is not rgb or bgr"));
      }
    } else if (key == "layout") {
      if (v == "nhwc") {
        spec.layout = TensorLayout::kNhwc;
      } else if (v == "nchw") {
        spec.layout = TensorLayout::kNchw;
      } else {
        return SpecError(absl::StrCat("layout '", values[0], "' is not nhwc or nchw"));
      }
    } else if (key == "mean") {
      have_mean_std = true;
      RETURN_IF_ERROR(ParseFloatList("mean", values, /*positive=*/false, &spec.mean));
    } else if (key == "std") {
      have_mean_std = true;
      RETURN_IF_ERROR(ParseFloatList("std", values, /*positive=*/true, &spec.std));
    } else {
      return SpecError(absl::StrCat("unknown key '", key,
                                    "' (known: range (or scale), order, layout, mean, std)"));
    }
  }
  if (have_range && have_mean_std) {
    return SpecError("range and mean/std are alternatives; give one or the other");
  }
  if (have_mean_std) spec.range = ValueRange::kMeanStd;
  return spec;
}

std::string PreprocessSpecToString(const PreprocessSpec& spec) {
  std::string out;
  switch (spec.range) {
    case ValueRange::kZeroToOne: out = "range=0_1"; break;
    case ValueRange::kMinusOneToOne: out = "range=-1_1"; break;
    case ValueRange::kZeroTo255: out = "range=0_255"; break;
    case ValueRange::kMeanStd:
      out = absl::StrCat(
          "mean=",
          absl::StrJoin(spec.mean, ",", [](std::string* o, float v) { o->append(FormatFloat(v)); }),
          ";std=",
          absl::StrJoin(spec.std, ",", [](std::string* o, float v) { o->append(FormatFloat(v)); }));
      break;
  }
  absl::StrAppend(&out, ";order=", spec.order == ChannelOrder::kRgb ? "rgb" : "bgr");
  absl::StrAppend(&out, ";layout=", spec.layout == TensorLayout::kNhwc ? "nhwc" : "nchw");
  return out;
}

std::vector<float> ResizeBilinear(const Image& image, int out_width, int out_height) {
  const size_t out_count = static_cast<size_t>(out_width) * out_height * 3;
  std::vector<float> out(out_count);
  if (out_width == image.width && out_height == image.height) {
    for (size_t i = 0; i < out_count; ++i) out[i] = image.pixels[i];
    return out;
  }
  const AxisWeights xs = ComputeAxis(image.width, out_width);
  const AxisWeights ys = ComputeAxis(image.height, out_height);
  const size_t in_stride = static_cast<size_t>(image.width) * 3;
  for (int y = 0; y < out_height; ++y) {
    const uint8_t* row0 = image.pixels.data() + ys.lo[y] * in_stride;
    const uint8_t* row1 = image.pixels.data() + ys.hi[y] * in_stride;
    const float fy = ys.frac[y];
    float* dst = out.data() + static_cast<size_t>(y) * out_width * 3;
    for (int x = 0; x < out_width; ++x) {
      const size_t x0 = static_cast<size_t>(xs.lo[x]) * 3, x1 = static_cast<size_t>(xs.hi[x]) * 3;
      const float fx = xs.frac[x];
      for (int c = 0; c < 3; ++c) {
        const float top = row0[x0 + c] * (1.0f - fx) + row0[x1 + c] * fx;
        const float bottom = row1[x0 + c] * (1.0f - fx) + row1[x1 + c] * fx;
        dst[x * 3 + c] = top * (1.0f - fy) + bottom * fy;
      }
    }
  }
  return out;
}

absl::StatusOr<TensorData> ImageToTensor(const Image& image, const InputSpec& input,
                                         const PreprocessSpec& spec) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3) {
    return absl::InvalidArgumentError(absl::StrCat("image of ", image.width, "x", image.height,
                                                   " has ", image.pixels.size(),
                                                   " bytes, not width * height * 3"));
  }
  if (input.type != DataType::kFloat32 && input.type != DataType::kUInt8 &&
      input.type != DataType::kInt8) {
    return absl::UnimplementedError(
        absl::StrCat("input '", input.name, "' is ", ir::DataTypeName(input.type),
                     "; images can only feed float32, uint8 or int8 inputs"));
  }
  const bool quantized = input.type != DataType::kFloat32;
  if (quantized) {
    const int32_t lo = input.type == DataType::kInt8 ? -128 : 0;
    const int32_t hi = input.type == DataType::kInt8 ? 127 : 255;
    if (!(input.scale > 0) || !std::isfinite(input.scale) || input.zero_point < lo ||
        input.zero_point > hi) {
      return absl::InvalidArgumentError(absl::StrCat(
          "input '", input.name, "' (", ir::DataTypeName(input.type),
          ") needs a per-tensor quantization with scale > 0 and zero point in [", lo, ", ", hi,
          "], has scale ", input.scale, " and zero point ", input.zero_point));
    }
  }
  ASSIGN_OR_RETURN(const ImageShape shape, ImageShapeOf(input, spec.layout));
  if (shape.channels == 1 && spec.range == ValueRange::kMeanStd &&
      (spec.mean[0] != spec.mean[1] || spec.mean[0] != spec.mean[2] || spec.std[0] != spec.std[1] ||
       spec.std[0] != spec.std[2])) {
    return absl::InvalidArgumentError(
        absl::StrCat("input '", input.name,
                     "' has 1 channel but the preprocessing mean/std differ per channel"));
  }

  const std::vector<float> rgb = ResizeBilinear(image, shape.width, shape.height);
  const size_t pixels = static_cast<size_t>(shape.width) * shape.height;
  const int channels = shape.channels;
  auto map = [&spec](float v, int c) -> float {
    switch (spec.range) {
      case ValueRange::kZeroToOne: return v / 255.0f;
      case ValueRange::kMinusOneToOne: return v / 127.5f - 1.0f;
      case ValueRange::kZeroTo255: return v;
      case ValueRange::kMeanStd: return (v - spec.mean[c]) / spec.std[c];
    }
    return v;
  };

  std::vector<float> real(pixels * channels);
  const bool nhwc = spec.layout == TensorLayout::kNhwc;
  for (size_t p = 0; p < pixels; ++p) {
    const float r = rgb[p * 3], g = rgb[p * 3 + 1], b = rgb[p * 3 + 2];
    for (int c = 0; c < channels; ++c) {
      float v;
      if (channels == 1) {
        v = 0.299f * r + 0.587f * g + 0.114f * b;
      } else if (spec.order == ChannelOrder::kRgb) {
        v = rgb[p * 3 + c];
      } else {
        v = rgb[p * 3 + (2 - c)];
      }
      const size_t index = nhwc ? p * channels + c : static_cast<size_t>(c) * pixels + p;
      real[index] = map(v, c);
    }
  }

  TensorData t;
  t.type = input.type;
  t.shape = input.shape;
  t.bytes.resize(real.size() * ir::DataTypeSize(input.type));
  switch (input.type) {
    case DataType::kFloat32:
      std::copy(real.begin(), real.end(), t.mutable_values<float>().begin());
      break;
    case DataType::kUInt8:
      QuantizeInto<uint8_t>(real, input.scale, input.zero_point, t.mutable_values<uint8_t>());
      break;
    default:
      QuantizeInto<int8_t>(real, input.scale, input.zero_point, t.mutable_values<int8_t>());
      break;
  }
  return t;
}

}  // namespace compressd::data
