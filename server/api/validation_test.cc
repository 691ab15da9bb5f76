#include "server/api/validation.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "google/protobuf/util/json_util.h"

namespace compressd::server {
namespace {

using ::testing::HasSubstr;

v1::SubmitJobRequest Parse(const std::string& json) {
  v1::SubmitJobRequest req;
  auto s = google::protobuf::util::JsonStringToMessage(json, &req);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return req;
}

std::string Error(const std::string& json) {
  absl::Status s = ValidateSubmitJobRequest(Parse(json));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << json;
  return std::string(s.message());
}

const std::string kModel = "\"modelId\": \"" + std::string(64, 'a') + "\"";
const std::string kData = std::string(64, 'b');

TEST(ValidationTest, AcceptsAWellFormedInt8Spec) {
  const std::string json = "{" + kModel + R"(, "priority": 5, "idempotencyKey": "ci-42:run.1",
    "spec": {"passes": [{"quantize": {"mode": "QUANTIZATION_MODE_INT8",
      "observer": "OBSERVER_PERCENTILE", "percentile": 99.9, "ioType": "IO_TYPE_INT8",
      "keepFloat": [{"tensorName": "logits"}, {"operatorIndex": 3}]}}],
      "calibration": {"datasetId": ")" + kData + R"(", "preprocessing":
        {"scaling": "PIXEL_SCALING_MEAN_STD", "mean": [127.5], "std": [127.5]}},
      "evaluationTargets": ["EVALUATION_TARGET_HOST", "EVALUATION_TARGET_AARCH64"],
      "labels": {"team": "vision"}}})";
  EXPECT_TRUE(ValidateSubmitJobRequest(Parse(json)).ok()) << ValidateSubmitJobRequest(Parse(json));
}

TEST(ValidationTest, ErrorsNameTheField) {
  EXPECT_EQ(Error(R"({"spec": {}})"), "model_id: required");
  EXPECT_THAT(Error(R"({"modelId": "abc", "spec": {}})"), HasSubstr("model_id: must be a 64"));
  EXPECT_EQ(Error("{" + kModel + "}"), "spec: required");
  EXPECT_EQ(Error("{" + kModel + R"(, "spec": {"labels": {"a": "b"}}})"),
            "spec.passes: at least one pass is required");
  EXPECT_THAT(Error("{" + kModel + R"(, "spec": {"passes": [{}]}})"),
              HasSubstr("spec.passes[0]: exactly one pass"));
  EXPECT_THAT(Error("{" + kModel + R"(, "spec": {"passes": [{"quantize": {}}]}})"),
              HasSubstr("spec.passes[0].quantize.mode: required"));
  EXPECT_EQ(Error("{" + kModel + R"(, "spec": {"passes": [{"quantize": {"mode": 9}}]}})"),
            "spec.passes[0].quantize.mode: unknown value 9");
  EXPECT_EQ(Error("{" + kModel +
                  R"(, "spec": {"passes": [{"quantize": {"mode": "QUANTIZATION_MODE_INT8"}}]}})"),
            "spec.calibration.dataset_id: required by QUANTIZATION_MODE_INT8 (spec.passes[0])");
  EXPECT_THAT(Error("{" + kModel + R"(, "spec": {"passes": [{"quantize": {"mode":
      "QUANTIZATION_MODE_DYNAMIC", "ioType": "IO_TYPE_UINT8"}}]}})"),
              HasSubstr("spec.passes[0].quantize.io_type: IO_TYPE_UINT8 needs QUANTIZATION_MODE_INT8"));
  EXPECT_EQ(Error("{" + kModel + R"(, "spec": {"passes": [{"quantize": {"mode":
      "QUANTIZATION_MODE_FLOAT16", "keepFloat": [{}, {"operatorIndex": -2}]}}]}})"),
            "spec.passes[0].quantize.keep_float[0]: set tensor_name or operator_index");
  EXPECT_THAT(Error("{" + kModel + R"(, "spec": {"passes": [{"quantize": {"mode":
      "QUANTIZATION_MODE_FLOAT16", "observer": "OBSERVER_MSE", "percentile": 99}}]}})"),
              HasSubstr("quantize.percentile: is only used with OBSERVER_PERCENTILE"));
  EXPECT_THAT(Error("{" + kModel + R"(, "spec": {"passes": [{"quantize": {"mode":
      "QUANTIZATION_MODE_DYNAMIC"}}], "evaluationTargets": ["EVALUATION_TARGET_HOST",
      "EVALUATION_TARGET_HOST"]}})"),
              HasSubstr("spec.evaluation_targets[1]: duplicate EVALUATION_TARGET_HOST"));
  EXPECT_THAT(Error("{" + kModel + R"(, "spec": {"passes": [{"quantize": {"mode":
      "QUANTIZATION_MODE_DYNAMIC"}}], "labels": {"Bad Key": "x"}}})"),
              HasSubstr("spec.labels[\"Bad Key\"]: keys"));
  EXPECT_THAT(Error("{" + kModel + R"(, "priority": 101, "spec": {"passes": [{"quantize":
      {"mode": "QUANTIZATION_MODE_DYNAMIC"}}]}})"),
              HasSubstr("priority: must be in 0..100, got 101"));
  EXPECT_THAT(Error("{" + kModel + R"(, "idempotencyKey": "a b", "spec": {"passes":
      [{"quantize": {"mode": "QUANTIZATION_MODE_DYNAMIC"}}]}})"),
              HasSubstr("idempotency_key:"));
  EXPECT_THAT(Error("{" + kModel + R"(, "spec": {"passes": [{"quantize": {"mode":
      "QUANTIZATION_MODE_INT8"}}], "calibration": {"datasetId": ")" + kData +
                    R"(", "preprocessing": {"scaling": "PIXEL_SCALING_MEAN_STD", "mean": [1, 2],
      "std": [1, 0]}}}})"),
              HasSubstr("spec.calibration.preprocessing.std[1]: must be finite and > 0, got 0"));
}

