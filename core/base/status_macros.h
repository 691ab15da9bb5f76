// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status and absl::StatusOr.
// Abseil 20220623 as packaged by Debian ships neither, so the project keeps this small version.
#ifndef COMPRESSD_CORE_BASE_STATUS_MACROS_H_
#define COMPRESSD_CORE_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define COMPRESSD_STATUS_CONCAT_INNER_(a, b) a##b
#define COMPRESSD_STATUS_CONCAT_(a, b) COMPRESSD_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing function if it is not OK.
#define RETURN_IF_ERROR(expr)                                   \
  do {                                                          \
    ::absl::Status compressd_status_ = (expr);                  \
    if (!compressd_status_.ok()) return compressd_status_;      \
  } while (false)

// ASSIGN_OR_RETURN(lhs, rexpr): evaluates `rexpr` (an absl::StatusOr<T>); on error returns its
// status, otherwise assigns (moves) the value into `lhs`, which may be a declaration
// (`auto x`, `const Foo& y`) or an existing variable.
#define ASSIGN_OR_RETURN(lhs, rexpr)                                                         \
  COMPRESSD_ASSIGN_OR_RETURN_IMPL_(COMPRESSD_STATUS_CONCAT_(compressd_statusor_, __LINE__), \
                                   lhs, rexpr)

#define COMPRESSD_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                     \
  if (!statusor.ok()) return std::move(statusor).status();     \
  lhs = std::move(statusor).value()

#endif  // COMPRESSD_CORE_BASE_STATUS_MACROS_H_
