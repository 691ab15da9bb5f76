#include "server/store/sqlite_job_store.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "server/util/time_util.h"

namespace compressd::server {
namespace {

// Schema migrations, applied in order; index + 1 is the version. Never edit an applied entry:
// append a new one.
const std::vector<std::string>& Migrations() {
  static const auto* migrations = new std::vector<std::string>{
      // 1: initial schema.
      R"sql(
CREATE TABLE jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL,
  state INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  create_us INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  lease_deadline_us INTEGER NOT NULL,
  worker_id TEXT NOT NULL,
  artifact_bytes INTEGER NOT NULL,
  job BLOB NOT NULL);
CREATE UNIQUE INDEX jobs_idempotency ON jobs(tenant, idempotency_key)
  WHERE idempotency_key != '';
CREATE INDEX jobs_tenant_seq ON jobs(tenant, seq);
CREATE INDEX jobs_state ON jobs(state);
CREATE TABLE models (
  tenant TEXT NOT NULL,
  model_id TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  ref BLOB NOT NULL,
  PRIMARY KEY (tenant, model_id));
CREATE TABLE datasets (
  tenant TEXT NOT NULL,
  dataset_id TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  ref BLOB NOT NULL,
  PRIMARY KEY (tenant, dataset_id));
CREATE TABLE uploads (
  tenant TEXT NOT NULL,
  kind INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  committed INTEGER NOT NULL,
  name TEXT NOT NULL,
  upload_name TEXT NOT NULL,
  update_us INTEGER NOT NULL,
  PRIMARY KEY (tenant, kind, sha256, size_bytes));
)sql",
  };
  return *migrations;
}

constexpr char kJobColumns[] = "seq, job, fingerprint, lease_deadline_us, worker_id";

absl::StatusOr<JobRecord> ReadJobRow(const SqliteStatement& st) {
  JobRecord r;
  r.seq = st.ColumnInt(0);
  if (!r.job.ParseFromString(st.ColumnBlob(1))) {
    return absl::DataLossError(absl::StrCat("job row seq ", r.seq, " does not parse"));
  }
  r.request_fingerprint = st.ColumnText(2);
  r.lease_deadline = FromMicros(st.ColumnInt(3));
  r.worker_id = st.ColumnText(4);
  return r;
}

int64_t ArtifactBytes(const v1::Job& job) {
  int64_t total = 0;
  for (const auto& a : job.artifacts()) total += static_cast<int64_t>(a.size_bytes());
  return total;
}