TEST(ValidationTest, FingerprintIgnoresTheKeyButNotTheContent) {
  v1::SubmitJobRequest a;
  a.set_model_id(std::string(64, 'a'));
  a.set_idempotency_key("k1");
  (*a.mutable_spec()->mutable_labels())["x"] = "1";
  (*a.mutable_spec()->mutable_labels())["y"] = "2";
  v1::SubmitJobRequest b = a;
  b.set_idempotency_key("k2");
  EXPECT_EQ(RequestFingerprint(a), RequestFingerprint(b));
  b.set_priority(1);
  EXPECT_NE(RequestFingerprint(a), RequestFingerprint(b));
}

TEST(ValidationTest, WorkerMessages) {
  v1::CompleteJobHeader h;
  h.set_job_id("j-1");
  h.set_attempt(1);
  h.set_worker_id("w1");
  EXPECT_EQ(ValidateCompleteJobHeader(h).message(), "header.report: required");
  h.mutable_report();
  EXPECT_THAT(std::string(ValidateCompleteJobHeader(h).message()),
              HasSubstr("exactly one ARTIFACT_KIND_MODEL is required, got 0"));
  v1::ArtifactRef* a = h.add_artifacts();
  a->set_kind(v1::ARTIFACT_KIND_REPORT);
  EXPECT_THAT(std::string(ValidateCompleteJobHeader(h).message()),
              HasSubstr("header.artifacts[0].kind"));
  a->set_kind(v1::ARTIFACT_KIND_MODEL);
  a->set_size_bytes(5);
  a->set_name("out/model.tflite");
  EXPECT_THAT(std::string(ValidateCompleteJobHeader(h).message()),
              HasSubstr("header.artifacts[0].name"));
  a->set_name("model.tflite");
  a->set_sha256(std::string(64, 'c'));
  EXPECT_TRUE(ValidateCompleteJobHeader(h).ok());

  v1::HeartbeatRequest hb;
  hb.set_job_id("j-1");
  hb.set_attempt(1);
  hb.set_worker_id("w1");
  hb.mutable_progress()->set_fraction(1.5);
  EXPECT_EQ(ValidateHeartbeatRequest(hb).message(), "progress.fraction: must be in [0, 1], got 1.5");
  v1::FailJobRequest f;
  f.set_job_id("j-1");
  f.set_attempt(1);
  f.set_worker_id("w1");
  f.set_kind(v1::FAILURE_KIND_LEASE_EXPIRED);
  EXPECT_THAT(std::string(ValidateFailJobRequest(f).message()), HasSubstr("kind:"));
  v1::LeaseJobRequest l;
  l.set_worker_id("w 1");
  EXPECT_THAT(std::string(ValidateLeaseJobRequest(l).message()), HasSubstr("worker_id:"));
  l.set_worker_id("w1");
  l.set_wait_ms(60001);
  EXPECT_THAT(std::string(ValidateLeaseJobRequest(l).message()), HasSubstr("wait_ms: at most"));
}

TEST(ValidationTest, UploadMetadataAllowsAnEmptyDigestOnlyAtOffsetZero) {
  const std::string sha(64, 'c');
  EXPECT_TRUE(ValidateUploadMetadata("m.tflite", 100, sha, 40).ok());
  // Streamed hash: the digest follows in the trailer, and there is nothing to resume.
  EXPECT_TRUE(ValidateUploadMetadata("m.tflite", 100, "", 0).ok());
  EXPECT_THAT(std::string(ValidateUploadMetadata("m.tflite", 100, "", 1).message()),
              HasSubstr("metadata.offset: must be 0 when sha256 is empty"));
  EXPECT_THAT(std::string(ValidateUploadMetadata("m.tflite", 100, "ABC", 0).message()),
              HasSubstr("metadata.sha256: must be 64 lowercase hex characters"));
  EXPECT_THAT(std::string(ValidateUploadMetadata("m.tflite", 100, std::string(64, 'C'), 0)
                              .message()),
              HasSubstr("metadata.sha256:"));
  EXPECT_THAT(std::string(ValidateUploadMetadata("m.tflite", 0, "", 0).message()),
              HasSubstr("metadata.size_bytes: required"));
}

}  // namespace
}  // namespace compressd::server
