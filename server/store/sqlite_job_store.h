// JobStore on SQLite: one database file in WAL mode with synchronous=FULL (every commit fsyncs
// the WAL before returning), a busy timeout, and versioned schema migrations recorded in the
// table schema_migrations. Jobs are stored as serialized compressd.v1.Job plus indexed columns.
//
// Thread safety: all methods are thread-safe (one connection behind a mutex).
#ifndef COMPRESSD_SERVER_STORE_SQLITE_JOB_STORE_H_
#define COMPRESSD_SERVER_STORE_SQLITE_JOB_STORE_H_

#include <memory>
#include <mutex>
#include <string>

#include "server/store/job_store.h"
#include "server/store/sqlite_db.h"

namespace compressd::server {

class SqliteJobStore final : public JobStore {
 public:
  // Opens or creates `path` and applies pending migrations.
  static absl::StatusOr<std::unique_ptr<SqliteJobStore>> Open(const std::string& path);

  // Highest applied schema version.
  absl::StatusOr<int> SchemaVersion();

  absl::StatusOr<CreateJobResult> CreateJob(const JobRecord& record,
                                            const CreateJobOptions& options) override;
  absl::Status UpdateJob(const JobRecord& record) override;
  absl::StatusOr<JobRecord> GetJob(const std::string& job_id) override;
  absl::StatusOr<std::vector<JobRecord>> ListJobs(const JobFilter& filter) override;
  absl::StatusOr<std::vector<JobRecord>> LoadActiveJobs() override;
  absl::StatusOr<std::vector<JobCount>> CountJobs() override;

  absl::Status PutModel(const std::string& tenant, const v1::ModelRef& model) override;
  absl::StatusOr<v1::ModelRef> GetModel(const std::string& tenant,
                                        const std::string& model_id) override;
  absl::Status PutDataset(const std::string& tenant, const v1::DatasetRef& dataset) override;
  absl::StatusOr<v1::DatasetRef> GetDataset(const std::string& tenant,
                                            const std::string& dataset_id) override;
  absl::StatusOr<int64_t> TenantStorageBytes(const std::string& tenant) override;

  absl::StatusOr<std::optional<UploadSessionRecord>> GetUpload(const std::string& tenant,
                                                               UploadKind kind,
                                                               const std::string& sha256,
                                                               uint64_t size_bytes) override;
  absl::Status PutUpload(const UploadSessionRecord& upload) override;
  absl::Status DeleteUpload(const std::string& tenant, UploadKind kind, const std::string& sha256,
                            uint64_t size_bytes) override;
  absl::StatusOr<std::vector<UploadSessionRecord>> ListStaleUploads(absl::Time before) override;

 private:
  explicit SqliteJobStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  absl::Status Migrate();

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_STORE_SQLITE_JOB_STORE_H_
