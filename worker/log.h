// One-line logs of compressd-worker on stderr: "2025-01-02T03:04:05.678Z INFO message key=value".
// Thread-safe (one write per line).
#ifndef COMPRESSD_WORKER_LOG_H_
#define COMPRESSD_WORKER_LOG_H_

#include <unistd.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace compressd::worker {

inline void Log(const char* level, const std::string& message,
                std::initializer_list<std::pair<const char*, std::string>> fields = {}) {
  std::string line = absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()), " ", level,
      " ", message);
  for (const auto& [k, v] : fields) {
    const bool quote = v.empty() || v.find_first_of(" \"=") != std::string::npos;
    absl::StrAppend(&line, " ", k, "=", quote ? absl::StrCat("\"", v, "\"") : v);
  }
  line += "\n";
  (void)!::write(2, line.data(), line.size());
}

}  // namespace compressd::worker

#endif  // COMPRESSD_WORKER_LOG_H_
