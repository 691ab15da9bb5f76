// Translation of the service's job spec (proto compressd.v1.JobSpec) into the core's
// pipeline::PipelineSpec. worker/ is the only place that knows both worlds; compressctl links this
// library for `compress --local` so that local and remote runs interpret a spec identically.
//
// Field names in errors use the proto field names with the prefix given by the caller, e.g.
// "spec.passes[0].quantize.mode: required", so that the message points at the spec file the user
// wrote. Proto defaults (UNSPECIFIED enum values, 0 numbers) map to the documented defaults of
// job.proto: observer MINMAX, percentile 99.99, io_type FLOAT32, scaling ZERO_TO_ONE, colour RGB,
// targets {HOST}.
//
// Thread-safe: pure functions.
#ifndef COMPRESSD_WORKER_SPEC_TRANSLATION_H_
#define COMPRESSD_WORKER_SPEC_TRANSLATION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "compressd/v1/job.pb.h"
#include "core/pipeline/pipeline.h"

namespace compressd::worker {

// Local files of the datasets a spec uses, resolved by the caller (the worker's cache, or the
// --calibration paths of `compressctl compress --local`): files and/or folders as
// pipeline::DatasetSpec::paths takes them.
struct DatasetPaths {
  std::vector<std::string> calibration;
  std::vector<std::string> evaluation;
};

// Translates `spec` and validates the result with pipeline::ValidatePipelineSpec.
//
// A dataset is part of the result when the spec sets it (calibration / evaluation message) or when
// local paths are given for it. A spec that sets a dataset without local paths is INVALID_ARGUMENT
// ("<prefix>.calibration: no local files for dataset '<id>'"). Dataset ids are copied into
// DatasetSpec::id for the report; their form is not checked here (the server does).
//
// Errors: INVALID_ARGUMENT naming the field (prefixed with `field_prefix`, "spec" by default):
// no pass set, an unknown or UNSPECIFIED required enum value, percentile outside (0, 100] or not
// finite, empty layer references, duplicate or unknown evaluation targets, and everything
// ValidatePipelineSpec rejects.
absl::StatusOr<pipeline::PipelineSpec> TranslateJobSpec(const v1::JobSpec& spec,
                                                        const DatasetPaths& paths,
                                                        const std::string& field_prefix = "spec");

// One quantize pass (exposed for tests and for compressctl flags): `field` names the message,
// e.g. "spec.passes[0].quantize".
absl::StatusOr<passes::QuantizeOptions> TranslateQuantizeSpec(const v1::QuantizeSpec& spec,
                                                              const std::string& field);

// EvaluationTarget mapping in both directions (HOST ↔ kHost, AARCH64 ↔ kAarch64Qemu,
// ARMV7 ↔ kArmv7Qemu). UNSPECIFIED and unknown values → INVALID_ARGUMENT naming `field`.
absl::StatusOr<eval::EvaluationTarget> TranslateTarget(int target, const std::string& field);
v1::EvaluationTarget TargetToProto(eval::EvaluationTarget target);

// A short name of the spec's passes for artifact names: "int8", "float16+dynamic", ...
std::string PassesShortName(const v1::JobSpec& spec);

}  // namespace compressd::worker

#endif  // COMPRESSD_WORKER_SPEC_TRANSLATION_H_
