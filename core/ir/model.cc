#include "core/ir/model.h"

#include <algorithm>
#include <utility>

namespace compressd::ir {

BuiltinOp EffectiveBuiltinCode(const OperatorCode& code) {
  return static_cast<BuiltinOp>(
      std::max(static_cast<int32_t>(code.builtin_code),
               static_cast<int32_t>(code.deprecated_builtin_code)));
}

bool Buffer::operator==(const Buffer& other) const {
  const auto a = bytes();
  const auto b = other.bytes();
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

uint32_t Model::GetOrAddOperatorCode(const OperatorCode& code) {
  for (size_t i = 0; i < operator_codes.size(); ++i) {
    if (operator_codes[i] == code) return static_cast<uint32_t>(i);
  }
  operator_codes.push_back(code);
  return static_cast<uint32_t>(operator_codes.size() - 1);
}

uint32_t Model::AddBuffer(std::vector<uint8_t> bytes) {
  buffers.push_back(Buffer{std::make_shared<const std::vector<uint8_t>>(std::move(bytes))});
  return static_cast<uint32_t>(buffers.size() - 1);
}

int64_t NumElements(std::span<const int32_t> shape) {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

}  // namespace compressd::ir
