#include "client/remote/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace compressd::client {
namespace {

absl::Status Errno(const std::string& what) {
  return absl::Status(errno == ENOENT ? absl::StatusCode::kNotFound
                      : errno == ENOSPC ? absl::StatusCode::kResourceExhausted
                                        : absl::StatusCode::kInternal,
                      absl::StrCat(what, ": ", std::strerror(errno)));
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

absl::StatusOr<AtomicFileWriter> AtomicFileWriter::Create(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  AtomicFileWriter w;
  w.path_ = path;
  w.temp_path_ = absl::StrCat(path, ".tmp-", ::getpid(), "-", counter.fetch_add(1));
  w.fd_ = ::open(w.temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (w.fd_ < 0) return Errno(absl::StrCat("cannot create '", w.temp_path_, "'"));
  return w;
}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter&& o) noexcept
    : path_(std::move(o.path_)), temp_path_(std::move(o.temp_path_)), fd_(o.fd_), size_(o.size_) {
  o.fd_ = -1;
  o.temp_path_.clear();
}

AtomicFileWriter& AtomicFileWriter::operator=(AtomicFileWriter&& o) noexcept {
  if (this != &o) {
    Discard();
    path_ = std::move(o.path_);
    temp_path_ = std::move(o.temp_path_);
    fd_ = o.fd_;
    size_ = o.size_;
    o.fd_ = -1;
    o.temp_path_.clear();
  }
  return *this;
}

AtomicFileWriter::~AtomicFileWriter() { Discard(); }

absl::Status AtomicFileWriter::Append(std::string_view data) {
  if (fd_ < 0) return absl::FailedPreconditionError("file already committed or discarded");
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno(absl::StrCat("write '", temp_path_, "'"));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  size_ += data.size();
  return absl::OkStatus();
}

absl::Status AtomicFileWriter::Commit() {
  if (fd_ < 0) return absl::FailedPreconditionError("file already committed or discarded");
  if (::fsync(fd_) != 0) return Errno(absl::StrCat("fsync '", temp_path_, "'"));
  ::close(fd_);
  fd_ = -1;
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    absl::Status s = Errno(absl::StrCat("rename to '", path_, "'"));
    ::unlink(temp_path_.c_str());
    temp_path_.clear();
    return s;
  }
  temp_path_.clear();
  const int dir = ::open(DirOf(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return absl::OkStatus();
}

void AtomicFileWriter::Discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  temp_path_.clear();
}

}  // namespace compressd::client
