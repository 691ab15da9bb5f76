// Exit statuses of compressctl, stable for scripts and CI (docs/CLI.md).
#ifndef COMPRESSD_CLIENT_COMPRESSCTL_EXIT_CODES_H_
#define COMPRESSD_CLIENT_COMPRESSCTL_EXIT_CODES_H_

#include "absl/status/status.h"

namespace compressd::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,         // internal or unclassified error
  kExitUsage = 2,           // bad command line
  kExitInputRejected = 3,   // model, spec or data rejected (INVALID_ARGUMENT, NOT_FOUND, ...)
  kExitJobFailed = 4,       // the compression job ran and failed or was cancelled
  kExitAuthFailed = 5,      // UNAUTHENTICATED / PERMISSION_DENIED
  kExitUnavailable = 6,     // server unreachable or deadline exceeded
  kExitLimitExceeded = 7,   // RESOURCE_EXHAUSTED (quota, size limits)
};

// Maps a Status to the exit code a script should see.
inline int ExitCodeFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk: return kExitOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kAlreadyExists: return kExitInputRejected;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied: return kExitAuthFailed;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded: return kExitUnavailable;
    case absl::StatusCode::kResourceExhausted: return kExitLimitExceeded;
    default: return kExitFailure;
  }
}

}  // namespace compressd::cli

#endif  // COMPRESSD_CLIENT_COMPRESSCTL_EXIT_CODES_H_
