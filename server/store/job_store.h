// JobStore: the durable state of the server apart from blob bytes — jobs (with their leases and
// idempotency keys), which tenant may see which model and dataset, and resumable upload sessions.
//
// Contract for every implementation:
//  - Each mutating call is one atomic transaction that is durable (on disk, fsynced) when the call
//    returns OK. Callers acknowledge a state change to a client only after that. A crash (kill -9)
//    at any point leaves either the state before or after the call.
//  - Thread-safe: calls may come from any thread; implementations serialize internally.
//  - The store does not enforce the job state machine (the scheduler does); it stores what it is
//    given, except for the checks CreateJob documents.
//  - Errors: NOT_FOUND for missing rows, ALREADY_EXISTS / RESOURCE_EXHAUSTED as documented below,
//    UNAVAILABLE when the database is busy beyond the timeout, INTERNAL/DATA_LOSS otherwise.
#ifndef COMPRESSD_SERVER_STORE_JOB_STORE_H_
#define COMPRESSD_SERVER_STORE_JOB_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "compressd/v1/job.pb.h"
#include "compressd/v1/resources.pb.h"

namespace compressd::server {

// A job as stored: the API resource plus the scheduler's bookkeeping.
struct JobRecord {
  v1::Job job;
  // SHA-256 (hex) of the canonical SubmitJobRequest without its idempotency key; a retried submit
  // with the same key must match it.
  std::string request_fingerprint;
  // RUNNING jobs: end of the current lease and who holds it. absl::InfinitePast() otherwise.
  absl::Time lease_deadline = absl::InfinitePast();
  std::string worker_id;
  // Submission order, assigned by CreateJob (strictly increasing).
  int64_t seq = 0;
};

struct CreateJobOptions {
  // When > 0, fail with RESOURCE_EXHAUSTED if the tenant already has this many QUEUED or RUNNING
  // jobs (checked in the same transaction as the insert).
  int64_t max_active_jobs_per_tenant = 0;
};

struct CreateJobResult {
  JobRecord record;
  // False when an existing job with the same tenant, idempotency key and fingerprint was returned.
  bool created = false;
};

struct JobFilter {
  std::string tenant;  // empty: every tenant
  std::vector<v1::JobState> states;  // empty: every state
  std::map<std::string, std::string> labels;  // each must be in job.spec.labels
  std::optional<absl::Time> create_time_after;   // inclusive
  std::optional<absl::Time> create_time_before;  // exclusive
  int64_t before_seq = 0;  // > 0: only jobs with seq < before_seq (pagination)
  int limit = 50;          // at most this many records, newest (highest seq) first
};

struct JobCount {
  std::string tenant;
  v1::JobState state = v1::JOB_STATE_UNSPECIFIED;
  int64_t count = 0;
};

enum class UploadKind { kModel = 1, kDataset = 2 };

// A resumable upload. Keyed by (tenant, kind, sha256, size_bytes).
struct UploadSessionRecord {
  std::string tenant;
  UploadKind kind = UploadKind::kModel;
  std::string sha256;
  uint64_t size_bytes = 0;
  // Bytes of the partial file known to be durable (fsynced); resume point.
  uint64_t committed_offset = 0;
  std::string name;
  // Name of the partial file in the blob store's upload area.
  std::string upload_name;
  absl::Time update_time;
};

class JobStore {
 public:
  virtual ~JobStore() = default;

  // --- Jobs ---------------------------------------------------------------------------------
  // Inserts record.job (job_id must be new; seq is assigned). If job.idempotency_key is not empty
  // and the tenant already has a job with that key: returns that job (created=false) when the
  // fingerprints match, ALREADY_EXISTS naming the existing job otherwise. Then applies
  // options.max_active_jobs_per_tenant.
  virtual absl::StatusOr<CreateJobResult> CreateJob(const JobRecord& record,
                                                    const CreateJobOptions& options) = 0;
  // Replaces the stored job with the same job_id (NOT_FOUND if absent). seq is kept.
  virtual absl::Status UpdateJob(const JobRecord& record) = 0;
  virtual absl::StatusOr<JobRecord> GetJob(const std::string& job_id) = 0;
  virtual absl::StatusOr<std::vector<JobRecord>> ListJobs(const JobFilter& filter) = 0;
  // Every QUEUED or RUNNING job, in seq order (recovery after a restart).
  virtual absl::StatusOr<std::vector<JobRecord>> LoadActiveJobs() = 0;
  // Number of jobs by tenant and state (metrics at start-up).
  virtual absl::StatusOr<std::vector<JobCount>> CountJobs() = 0;

  // --- Models and datasets (content-addressed; one row per tenant that uploaded the bytes) ---
  // Upserts the tenant's reference (name/summary of the latest upload win).
  virtual absl::Status PutModel(const std::string& tenant, const v1::ModelRef& model) = 0;
  // The tenant's model; with an empty tenant, any tenant's (admin). NOT_FOUND otherwise.
  virtual absl::StatusOr<v1::ModelRef> GetModel(const std::string& tenant,
                                                const std::string& model_id) = 0;
  virtual absl::Status PutDataset(const std::string& tenant, const v1::DatasetRef& dataset) = 0;
  virtual absl::StatusOr<v1::DatasetRef> GetDataset(const std::string& tenant,
                                                    const std::string& dataset_id) = 0;
  // Bytes charged to the tenant: its models, datasets and the artifacts of its jobs.
  virtual absl::StatusOr<int64_t> TenantStorageBytes(const std::string& tenant) = 0;

  // --- Upload sessions ----------------------------------------------------------------------
  virtual absl::StatusOr<std::optional<UploadSessionRecord>> GetUpload(
      const std::string& tenant, UploadKind kind, const std::string& sha256,
      uint64_t size_bytes) = 0;
  // Upserts by key.
  virtual absl::Status PutUpload(const UploadSessionRecord& upload) = 0;
  // Removes the session if present.
  virtual absl::Status DeleteUpload(const std::string& tenant, UploadKind kind,
                                    const std::string& sha256, uint64_t size_bytes) = 0;
  // Sessions not updated since `before` (garbage collection of abandoned uploads).
  virtual absl::StatusOr<std::vector<UploadSessionRecord>> ListStaleUploads(absl::Time before) = 0;
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_STORE_JOB_STORE_H_
