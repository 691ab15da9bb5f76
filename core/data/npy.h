// NumPy .npy files (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html) and
// raw tensor files, read from untrusted input.
//
// Reading accepts format versions 1.0, 2.0 and 3.0. The header dict is parsed as the small Python
// literal subset NumPy writes, robustly: keys in any order, any spacing (spaces, tabs, newlines),
// an optional trailing comma, ' or " quotes, shape tuples `()`, `(3,)`, `(1, 2)`, `(1,2,)`, and
// Python 2 long suffixes (`3L`). Exactly the keys 'descr', 'fortran_order' and 'shape' must be
// present, each once.
//
// Supported dtypes and the ir::DataType they load as:
//   f2 float16   f4 float32   f8 float64   b1 bool (bytes must be 0 or 1)
//   i1 int8      i2 int16     i4 int32     i8 int64
//   u1 uint8     u2 uint16    u4 uint32    u8 uint64
// with byte order '<' (little-endian), '|' (not applicable; one-byte types only) or '>'
// (big-endian: the data is byte-swapped on load, so a TensorData is always little-endian). '='
// (native order of an unknown writer) is rejected. Other dtypes (complex, strings, objects,
// structured arrays) and fortran_order=True are UNIMPLEMENTED.
//
// Strictness: the data after the header must be exactly product(shape) * itemsize bytes (NumPy
// never writes trailing bytes, so any are rejected); dimensions must fit in int32 and the product
// must not overflow. Status codes: INVALID_ARGUMENT for malformed files, UNIMPLEMENTED for valid
// but unsupported content, RESOURCE_EXHAUSTED when the data exceeds `max_data_bytes`. Every
// message starts with the file name (or the `name` given for in-memory parsing).
#ifndef COMPRESSD_CORE_DATA_NPY_H_
#define COMPRESSD_CORE_DATA_NPY_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/data/tensor_data.h"
#include "core/ir/data_type.h"

namespace compressd::data {

// Default bound on the tensor data of one file.
inline constexpr int64_t kDefaultMaxTensorBytes = int64_t{2} << 30;  // 2 GiB

// Longest header (dict text, after the fixed prefix) accepted. NumPy itself refuses headers
// longer than 10000 bytes by default.
inline constexpr int64_t kMaxNpyHeaderBytes = int64_t{1} << 16;

// The parsed fixed prefix and header dict of a .npy file.
struct NpyHeader {
  int major_version = 1;
  ir::DataType type = ir::DataType::kFloat32;
  bool big_endian = false;  // '>' byte order: the data must be byte-swapped
  std::vector<int32_t> shape;
  int64_t data_offset = 0;  // where the array data starts in the file
};

// Parses and validates the prefix and header of `bytes` (the whole file or at least its header).
// Does not look at the data.
absl::StatusOr<NpyHeader> ParseNpyHeader(std::span<const uint8_t> bytes, const std::string& name);

// Parses a whole .npy file held in memory.
absl::StatusOr<TensorData> ParseNpy(std::span<const uint8_t> bytes, const std::string& name,
                                    int64_t max_data_bytes = kDefaultMaxTensorBytes);

// Reads and parses the .npy file at `path` (file size bounded by max_data_bytes plus the largest
// header, so nothing larger is ever allocated).
absl::StatusOr<TensorData> LoadNpy(const std::string& path,
                                   int64_t max_data_bytes = kDefaultMaxTensorBytes);

// Encodes `t` as a version 1.0 .npy file in C order (version 2.0 only if the header would not fit
// in 65535 bytes), exactly as numpy.save writes it: little-endian descr ('|' for one-byte types),
// header padded with spaces and ended by '\n' so the data starts at a multiple of 64.
// UNIMPLEMENTED for types NumPy cannot represent (int4, bfloat16, string, ...); INVALID_ARGUMENT
// when `t` breaks the TensorData layout contract.
absl::StatusOr<std::vector<uint8_t>> EncodeNpy(const TensorData& t);

// EncodeNpy + WriteFileAtomic (core/base/file_io.h).
absl::Status SaveNpy(const std::string& path, const TensorData& t);

// Reads a raw file of `type` elements in C order, little-endian, no header. Its size must be
// exactly product(shape) * DataTypeSize(type) bytes (INVALID_ARGUMENT otherwise, naming both
// sizes); RESOURCE_EXHAUSTED when that exceeds `max_bytes`. Bool files must hold only 0 and 1.
absl::StatusOr<TensorData> LoadRawTensor(const std::string& path, ir::DataType type,
                                         std::span<const int32_t> shape,
                                         int64_t max_bytes = kDefaultMaxTensorBytes);

// The NumPy descr for `type` as EncodeNpy writes it ("<f4", "|u1", ...), or nullptr when NumPy
// has no equivalent.
const char* NpyDescr(ir::DataType type);

}  // namespace compressd::data

#endif  // COMPRESSD_CORE_DATA_NPY_H_
