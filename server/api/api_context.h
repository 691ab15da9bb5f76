// What the API classes share: the stores, the scheduler, the model validator, metrics, the clock
// and options. Everything is borrowed (owned by main or the test) and must outlive the API objects.
#ifndef COMPRESSD_SERVER_API_API_CONTEXT_H_
#define COMPRESSD_SERVER_API_API_CONTEXT_H_

#include <cstdint>

#include "server/dataset/safe_tar.h"
#include "server/metrics/server_metrics.h"
#include "server/model/model_validator.h"
#include "server/scheduler/scheduler.h"
#include "server/store/blob_store.h"
#include "server/store/job_store.h"
#include "server/util/clock.h"

namespace compressd::server {

struct ApiOptions {
  // Largest dataset archive accepted (all tenants).
  int64_t max_dataset_bytes = int64_t{16} << 30;
  TarLimits tar_limits;
  // Uploads make their progress durable (fsync + session record) every this many bytes and when
  // the stream ends.
  uint64_t upload_sync_bytes = uint64_t{64} << 20;
  // Largest artifact a worker may send.
  int64_t max_artifact_bytes = int64_t{8} << 30;
};

struct ApiContext {
  JobStore* store = nullptr;
  BlobStore* blobs = nullptr;
  Scheduler* scheduler = nullptr;
  ModelValidator* validator = nullptr;
  ServerMetrics* metrics = nullptr;  // may be null
  const Clock* clock = nullptr;
  ApiOptions options;
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_API_API_CONTEXT_H_
