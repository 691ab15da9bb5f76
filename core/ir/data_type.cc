#include "core/ir/data_type.h"

#include <array>
#include <string>

#include "absl/strings/str_cat.h"

namespace compressd::ir {
namespace {

struct TypeInfo {
  std::string_view name;
  int size;
};

constexpr std::array<TypeInfo, kMaxDataTypeValue + 1> kTypes = {{
    {"float32", 4},  {"float16", 2}, {"int32", 4},    {"uint8", 1},     {"int64", 8},
    {"string", 0},   {"bool", 1},    {"int16", 2},    {"complex64", 8}, {"int8", 1},
    {"float64", 8},  {"complex128", 16}, {"uint64", 8}, {"resource", 0}, {"variant", 0},
    {"uint32", 4},   {"uint16", 2},  {"int4", 0},     {"bfloat16", 2},
}};

}  // namespace

bool IsKnownDataType(int value) { return value >= 0 && value <= kMaxDataTypeValue; }

const char* DataTypeName(DataType type) {
  const int v = static_cast<int>(type);
  return IsKnownDataType(v) ? kTypes[v].name.data() : "unknown";
}

absl::StatusOr<DataType> ParseDataType(std::string_view name) {
  for (int v = 0; v <= kMaxDataTypeValue; ++v) {
    if (kTypes[v].name == name) return static_cast<DataType>(v);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown data type '", std::string(name), "'"));
}

int DataTypeSize(DataType type) {
  const int v = static_cast<int>(type);
  return IsKnownDataType(v) ? kTypes[v].size : 0;
}

}  // namespace compressd::ir