bool LabelsMatch(const v1::Job& job, const std::map<std::string, std::string>& labels) {
  for (const auto& [k, v] : labels) {
    auto it = job.spec().labels().find(k);
    if (it == job.spec().labels().end() || it->second != v) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteJobStore>> SqliteJobStore::Open(const std::string& path) {
  ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  std::unique_ptr<SqliteJobStore> store(new SqliteJobStore(std::move(db)));
  RETURN_IF_ERROR(store->Migrate());
  return store;
}

absl::Status SqliteJobStore::Migrate() {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(db_->Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "applied_us INTEGER NOT NULL)"));
  ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  ASSIGN_OR_RETURN(bool row, st->Step());
  const int64_t current = row ? st->ColumnInt(0) : 0;
  const auto& migrations = Migrations();
  if (current > static_cast<int64_t>(migrations.size())) {
    return absl::FailedPreconditionError(
        absl::StrCat("database schema version ", current, " is newer than this server's ",
                     migrations.size(), "; upgrade the server"));
  }
  for (size_t v = current + 1; v <= migrations.size(); ++v) {
    RETURN_IF_ERROR(InTransaction(*db_, [&]() -> absl::Status {
      RETURN_IF_ERROR(db_->Exec(migrations[v - 1]));
      ASSIGN_OR_RETURN(auto ins,
                       db_->Prepare("INSERT INTO schema_migrations(version, applied_us) "
                                    "VALUES(?, ?)"));
      ins->Bind(1, static_cast<int64_t>(v)).Bind(2, absl::ToUnixMicros(absl::Now()));
      return ins->Run();
    }));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> SqliteJobStore::SchemaVersion() {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? static_cast<int>(st->ColumnInt(0)) : 0;
}

absl::StatusOr<CreateJobResult> SqliteJobStore::CreateJob(const JobRecord& record,
                                                          const CreateJobOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  CreateJobResult result;
  const v1::Job& job = record.job;
  absl::Status s = InTransaction(*db_, [&]() -> absl::Status {
    if (!job.idempotency_key().empty()) {
      ASSIGN_OR_RETURN(auto st, db_->Prepare(absl::StrCat(
                                    "SELECT ", kJobColumns,
                                    " FROM jobs WHERE tenant = ? AND idempotency_key = ?")));
      st->Bind(1, job.tenant()).Bind(2, job.idempotency_key());
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (row) {
        ASSIGN_OR_RETURN(JobRecord existing, ReadJobRow(*st));
        if (existing.request_fingerprint != record.request_fingerprint) {
          return absl::AlreadyExistsError(absl::StrCat(
              "idempotency_key '", job.idempotency_key(), "' was already used for job ",
              existing.job.job_id(), " with a different request"));
        }
        result.record = std::move(existing);
        result.created = false;
        return absl::OkStatus();
      }
    }
    if (options.max_active_jobs_per_tenant > 0) {
      ASSIGN_OR_RETURN(auto st, db_->Prepare("SELECT COUNT(*) FROM jobs WHERE tenant = ? AND "
                                             "state IN (?, ?)"));
      st->Bind(1, job.tenant())
          .Bind(2, int64_t{v1::JOB_STATE_QUEUED})
          .Bind(3, int64_t{v1::JOB_STATE_RUNNING});
      ASSIGN_OR_RETURN(bool row, st->Step());
      const int64_t active = row ? st->ColumnInt(0) : 0;
      if (active >= options.max_active_jobs_per_tenant) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "tenant '", job.tenant(), "': limit max_concurrent_jobs=",
            options.max_active_jobs_per_tenant, " reached (", active,
            " jobs queued or running)"));
      }
    }
    ASSIGN_OR_RETURN(auto ins, db_->Prepare(
                                   "INSERT INTO jobs(job_id, tenant, state, priority, create_us, "
                                   "idempotency_key, fingerprint, lease_deadline_us, worker_id, "
                                   "artifact_bytes, job) VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
    ins->Bind(1, job.job_id())
        .Bind(2, job.tenant())
        .Bind(3, int64_t{job.state()})
        .Bind(4, int64_t{job.priority()})
        .Bind(5, ToMicros(FromProtoTime(job.create_time())))
        .Bind(6, job.idempotency_key())
        .Bind(7, record.request_fingerprint)
        .Bind(8, ToMicros(record.lease_deadline))
        .Bind(9, record.worker_id)
        .Bind(10, ArtifactBytes(job))
        .BindBlob(11, job.SerializeAsString());
    RETURN_IF_ERROR(ins->Run());
    ASSIGN_OR_RETURN(auto seq_st, db_->Prepare("SELECT last_insert_rowid()"));
    ASSIGN_OR_RETURN(bool row, seq_st->Step());
    result.record = record;
    result.record.seq = row ? seq_st->ColumnInt(0) : 0;
    result.created = true;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

absl::Status SqliteJobStore::UpdateJob(const JobRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  const v1::Job& job = record.job;
  ASSIGN_OR_RETURN(auto st, db_->Prepare(
                                "UPDATE jobs SET state = ?, priority = ?, lease_deadline_us = ?, "
                                "worker_id = ?, artifact_bytes = ?, job = ? WHERE job_id = ?"));
  st->Bind(1, int64_t{job.state()})
      .Bind(2, int64_t{job.priority()})
      .Bind(3, ToMicros(record.lease_deadline))
      .Bind(4, record.worker_id)
      .Bind(5, ArtifactBytes(job))
      .BindBlob(6, job.SerializeAsString())
      .Bind(7, job.job_id());
  RETURN_IF_ERROR(st->Run());  // autocommit: one durable transaction
  if (db_->Changes() == 0) {
    return absl::NotFoundError(absl::StrCat("job ", job.job_id(), " not found"));
  }
  return absl::OkStatus();
}

absl::StatusOr<JobRecord> SqliteJobStore::GetJob(const std::string& job_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto st,
                   db_->Prepare(absl::StrCat("SELECT ", kJobColumns, " FROM jobs WHERE job_id = ?")));
  st->Bind(1, job_id);
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return absl::NotFoundError(absl::StrCat("job ", job_id, " not found"));
  return ReadJobRow(*st);
}

absl::StatusOr<std::vector<JobRecord>> SqliteJobStore::ListJobs(const JobFilter& filter) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JobRecord> out;
  if (filter.limit <= 0) return out;
  std::vector<std::string> where;
  if (!filter.tenant.empty()) where.push_back("tenant = ?");
  if (!filter.states.empty()) {
    std::vector<std::string> marks(filter.states.size(), "?");
    where.push_back(absl::StrCat("state IN (", absl::StrJoin(marks, ","), ")"));
  }
  if (filter.create_time_after) where.push_back("create_us >= ?");
  if (filter.create_time_before) where.push_back("create_us < ?");
  where.push_back("seq < ?");
  const std::string base = absl::StrCat("SELECT ", kJobColumns, " FROM jobs WHERE ",
                                        absl::StrJoin(where, " AND "),
                                        " ORDER BY seq DESC LIMIT ?");
  // Label filters are applied here, scanning in batches until the page is full.
  int64_t before = filter.before_seq > 0 ? filter.before_seq : INT64_MAX;
  const int batch = std::max(filter.limit, 64);
  for (;;) {
    ASSIGN_OR_RETURN(auto st, db_->Prepare(base));
    int i = 1;
    if (!filter.tenant.empty()) st->Bind(i++, filter.tenant);
    for (v1::JobState state : filter.states) st->Bind(i++, int64_t{state});
    if (filter.create_time_after) st->Bind(i++, ToMicros(*filter.create_time_after));
    if (filter.create_time_before) st->Bind(i++, ToMicros(*filter.create_time_before));
    st->Bind(i++, before);
    st->Bind(i++, int64_t{batch});
    int rows = 0;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      ++rows;
      ASSIGN_OR_RETURN(JobRecord r, ReadJobRow(*st));
      before = r.seq;
      if (!LabelsMatch(r.job, filter.labels)) continue;
      out.push_back(std::move(r));
      if (static_cast<int>(out.size()) >= filter.limit) return out;
    }
    if (rows < batch) return out;
  }
}

absl::StatusOr<std::vector<JobRecord>> SqliteJobStore::LoadActiveJobs() {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto st, db_->Prepare(absl::StrCat("SELECT ", kJobColumns,
                                                      " FROM jobs WHERE state IN (?, ?) "
                                                      "ORDER BY seq ASC")));
  st->Bind(1, int64_t{v1::JOB_STATE_QUEUED}).Bind(2, int64_t{v1::JOB_STATE_RUNNING});
  std::vector<JobRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    ASSIGN_OR_RETURN(JobRecord r, ReadJobRow(*st));
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<std::vector<JobCount>> SqliteJobStore::CountJobs() {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto st,
                   db_->Prepare("SELECT tenant, state, COUNT(*) FROM jobs GROUP BY tenant, state"));
  std::vector<JobCount> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    JobCount c;
    c.tenant = st->ColumnText(0);
    c.state = static_cast<v1::JobState>(st->ColumnInt(1));
    c.count = st->ColumnInt(2);
    out.push_back(std::move(c));
  }
  return out;
}

