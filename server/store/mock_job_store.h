// gMock double of JobStore for tests that need to inject store failures (e.g. a commit that fails
// must not be acknowledged).
#ifndef COMPRESSD_SERVER_STORE_MOCK_JOB_STORE_H_
#define COMPRESSD_SERVER_STORE_MOCK_JOB_STORE_H_

#include "gmock/gmock.h"
#include "server/store/job_store.h"

namespace compressd::server {

class MockJobStore : public JobStore {
 public:
  MOCK_METHOD(absl::StatusOr<CreateJobResult>, CreateJob,
              (const JobRecord&, const CreateJobOptions&), (override));
  MOCK_METHOD(absl::Status, UpdateJob, (const JobRecord&), (override));
  MOCK_METHOD(absl::StatusOr<JobRecord>, GetJob, (const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<std::vector<JobRecord>>, ListJobs, (const JobFilter&), (override));
  MOCK_METHOD(absl::StatusOr<std::vector<JobRecord>>, LoadActiveJobs, (), (override));
  MOCK_METHOD(absl::StatusOr<std::vector<JobCount>>, CountJobs, (), (override));
  MOCK_METHOD(absl::Status, PutModel, (const std::string&, const v1::ModelRef&), (override));
  MOCK_METHOD(absl::StatusOr<v1::ModelRef>, GetModel, (const std::string&, const std::string&),
              (override));
  MOCK_METHOD(absl::Status, PutDataset, (const std::string&, const v1::DatasetRef&), (override));
  MOCK_METHOD(absl::StatusOr<v1::DatasetRef>, GetDataset,
              (const std::string&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<int64_t>, TenantStorageBytes, (const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<std::optional<UploadSessionRecord>>, GetUpload,
              (const std::string&, UploadKind, const std::string&, uint64_t), (override));
  MOCK_METHOD(absl::Status, PutUpload, (const UploadSessionRecord&), (override));
  MOCK_METHOD(absl::Status, DeleteUpload,
              (const std::string&, UploadKind, const std::string&, uint64_t), (override));
  MOCK_METHOD(absl::StatusOr<std::vector<UploadSessionRecord>>, ListStaleUploads, (absl::Time),
              (override));
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_STORE_MOCK_JOB_STORE_H_
