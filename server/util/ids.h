// Random identifiers.
#ifndef COMPRESSD_SERVER_UTIL_IDS_H_
#define COMPRESSD_SERVER_UTIL_IDS_H_

#include <string>

namespace compressd::server {

// `prefix` + `hex_chars` lowercase hex characters from the OS's CSPRNG. Thread-safe.
std::string RandomId(const std::string& prefix, int hex_chars);

// A new job id: "j-" + 24 hex characters.
inline std::string NewJobId() { return RandomId("j-", 24); }

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_UTIL_IDS_H_
