#include "core/data/tensor_data.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace compressd::data {

int64_t TensorData::NumElements() const { return CheckedNumElements(shape).value_or(0); }

std::optional<int64_t> CheckedNumElements(std::span<const int32_t> shape, int64_t element_size) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t n = 1;
  for (int32_t d : shape) {
    if (d < 0) return std::nullopt;
    if (d != 0 && n > kMax / d) return std::nullopt;
    n *= d;
  }
  if (element_size > 0 && n > kMax / element_size) return std::nullopt;
  return n;
}

std::optional<int64_t> CheckedByteSize(std::span<const int32_t> shape, int64_t element_size) {
  std::optional<int64_t> n = CheckedNumElements(shape, element_size);
  if (!n) return std::nullopt;
  return *n * element_size;
}

absl::StatusOr<TensorData> ZeroTensor(ir::DataType type, std::span<const int32_t> shape) {
  const int size = ir::DataTypeSize(type);
  if (size <= 0) {
    return absl::UnimplementedError(
        absl::StrCat("tensors of type ", ir::DataTypeName(type), " have no fixed element size"));
  }
  std::optional<int64_t> n = CheckedNumElements(shape, size);
  if (!n) return absl::InvalidArgumentError(absl::StrCat("invalid shape ", FormatShape(shape)));
  TensorData t;
  t.type = type;
  t.shape.assign(shape.begin(), shape.end());
  t.bytes.assign(static_cast<size_t>(*n * size), 0);
  return t;
}

absl::Status CheckTensorData(const TensorData& t) {
  const int size = ir::DataTypeSize(t.type);
  if (size <= 0) {
    return absl::UnimplementedError(
        absl::StrCat("tensors of type ", ir::DataTypeName(t.type), " have no fixed element size"));
  }
  std::optional<int64_t> n = CheckedNumElements(t.shape, size);
  if (!n) return absl::InvalidArgumentError(absl::StrCat("invalid shape ", FormatShape(t.shape)));
  if (static_cast<uint64_t>(*n) * size != t.bytes.size()) {
    return absl::InvalidArgumentError(absl::StrCat(ir::DataTypeName(t.type), " tensor of shape ",
                                                   FormatShape(t.shape), " needs ", *n * size,
                                                   " bytes, has ", t.bytes.size()));
  }
  return absl::OkStatus();
}

std::string FormatShape(std::span<const int32_t> shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ","), "]");
}

}  // namespace compressd::data
