// BlobStore on the local filesystem under one root directory:
//   ROOT/blobs/<aa>/<sha256>   committed blobs (aa = first two hex characters), read-only
//   ROOT/uploads/<name>.part   partial files of resumable uploads
//   ROOT/tmp/                  anonymous writers (emptied at open)
// Writes go to a partial file, which is fsynced and renamed into blobs/ (then the directory is
// fsynced), so a blob is either complete or absent after a crash. Writers ask the kernel to start
// writing back every 8 MiB appended (without waiting), so that those fsyncs find little left.
//
// Thread safety: as BlobStore.
#ifndef COMPRESSD_SERVER_STORE_FS_BLOB_STORE_H_
#define COMPRESSD_SERVER_STORE_FS_BLOB_STORE_H_

#include <atomic>
#include <memory>
#include <string>

#include "server/store/blob_store.h"

namespace compressd::server {

class FsBlobStore final : public BlobStore {
 public:
  // Creates the directories as needed, empties tmp/ and sums the stored bytes.
  static absl::StatusOr<std::unique_ptr<FsBlobStore>> Create(const std::string& root);

  absl::StatusOr<std::unique_ptr<BlobWriter>> OpenUpload(const std::string& upload_name,
                                                         uint64_t offset) override;
  absl::StatusOr<uint64_t> UploadSize(const std::string& upload_name) override;
  absl::Status DeleteUpload(const std::string& upload_name) override;
  absl::StatusOr<std::unique_ptr<BlobWriter>> NewWriter() override;
  absl::StatusOr<std::string> Put(std::span<const uint8_t> bytes) override;
  absl::StatusOr<std::unique_ptr<BlobReader>> Open(const std::string& sha256) override;
  bool Exists(const std::string& sha256) override;
  absl::StatusOr<std::string> LocalPath(const std::string& sha256) override;
  int64_t TotalBytes() override { return total_bytes_.load(); }

  // Used by writers: moves a finished partial file into place. Returns true when the blob was
  // new.
  absl::StatusOr<bool> Install(const std::string& partial_path, const std::string& sha256,
                               uint64_t size);

 private:
  explicit FsBlobStore(std::string root) : root_(std::move(root)) {}
  std::string BlobPath(const std::string& sha256) const;
  std::string UploadPath(const std::string& upload_name) const;

  const std::string root_;
  std::atomic<int64_t> total_bytes_{0};
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_STORE_FS_BLOB_STORE_H_
