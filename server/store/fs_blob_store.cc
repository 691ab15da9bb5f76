#include "server/store/fs_blob_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "server/util/ids.h"
#include "server/util/sha256.h"

namespace compressd::server {
namespace {

namespace fs = std::filesystem;

absl::Status ErrnoError(const std::string& what, int err) {
  const std::string msg = absl::StrCat(what, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  return absl::InternalError(msg);
}

absl::Status FsyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open directory " + dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError("fsync directory " + dir, err);
  return absl::OkStatus();
}

absl::Status MakeDirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("create directory ", dir, ": ", ec.message()));
  return absl::OkStatus();
}

bool ValidUploadName(const std::string& name) {
  if (name.empty() || name.size() > 200) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

class FsBlobReader final : public BlobReader {
 public:
  FsBlobReader(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~FsBlobReader() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  absl::StatusOr<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    if (offset >= size_ || out.empty()) return size_t{0};
    for (;;) {
      const ssize_t n = ::pread(fd_, out.data(), out.size(), static_cast<off_t>(offset));
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return ErrnoError("read blob", errno);
    }
  }

 private:
  int fd_;
  uint64_t size_;
};

class FsBlobWriter final : public BlobWriter {
 public:
  FsBlobWriter(FsBlobStore* store, int fd, std::string path, uint64_t offset, Sha256 hash,
               bool keep_on_destroy)
      : store_(store),
        fd_(fd),
        path_(std::move(path)),
        offset_(offset),
        hash_(std::move(hash)),
        keep_on_destroy_(keep_on_destroy) {}

  ~FsBlobWriter() override {
    if (fd_ >= 0) {
      ::close(fd_);
      if (!keep_on_destroy_) ::unlink(path_.c_str());
    }
  }

  uint64_t offset() const override { return offset_; }

  absl::Status Append(std::span<const uint8_t> data) override {
    if (fd_ < 0) return absl::FailedPreconditionError("blob writer is finished");
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError("write " + path_, errno);
      }
      done += static_cast<size_t>(n);
    }
    hash_.Update(data);
    offset_ += data.size();
    StartWriteback();
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> Sync() override {
    if (fd_ < 0) return absl::FailedPreconditionError("blob writer is finished");
    if (::fdatasync(fd_) != 0) return ErrnoError("fsync " + path_, errno);
    writeback_from_ = offset_;
    return offset_;
  }

  absl::Status Verify(uint64_t expected_size, const std::string& expected_sha256,
                      const std::string& field) override {
    if (offset_ != expected_size) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".size_bytes: declared ",
                                                     expected_size, " bytes but received ",
                                                     offset_));
    }
    const std::string actual = hash_.PeekHexDigest();
    if (actual != expected_sha256) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".sha256: declared ", expected_sha256,
                                                     " but the data hashes to ", actual));
    }
    return absl::OkStatus();
  }

  std::string CurrentSha256() const override { return hash_.PeekHexDigest(); }
  std::string local_path() const override { return path_; }

  absl::StatusOr<std::string> Commit() override {
    if (fd_ < 0) return absl::FailedPreconditionError("blob writer is finished");
    if (::fsync(fd_) != 0) return ErrnoError("fsync " + path_, errno);
    ::close(fd_);
    fd_ = -1;
    const std::string sha = hash_.HexDigest();
    absl::StatusOr<bool> installed = store_->Install(path_, sha, offset_);
    if (!installed.ok()) {
      ::unlink(path_.c_str());
      return installed.status();
    }
    return sha;
  }

  void Discard() override {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    ::unlink(path_.c_str());
  }

 private:
  // Each time kWritebackBytes more were appended, asks the kernel to start writing them out without
  // waiting (sync_file_range WRITE): the device works while the stream goes on, so the fsync of
  // Sync/Commit finds little left. Only a hint: durability still comes from those fsyncs, and
  // errors are left for them to report.
  void StartWriteback() {
    static constexpr uint64_t kWritebackBytes = uint64_t{8} << 20;
    if (offset_ - writeback_from_ < kWritebackBytes) return;
    (void)::sync_file_range(fd_, static_cast<off_t>(writeback_from_),
                            static_cast<off_t>(offset_ - writeback_from_),
                            SYNC_FILE_RANGE_WRITE);
    writeback_from_ = offset_;
  }

  FsBlobStore* store_;
  int fd_;
  std::string path_;
  uint64_t offset_;
  uint64_t writeback_from_ = offset_;  // start of the range not yet handed to StartWriteback
  Sha256 hash_;
  bool keep_on_destroy_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<FsBlobStore>> FsBlobStore::Create(const std::string& root) {
  std::unique_ptr<FsBlobStore> store(new FsBlobStore(root));
  RETURN_IF_ERROR(MakeDirs(root + "/blobs"));
  RETURN_IF_ERROR(MakeDirs(root + "/uploads"));
  RETURN_IF_ERROR(MakeDirs(root + "/tmp"));
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root + "/tmp", ec)) {
    fs::remove(entry.path(), ec);
  }
  int64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root + "/blobs", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += static_cast<int64_t>(it->file_size(ec));
  }
  store->total_bytes_ = total;
  return store;
}

