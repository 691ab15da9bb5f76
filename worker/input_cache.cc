#include "worker/input_cache.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "client/remote/sha256.h"
#include "server/dataset/safe_tar.h"

namespace compressd::worker {
namespace fs = std::filesystem;
namespace {

absl::Status FsError(const std::string& what, const std::error_code& ec) {
  return absl::InternalError(absl::StrCat(what, ": ", ec.message()));
}

std::string UniqueName(const std::string& base) {
  static std::atomic<uint64_t> counter{0};
  return absl::StrCat(base, ".", ::getpid(), ".", counter.fetch_add(1));
}

}  // namespace

absl::StatusOr<InputCache> InputCache::Open(const std::string& dir) {
  std::error_code ec;
  for (const char* sub : {"blobs", "datasets", "tmp"}) {
    fs::create_directories(fs::path(dir) / sub, ec);
    if (ec) return FsError(absl::StrCat("cannot create ", dir, "/", sub), ec);
  }
  // Leftovers of this worker's earlier runs (other workers sharing DIR use unique names; a
  // concurrent worker's files are removed only when they belong to a dead process, which we
  // cannot tell cheaply, so only entries older than a day are removed).
  const auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "tmp", ec)) {
    std::error_code ec2;
    const auto mtime = fs::last_write_time(entry.path(), ec2);
    if (!ec2 && now - mtime > std::chrono::hours(24)) fs::remove_all(entry.path(), ec2);
  }
  return InputCache(fs::absolute(dir).lexically_normal().string());
}

absl::StatusOr<std::string> InputCache::GetBlob(const std::string& sha256, uint64_t size,
                                                const Downloader& download) const {
  if (!client::IsSha256Hex(sha256)) {
    return absl::InvalidArgumentError(absl::StrCat("malformed SHA-256 '", sha256.substr(0, 80), "'"));
  }
  const std::string path = absl::StrCat(dir_, "/blobs/", sha256);
  std::error_code ec;
  if (fs::exists(path, ec)) {
    absl::StatusOr<client::FileDigest> d = client::Sha256File(path);
    if (d.ok() && d->sha256 == sha256 && (size == 0 || d->size == size)) return path;
    fs::remove(path, ec);  // corrupt or truncated: fetch again
  }
  if (absl::Status s = download(path); !s.ok()) return s;
  absl::StatusOr<client::FileDigest> d = client::Sha256File(path);
  if (!d.ok()) return d.status();
  if (d->sha256 != sha256 || (size != 0 && d->size != size)) {
    fs::remove(path, ec);
    return absl::DataLossError(absl::StrCat("downloaded blob has SHA-256 ", d->sha256, " and ",
                                            d->size, " bytes; expected ", sha256, " and ", size));
  }
  return path;
}

absl::StatusOr<std::vector<std::string>> DatasetSamplePaths(const std::string& root) {
  std::vector<fs::path> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return FsError(absl::StrCat("cannot list ", root), ec);
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return FsError(absl::StrCat("cannot list ", root), ec);
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    const fs::path rel = it->path().lexically_relative(root);
    if (rel == "labels.txt") continue;
    files.push_back(rel);
  }
  if (files.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("dataset has no sample files"));
  }
  std::sort(files.begin(), files.end());
  bool all_in_first_level_dirs = true;
  std::vector<std::string> dirs;
  for (const fs::path& f : files) {
    const auto parts = std::distance(f.begin(), f.end());
    if (parts != 2) {
      all_in_first_level_dirs = false;
      break;
    }
    const std::string dir = (fs::path(root) / *f.begin()).string();
    if (dirs.empty() || dirs.back() != dir) dirs.push_back(dir);
  }
  if (all_in_first_level_dirs) {
    std::sort(dirs.begin(), dirs.end());
    dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
    return dirs;
  }
  std::vector<std::string> out;
  out.reserve(files.size());
  for (const fs::path& f : files) out.push_back((fs::path(root) / f).string());
  return out;
}

absl::StatusOr<std::vector<std::string>> InputCache::GetDataset(
    const std::string& sha256, const std::string& archive_path) const {
  if (!client::IsSha256Hex(sha256)) {
    return absl::InvalidArgumentError(absl::StrCat("malformed SHA-256 '", sha256.substr(0, 80), "'"));
  }
  const std::string dest = absl::StrCat(dir_, "/datasets/", sha256);
  std::error_code ec;
  if (!fs::is_directory(dest, ec)) {
    const std::string tmp = UniqueName(absl::StrCat(dir_, "/tmp/dataset-", sha256));
    fs::create_directories(tmp, ec);
    if (ec) return FsError(absl::StrCat("cannot create ", tmp), ec);
    absl::StatusOr<server::TarSummary> summary = server::ExtractTar(archive_path, tmp, {});
    if (!summary.ok()) {
      fs::remove_all(tmp, ec);
      return absl::Status(summary.status().code(),
                          absl::StrCat("dataset ", sha256, ": ", summary.status().message()));
    }
    fs::rename(tmp, dest, ec);
    if (ec) {
      // Another worker sharing the cache extracted it first: use theirs.
      std::error_code ec2;
      fs::remove_all(tmp, ec2);
      if (!fs::is_directory(dest, ec2)) return FsError(absl::StrCat("cannot rename to ", dest), ec);
    }
  }
  return DatasetSamplePaths(dest);
}

absl::StatusOr<std::string> InputCache::MakeWorkDir(const std::string& name) const {
  const std::string dir = UniqueName(absl::StrCat(dir_, "/tmp/", name));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return FsError(absl::StrCat("cannot create ", dir), ec);
  return dir;
}

}  // namespace compressd::worker
