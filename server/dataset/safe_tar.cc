#include "server/dataset/safe_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/base/status_macros.h"

namespace compressd::server {
namespace {

enum class FileKind { kNpy, kImagePng, kImageJpeg, kLabels };

absl::Status EntryError(const std::string& path, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("dataset entry '", path, "': ", why));
}

absl::StatusOr<FileKind> KindOf(const std::string& path) {
  if (path == "labels.txt") return FileKind::kLabels;
  const std::string lower = absl::AsciiStrToLower(path);
  if (absl::EndsWith(lower, ".npy")) return FileKind::kNpy;
  if (absl::EndsWith(lower, ".png")) return FileKind::kImagePng;
  if (absl::EndsWith(lower, ".jpg") || absl::EndsWith(lower, ".jpeg")) return FileKind::kImageJpeg;
  return EntryError(path,
                    "not a sample file (allowed: *.npy, *.png, *.jpg, *.jpeg and a top-level "
                    "labels.txt)");
}

bool MagicMatches(FileKind kind, const unsigned char* head, size_t n) {
  switch (kind) {
    case FileKind::kNpy: return n >= 6 && std::memcmp(head, "\x93NUMPY", 6) == 0;
    case FileKind::kImagePng: return n >= 8 && std::memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0;
    case FileKind::kImageJpeg: return n >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF;
    case FileKind::kLabels: return true;
  }
  return false;
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

absl::Status OsError(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// Opens (creating) the directory `rel` below `root_fd`, one component at a time, never following
// links.
absl::StatusOr<Fd> OpenDirBelow(int root_fd, const std::vector<std::string>& components) {
  Fd cur(::dup(root_fd));
  if (cur.get() < 0) return OsError("dup");
  for (const std::string& c : components) {
    if (::mkdirat(cur.get(), c.c_str(), 0755) != 0 && errno != EEXIST) {
      return OsError("mkdir " + c);
    }
    Fd next(::openat(cur.get(), c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (next.get() < 0) return OsError("open directory " + c);
    cur = std::move(next);
  }
  return cur;
}

absl::Status WriteAll(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return OsError("write");
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> SanitizeEntryPath(std::string_view path_in, const TarLimits& limits) {
  const std::string path(path_in);
  if (path.empty()) return EntryError(path, "empty path");
  if (static_cast<int>(path.size()) > limits.max_path_bytes) {
    return EntryError(path.substr(0, 64) + "...",
                      absl::StrCat("path of ", path.size(), " bytes exceeds the limit of ",
                                   limits.max_path_bytes));
  }
  if (path[0] == '/') return EntryError(path, "absolute paths are not allowed");
  for (char c : path) {
    if (c == '\\') return EntryError(path, "backslashes are not allowed");
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return EntryError(path, "control characters are not allowed");
    }
  }
  std::vector<std::string> parts;
  for (absl::string_view comp : absl::StrSplit(path, '/')) {
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") return EntryError(path, "'..' components are not allowed");
    parts.emplace_back(comp);
  }
  if (parts.empty()) return std::string();  // the root itself ("./")
  if (static_cast<int>(parts.size()) > limits.max_depth) {
    return EntryError(path, absl::StrCat("deeper than ", limits.max_depth, " levels"));
  }
  return absl::StrJoin(parts, "/");
}

absl::StatusOr<TarSummary> ExtractTar(const std::string& archive_path, const std::string& dest_dir,
                                      const TarLimits& limits) {
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  if (!a) return absl::ResourceExhaustedError("libarchive: out of memory");
  archive_read_support_format_tar(a.get());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_zstd(a.get());
  if (archive_read_open_filename(a.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("dataset is not a readable tar archive: ", archive_error_string(a.get())));
  }
  Fd root;
  if (!dest_dir.empty()) {
    root = Fd(::open(dest_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (root.get() < 0) return OsError("open " + dest_dir);
  }

  TarSummary summary;
  std::set<std::string> files, dirs;
  int64_t entries = 0;
  std::vector<unsigned char> buf(1 << 16);
  for (;;) {
    struct archive_entry* entry = nullptr;
    const int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      return absl::InvalidArgumentError(absl::StrCat("dataset archive is corrupt after ", entries,
                                                     " entries: ", archive_error_string(a.get())));
    }
    ++entries;
    const char* raw_path = archive_entry_pathname(entry);
    const std::string shown = raw_path != nullptr ? raw_path : "<unnamed>";
    if (raw_path == nullptr) return EntryError(shown, "path is not readable");
    ASSIGN_OR_RETURN(std::string path, SanitizeEntryPath(raw_path, limits));
    if (archive_entry_hardlink(entry) != nullptr) return EntryError(shown, "hard links are not allowed");
    const mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFLNK) return EntryError(shown, "symbolic links are not allowed");
    if (type == AE_IFDIR) {
      if (path.empty()) continue;
      if (files.count(path)) return EntryError(shown, "a file and a directory have this path");
      dirs.insert(path);
      continue;
    }
    if (type != AE_IFREG) {
      return EntryError(shown, "only regular files and directories are allowed (devices, FIFOs, "
                               "sockets are not)");
    }
    if (archive_entry_sparse_count(entry) > 0) return EntryError(shown, "sparse files are not allowed");
    if (path.empty()) return EntryError(shown, "a file cannot be the archive root");
    ASSIGN_OR_RETURN(FileKind kind, KindOf(path));
    if (files.count(path) || dirs.count(path)) return EntryError(shown, "duplicate path");
    // Parents must not be files.
    for (size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
      if (files.count(path.substr(0, pos))) return EntryError(shown, "a parent is a file");
      dirs.insert(path.substr(0, pos));
    }
    files.insert(path);
    if (static_cast<int64_t>(files.size()) > limits.max_files) {
      return absl::InvalidArgumentError(absl::StrCat("dataset has more than ", limits.max_files,
                                                     " files (the limit)"));
    }

    Fd out;
    if (root.get() >= 0) {
      std::vector<std::string> comps = absl::StrSplit(path, '/');
      const std::string leaf = comps.back();
      comps.pop_back();
      ASSIGN_OR_RETURN(Fd dir, OpenDirBelow(root.get(), comps));
      out = Fd(::openat(dir.get(), leaf.c_str(),
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
      if (out.get() < 0) {
        if (errno == EEXIST) {
          return absl::AlreadyExistsError(absl::StrCat("create ", path, ": already exists"));
        }
        return OsError("create " + path);
      }
    }
    int64_t file_bytes = 0;
    unsigned char head[8];
    size_t head_n = 0;
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
      if (n < 0) {
        return absl::InvalidArgumentError(absl::StrCat("dataset entry '", path,
                                                       "': cannot read data: ",
                                                       archive_error_string(a.get())));
      }
      if (n == 0) break;
      while (head_n < sizeof(head) && head_n < static_cast<size_t>(file_bytes + n)) {
        head[head_n] = buf[head_n - static_cast<size_t>(file_bytes)];
        ++head_n;
      }
      file_bytes += n;
      summary.total_bytes += n;
      if (file_bytes > limits.max_file_bytes) {
        return EntryError(path, absl::StrCat("larger than the per-file limit of ",
                                             limits.max_file_bytes, " bytes"));
      }
      if (summary.total_bytes > limits.max_total_bytes) {
        return absl::InvalidArgumentError(absl::StrCat(
            "dataset extracts to more than ", limits.max_total_bytes, " bytes (the limit)"));
      }
      if (out.get() >= 0) RETURN_IF_ERROR(WriteAll(out.get(), buf.data(), static_cast<size_t>(n)));
    }
    if (!MagicMatches(kind, head, head_n)) {
      return EntryError(path, "content does not match its extension (bad file signature)");
    }
    switch (kind) {
      case FileKind::kNpy:
        ++summary.npy_files;
        summary.sample_files.push_back(path);
        break;
      case FileKind::kImagePng:
      case FileKind::kImageJpeg:
        ++summary.image_files;
        summary.sample_files.push_back(path);
        break;
      case FileKind::kLabels:
        summary.has_labels = true;
        break;
    }
  }
  if (summary.sample_files.empty()) {
    return absl::InvalidArgumentError(
        "dataset has no sample files (*.npy, *.png, *.jpg, *.jpeg)");
  }
  std::sort(summary.sample_files.begin(), summary.sample_files.end());
  return summary;
}

}  // namespace compressd::server
