// Prometheus metrics of the server (names documented in docs/OPERATIONS.md), kept in one registry
// and optionally served over HTTP at /metrics (prometheus-cpp's pull Exposer).
//
//   compressd_jobs{tenant,state}                 gauge: jobs by tenant and state
//   compressd_queue_depth                        gauge: QUEUED jobs (including back-off)
//   compressd_job_queue_wait_seconds             histogram: QUEUED → RUNNING
//   compressd_job_run_seconds{outcome}           histogram: attempt run time
//   compressd_job_attempt_failures_total{reason} counter: failed attempts by FailureKind
//   compressd_upload_bytes_total{kind}           counter: bytes received by uploads
//   compressd_stored_bytes                       gauge: bytes in the blob store
//   compressd_connected_workers                  gauge: workers seen within the presence window
//   compressd_compression_ratio                  histogram: bytes_after / bytes_before
//   compressd_rpcs_total{method,code}            counter: finished RPCs by status code
//
// Thread safety: all methods are thread-safe.
#ifndef COMPRESSD_SERVER_METRICS_SERVER_METRICS_H_
#define COMPRESSD_SERVER_METRICS_SERVER_METRICS_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/scheduler/scheduler.h"
#include "server/store/job_store.h"

namespace prometheus {
class Registry;
class Exposer;
template <typename T>
class Family;
class Gauge;
class Counter;
class Histogram;
}  // namespace prometheus

namespace compressd::server {

class ServerMetrics final : public SchedulerObserver {
 public:
  ServerMetrics();
  ~ServerMetrics() override;

  // Serves /metrics on `address` ("host:port"; port 0 picks one). Errors name the address.
  absl::Status Serve(const std::string& address);
  // Port of the HTTP listener (0 when not serving).
  int port() const;

  // Sets the job gauges from the store's counts (start-up).
  void InitJobCounts(const std::vector<JobCount>& counts);

  void OnTransition(const v1::Job& job, v1::JobState from, v1::JobState to) override;
  void OnLeased(const v1::Job& job, absl::Duration queue_wait) override;
  void OnAttemptEnded(const v1::Job& job, absl::Duration run_time,
                      v1::FailureKind failure) override;
  void OnQueueDepth(int64_t depth) override;
  void OnConnectedWorkers(int64_t count) override;

  void AddUploadBytes(const std::string& kind, int64_t bytes);
  void SetStoredBytes(int64_t bytes);
  void ObserveCompressionRatio(double ratio);
  void RecordRpc(const std::string& method, const std::string& code);

  // The exposition text of every metric (what /metrics returns).
  std::string TextExposition() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  prometheus::Family<prometheus::Gauge>* jobs_;
  prometheus::Gauge* queue_depth_;
  prometheus::Histogram* queue_wait_;
  prometheus::Family<prometheus::Histogram>* run_seconds_;
  prometheus::Family<prometheus::Counter>* attempt_failures_;
  prometheus::Family<prometheus::Counter>* upload_bytes_;
  prometheus::Gauge* stored_bytes_;
  prometheus::Gauge* connected_workers_;
  prometheus::Histogram* compression_ratio_;
  prometheus::Family<prometheus::Counter>* rpcs_;
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_METRICS_SERVER_METRICS_H_
