// BlobStore: immutable byte blobs addressed by their SHA-256 (models, dataset archives, job
// artifacts), plus the partial files of resumable uploads.
//
// Contract:
//  - A blob is stored at most once: committing bytes whose hash is already stored keeps the
//    existing copy and drops the new one.
//  - Commit is atomic and durable: once it returns OK the blob survives a crash, and a reader never
//    sees a partially written blob.
//  - Thread safety: BlobStore methods are thread-safe. A BlobWriter or BlobReader is used by one
//    thread at a time. Two writers must not open the same upload name at once (the caller holds
//    a per-session lock).
//  - Ownership: writers and readers are owned by the caller and may outlive nothing: destroy them
//    before the store.
#ifndef COMPRESSD_SERVER_STORE_BLOB_STORE_H_
#define COMPRESSD_SERVER_STORE_BLOB_STORE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace compressd::server {

class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual uint64_t size() const = 0;
  // Reads up to out.size() bytes at `offset`; returns the count (0 at or past the end).
  virtual absl::StatusOr<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) = 0;
};

// Writes one blob sequentially. Destroying a writer that was neither committed nor discarded keeps
// an upload's partial file (so the upload can resume) and deletes an anonymous one.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  // Bytes written so far (including a resumed prefix).
  virtual uint64_t offset() const = 0;
  virtual absl::Status Append(std::span<const uint8_t> data) = 0;
  // Makes everything written so far durable; returns that offset.
  virtual absl::StatusOr<uint64_t> Sync() = 0;
  // Checks the total size and SHA-256 of what was written: INVALID_ARGUMENT naming `field` and
  // both values on a mismatch. Does not commit.
  virtual absl::Status Verify(uint64_t expected_size, const std::string& expected_sha256,
                              const std::string& field) = 0;
  // SHA-256 (hex) of the bytes written so far.
  virtual std::string CurrentSha256() const = 0;
  // Path of the partial file on the local filesystem ("" when the store has no local files).
  virtual std::string local_path() const = 0;
  // Durably stores the bytes under their hash (or drops them when that blob exists) and returns
  // the hash. The writer is finished afterwards.
  virtual absl::StatusOr<std::string> Commit() = 0;
  // Deletes what was written. The writer is finished afterwards.
  virtual void Discard() = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Opens the partial file of upload `upload_name` ([A-Za-z0-9_-], created when missing) for
  // appending at `offset`: a longer file is truncated to `offset`; a shorter one →
  // FAILED_PRECONDITION naming both sizes.
  virtual absl::StatusOr<std::unique_ptr<BlobWriter>> OpenUpload(const std::string& upload_name,
                                                                 uint64_t offset) = 0;
  // Size of an upload's partial file (0 when missing).
  virtual absl::StatusOr<uint64_t> UploadSize(const std::string& upload_name) = 0;
  virtual absl::Status DeleteUpload(const std::string& upload_name) = 0;

  // A writer for bytes without an upload session (job artifacts).
  virtual absl::StatusOr<std::unique_ptr<BlobWriter>> NewWriter() = 0;

  // Writes and commits `bytes` in one go; returns the hash.
  virtual absl::StatusOr<std::string> Put(std::span<const uint8_t> bytes) = 0;

  // NOT_FOUND when no blob has this hash.
  virtual absl::StatusOr<std::unique_ptr<BlobReader>> Open(const std::string& sha256) = 0;
  virtual bool Exists(const std::string& sha256) = 0;
  // Path of a stored blob on the local filesystem, for readers that need a file (libarchive);
  // UNIMPLEMENTED for stores without local files.
  virtual absl::StatusOr<std::string> LocalPath(const std::string& sha256) = 0;

  // Total bytes of committed blobs.
  virtual int64_t TotalBytes() = 0;
};

// Reads a whole blob into memory (at most max_bytes; RESOURCE_EXHAUSTED above).
absl::StatusOr<std::string> ReadWholeBlob(BlobReader& reader, uint64_t max_bytes);

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_STORE_BLOB_STORE_H_