std::string FsBlobStore::BlobPath(const std::string& sha256) const {
  return absl::StrCat(root_, "/blobs/", sha256.substr(0, 2), "/", sha256);
}

std::string FsBlobStore::UploadPath(const std::string& upload_name) const {
  return absl::StrCat(root_, "/uploads/", upload_name, ".part");
}

absl::StatusOr<std::unique_ptr<BlobWriter>> FsBlobStore::OpenUpload(const std::string& upload_name,
                                                                    uint64_t offset) {
  if (!ValidUploadName(upload_name)) {
    return absl::InvalidArgumentError(absl::StrCat("bad upload name '", upload_name, "'"));
  }
  const std::string path = UploadPath(upload_name);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("open " + path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoError("stat " + path, err);
  }
  const uint64_t have = static_cast<uint64_t>(st.st_size);
  if (have < offset) {
    ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot resume upload at offset ", offset, ": only ", have, " bytes are stored"));
  }
  if (have > offset && ::ftruncate(fd, static_cast<off_t>(offset)) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoError("truncate " + path, err);
  }
  // Re-hash the kept prefix.
  Sha256 hash;
  std::vector<uint8_t> buf(1 << 20);
  uint64_t pos = 0;
  while (pos < offset) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), offset - pos));
    const ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(pos));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      return ErrnoError("read " + path, err);
    }
    hash.Update(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)));
    pos += static_cast<uint64_t>(n);
  }
  if (::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoError("seek " + path, err);
  }
  return std::unique_ptr<BlobWriter>(
      new FsBlobWriter(this, fd, path, offset, std::move(hash), /*keep_on_destroy=*/true));
}

absl::StatusOr<uint64_t> FsBlobStore::UploadSize(const std::string& upload_name) {
  if (!ValidUploadName(upload_name)) {
    return absl::InvalidArgumentError(absl::StrCat("bad upload name '", upload_name, "'"));
  }
  struct stat st;
  if (::stat(UploadPath(upload_name).c_str(), &st) != 0) {
    if (errno == ENOENT) return uint64_t{0};
    return ErrnoError("stat " + UploadPath(upload_name), errno);
  }
  return static_cast<uint64_t>(st.st_size);
}

absl::Status FsBlobStore::DeleteUpload(const std::string& upload_name) {
  if (!ValidUploadName(upload_name)) {
    return absl::InvalidArgumentError(absl::StrCat("bad upload name '", upload_name, "'"));
  }
  if (::unlink(UploadPath(upload_name).c_str()) != 0 && errno != ENOENT) {
    return ErrnoError("delete " + UploadPath(upload_name), errno);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<BlobWriter>> FsBlobStore::NewWriter() {
  const std::string path = absl::StrCat(root_, "/tmp/", RandomId("w-", 24));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("create " + path, errno);
  return std::unique_ptr<BlobWriter>(
      new FsBlobWriter(this, fd, path, 0, Sha256(), /*keep_on_destroy=*/false));
}

absl::StatusOr<std::string> FsBlobStore::Put(std::span<const uint8_t> bytes) {
  ASSIGN_OR_RETURN(auto writer, NewWriter());
  RETURN_IF_ERROR(writer->Append(bytes));
  return writer->Commit();
}

absl::StatusOr<bool> FsBlobStore::Install(const std::string& partial_path,
                                          const std::string& sha256, uint64_t size) {
  const std::string final_path = BlobPath(sha256);
  const std::string dir = absl::StrCat(root_, "/blobs/", sha256.substr(0, 2));
  struct stat st;
  if (::stat(final_path.c_str(), &st) == 0) {
    // Same bytes already stored: keep one copy.
    ::unlink(partial_path.c_str());
    return false;
  }
  RETURN_IF_ERROR(MakeDirs(dir));
  if (::rename(partial_path.c_str(), final_path.c_str()) != 0) {
    return ErrnoError(absl::StrCat("rename ", partial_path, " to ", final_path), errno);
  }
  ::chmod(final_path.c_str(), 0400);
  RETURN_IF_ERROR(FsyncDir(dir));
  RETURN_IF_ERROR(FsyncDir(root_ + "/blobs"));
  total_bytes_ += static_cast<int64_t>(size);
  return true;
}

absl::StatusOr<std::unique_ptr<BlobReader>> FsBlobStore::Open(const std::string& sha256) {
  if (!IsSha256Hex(sha256)) {
    return absl::InvalidArgumentError(absl::StrCat("'", sha256, "' is not a sha256 hex digest"));
  }
  const std::string path = BlobPath(sha256);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat("blob ", sha256, " not found"));
    return ErrnoError("open " + path, errno);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoError("stat " + path, err);
  }
  return std::unique_ptr<BlobReader>(new FsBlobReader(fd, static_cast<uint64_t>(st.st_size)));
}

bool FsBlobStore::Exists(const std::string& sha256) {
  if (!IsSha256Hex(sha256)) return false;
  struct stat st;
  return ::stat(BlobPath(sha256).c_str(), &st) == 0;
}

absl::StatusOr<std::string> FsBlobStore::LocalPath(const std::string& sha256) {
  if (!Exists(sha256)) return absl::NotFoundError(absl::StrCat("blob ", sha256, " not found"));
  return BlobPath(sha256);
}

}  // namespace compressd::server
