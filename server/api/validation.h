// Validation of API requests. Every error is INVALID_ARGUMENT with a message that starts with the
// path of the field at fault, e.g. "spec.passes[0].quantize.mode: required (one of ...)".
// Checks that need stored state (does the model exist?) are done by the API classes.
#ifndef COMPRESSD_SERVER_API_VALIDATION_H_
#define COMPRESSD_SERVER_API_VALIDATION_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "compressd/v1/compression_service.pb.h"
#include "compressd/v1/job.pb.h"
#include "compressd/v1/worker_service.pb.h"

namespace compressd::server {

inline constexpr uint64_t kMaxChunkBytes = 1 << 20;  // DataChunk.data
inline constexpr int kMaxPasses = 16;
inline constexpr int kMaxLayerRefs = 4096;
inline constexpr int kMaxLabels = 32;
inline constexpr int kMaxPriority = 100;
inline constexpr uint32_t kMaxPageSize = 500;
inline constexpr uint32_t kDefaultPageSize = 50;
inline constexpr uint32_t kMaxWaitMs = 60000;

absl::Status ValidateJobSpec(const v1::JobSpec& spec, const std::string& field = "spec");
absl::Status ValidateSubmitJobRequest(const v1::SubmitJobRequest& req);

// Upload metadata (UploadModelMetadata / UploadDatasetMetadata share these fields). An empty
// sha256 (streamed hash, digest in the trailer) is valid with offset 0 only.
absl::Status ValidateUploadMetadata(const std::string& name, uint64_t size_bytes,
                                    const std::string& sha256, uint64_t offset,
                                    const std::string& field = "metadata");
absl::Status ValidateChunk(const v1::DataChunk& chunk, const std::string& field = "chunk");

// "<field>: required" when empty; otherwise checks the form of ids.
absl::Status ValidateJobId(const std::string& job_id, const std::string& field = "job_id");
absl::Status ValidateContentId(const std::string& id, const std::string& field);
absl::Status ValidateWorkerId(const std::string& worker_id, const std::string& field = "worker_id");

absl::Status ValidateListJobsRequest(const v1::ListJobsRequest& req);
absl::Status ValidateLeaseJobRequest(const v1::LeaseJobRequest& req);
absl::Status ValidateHeartbeatRequest(const v1::HeartbeatRequest& req);
absl::Status ValidateCompleteJobHeader(const v1::CompleteJobHeader& header);
absl::Status ValidateFailJobRequest(const v1::FailJobRequest& req);

// SHA-256 (hex) of the request without its idempotency key, serialized deterministically.
std::string RequestFingerprint(const v1::SubmitJobRequest& req);

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_API_VALIDATION_H_
