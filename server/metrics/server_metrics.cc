#include "server/metrics/server_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <exception>

#include "absl/strings/str_cat.h"

namespace compressd::server {
namespace {

const prometheus::Histogram::BucketBoundaries& SecondsBuckets() {
  static const auto* b = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
      1800, 3600};
  return *b;
}

std::string StateLabel(v1::JobState s) {
  switch (s) {
    case v1::JOB_STATE_QUEUED: return "queued";
    case v1::JOB_STATE_RUNNING: return "running";
    case v1::JOB_STATE_SUCCEEDED: return "succeeded";
    case v1::JOB_STATE_FAILED: return "failed";
    case v1::JOB_STATE_CANCELLED: return "cancelled";
    default: return "unspecified";
  }
}

std::string FailureLabel(v1::FailureKind k) {
  std::string name = v1::FailureKind_Name(k);
  const std::string prefix = "FAILURE_KIND_";
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace

ServerMetrics::ServerMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  jobs_ = &prometheus::BuildGauge()
               .Name("compressd_jobs")
               .Help("Jobs by tenant and state")
               .Register(*registry_);
  queue_depth_ = &prometheus::BuildGauge()
                      .Name("compressd_queue_depth")
                      .Help("Jobs waiting in the queue (including back-off)")
                      .Register(*registry_)
                      .Add({});
  queue_wait_ = &prometheus::BuildHistogram()
                     .Name("compressd_job_queue_wait_seconds")
                     .Help("Time from QUEUED to RUNNING")
                     .Register(*registry_)
                     .Add({}, SecondsBuckets());
  run_seconds_ = &prometheus::BuildHistogram()
                      .Name("compressd_job_run_seconds")
                      .Help("Run time of attempts by outcome")
                      .Register(*registry_);
  attempt_failures_ = &prometheus::BuildCounter()
                           .Name("compressd_job_attempt_failures_total")
                           .Help("Failed attempts by reason")
                           .Register(*registry_);
  upload_bytes_ = &prometheus::BuildCounter()
                       .Name("compressd_upload_bytes_total")
                       .Help("Bytes received by uploads")
                       .Register(*registry_);
  stored_bytes_ = &prometheus::BuildGauge()
                       .Name("compressd_stored_bytes")
                       .Help("Bytes stored in the blob store")
                       .Register(*registry_)
                       .Add({});
  connected_workers_ = &prometheus::BuildGauge()
                            .Name("compressd_connected_workers")
                            .Help("Workers seen recently")
                            .Register(*registry_)
                            .Add({});
  compression_ratio_ = &prometheus::BuildHistogram()
                            .Name("compressd_compression_ratio")
                            .Help("Output size / input size of succeeded jobs")
                            .Register(*registry_)
                            .Add({}, prometheus::Histogram::BucketBoundaries{
                                         0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0, 1.5});
  rpcs_ = &prometheus::BuildCounter()
               .Name("compressd_rpcs_total")
               .Help("Finished RPCs by method and status code")
               .Register(*registry_);
}

ServerMetrics::~ServerMetrics() = default;

absl::Status ServerMetrics::Serve(const std::string& address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  return absl::OkStatus();
}

int ServerMetrics::port() const {
  if (!exposer_) return 0;
  const std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports[0];
}

void ServerMetrics::InitJobCounts(const std::vector<JobCount>& counts) {
  for (const JobCount& c : counts) {
    jobs_->Add({{"tenant", c.tenant}, {"state", StateLabel(c.state)}})
        .Set(static_cast<double>(c.count));
  }
}

void ServerMetrics::OnTransition(const v1::Job& job, v1::JobState from, v1::JobState to) {
  if (from != v1::JOB_STATE_UNSPECIFIED) {
    jobs_->Add({{"tenant", job.tenant()}, {"state", StateLabel(from)}}).Decrement();
  }
  jobs_->Add({{"tenant", job.tenant()}, {"state", StateLabel(to)}}).Increment();
  if (to == v1::JOB_STATE_SUCCEEDED && job.report().size().bytes_before() > 0) {
    ObserveCompressionRatio(static_cast<double>(job.report().size().bytes_after()) /
                            static_cast<double>(job.report().size().bytes_before()));
  }
}

void ServerMetrics::OnLeased(const v1::Job& job, absl::Duration queue_wait) {
  queue_wait_->Observe(absl::ToDoubleSeconds(queue_wait));
}

void ServerMetrics::OnAttemptEnded(const v1::Job& job, absl::Duration run_time,
                                   v1::FailureKind failure) {
  const std::string outcome = failure != v1::FAILURE_KIND_UNSPECIFIED ? "failed"
                              : job.state() == v1::JOB_STATE_CANCELLED ? "cancelled"
                                                                       : "succeeded";
  run_seconds_->Add({{"outcome", outcome}}, SecondsBuckets())
      .Observe(absl::ToDoubleSeconds(run_time));
  if (failure != v1::FAILURE_KIND_UNSPECIFIED) {
    attempt_failures_->Add({{"reason", FailureLabel(failure)}}).Increment();
  }
}

void ServerMetrics::OnQueueDepth(int64_t depth) { queue_depth_->Set(static_cast<double>(depth)); }

void ServerMetrics::OnConnectedWorkers(int64_t count) {
  connected_workers_->Set(static_cast<double>(count));
}

void ServerMetrics::AddUploadBytes(const std::string& kind, int64_t bytes) {
  if (bytes > 0) upload_bytes_->Add({{"kind", kind}}).Increment(static_cast<double>(bytes));
}

void ServerMetrics::SetStoredBytes(int64_t bytes) { stored_bytes_->Set(static_cast<double>(bytes)); }

void ServerMetrics::ObserveCompressionRatio(double ratio) { compression_ratio_->Observe(ratio); }

void ServerMetrics::RecordRpc(const std::string& method, const std::string& code) {
  rpcs_->Add({{"method", method}, {"code", code}}).Increment();
}

std::string ServerMetrics::TextExposition() const {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(registry_->Collect());
}

}  // namespace compressd::server
