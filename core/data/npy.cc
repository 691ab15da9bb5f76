#include "core/data/npy.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/base/file_io.h"
#include "core/base/status_macros.h"

namespace compressd::data {
namespace {

static_assert(std::endian::native == std::endian::little,
              "TensorData is little-endian; big-endian hosts would need byte swapping here");

using ir::DataType;

constexpr uint8_t kMagic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr size_t kMagicSize = sizeof(kMagic);

struct DtypeEntry {
  char kind;  // 'f', 'i', 'u', 'b'
  int size;
  DataType type;
};

constexpr DtypeEntry kDtypes[] = {
    {'f', 2, DataType::kFloat16}, {'f', 4, DataType::kFloat32}, {'f', 8, DataType::kFloat64},
    {'i', 1, DataType::kInt8},    {'i', 2, DataType::kInt16},   {'i', 4, DataType::kInt32},
    {'i', 8, DataType::kInt64},   {'u', 1, DataType::kUInt8},   {'u', 2, DataType::kUInt16},
    {'u', 4, DataType::kUInt32},  {'u', 8, DataType::kUInt64},  {'b', 1, DataType::kBool},
};

absl::Status Invalid(const std::string& name, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(name, ": ", what));
}

// A printable, bounded excerpt of header text for messages.
std::string Excerpt(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (s.size() > 40) out += "...";
  return out;
}

// Recursive-descent parser for the header dict: the subset of Python literals NumPy writes.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& name) : s_(text), name_(name) {}

  absl::Status Parse(std::string* descr, bool* fortran_order, std::vector<int32_t>* shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    SkipSpace();
    if (!Consume('{')) return Error("header does not start with '{'");
    while (true) {
      SkipSpace();
      if (Consume('}')) break;
      std::string key;
      RETURN_IF_ERROR(ParseString(&key));
      SkipSpace();
      if (!Consume(':')) return Error(absl::StrCat("expected ':' after key '", key, "'"));
      SkipSpace();
      if (key == "descr") {
        if (have_descr) return Error("duplicate key 'descr'");
        have_descr = true;
        if (Peek() == '[' || Peek() == '{') {
          return absl::UnimplementedError(absl::StrCat(
              name_, ": structured dtypes are not supported (descr is a list or dict)"));
        }
        RETURN_IF_ERROR(ParseString(descr));
      } else if (key == "fortran_order") {
        if (have_fortran) return Error("duplicate key 'fortran_order'");
        have_fortran = true;
        RETURN_IF_ERROR(ParseBool(fortran_order));
      } else if (key == "shape") {
        if (have_shape) return Error("duplicate key 'shape'");
        have_shape = true;
        RETURN_IF_ERROR(ParseShape(shape));
      } else {
        return Error(absl::StrCat("unexpected key '", Excerpt(key),
                                  "' (expected 'descr', 'fortran_order', 'shape')"));
      }
      SkipSpace();
      if (Consume(',')) continue;
      if (Consume('}')) break;
      return Error("expected ',' or '}' after a value");
    }
    SkipSpace();
    if (pos_ != s_.size()) return Error("unexpected text after the closing '}'");
    if (!have_descr) return Error("missing key 'descr'");
    if (!have_fortran) return Error("missing key 'fortran_order'");
    if (!have_shape) return Error("missing key 'shape'");
    return absl::OkStatus();
  }

