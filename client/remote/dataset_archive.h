// Packing calibration/evaluation samples into the dataset archive UploadDataset takes (a pax tar
// of *.npy / *.png / *.jpg / *.jpeg files, optional root "labels.txt"; see resources.proto
// DatasetFormat and server/dataset/safe_tar.h, whose rules the archive follows).
//
// Layout (how compressd-worker turns it back into pipeline paths, worker/input_cache.h):
//   one folder          its files, recursively, under their relative paths (a root labels.txt is
//                       kept as the labels file)
//   files only          each file at the root under its base name (duplicates are an error)
//   several paths with  each folder i under "NN-<folder name>/" (NN = i, two digits, so the order
//   folders             of the paths is kept: one folder per model input), files at the root
// Hidden entries (names starting with '.') are skipped; symbolic links to files are archived as
// the files they point to; other file types are an error naming the path.
//
// Thread safety: pure functions.
#ifndef COMPRESSD_CLIENT_REMOTE_DATASET_ARCHIVE_H_
#define COMPRESSD_CLIENT_REMOTE_DATASET_ARCHIVE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace compressd::client {

struct ArchiveEntry {
  std::string source;  // file on disk
  std::string name;    // path inside the archive
  bool operator==(const ArchiveEntry&) const = default;
};

// The entries for `paths`, sorted by name. INVALID_ARGUMENT for unsupported file types, duplicate
// names, a nested labels.txt or no samples at all; NOT_FOUND for a missing path.
absl::StatusOr<std::vector<ArchiveEntry>> PlanDatasetArchive(const std::vector<std::string>& paths);

// Writes the archive (uncompressed pax tar) to `out_path`.
absl::Status WriteDatasetArchive(const std::vector<ArchiveEntry>& entries,
                                 const std::string& out_path);

// True when `path` is an archive to upload as it is (*.tar, *.tar.gz, *.tgz, *.tar.zst).
bool IsDatasetArchiveFile(const std::string& path);

}  // namespace compressd::client

#endif  // COMPRESSD_CLIENT_REMOTE_DATASET_ARCHIVE_H_
