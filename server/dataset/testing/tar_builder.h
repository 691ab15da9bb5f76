// Test helper: builds tar archives in memory with libarchive, including hostile entries
// (absolute paths, "..", links, devices) that a safe extractor must reject.
#ifndef COMPRESSD_SERVER_DATASET_TESTING_TAR_BUILDER_H_
#define COMPRESSD_SERVER_DATASET_TESTING_TAR_BUILDER_H_

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <string>
#include <vector>

namespace compressd::server::testing {

class TarBuilder {
 public:
  // gzip: compress the archive with gzip.
  explicit TarBuilder(bool gzip = false) : gzip_(gzip) {}

  TarBuilder& File(const std::string& path, const std::string& data) {
    entries_.push_back({path, data, AE_IFREG, "", false});
    return *this;
  }
  TarBuilder& Dir(const std::string& path) {
    entries_.push_back({path, "", AE_IFDIR, "", false});
    return *this;
  }
  TarBuilder& Symlink(const std::string& path, const std::string& target) {
    entries_.push_back({path, "", AE_IFLNK, target, false});
    return *this;
  }
  TarBuilder& Hardlink(const std::string& path, const std::string& target) {
    entries_.push_back({path, "", AE_IFREG, target, true});
    return *this;
  }
  TarBuilder& CharDevice(const std::string& path) {
    entries_.push_back({path, "", AE_IFCHR, "", false});
    return *this;
  }
  TarBuilder& Fifo(const std::string& path) {
    entries_.push_back({path, "", AE_IFIFO, "", false});
    return *this;
  }

  std::string Build() const {
    std::string out;
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (gzip_) archive_write_add_filter_gzip(a);
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open(a, &out, nullptr, &Write, nullptr);
    for (const Entry& e : entries_) {
      struct archive_entry* entry = archive_entry_new();
      archive_entry_set_pathname(entry, e.path.c_str());
      archive_entry_set_filetype(entry, e.type);
      archive_entry_set_perm(entry, e.type == AE_IFDIR ? 0755 : 0644);
      if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.link.c_str());
      if (e.hard) archive_entry_set_hardlink(entry, e.link.c_str());
      if (e.type == AE_IFCHR) archive_entry_set_rdev(entry, makedev(1, 3));
      archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
      archive_write_header(a, entry);
      if (!e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
      archive_entry_free(entry);
    }
    archive_write_close(a);
    archive_write_free(a);
    return out;
  }

  // Minimal file contents with the right signatures.
  static std::string Npy(const std::string& tail = "payload") {
    return std::string("\x93NUMPY\x01\x00", 8) + tail;
  }
  static std::string Png(const std::string& tail = "payload") {
    return std::string("\x89PNG\r\n\x1a\n", 8) + tail;
  }
  static std::string Jpeg(const std::string& tail = "payload") {
    return std::string("\xFF\xD8\xFF\xE0", 4) + tail;
  }

 private:
  struct Entry {
    std::string path;
    std::string data;
    unsigned type;
    std::string link;
    bool hard;
  };
  static la_ssize_t Write(struct archive*, void* client, const void* buf, size_t n) {
    static_cast<std::string*>(client)->append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  }

  bool gzip_;
  std::vector<Entry> entries_;
};

}  // namespace compressd::server::testing

#endif  // COMPRESSD_SERVER_DATASET_TESTING_TAR_BUILDER_H_
