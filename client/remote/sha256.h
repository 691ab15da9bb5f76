// SHA-256 as lowercase hex (OpenSSL EVP) for uploads, downloads and the worker's cache.
//
// Thread safety: Sha256Hasher is not thread-safe; the functions are.
#ifndef COMPRESSD_CLIENT_REMOTE_SHA256_H_
#define COMPRESSD_CLIENT_REMOTE_SHA256_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace compressd::client {

class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::string_view data);
  // Digest of everything passed so far (64 lowercase hex characters); the hasher is then reset.
  std::string Finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

std::string Sha256Hex(std::string_view data);

struct FileDigest {
  std::string sha256;
  uint64_t size = 0;
};

// Hashes a file by streaming it. NOT_FOUND when it cannot be opened.
absl::StatusOr<FileDigest> Sha256File(const std::string& path);

// True for exactly 64 lowercase hex characters.
bool IsSha256Hex(std::string_view s);

}  // namespace compressd::client

#endif  // COMPRESSD_CLIENT_REMOTE_SHA256_H_
