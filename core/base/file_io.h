// File helpers with the project's durability rules: reads are bounded, writes are atomic
// (temporary file in the same directory + fsync + rename + fsync of the directory), so a reader
// never sees a partial file and a crash leaves either the old or the new content.
#ifndef COMPRESSD_CORE_BASE_FILE_IO_H_
#define COMPRESSD_CORE_BASE_FILE_IO_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace compressd {

// Reads the whole file. Fails with RESOURCE_EXHAUSTED when it is larger than `max_bytes`, NOT_FOUND
// when it does not exist, and with the OS error otherwise. Messages name the path.
absl::StatusOr<std::vector<uint8_t>> ReadFileBytes(const std::string& path,
                                                   int64_t max_bytes = int64_t{4} << 30);

// Atomically replaces (or creates) `path` with `bytes`.
absl::Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes);
absl::Status WriteFileAtomic(const std::string& path, std::string_view text);

}  // namespace compressd

#endif  // COMPRESSD_CORE_BASE_FILE_IO_H_
