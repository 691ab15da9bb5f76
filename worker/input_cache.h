// The worker's cache of job inputs, content-addressed by SHA-256:
//   DIR/blobs/<sha256>          models and dataset archives, verified before every use
//   DIR/datasets/<sha256>/      extracted dataset archives (server/dataset/safe_tar.h rules)
//   DIR/tmp/                    downloads, extractions and job work dirs in progress (entries
//                               older than a day are removed by Open)
// Files appear under their final names only complete and verified (temporary name + rename), so a
// crash leaves no partial entry behind, and several workers may share one DIR.
//
// Thread safety: all methods are thread-safe (no mutable state besides the filesystem).
#ifndef COMPRESSD_WORKER_INPUT_CACHE_H_
#define COMPRESSD_WORKER_INPUT_CACHE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace compressd::worker {

class InputCache {
 public:
  // Downloads the object with this hash to the given path (atomically, verified).
  using Downloader = std::function<absl::Status(const std::string& dest_path)>;

  // Creates the folders; removes leftovers in DIR/tmp.
  static absl::StatusOr<InputCache> Open(const std::string& dir);

  const std::string& dir() const { return dir_; }

  // The path of the blob `sha256` of `size` bytes: the cached copy when its size and hash are
  // right (a corrupt copy is deleted), otherwise after `download` fetched it. INVALID_ARGUMENT for
  // a malformed hash; DATA_LOSS when the downloaded file does not match.
  absl::StatusOr<std::string> GetBlob(const std::string& sha256, uint64_t size,
                                      const Downloader& download) const;

  // Extracts the dataset archive `archive_path` (whose hash is `sha256`) once, and returns the
  // paths to give the pipeline (pipeline::DatasetSpec::paths): when every sample file sits in a
  // first-level folder, those folders (sorted; one per model input for multi-input models, else
  // concatenated); otherwise every sample file, sorted. The root "labels.txt" is never a sample.
  // INVALID_ARGUMENT when the archive breaks the safe-tar rules.
  absl::StatusOr<std::vector<std::string>> GetDataset(const std::string& sha256,
                                                      const std::string& archive_path) const;

  // A fresh private directory under DIR/tmp for one job attempt (the caller removes it).
  absl::StatusOr<std::string> MakeWorkDir(const std::string& name) const;

 private:
  explicit InputCache(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

// Sample paths of an extracted dataset (see GetDataset). Exposed for tests.
absl::StatusOr<std::vector<std::string>> DatasetSamplePaths(const std::string& root);

}  // namespace compressd::worker

#endif  // COMPRESSD_WORKER_INPUT_CACHE_H_