absl::Status SqliteJobStore::PutModel(const std::string& tenant, const v1::ModelRef& model) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto st, db_->Prepare("INSERT OR REPLACE INTO models(tenant, model_id, "
                                         "size_bytes, ref) VALUES(?,?,?,?)"));
  st->Bind(1, tenant)
      .Bind(2, model.model_id())
      .Bind(3, static_cast<int64_t>(model.size_bytes()))
      .BindBlob(4, model.SerializeAsString());
  return st->Run();
}

absl::StatusOr<v1::ModelRef> SqliteJobStore::GetModel(const std::string& tenant,
                                                      const std::string& model_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto st,
                   db_->Prepare(tenant.empty()
                                    ? "SELECT ref FROM models WHERE model_id = ?1 LIMIT 1"
                                    : "SELECT ref FROM models WHERE model_id = ?1 AND tenant = ?2"));
  st->Bind(1, model_id);
  if (!tenant.empty()) st->Bind(2, tenant);
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return absl::NotFoundError(absl::StrCat("model ", model_id, " not found"));
  v1::ModelRef ref;
  if (!ref.ParseFromString(st->ColumnBlob(0))) {
    return absl::DataLossError(absl::StrCat("model row ", model_id, " does not parse"));
  }
  return ref;
}

absl::Status SqliteJobStore::PutDataset(const std::string& tenant, const v1::DatasetRef& dataset) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto st, db_->Prepare("INSERT OR REPLACE INTO datasets(tenant, dataset_id, "
                                         "size_bytes, ref) VALUES(?,?,?,?)"));
  st->Bind(1, tenant)
      .Bind(2, dataset.dataset_id())
      .Bind(3, static_cast<int64_t>(dataset.size_bytes()))
      .BindBlob(4, dataset.SerializeAsString());
  return st->Run();
}

