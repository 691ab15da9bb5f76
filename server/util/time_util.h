// Conversions between absl::Time and google.protobuf.Timestamp.
#ifndef COMPRESSD_SERVER_UTIL_TIME_UTIL_H_
#define COMPRESSD_SERVER_UTIL_TIME_UTIL_H_

#include <cstdint>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace compressd::server {

inline google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t us = absl::ToUnixMicros(t);
  int64_t sec = us / 1000000;
  int64_t rem = us % 1000000;
  if (rem < 0) {
    rem += 1000000;
    sec -= 1;
  }
  ts.set_seconds(sec);
  ts.set_nanos(static_cast<int32_t>(rem * 1000));
  return ts;
}

inline absl::Time FromProtoTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// Microseconds since the epoch with the infinite past/future mapped to INT64_MIN/INT64_MAX.
inline int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromMicros(int64_t us) {
  if (us == INT64_MIN) return absl::InfinitePast();
  if (us == INT64_MAX) return absl::InfiniteFuture();
  return absl::FromUnixMicros(us);
}

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_UTIL_TIME_UTIL_H_
