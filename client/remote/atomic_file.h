// A file written in pieces and published atomically: bytes go to a temporary file next to the
// destination ("<path>.tmp-<pid>-<n>"), Commit() fsyncs it, renames it over the destination and
// fsyncs the directory; a reader never sees a partial file. Destroying an uncommitted writer
// removes the temporary file.
//
// Thread safety: not thread-safe; movable.
#ifndef COMPRESSD_CLIENT_REMOTE_ATOMIC_FILE_H_
#define COMPRESSD_CLIENT_REMOTE_ATOMIC_FILE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace compressd::client {

class AtomicFileWriter {
 public:
  static absl::StatusOr<AtomicFileWriter> Create(const std::string& path);
  AtomicFileWriter(AtomicFileWriter&& other) noexcept;
  AtomicFileWriter& operator=(AtomicFileWriter&& other) noexcept;
  ~AtomicFileWriter();

  absl::Status Append(std::string_view data);
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  absl::Status Commit();
  void Discard();

 private:
  AtomicFileWriter() = default;
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace compressd::client

#endif  // COMPRESSD_CLIENT_REMOTE_ATOMIC_FILE_H_
