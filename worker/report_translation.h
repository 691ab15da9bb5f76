// Translation of the compression report between the core (eval::CompressionReport) and the service
// (proto compressd.v1.CompressionReport). The two mirror each other field by field; the only
// differences are the EvaluationTarget enum values (see spec_translation.h) and optional fields
// (core std::optional ↔ proto presence).
//
// Thread-safe: pure functions.
#ifndef COMPRESSD_WORKER_REPORT_TRANSLATION_H_
#define COMPRESSD_WORKER_REPORT_TRANSLATION_H_

#include "compressd/v1/report.pb.h"
#include "core/eval/report.h"

namespace compressd::worker {

v1::CompressionReport ReportToProto(const eval::CompressionReport& report);

// Unknown target values (from a newer server) become kHost; everything else is copied.
eval::CompressionReport ReportFromProto(const v1::CompressionReport& report);

}  // namespace compressd::worker

#endif  // COMPRESSD_WORKER_REPORT_TRANSLATION_H_