absl::StatusOr<v1::DatasetRef> SqliteJobStore::GetDataset(const std::string& tenant,
                                                          const std::string& dataset_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(
      auto st, db_->Prepare(tenant.empty()
                                ? "SELECT ref FROM datasets WHERE dataset_id = ?1 LIMIT 1"
                                : "SELECT ref FROM datasets WHERE dataset_id = ?1 AND tenant = ?2"));
  st->Bind(1, dataset_id);
  if (!tenant.empty()) st->Bind(2, tenant);
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return absl::NotFoundError(absl::StrCat("dataset ", dataset_id, " not found"));
  v1::DatasetRef ref;
  if (!ref.ParseFromString(st->ColumnBlob(0))) {
    return absl::DataLossError(absl::StrCat("dataset row ", dataset_id, " does not parse"));
  }
  return ref;
}

absl::StatusOr<int64_t> SqliteJobStore::TenantStorageBytes(const std::string& tenant) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto st, db_->Prepare(
                                "SELECT (SELECT COALESCE(SUM(size_bytes), 0) FROM models WHERE "
                                "tenant = ?1) + (SELECT COALESCE(SUM(size_bytes), 0) FROM datasets "
                                "WHERE tenant = ?1) + (SELECT COALESCE(SUM(artifact_bytes), 0) "
                                "FROM jobs WHERE tenant = ?1)"));
  st->Bind(1, tenant);
  ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? st->ColumnInt(0) : int64_t{0};
}

absl::StatusOr<std::optional<UploadSessionRecord>> SqliteJobStore::GetUpload(
    const std::string& tenant, UploadKind kind, const std::string& sha256, uint64_t size_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto st, db_->Prepare(
                                "SELECT committed, name, upload_name, update_us FROM uploads "
                                "WHERE tenant = ? AND kind = ? AND sha256 = ? AND size_bytes = ?"));
  st->Bind(1, tenant)
      .Bind(2, static_cast<int64_t>(kind))
      .Bind(3, sha256)
      .Bind(4, static_cast<int64_t>(size_bytes));
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<UploadSessionRecord>();
  UploadSessionRecord r;
  r.tenant = tenant;
  r.kind = kind;
  r.sha256 = sha256;
  r.size_bytes = size_bytes;
  r.committed_offset = static_cast<uint64_t>(st->ColumnInt(0));
  r.name = st->ColumnText(1);
  r.upload_name = st->ColumnText(2);
  r.update_time = FromMicros(st->ColumnInt(3));
  return std::optional<UploadSessionRecord>(std::move(r));
}

absl::Status SqliteJobStore::PutUpload(const UploadSessionRecord& u) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto st, db_->Prepare(
                                "INSERT OR REPLACE INTO uploads(tenant, kind, sha256, size_bytes, "
                                "committed, name, upload_name, update_us) VALUES(?,?,?,?,?,?,?,?)"));
  st->Bind(1, u.tenant)
      .Bind(2, static_cast<int64_t>(u.kind))
      .Bind(3, u.sha256)
      .Bind(4, static_cast<int64_t>(u.size_bytes))
      .Bind(5, static_cast<int64_t>(u.committed_offset))
      .Bind(6, u.name)
      .Bind(7, u.upload_name)
      .Bind(8, ToMicros(u.update_time));
  return st->Run();
}

absl::Status SqliteJobStore::DeleteUpload(const std::string& tenant, UploadKind kind,
                                          const std::string& sha256, uint64_t size_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto st, db_->Prepare("DELETE FROM uploads WHERE tenant = ? AND kind = ? AND "
                                         "sha256 = ? AND size_bytes = ?"));
  st->Bind(1, tenant)
      .Bind(2, static_cast<int64_t>(kind))
      .Bind(3, sha256)
      .Bind(4, static_cast<int64_t>(size_bytes));
  return st->Run();
}

absl::StatusOr<std::vector<UploadSessionRecord>> SqliteJobStore::ListStaleUploads(
    absl::Time before) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(auto st, db_->Prepare(
                                "SELECT tenant, kind, sha256, size_bytes, committed, name, "
                                "upload_name, update_us FROM uploads WHERE update_us < ?"));
  st->Bind(1, ToMicros(before));
  std::vector<UploadSessionRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    UploadSessionRecord r;
    r.tenant = st->ColumnText(0);
    r.kind = static_cast<UploadKind>(st->ColumnInt(1));
    r.sha256 = st->ColumnText(2);
    r.size_bytes = static_cast<uint64_t>(st->ColumnInt(3));
    r.committed_offset = static_cast<uint64_t>(st->ColumnInt(4));
    r.name = st->ColumnText(5);
    r.upload_name = st->ColumnText(6);
    r.update_time = FromMicros(st->ColumnInt(7));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace compressd::server