 private:
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool Consume(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(name_, ": malformed .npy header: ", what,
                                                   " at offset ", pos_, " near '",
                                                   Excerpt(s_.substr(pos_)), "'"));
  }

  absl::Status ParseString(std::string* out) {
    const char quote = Peek();
    if (quote != '\'' && quote != '"') return Error("expected a quoted string");
    ++pos_;
    const size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\') return Error("escape sequences in strings are not supported");
      if (s_[pos_] == '\n') return Error("unterminated string");
      ++pos_;
    }
    if (pos_ >= s_.size()) return Error("unterminated string");
    out->assign(s_.substr(start, pos_ - start));
    ++pos_;  // closing quote
    return absl::OkStatus();
  }

  bool ConsumeWord(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    const size_t end = pos_ + word.size();
    if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_')) {
      return false;
    }
    pos_ = end;
    return true;
  }

  absl::Status ParseBool(bool* out) {
    if (ConsumeWord("True")) {
      *out = true;
    } else if (ConsumeWord("False")) {
      *out = false;
    } else {
      return Error("expected True or False");
    }
    return absl::OkStatus();
  }

  // A non-negative integer literal (optionally with a Python 2 'L' suffix) that fits in int32.
  absl::Status ParseDim(int32_t* out) {
    if (Peek() == '-') return Error("negative dimension");
    if (Peek() == '+') ++pos_;
    if (!std::isdigit(static_cast<unsigned char>(Peek()))) return Error("expected a dimension");
    int64_t v = 0;
    while (std::isdigit(static_cast<unsigned char>(Peek()))) {
      v = v * 10 + (s_[pos_] - '0');
      if (v > std::numeric_limits<int32_t>::max()) {
        return Error("dimension larger than 2147483647");
      }
      ++pos_;
    }
    if (Peek() == 'L' || Peek() == 'l') ++pos_;
    *out = static_cast<int32_t>(v);
    return absl::OkStatus();
  }

  // A tuple of dimensions: (), (3,), (1, 2), (1, 2,). Note that "(3)" is the integer 3 in Python,
  // not a tuple, and is rejected as NumPy would.
  absl::Status ParseShape(std::vector<int32_t>* shape) {
    constexpr size_t kMaxRank = 64;  // NumPy 2's NPY_MAXDIMS
    if (!Consume('(')) return Error("shape is not a tuple");
    shape->clear();
    SkipSpace();
    if (Consume(')')) return absl::OkStatus();
    bool saw_comma = false;
    while (true) {
      int32_t d = 0;
      RETURN_IF_ERROR(ParseDim(&d));
      if (shape->size() >= kMaxRank) return Error("shape has more than 64 dimensions");
      shape->push_back(d);
      SkipSpace();
      if (Consume(',')) {
        saw_comma = true;
        SkipSpace();
        if (Consume(')')) break;
        continue;
      }
      if (Consume(')')) break;
      return Error("expected ',' or ')' in the shape tuple");
    }
    if (!saw_comma) return Error("shape '(N)' is an integer, not a tuple (write '(N,)')");
    return absl::OkStatus();
  }

  std::string_view s_;
  const std::string& name_;
  size_t pos_ = 0;
};

// Maps a descr string to a type; sets *big_endian.
absl::Status ParseDescr(const std::string& descr, const std::string& name, DataType* type,
                        bool* big_endian) {
  auto unsupported = [&]() {
    return absl::UnimplementedError(absl::StrCat(
        name, ": unsupported dtype '", Excerpt(descr),
        "' (supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1 with byte order '<', '>' or '|')"));
  };
  if (descr.size() < 3) return unsupported();
  const char order = descr[0];
  if (order == '=') {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": dtype '", descr,
        "' uses native byte order '=', which does not say which order the data is in"));
  }
  if (order != '<' && order != '>' && order != '|') return unsupported();
  const std::string_view size_text = std::string_view(descr).substr(2);
  if (size_text.size() != 1 || !std::isdigit(static_cast<unsigned char>(size_text[0]))) {
    return unsupported();
  }
  const int size = size_text[0] - '0';
  for (const DtypeEntry& e : kDtypes) {
    if (e.kind == descr[1] && e.size == size) {
      if (order == '|' && size != 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            name, ": dtype '", descr, "' has byte order '|' but a multi-byte element size"));
      }
      *type = e.type;
      *big_endian = order == '>' && size > 1;
      return absl::OkStatus();
    }
  }
  return unsupported();
}

uint32_t ReadLe(std::span<const uint8_t> b, size_t offset, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | b[offset + i];
  return v;
}

void ByteSwapInPlace(std::span<uint8_t> data, int element_size) {
  for (size_t i = 0; i + element_size <= data.size(); i += element_size) {
    std::reverse(data.begin() + i, data.begin() + i + element_size);
  }
}

absl::Status CheckBools(std::span<const uint8_t> data, const std::string& name) {
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": bool element ", i, " has value ", data[i], " (must be 0 or 1)"));
    }
  }
  return absl::OkStatus();
}

// Checks the data size against the header and the limit; returns the data size in bytes.
absl::StatusOr<int64_t> CheckDataSize(const NpyHeader& h, int64_t available,
                                      const std::string& name, int64_t max_data_bytes) {
  const int size = ir::DataTypeSize(h.type);
  std::optional<int64_t> needed = CheckedByteSize(h.shape, size);
  if (!needed) {
    return Invalid(name, absl::StrCat("shape ", FormatShape(h.shape),
                                      " has more elements than fit in 64 bits"));
  }
  if (*needed > max_data_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        name, ": array of shape ", FormatShape(h.shape), " and type ", ir::DataTypeName(h.type),
        " is ", *needed, " bytes, more than the limit of ", max_data_bytes));
  }
  if (available != *needed) {
    return Invalid(
        name, absl::StrCat("array data is ", available, " bytes but shape ", FormatShape(h.shape),
                           " of ", ir::DataTypeName(h.type), " needs ", *needed, " bytes",
                           available < *needed ? " (file truncated)" : " (trailing bytes)"));
  }
  return *needed;
}

