// Safe validation and extraction of dataset archives (tar, optionally gzip/zstd compressed) with
// libarchive. Used by the server to validate uploads and by workers to unpack them.
//
// Accepted entries: directories, and regular files named *.npy, *.png, *.jpg, *.jpeg (any case)
// whose content starts with the matching signature, plus one "labels.txt" at the root. Rejected
// with INVALID_ARGUMENT naming the entry: absolute paths, ".." components, backslashes or control
// characters, paths deeper or longer than the limits, symbolic and hard links, devices, FIFOs and
// sockets, sparse files, duplicate paths, other file names; more files or bytes than the limits
// (counted on the data actually read, not the headers). An archive without samples is rejected.
//
// Extraction writes only below dest_dir, never follows symbolic links (openat + O_NOFOLLOW), and
// never overwrites (O_EXCL).
//
// Thread safety: no shared state.
#ifndef COMPRESSD_SERVER_DATASET_SAFE_TAR_H_
#define COMPRESSD_SERVER_DATASET_SAFE_TAR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace compressd::server {

struct TarLimits {
  int64_t max_files = 100000;
  int64_t max_total_bytes = int64_t{8} << 30;  // extracted bytes, all files
  int64_t max_file_bytes = int64_t{2} << 30;   // one file
  int max_path_bytes = 1024;
  int max_depth = 16;  // path components
};

struct TarSummary {
  int64_t npy_files = 0;
  int64_t image_files = 0;
  bool has_labels = false;
  int64_t total_bytes = 0;
  // Normalized relative paths of the sample files, sorted.
  std::vector<std::string> sample_files;
};

// Validates the archive at `archive_path`; when `dest_dir` is not empty, also extracts it there
// (dest_dir must exist). On error, files already extracted are left for the caller to remove.
absl::StatusOr<TarSummary> ExtractTar(const std::string& archive_path, const std::string& dest_dir,
                                      const TarLimits& limits);

// Normalizes an entry path ("./a//b/" → "a/b") or explains why it is not acceptable.
absl::StatusOr<std::string> SanitizeEntryPath(std::string_view path, const TarLimits& limits);

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_DATASET_SAFE_TAR_H_
