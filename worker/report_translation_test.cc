#include "worker/report_translation.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace compressd::worker {
namespace {

eval::CompressionReport FullReport() {
  eval::CompressionReport r;
  r.size = {1000, 260, 900, 240};
  r.params_before = {{"float32", 100, 400}, {"int32", 2, 8}};
  r.params_after = {{"int8", 100, 100}};
  eval::OutputMetrics o1;
  o1.tensor_name = "logits";
  o1.output_index = 0;
  o1.target = eval::EvaluationTarget::kHost;
  o1.sqnr_db = 31.5;
  o1.max_abs_error = 0.125;
  o1.cosine_similarity = 0.9991;
  o1.top1_agreement = 0.97;
  o1.samples = 64;
  eval::OutputMetrics o2;
  o2.tensor_name = "boxes";
  o2.output_index = 1;
  o2.target = eval::EvaluationTarget::kAarch64Qemu;
  o2.sqnr_db = std::numeric_limits<double>::infinity();
  o2.samples = 3;
  r.outputs = {o1, o2};
  r.tensors = {{"conv1", 0, 5, "int8", 40.25, 38.5}};
  r.kept_float = {{0, 12, "SOFTMAX", "probs", "requested by keep_float"}};
  r.calibration = eval::CalibrationInfo{"percentile", 99.9, 128, "dsid", true, false};
  r.passes = {{"quantize", 1.5, "quantized 10 of 12 ops to int8"}};
  r.warnings = {"w1", "w2"};
  r.compressd_version = "0.1.0";
  return r;
}

TEST(ReportTranslationTest, EveryFieldReachesTheProto) {
  const v1::CompressionReport p = ReportToProto(FullReport());
  EXPECT_EQ(p.size().bytes_before(), 1000u);
  EXPECT_EQ(p.size().bytes_after(), 260u);
  EXPECT_EQ(p.size().zstd_bytes_before(), 900u);
  EXPECT_EQ(p.size().zstd_bytes_after(), 240u);
  ASSERT_EQ(p.params_before_size(), 2);
  EXPECT_EQ(p.params_before(1).dtype(), "int32");
  EXPECT_EQ(p.params_before(1).count(), 2u);
  EXPECT_EQ(p.params_before(1).bytes(), 8u);
  ASSERT_EQ(p.params_after_size(), 1);
  EXPECT_EQ(p.params_after(0).dtype(), "int8");
  ASSERT_EQ(p.outputs_size(), 2);
  EXPECT_EQ(p.outputs(0).tensor_name(), "logits");
  EXPECT_EQ(p.outputs(0).target(), v1::EVALUATION_TARGET_HOST);
  EXPECT_EQ(p.outputs(0).sqnr_db(), 31.5);
  EXPECT_EQ(p.outputs(0).max_abs_error(), 0.125);
  EXPECT_EQ(p.outputs(0).cosine_similarity(), 0.9991);
  ASSERT_TRUE(p.outputs(0).has_top1_agreement());
  EXPECT_EQ(p.outputs(0).top1_agreement(), 0.97);
  EXPECT_EQ(p.outputs(0).samples(), 64u);
  EXPECT_EQ(p.outputs(1).output_index(), 1u);
  EXPECT_EQ(p.outputs(1).target(), v1::EVALUATION_TARGET_AARCH64);
  EXPECT_TRUE(std::isinf(p.outputs(1).sqnr_db()));
  EXPECT_FALSE(p.outputs(1).has_top1_agreement());
  ASSERT_EQ(p.tensors_size(), 1);
  EXPECT_EQ(p.tensors(0).tensor_name(), "conv1");
  EXPECT_EQ(p.tensors(0).tensor_index(), 5u);
  EXPECT_EQ(p.tensors(0).dtype(), "int8");
  EXPECT_EQ(p.tensors(0).sqnr_db_isolated(), 40.25);
  EXPECT_EQ(p.tensors(0).sqnr_db_accumulated(), 38.5);
  ASSERT_EQ(p.kept_float_size(), 1);
  EXPECT_EQ(p.kept_float(0).operator_index(), 12u);
  EXPECT_EQ(p.kept_float(0).op_name(), "SOFTMAX");
  EXPECT_EQ(p.kept_float(0).output_tensor(), "probs");
  EXPECT_EQ(p.kept_float(0).reason(), "requested by keep_float");
  ASSERT_TRUE(p.has_calibration());
  EXPECT_EQ(p.calibration().observer(), "percentile");
  EXPECT_EQ(p.calibration().percentile(), 99.9);
  EXPECT_EQ(p.calibration().samples(), 128u);
  EXPECT_EQ(p.calibration().dataset_id(), "dsid");
  EXPECT_TRUE(p.calibration().bias_correction());
  EXPECT_FALSE(p.calibration().cross_layer_equalization());
  ASSERT_EQ(p.passes_size(), 1);
  EXPECT_EQ(p.passes(0).name(), "quantize");
  EXPECT_EQ(p.passes(0).seconds(), 1.5);
  EXPECT_EQ(p.passes(0).summary(), "quantized 10 of 12 ops to int8");
  ASSERT_EQ(p.warnings_size(), 2);
  EXPECT_EQ(p.warnings(1), "w2");
  EXPECT_EQ(p.compressd_version(), "0.1.0");
}

TEST(ReportTranslationTest, RoundTripKeepsEverything) {
  const eval::CompressionReport a = FullReport();
  // Through the wire format, as the worker and compressctl see it.
  v1::CompressionReport wire;
  ASSERT_TRUE(wire.ParseFromString(ReportToProto(a).SerializeAsString()));
  const eval::CompressionReport b = ReportFromProto(wire);
  EXPECT_EQ(b.size.bytes_before, a.size.bytes_before);
  EXPECT_EQ(b.size.zstd_bytes_after, a.size.zstd_bytes_after);
  ASSERT_EQ(b.params_before.size(), 2u);
  EXPECT_EQ(b.params_before[0].dtype, "float32");
  EXPECT_EQ(b.params_before[0].count, 100u);
  EXPECT_EQ(b.params_before[0].bytes, 400u);
  ASSERT_EQ(b.outputs.size(), 2u);
  EXPECT_EQ(b.outputs[0].top1_agreement, std::optional<double>(0.97));
  EXPECT_FALSE(b.outputs[1].top1_agreement.has_value());
  EXPECT_EQ(b.outputs[1].target, eval::EvaluationTarget::kAarch64Qemu);
  EXPECT_TRUE(std::isinf(b.outputs[1].sqnr_db));
  ASSERT_EQ(b.tensors.size(), 1u);
  EXPECT_EQ(b.tensors[0].sqnr_db_isolated, 40.25);
  ASSERT_EQ(b.kept_float.size(), 1u);
  EXPECT_EQ(b.kept_float[0].reason, "requested by keep_float");
  ASSERT_TRUE(b.calibration.has_value());
  EXPECT_EQ(b.calibration->samples, 128u);
  EXPECT_TRUE(b.calibration->bias_correction);
  ASSERT_EQ(b.passes.size(), 1u);
  EXPECT_EQ(b.passes[0].seconds, 1.5);
  EXPECT_EQ(b.warnings, a.warnings);
  EXPECT_EQ(b.compressd_version, "0.1.0");
}

TEST(ReportTranslationTest, AbsentOptionalsStayAbsent) {
  eval::CompressionReport r;
  const v1::CompressionReport p = ReportToProto(r);
  EXPECT_FALSE(p.has_calibration());
  EXPECT_EQ(p.outputs_size(), 0);
  const eval::CompressionReport back = ReportFromProto(p);
  EXPECT_FALSE(back.calibration.has_value());
  EXPECT_TRUE(back.outputs.empty());
}

TEST(ReportTranslationTest, UnknownTargetFromANewerServerBecomesHost) {
  v1::CompressionReport p;
  p.add_outputs()->set_target(static_cast<v1::EvaluationTarget>(17));
  EXPECT_EQ(ReportFromProto(p).outputs[0].target, eval::EvaluationTarget::kHost);
}

}  // namespace
}  // namespace compressd::worker