absl::Status FinishData(const NpyHeader& h, std::span<uint8_t> data, const std::string& name) {
  if (h.big_endian) ByteSwapInPlace(data, ir::DataTypeSize(h.type));
  if (h.type == DataType::kBool) RETURN_IF_ERROR(CheckBools(data, name));
  return absl::OkStatus();
}

}  // namespace

const char* NpyDescr(ir::DataType type) {
  switch (type) {
    case DataType::kFloat16: return "<f2";
    case DataType::kFloat32: return "<f4";
    case DataType::kFloat64: return "<f8";
    case DataType::kInt8: return "|i1";
    case DataType::kInt16: return "<i2";
    case DataType::kInt32: return "<i4";
    case DataType::kInt64: return "<i8";
    case DataType::kUInt8: return "|u1";
    case DataType::kUInt16: return "<u2";
    case DataType::kUInt32: return "<u4";
    case DataType::kUInt64: return "<u8";
    case DataType::kBool: return "|b1";
    default: return nullptr;
  }
}

absl::StatusOr<NpyHeader> ParseNpyHeader(std::span<const uint8_t> bytes, const std::string& name) {
  if (bytes.size() < kMagicSize || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0) {
    return Invalid(name, "not a .npy file (bad magic bytes; expected \\x93NUMPY)");
  }
  if (bytes.size() < kMagicSize + 2) {
    return Invalid(name, absl::StrCat("truncated header: file is only ", bytes.size(), " bytes"));
  }
  NpyHeader h;
  const int major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0) {
    return absl::UnimplementedError(absl::StrCat(name, ": unsupported .npy format version ", major,
                                                 ".", minor, " (supported: 1.0, 2.0, 3.0)"));
  }
  h.major_version = major;
  const size_t len_bytes = major == 1 ? 2 : 4;
  const size_t prefix = kMagicSize + 2 + len_bytes;
  if (bytes.size() < prefix) {
    return Invalid(name, absl::StrCat("truncated header: file is only ", bytes.size(), " bytes"));
  }
  const uint32_t header_len = ReadLe(bytes, kMagicSize + 2, static_cast<int>(len_bytes));
  if (header_len > kMaxNpyHeaderBytes) {
    return Invalid(name, absl::StrCat("header length ", header_len, " exceeds the limit of ",
                                      kMaxNpyHeaderBytes, " bytes"));
  }
  if (prefix + header_len > bytes.size()) {
    return Invalid(name, absl::StrCat("header length ", header_len, " runs past the end of the ",
                                      bytes.size(), "-byte file"));
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + prefix), header_len);
  std::string descr;
  bool fortran_order = false;
  RETURN_IF_ERROR(HeaderParser(text, name).Parse(&descr, &fortran_order, &h.shape));
  RETURN_IF_ERROR(ParseDescr(descr, name, &h.type, &h.big_endian));
  if (fortran_order) {
    return absl::UnimplementedError(absl::StrCat(
        name, ": Fortran-order arrays are not supported (save with np.ascontiguousarray)"));
  }
  h.data_offset = static_cast<int64_t>(prefix + header_len);
  return h;
}

absl::StatusOr<TensorData> ParseNpy(std::span<const uint8_t> bytes, const std::string& name,
                                    int64_t max_data_bytes) {
  ASSIGN_OR_RETURN(NpyHeader h, ParseNpyHeader(bytes, name));
  const int64_t available = static_cast<int64_t>(bytes.size()) - h.data_offset;
  ASSIGN_OR_RETURN(int64_t size, CheckDataSize(h, available, name, max_data_bytes));
  TensorData t;
  t.type = h.type;
  t.shape = std::move(h.shape);
  t.bytes.assign(bytes.begin() + h.data_offset, bytes.begin() + h.data_offset + size);
  RETURN_IF_ERROR(FinishData(h, t.bytes, name));
  return t;
}

