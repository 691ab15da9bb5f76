#include "server/util/ids.h"

#include <openssl/rand.h>

#include <random>
#include <vector>

namespace compressd::server {

std::string RandomId(const std::string& prefix, int hex_chars) {
  std::vector<unsigned char> bytes((hex_chars + 1) / 2);
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    std::random_device rd;  // fallback; the OS device
    for (auto& b : bytes) b = static_cast<unsigned char>(rd());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = prefix;
  for (int i = 0; i < hex_chars; ++i) {
    const unsigned char b = bytes[i / 2];
    out.push_back(kHex[(i % 2 == 0) ? (b >> 4) : (b & 15)]);
  }
  return out;
}

}  // namespace compressd::server
