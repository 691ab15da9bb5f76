// TensorData: a small owned tensor value (type, static shape, bytes) used for model inputs and
// outputs loaded from or written to files (.npy, raw, images).
//
// Layout contract: `bytes` holds NumElements() elements of `type` in C (row-major) order, each in
// little-endian byte order, so bytes.size() == NumElements() * DataTypeSize(type). The loaders in
// core/data/ establish this invariant; code that builds a TensorData by hand should check it with
// CheckTensorData. A TensorData is a plain value: copyable, movable, not shared.
#ifndef COMPRESSD_CORE_DATA_TENSOR_DATA_H_
#define COMPRESSD_CORE_DATA_TENSOR_DATA_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/ir/data_type.h"

namespace compressd::data {

struct TensorData {
  ir::DataType type = ir::DataType::kFloat32;
  std::vector<int32_t> shape;  // empty = scalar (one element)
  std::vector<uint8_t> bytes;

  // Product of the dimensions (1 for a scalar); 0 for an invalid shape (a negative dimension or a
  // product that overflows int64), which the loaders never produce.
  int64_t NumElements() const;

  // The elements as T. Precondition: sizeof(T) == DataTypeSize(type) and T matches the type
  // (float for kFloat32, int8_t for kInt8, uint16_t for the raw bits of kFloat16, ...). Returns
  // an empty span when the element size does not match, never a span past the bytes. The byte
  // vector's storage comes from operator new and is suitably aligned for any T used here.
  template <typename T>
  std::span<const T> values() const {
    if (static_cast<size_t>(ir::DataTypeSize(type)) != sizeof(T)) return {};
    return std::span<const T>(reinterpret_cast<const T*>(bytes.data()), bytes.size() / sizeof(T));
  }
  template <typename T>
  std::span<T> mutable_values() {
    if (static_cast<size_t>(ir::DataTypeSize(type)) != sizeof(T)) return {};
    return std::span<T>(reinterpret_cast<T*>(bytes.data()), bytes.size() / sizeof(T));
  }

  bool operator==(const TensorData&) const = default;
};

// Number of elements of `shape`, or nullopt when a dimension is negative or the product (or the
// product times `element_size`, when given > 0) does not fit in int64.
std::optional<int64_t> CheckedNumElements(std::span<const int32_t> shape, int64_t element_size = 0);

// product(shape) * element_size in bytes (element_size > 0), or nullopt as above.
std::optional<int64_t> CheckedByteSize(std::span<const int32_t> shape, int64_t element_size);

// A zero-filled tensor. The type must have a fixed element size and the shape must be valid
// (InvalidArgument / Unimplemented otherwise).
absl::StatusOr<TensorData> ZeroTensor(ir::DataType type, std::span<const int32_t> shape);

// OK when `t` satisfies the layout contract above (fixed-size type, valid shape, exact size).
absl::Status CheckTensorData(const TensorData& t);

// "[1,224,224,3]"; "[]" for a scalar. Used in error messages.
std::string FormatShape(std::span<const int32_t> shape);

}  // namespace compressd::data

#endif  // COMPRESSD_CORE_DATA_TENSOR_DATA_H_
