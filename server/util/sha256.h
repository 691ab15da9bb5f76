// SHA-256 (OpenSSL EVP) as lowercase hex, incremental or one-shot.
#ifndef COMPRESSD_SERVER_UTIL_SHA256_H_
#define COMPRESSD_SERVER_UTIL_SHA256_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace compressd::server {

// Incremental hasher. Not thread-safe; movable.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(std::span<const uint8_t> data);
  void Update(std::string_view data);
  // Lowercase hex digest (64 characters) of everything passed so far; resets the hasher.
  std::string HexDigest();
  // Digest of everything passed so far, without resetting.
  std::string PeekHexDigest() const;

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

std::string Sha256Hex(std::span<const uint8_t> data);
std::string Sha256Hex(std::string_view data);

// True for exactly 64 lowercase hex characters.
bool IsSha256Hex(std::string_view s);

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_UTIL_SHA256_H_
