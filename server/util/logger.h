// A small structured logger: one line per event on stderr, either plain text
// ("2024-01-01T00:00:00.123Z I job leased job_id=j-... worker=w1") or JSON lines
// ({"ts":"...","level":"info","msg":"job leased","job_id":"j-...","worker":"w1"}).
//
// Thread safety: all functions are safe to call from any thread; lines never interleave.
#ifndef COMPRESSD_SERVER_UTIL_LOGGER_H_
#define COMPRESSD_SERVER_UTIL_LOGGER_H_

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace compressd::server {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

using LogFields = std::vector<std::pair<std::string, std::string>>;

struct LoggerOptions {
  bool json = false;
  LogLevel min_level = LogLevel::kInfo;
  FILE* sink = stderr;  // not owned
};

// Replaces the process-wide options (call once at start-up; tests may call it again).
void ConfigureLogging(const LoggerOptions& options);

void Log(LogLevel level, const std::string& message, const LogFields& fields = {});

inline void LogInfo(const std::string& m, const LogFields& f = {}) { Log(LogLevel::kInfo, m, f); }
inline void LogWarning(const std::string& m, const LogFields& f = {}) {
  Log(LogLevel::kWarning, m, f);
}
inline void LogError(const std::string& m, const LogFields& f = {}) { Log(LogLevel::kError, m, f); }
inline void LogDebug(const std::string& m, const LogFields& f = {}) { Log(LogLevel::kDebug, m, f); }

// Formats one line (without the trailing newline); exposed for tests.
std::string FormatLogLine(bool json, const std::string& timestamp, LogLevel level,
                          const std::string& message, const LogFields& fields);

// JSON string escaping (quotes, backslash, control characters as \u00XX).
std::string JsonEscape(const std::string& s);

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_UTIL_LOGGER_H_
