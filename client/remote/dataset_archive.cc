#include "client/remote/dataset_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace compressd::client {
namespace fs = std::filesystem;
namespace {

bool IsSampleName(const std::string& name) {
  const std::string lower = absl::AsciiStrToLower(name);
  return absl::EndsWith(lower, ".npy") || absl::EndsWith(lower, ".png") ||
         absl::EndsWith(lower, ".jpg") || absl::EndsWith(lower, ".jpeg");
}

absl::Status Unsupported(const fs::path& p) {
  return absl::InvalidArgumentError(
      absl::StrCat("'", p.string(), "': unsupported file type (datasets hold .npy, .png, .jpg, "
                   ".jpeg files and an optional top-level labels.txt)"));
}

// Adds the files under `dir` with names prefix + relative path.
absl::Status AddFolder(const fs::path& dir, const std::string& prefix, bool allow_labels,
                       std::vector<ArchiveEntry>& out) {
  std::error_code ec;
  std::vector<fs::path> stack = {dir};
  while (!stack.empty()) {
    const fs::path d = stack.back();
    stack.pop_back();
    for (const fs::directory_entry& e : fs::directory_iterator(d, ec)) {
      const std::string base = e.path().filename().string();
      if (base.empty() || base[0] == '.') continue;
      std::error_code ec2;
      if (e.is_symlink(ec2) && e.is_directory(ec2)) continue;  // no cycles
      if (e.is_directory(ec2)) {
        stack.push_back(e.path());
        continue;
      }
      if (!e.is_regular_file(ec2)) return Unsupported(e.path());
      const std::string rel = e.path().lexically_relative(dir).generic_string();
      if (rel == "labels.txt" && allow_labels) {
        out.push_back({e.path().string(), "labels.txt"});
        continue;
      }
      if (base == "labels.txt") {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", e.path().string(), "': labels.txt is only allowed at the top of a single "
            "dataset folder"));
      }
      if (!IsSampleName(base)) return Unsupported(e.path());
      out.push_back({e.path().string(), prefix + rel});
    }
    if (ec) return absl::InternalError(absl::StrCat("cannot list '", d.string(), "': ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsDatasetArchiveFile(const std::string& path) {
  const std::string lower = absl::AsciiStrToLower(path);
  return absl::EndsWith(lower, ".tar") || absl::EndsWith(lower, ".tar.gz") ||
         absl::EndsWith(lower, ".tgz") || absl::EndsWith(lower, ".tar.zst");
}

absl::StatusOr<std::vector<ArchiveEntry>> PlanDatasetArchive(const std::vector<std::string>& paths) {
  if (paths.empty()) return absl::InvalidArgumentError("no dataset paths given");
  std::vector<ArchiveEntry> out;
  const bool single = paths.size() == 1;
  for (size_t i = 0; i < paths.size(); ++i) {
    const fs::path p(paths[i]);
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      return absl::NotFoundError(absl::StrCat("'", paths[i], "' does not exist"));
    }
    if (fs::is_directory(st)) {
      std::string name = p.lexically_normal().filename().string();
      if (name.empty()) name = p.lexically_normal().parent_path().filename().string();
      if (name.empty() || name == "." || name == "..") name = "data";
      const std::string prefix = single ? "" : absl::StrFormat("%02d-%s/", i, name);
      if (absl::Status s = AddFolder(p, prefix, single, out); !s.ok()) return s;
    } else if (fs::is_regular_file(st)) {
      const std::string base = p.filename().string();
      if (!IsSampleName(base)) return Unsupported(p);
      out.push_back({paths[i], base});
    } else {
      return Unsupported(p);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const ArchiveEntry& a, const ArchiveEntry& b) { return a.name < b.name; });
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].name == out[i - 1].name) {
      return absl::InvalidArgumentError(absl::StrCat("two files would be archived as '",
                                                     out[i].name, "': '", out[i - 1].source,
                                                     "' and '", out[i].source, "'"));
    }
  }
  const bool any_sample = std::any_of(out.begin(), out.end(), [](const ArchiveEntry& e) {
    return e.name != "labels.txt";
  });
  if (!any_sample) return absl::InvalidArgumentError("no sample files (.npy, .png, .jpg) found");
  return out;
}

absl::Status WriteDatasetArchive(const std::vector<ArchiveEntry>& entries,
                                 const std::string& out_path) {
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  auto fail = [&](const std::string& what) {
    absl::Status s = absl::InternalError(absl::StrCat(what, ": ", archive_error_string(a)
                                                                      ? archive_error_string(a)
                                                                      : "unknown error"));
    archive_write_free(a);
    return s;
  };
  if (archive_write_open_filename(a, out_path.c_str()) != ARCHIVE_OK) {
    return fail(absl::StrCat("cannot create '", out_path, "'"));
  }
  std::vector<char> buf(1 << 20);
  for (const ArchiveEntry& e : entries) {
    std::FILE* f = std::fopen(e.source.c_str(), "rb");
    if (f == nullptr) {
      archive_write_free(a);
      return absl::NotFoundError(absl::StrCat("cannot open '", e.source, "'"));
    }
    std::error_code ec;
    const uintmax_t size = fs::file_size(e.source, ec);
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_size(entry, static_cast<la_int64_t>(ec ? 0 : size));
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    int r = archive_write_header(a, entry);
    archive_entry_free(entry);
    if (r != ARCHIVE_OK) {
      std::fclose(f);
      return fail(absl::StrCat("cannot add '", e.name, "'"));
    }
    uintmax_t written = 0;
    for (;;) {
      const size_t n = std::fread(buf.data(), 1, buf.size(), f);
      if (n == 0) break;
      if (written + n > size) {
        std::fclose(f);
        archive_write_free(a);
        return absl::DataLossError(absl::StrCat("'", e.source, "' grew while archiving"));
      }
      if (archive_write_data(a, buf.data(), n) < 0) {
        std::fclose(f);
        return fail(absl::StrCat("cannot write '", e.name, "'"));
      }
      written += n;
    }
    std::fclose(f);
    if (written != size) {
      archive_write_free(a);
      return absl::DataLossError(absl::StrCat("'", e.source, "' shrank while archiving"));
    }
  }
  if (archive_write_close(a) != ARCHIVE_OK) return fail("cannot finish the archive");
  archive_write_free(a);
  return absl::OkStatus();
}

}  // namespace compressd::client
