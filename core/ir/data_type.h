// Element types of tensors. Values mirror the TFLite TensorType enum so that conversion is a cast,
// but nothing here depends on the flatbuffer schema.
#ifndef COMPRESSD_CORE_IR_DATA_TYPE_H_
#define COMPRESSD_CORE_IR_DATA_TYPE_H_

#include <cstdint>
#include <string_view>  // ParseDataType

#include "absl/status/statusor.h"

namespace compressd::ir {

enum class DataType : int8_t {
  kFloat32 = 0,
  kFloat16 = 1,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kString = 5,
  kBool = 6,
  kInt16 = 7,
  kComplex64 = 8,
  kInt8 = 9,
  kFloat64 = 10,
  kComplex128 = 11,
  kUInt64 = 12,
  kResource = 13,
  kVariant = 14,
  kUInt32 = 15,
  kUInt16 = 16,
  kInt4 = 17,
  kBFloat16 = 18,
};

inline constexpr int kMaxDataTypeValue = 18;

// Lower-case name as TFLite tools print it ("float32", "int8", ...); "unknown(N)" is never
// returned: callers pass only validated values (IsKnownDataType).
const char* DataTypeName(DataType type);

// Parses a name produced by DataTypeName.
absl::StatusOr<DataType> ParseDataType(std::string_view name);

bool IsKnownDataType(int value);

// Bytes per element for fixed-size types; 0 for types without a fixed element size
// (string, resource, variant) and for sub-byte int4 (see PackedByteSize).
int DataTypeSize(DataType type);

}  // namespace compressd::ir

#endif  // COMPRESSD_CORE_IR_DATA_TYPE_H_
