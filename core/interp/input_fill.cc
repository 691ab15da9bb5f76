#include "core/interp/input_fill.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace compressd::interp {
namespace {

template <typename T>
void FillInts(std::span<uint8_t> bytes) {
  const size_t n = bytes.size() / sizeof(T);
  for (size_t k = 0; k < n; ++k) {
    const int64_t v = static_cast<int64_t>(k % 255) - 128;
    const T t = static_cast<T>(v);  // modular, like a JS typed-array store
    std::memcpy(bytes.data() + k * sizeof(T), &t, sizeof(T));
  }
}

}  // namespace

absl::Status FillDeterministic(ir::DataType type, std::span<uint8_t> bytes) {
  switch (type) {
    case ir::DataType::kFloat32: {
      const size_t n = bytes.size() / 4;
      for (size_t k = 0; k < n; ++k) {
        const float v = static_cast<float>(std::sin(0.01 * static_cast<double>(k)));
        std::memcpy(bytes.data() + 4 * k, &v, 4);
      }
      return absl::OkStatus();
    }
    case ir::DataType::kFloat64: {
      const size_t n = bytes.size() / 8;
      for (size_t k = 0; k < n; ++k) {
        const double v = std::sin(0.01 * static_cast<double>(k));
        std::memcpy(bytes.data() + 8 * k, &v, 8);
      }
      return absl::OkStatus();
    }
    case ir::DataType::kInt8: FillInts<int8_t>(bytes); return absl::OkStatus();
    case ir::DataType::kUInt8: FillInts<uint8_t>(bytes); return absl::OkStatus();
    case ir::DataType::kInt16: FillInts<int16_t>(bytes); return absl::OkStatus();
    case ir::DataType::kInt32: FillInts<int32_t>(bytes); return absl::OkStatus();
    case ir::DataType::kInt64: FillInts<int64_t>(bytes); return absl::OkStatus();
    default:
      return absl::UnimplementedError(absl::StrCat("no deterministic fill for ",
                                                   ir::DataTypeName(type), " inputs"));
  }
}

}  // namespace compressd::interp