absl::StatusOr<TensorData> LoadNpy(const std::string& path, int64_t max_data_bytes) {
  const int64_t max_file = max_data_bytes > std::numeric_limits<int64_t>::max() / 2
                               ? max_data_bytes
                               : max_data_bytes + 12 + kMaxNpyHeaderBytes;
  ASSIGN_OR_RETURN(std::vector<uint8_t> file, ReadFileBytes(path, max_file));
  ASSIGN_OR_RETURN(NpyHeader h, ParseNpyHeader(file, path));
  const int64_t available = static_cast<int64_t>(file.size()) - h.data_offset;
  RETURN_IF_ERROR(CheckDataSize(h, available, path, max_data_bytes).status());
  // Reuse the file buffer for the data: no second copy of a large array.
  file.erase(file.begin(), file.begin() + h.data_offset);
  TensorData t;
  t.type = h.type;
  t.shape = std::move(h.shape);
  t.bytes = std::move(file);
  RETURN_IF_ERROR(FinishData(h, t.bytes, path));
  return t;
}

absl::StatusOr<std::vector<uint8_t>> EncodeNpy(const TensorData& t) {
  const char* descr = NpyDescr(t.type);
  if (descr == nullptr) {
    return absl::UnimplementedError(absl::StrCat("cannot write a ", ir::DataTypeName(t.type),
                                                 " tensor as .npy: NumPy has no such dtype"));
  }
  RETURN_IF_ERROR(CheckTensorData(t));
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i) {
    absl::StrAppend(&shape, i == 0 ? "" : ", ", t.shape[i]);
  }
  if (t.shape.size() == 1) shape += ",";
  shape += ")";
  std::string dict =
      absl::StrCat("{'descr': '", descr, "', 'fortran_order': False, 'shape': ", shape, ", }");
  // Version 1.0 unless the header length does not fit in 16 bits.
  int major = 1;
  size_t prefix = kMagicSize + 4;
  size_t total = prefix + dict.size() + 1;  // + '\n'
  size_t padded = (total + 63) / 64 * 64;
  if (padded - prefix > 0xffff) {
    major = 2;
    prefix = kMagicSize + 6;
    total = prefix + dict.size() + 1;
    padded = (total + 63) / 64 * 64;
  }
  const size_t header_len = padded - prefix;
  dict.append(padded - total, ' ');
  dict.push_back('\n');

  std::vector<uint8_t> out(padded + t.bytes.size());
  std::memcpy(out.data(), kMagic, kMagicSize);
  out[kMagicSize] = static_cast<uint8_t>(major);
  out[kMagicSize + 1] = 0;
  for (size_t i = 0; i < prefix - kMagicSize - 2; ++i) {
    out[kMagicSize + 2 + i] = static_cast<uint8_t>((header_len >> (8 * i)) & 0xff);
  }
  std::memcpy(out.data() + prefix, dict.data(), dict.size());
  if (!t.bytes.empty()) std::memcpy(out.data() + padded, t.bytes.data(), t.bytes.size());
  return out;
}

absl::Status SaveNpy(const std::string& path, const TensorData& t) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, EncodeNpy(t));
  return WriteFileAtomic(path, std::span<const uint8_t>(bytes));
}

absl::StatusOr<TensorData> LoadRawTensor(const std::string& path, ir::DataType type,
                                         std::span<const int32_t> shape, int64_t max_bytes) {
  const int size = ir::DataTypeSize(type);
  if (size <= 0) {
    return absl::UnimplementedError(
        absl::StrCat(path, ": cannot load raw ", ir::DataTypeName(type), " data"));
  }
  std::optional<int64_t> needed = CheckedByteSize(shape, size);
  if (!needed) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": invalid shape ", FormatShape(shape), " for raw data"));
  }
  if (*needed > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(path, ": ", ir::DataTypeName(type), " ",
                                                     FormatShape(shape), " is ", *needed,
                                                     " bytes, more than the limit of ", max_bytes));
  }
  auto mismatch = [&](uint64_t actual) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": raw file is ", actual, " bytes but ",
                                                   ir::DataTypeName(type), " ", FormatShape(shape),
                                                   " needs exactly ", *needed, " bytes"));
  };
  std::error_code ec;
  const uintmax_t file_size = std::filesystem::file_size(path, ec);
  if (!ec && file_size != static_cast<uintmax_t>(*needed)) return mismatch(file_size);
  // On a stat error ReadFileBytes reports the canonical error (NOT_FOUND, ...).
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, *needed));
  if (static_cast<int64_t>(bytes.size()) != *needed) return mismatch(bytes.size());
  if (type == DataType::kBool) RETURN_IF_ERROR(CheckBools(bytes, path));
  TensorData t;
  t.type = type;
  t.shape.assign(shape.begin(), shape.end());
  t.bytes = std::move(bytes);
  return t;
}

}  // namespace compressd::data
