#include "server/util/logger.h"

#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace compressd::server {
namespace {

std::mutex& LogMutex() {
  static std::mutex* mu = new std::mutex();
  return *mu;
}

LoggerOptions& Options() {
  static LoggerOptions* options = new LoggerOptions();
  return *options;
}

const char* LevelName(LogLevel level, bool json) {
  switch (level) {
    case LogLevel::kDebug: return json ? "debug" : "D";
    case LogLevel::kInfo: return json ? "info" : "I";
    case LogLevel::kWarning: return json ? "warning" : "W";
    case LogLevel::kError: return json ? "error" : "E";
  }
  return "?";
}

bool NeedsQuoting(const std::string& s) {
  if (s.empty()) return true;
  for (char c : s) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

}  // namespace

std::string JsonEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

std::string FormatLogLine(bool json, const std::string& timestamp, LogLevel level,
                          const std::string& message, const LogFields& fields) {
  std::string line;
  if (json) {
    absl::StrAppend(&line, "{\"ts\":\"", JsonEscape(timestamp), "\",\"level\":\"",
                    LevelName(level, true), "\",\"msg\":\"", JsonEscape(message), "\"");
    for (const auto& [k, v] : fields) {
      absl::StrAppend(&line, ",\"", JsonEscape(k), "\":\"", JsonEscape(v), "\"");
    }
    line += "}";
  } else {
    absl::StrAppend(&line, timestamp, " ", LevelName(level, false), " ", message);
    for (const auto& [k, v] : fields) {
      if (NeedsQuoting(v)) {
        absl::StrAppend(&line, " ", k, "=\"", JsonEscape(v), "\"");
      } else {
        absl::StrAppend(&line, " ", k, "=", v);
      }
    }
  }
  return line;
}

void ConfigureLogging(const LoggerOptions& options) {
  std::lock_guard<std::mutex> lock(LogMutex());
  Options() = options;
}

void Log(LogLevel level, const std::string& message, const LogFields& fields) {
  std::lock_guard<std::mutex> lock(LogMutex());
  const LoggerOptions& options = Options();
  if (static_cast<int>(level) < static_cast<int>(options.min_level)) return;
  const std::string ts =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  const std::string line = FormatLogLine(options.json, ts, level, message, fields);
  std::fprintf(options.sink, "%s\n", line.c_str());
  std::fflush(options.sink);
}

}  // namespace compressd::server
