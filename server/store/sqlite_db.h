// A thin RAII layer over the SQLite C API: a connection and prepared statements whose errors are
// absl::Status values naming the SQL and SQLite's message.
//
// Thread safety: a SqliteDb is one connection; callers serialize access to it (SqliteJobStore
// holds a mutex). Statements belong to their connection.
#ifndef COMPRESSD_SERVER_STORE_SQLITE_DB_H_
#define COMPRESSD_SERVER_STORE_SQLITE_DB_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct sqlite3;
struct sqlite3_stmt;

namespace compressd::server {

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, std::string sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are 1-based as in SQLite.
  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& Bind(int index, std::string_view text);
  SqliteStatement& BindBlob(int index, std::string_view bytes);
  SqliteStatement& BindNull(int index);

  // Executes one step: true when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Steps to completion (for statements without results).
  absl::Status Run();

  int64_t ColumnInt(int col) const;
  std::string ColumnText(int col) const;
  std::string ColumnBlob(int col) const;
  bool ColumnIsNull(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
  absl::Status bind_status_;
};

class SqliteDb {
 public:
  // Opens (creating) the database at `path` in WAL mode with synchronous=FULL, foreign keys on and
  // the given busy timeout.
  static absl::StatusOr<std::unique_ptr<SqliteDb>> Open(const std::string& path,
                                                         int busy_timeout_ms = 5000);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without parameters or results.
  absl::Status Exec(const std::string& sql);
  absl::StatusOr<std::unique_ptr<SqliteStatement>> Prepare(const std::string& sql);

  // BEGIN IMMEDIATE / COMMIT / ROLLBACK.
  absl::Status Begin();
  absl::Status Commit();
  void Rollback();

  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;

  sqlite3* raw() const { return db_; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// Runs fn() inside BEGIN IMMEDIATE ... COMMIT; rolls back when fn or COMMIT fails.
template <typename Fn>
absl::Status InTransaction(SqliteDb& db, Fn&& fn) {
  absl::Status s = db.Begin();
  if (!s.ok()) return s;
  s = fn();
  if (!s.ok()) {
    db.Rollback();
    return s;
  }
  s = db.Commit();
  if (!s.ok()) db.Rollback();
  return s;
}

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_STORE_SQLITE_DB_H_
