#include "worker/spec_translation.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace compressd::worker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::JobSpec SpecWithMode(v1::QuantizationMode mode) {
  v1::JobSpec spec;
  spec.add_passes()->mutable_quantize()->set_mode(mode);
  return spec;
}

v1::QuantizeSpec* Q(v1::JobSpec& spec) { return spec.mutable_passes(0)->mutable_quantize(); }

const DatasetPaths kCalibration = {{"/data/calib"}, {}};

void ExpectInvalid(const absl::StatusOr<pipeline::PipelineSpec>& r, const std::string& text) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr(text));
}

TEST(SpecTranslationTest, ModesMapOneToOne) {
  const std::pair<v1::QuantizationMode, passes::QuantMode> cases[] = {
      {v1::QUANTIZATION_MODE_INT8, passes::QuantMode::kInt8},
      {v1::QUANTIZATION_MODE_DYNAMIC, passes::QuantMode::kDynamic},
      {v1::QUANTIZATION_MODE_FLOAT16, passes::QuantMode::kFloat16},
      {v1::QUANTIZATION_MODE_INT16X8, passes::QuantMode::kInt16x8},
  };
  for (const auto& [proto, core] : cases) {
    auto r = TranslateJobSpec(SpecWithMode(proto), kCalibration);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->passes.size(), 1u);
    EXPECT_EQ(std::get<passes::QuantizeOptions>(r->passes[0].options).mode, core);
  }
}

TEST(SpecTranslationTest, MissingModeNamesTheField) {
  ExpectInvalid(TranslateJobSpec(SpecWithMode(v1::QUANTIZATION_MODE_UNSPECIFIED), {}),
                "spec.passes[0].quantize.mode: required");
}

TEST(SpecTranslationTest, UnknownModeValueNamesTheField) {
  ExpectInvalid(TranslateJobSpec(SpecWithMode(static_cast<v1::QuantizationMode>(42)), {}),
                "spec.passes[0].quantize.mode: unknown value 42");
}

TEST(SpecTranslationTest, DefaultsFollowJobProto) {
  auto r = TranslateJobSpec(SpecWithMode(v1::QUANTIZATION_MODE_FLOAT16), {});
  ASSERT_TRUE(r.ok()) << r.status();
  const auto& q = std::get<passes::QuantizeOptions>(r->passes[0].options);
  EXPECT_EQ(q.observer, passes::ObserverKind::kMinMax);
  EXPECT_EQ(q.percentile, 99.99);
  EXPECT_FALSE(q.per_tensor);
  EXPECT_EQ(q.io_type, passes::IoType::kFloat32);
  EXPECT_TRUE(q.keep_float.empty());
  EXPECT_TRUE(q.int16x8_layers.empty());
  EXPECT_FALSE(q.bias_correction);
  EXPECT_FALSE(q.cross_layer_equalization);
  EXPECT_FALSE(r->calibration.has_value());
  EXPECT_FALSE(r->evaluation.has_value());
  EXPECT_THAT(r->targets, ElementsAre(eval::EvaluationTarget::kHost));
}

TEST(SpecTranslationTest, Observers) {
  const std::pair<v1::Observer, passes::ObserverKind> cases[] = {
      {v1::OBSERVER_UNSPECIFIED, passes::ObserverKind::kMinMax},
      {v1::OBSERVER_MINMAX, passes::ObserverKind::kMinMax},
      {v1::OBSERVER_EMA, passes::ObserverKind::kEma},
      {v1::OBSERVER_PERCENTILE, passes::ObserverKind::kPercentile},
      {v1::OBSERVER_MSE, passes::ObserverKind::kMse},
      {v1::OBSERVER_KL, passes::ObserverKind::kKl},
  };
  for (const auto& [proto, core] : cases) {
    v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_INT8);
    Q(spec)->set_observer(proto);
    auto r = TranslateJobSpec(spec, kCalibration);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(std::get<passes::QuantizeOptions>(r->passes[0].options).observer, core);
  }
  v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_INT8);
  Q(spec)->set_observer(static_cast<v1::Observer>(9));
  ExpectInvalid(TranslateJobSpec(spec, kCalibration),
                "spec.passes[0].quantize.observer: unknown value 9");
}

TEST(SpecTranslationTest, Percentile) {
  v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_INT8);
  Q(spec)->set_observer(v1::OBSERVER_PERCENTILE);
  Q(spec)->set_percentile(99.5);
  auto r = TranslateJobSpec(spec, kCalibration);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(std::get<passes::QuantizeOptions>(r->passes[0].options).percentile, 99.5);
  Q(spec)->set_percentile(100.0);
  EXPECT_TRUE(TranslateJobSpec(spec, kCalibration).ok());
  for (double bad : {-1.0, 100.5, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity()}) {
    Q(spec)->set_percentile(bad);
    ExpectInvalid(TranslateJobSpec(spec, kCalibration), "spec.passes[0].quantize.percentile:");
  }
}

TEST(SpecTranslationTest, PerTensor) {
  v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_DYNAMIC);
  Q(spec)->set_per_tensor(true);
  auto r = TranslateJobSpec(spec, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(std::get<passes::QuantizeOptions>(r->passes[0].options).per_tensor);
}

TEST(SpecTranslationTest, IoTypes) {
  const std::pair<v1::IoType, passes::IoType> cases[] = {
      {v1::IO_TYPE_UNSPECIFIED, passes::IoType::kFloat32},
      {v1::IO_TYPE_FLOAT32, passes::IoType::kFloat32},
      {v1::IO_TYPE_INT8, passes::IoType::kInt8},
      {v1::IO_TYPE_UINT8, passes::IoType::kUInt8},
  };
  for (const auto& [proto, core] : cases) {
    v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_INT8);
    Q(spec)->set_io_type(proto);
    auto r = TranslateJobSpec(spec, kCalibration);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(std::get<passes::QuantizeOptions>(r->passes[0].options).io_type, core);
  }
  v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_INT8);
  Q(spec)->set_io_type(static_cast<v1::IoType>(7));
  ExpectInvalid(TranslateJobSpec(spec, kCalibration),
                "spec.passes[0].quantize.io_type: unknown value 7");
  // Integer I/O only with full-integer int8 (the core's rule, with the spec's field path).
  spec = SpecWithMode(v1::QUANTIZATION_MODE_DYNAMIC);
  Q(spec)->set_io_type(v1::IO_TYPE_INT8);
  ExpectInvalid(TranslateJobSpec(spec, {}), "spec.passes[0].quantize.io_type:");
}

TEST(SpecTranslationTest, LayerReferences) {
  v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_INT8);
  Q(spec)->add_keep_float()->set_tensor_name("logits");
  Q(spec)->add_keep_float()->set_operator_index(7);
  Q(spec)->add_int16x8_layers()->set_operator_index(0);
  Q(spec)->add_int16x8_layers()->set_tensor_name("conv1");
  auto r = TranslateJobSpec(spec, kCalibration);
  ASSERT_TRUE(r.ok()) << r.status();
  const auto& q = std::get<passes::QuantizeOptions>(r->passes[0].options);
  ASSERT_EQ(q.keep_float.size(), 2u);
  EXPECT_EQ(q.keep_float[0].tensor_name, "logits");
  EXPECT_EQ(q.keep_float[0].operator_index, -1);
  EXPECT_EQ(q.keep_float[1].tensor_name, "");
  EXPECT_EQ(q.keep_float[1].operator_index, 7);
  ASSERT_EQ(q.int16x8_layers.size(), 2u);
  EXPECT_EQ(q.int16x8_layers[0].operator_index, 0);
  EXPECT_EQ(q.int16x8_layers[1].tensor_name, "conv1");
}

TEST(SpecTranslationTest, MalformedLayerReferencesNameTheEntry) {
  v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_INT8);
  Q(spec)->add_keep_float()->set_tensor_name("ok");
  Q(spec)->add_keep_float();  // neither member set
  ExpectInvalid(TranslateJobSpec(spec, kCalibration),
                "spec.passes[0].quantize.keep_float[1]: set tensor_name or operator_index");

  spec = SpecWithMode(v1::QUANTIZATION_MODE_INT8);
  Q(spec)->add_int16x8_layers()->set_operator_index(-3);
  ExpectInvalid(TranslateJobSpec(spec, kCalibration),
                "spec.passes[0].quantize.int16x8_layers[0].operator_index: must be >= 0, got -3");

  spec = SpecWithMode(v1::QUANTIZATION_MODE_INT8);
  Q(spec)->add_keep_float()->set_tensor_name("");
  ExpectInvalid(TranslateJobSpec(spec, kCalibration),
                "spec.passes[0].quantize.keep_float[0].tensor_name: must have 1..1024 bytes");

  spec = SpecWithMode(v1::QUANTIZATION_MODE_DYNAMIC);
  Q(spec)->add_int16x8_layers()->set_operator_index(1);
  ExpectInvalid(TranslateJobSpec(spec, {}), "spec.passes[0].quantize.int16x8_layers:");
}

TEST(SpecTranslationTest, CalibratedOnlyOptions) {
  v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_INT16X8);
  Q(spec)->set_bias_correction(true);
  Q(spec)->set_cross_layer_equalization(true);
  auto r = TranslateJobSpec(spec, kCalibration);
  ASSERT_TRUE(r.ok()) << r.status();
  const auto& q = std::get<passes::QuantizeOptions>(r->passes[0].options);
  EXPECT_TRUE(q.bias_correction);
  EXPECT_TRUE(q.cross_layer_equalization);

  spec = SpecWithMode(v1::QUANTIZATION_MODE_FLOAT16);
  Q(spec)->set_bias_correction(true);
  ExpectInvalid(TranslateJobSpec(spec, {}), "spec.passes[0].quantize:");
}

TEST(SpecTranslationTest, PassesAreRequiredAndMustBeSet) {
  ExpectInvalid(TranslateJobSpec(v1::JobSpec(), {}), "spec.passes: at least one pass");
  v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_FLOAT16);
  spec.add_passes();  // no member of the oneof
  ExpectInvalid(TranslateJobSpec(spec, {}), "spec.passes[1]: exactly one pass");
}

TEST(SpecTranslationTest, SeveralPassesKeepTheirOrder) {
  v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_FLOAT16);
  spec.add_passes()->mutable_quantize()->set_mode(v1::QUANTIZATION_MODE_DYNAMIC);
  auto r = TranslateJobSpec(spec, {});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->passes.size(), 2u);
  EXPECT_EQ(std::get<passes::QuantizeOptions>(r->passes[0].options).mode,
            passes::QuantMode::kFloat16);
  EXPECT_EQ(std::get<passes::QuantizeOptions>(r->passes[1].options).mode,
            passes::QuantMode::kDynamic);
  EXPECT_EQ(PassesShortName(spec), "float16+dynamic");
}

TEST(SpecTranslationTest, CalibrationDataset) {
  v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_INT8);
  v1::DatasetInput* c = spec.mutable_calibration();
  c->set_dataset_id(std::string(64, 'a'));
  c->set_max_samples(25);
  c->mutable_preprocessing()->set_color_order(v1::COLOR_ORDER_BGR);
  c->mutable_preprocessing()->set_scaling(v1::PIXEL_SCALING_MEAN_STD);
  c->mutable_preprocessing()->add_mean(127.5f);
  c->mutable_preprocessing()->add_mean(120.0f);
  c->mutable_preprocessing()->add_std(64.0f);
  c->mutable_preprocessing()->add_std(60.0f);
  auto r = TranslateJobSpec(spec, {{"/c/0", "/c/1"}, {}});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->calibration.has_value());
  EXPECT_THAT(r->calibration->paths, ElementsAre("/c/0", "/c/1"));
  EXPECT_EQ(r->calibration->max_samples, 25u);
  EXPECT_EQ(r->calibration->id, std::string(64, 'a'));
  EXPECT_EQ(r->calibration->preprocessing.color_order,
            pipeline::ImagePreprocessing::ColorOrder::kBgr);
  EXPECT_EQ(r->calibration->preprocessing.scaling,
            pipeline::ImagePreprocessing::Scaling::kMeanStd);
  EXPECT_THAT(r->calibration->preprocessing.mean, ElementsAre(127.5f, 120.0f));
  EXPECT_THAT(r->calibration->preprocessing.std, ElementsAre(64.0f, 60.0f));
}

TEST(SpecTranslationTest, PixelScalings) {
  using S = pipeline::ImagePreprocessing::Scaling;
  const std::pair<v1::PixelScaling, S> cases[] = {
      {v1::PIXEL_SCALING_UNSPECIFIED, S::kZeroToOne},
      {v1::PIXEL_SCALING_ZERO_TO_ONE, S::kZeroToOne},
      {v1::PIXEL_SCALING_MINUS_ONE_TO_ONE, S::kMinusOneToOne},
      {v1::PIXEL_SCALING_NONE, S::kNone},
  };
  for (const auto& [proto, core] : cases) {
    v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_INT8);
    spec.mutable_calibration()->mutable_preprocessing()->set_scaling(proto);
    auto r = TranslateJobSpec(spec, kCalibration);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->calibration->preprocessing.scaling, core);
    EXPECT_EQ(r->calibration->preprocessing.color_order,
              pipeline::ImagePreprocessing::ColorOrder::kRgb);
  }
}

TEST(SpecTranslationTest, MalformedPreprocessingNamesTheField) {
  v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_INT8);
  auto* p = spec.mutable_calibration()->mutable_preprocessing();
  p->set_scaling(v1::PIXEL_SCALING_MEAN_STD);
  p->add_mean(0.5f);
  p->add_std(0.0f);
  ExpectInvalid(TranslateJobSpec(spec, kCalibration),
                "spec.calibration.preprocessing.std[0]: must be finite and > 0");

  p->set_std(0, 1.0f);
  p->add_std(2.0f);
  ExpectInvalid(TranslateJobSpec(spec, kCalibration),
                "spec.calibration.preprocessing.std: has 2 values but mean has 1");

  p->Clear();
  p->set_scaling(v1::PIXEL_SCALING_ZERO_TO_ONE);
  p->add_mean(1.0f);
  ExpectInvalid(TranslateJobSpec(spec, kCalibration),
                "spec.calibration.preprocessing.mean: mean/std are only used");

  p->Clear();
  p->set_scaling(static_cast<v1::PixelScaling>(11));
  ExpectInvalid(TranslateJobSpec(spec, kCalibration),
                "spec.calibration.preprocessing.scaling: unknown value 11");

  p->Clear();
  p->set_color_order(static_cast<v1::ColorOrder>(5));
  ExpectInvalid(TranslateJobSpec(spec, kCalibration),
                "spec.calibration.preprocessing.color_order: unknown value 5");
}

TEST(SpecTranslationTest, DatasetWithoutLocalFiles) {
  v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_FLOAT16);
  spec.mutable_evaluation()->set_dataset_id("abc");
  ExpectInvalid(TranslateJobSpec(spec, {}), "spec.evaluation: no local files for dataset 'abc'");
}

TEST(SpecTranslationTest, CalibratedModeNeedsCalibration) {
  ExpectInvalid(TranslateJobSpec(SpecWithMode(v1::QUANTIZATION_MODE_INT8), {}),
                "spec.calibration:");
}

TEST(SpecTranslationTest, LocalPathsWithoutSpecDatasetAreUsed) {
  // compressctl compress --local --calibration DIR with a spec that has no calibration message.
  auto r = TranslateJobSpec(SpecWithMode(v1::QUANTIZATION_MODE_INT8), {{"/dir"}, {"/eval"}});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->calibration.has_value());
  EXPECT_THAT(r->calibration->paths, ElementsAre("/dir"));
  EXPECT_EQ(r->calibration->max_samples, 0u);
  ASSERT_TRUE(r->evaluation.has_value());
  EXPECT_THAT(r->evaluation->paths, ElementsAre("/eval"));
}

TEST(SpecTranslationTest, EvaluationTargets) {
  v1::JobSpec spec = SpecWithMode(v1::QUANTIZATION_MODE_FLOAT16);
  spec.add_evaluation_targets(v1::EVALUATION_TARGET_AARCH64);
  spec.add_evaluation_targets(v1::EVALUATION_TARGET_HOST);
  spec.add_evaluation_targets(v1::EVALUATION_TARGET_ARMV7);
  auto r = TranslateJobSpec(spec, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->targets, ElementsAre(eval::EvaluationTarget::kAarch64Qemu,
                                      eval::EvaluationTarget::kHost,
                                      eval::EvaluationTarget::kArmv7Qemu));
  spec.add_evaluation_targets(v1::EVALUATION_TARGET_HOST);
  ExpectInvalid(TranslateJobSpec(spec, {}), "spec.evaluation_targets[3]: duplicate host");

  spec.clear_evaluation_targets();
  spec.add_evaluation_targets(v1::EVALUATION_TARGET_UNSPECIFIED);
  ExpectInvalid(TranslateJobSpec(spec, {}), "spec.evaluation_targets[0]: unknown value 0");
}

TEST(SpecTranslationTest, TargetMappingBothWays) {
  for (int t : {1, 2, 3}) {
    auto core = TranslateTarget(t, "t");
    ASSERT_TRUE(core.ok());
    EXPECT_EQ(static_cast<int>(TargetToProto(*core)), t);
  }
  EXPECT_EQ(TargetToProto(eval::EvaluationTarget::kArmv7Qemu), v1::EVALUATION_TARGET_ARMV7);
  EXPECT_FALSE(TranslateTarget(4, "t").ok());
}

TEST(SpecTranslationTest, CustomPrefix) {
  ExpectInvalid(TranslateJobSpec(SpecWithMode(v1::QUANTIZATION_MODE_UNSPECIFIED), {}, ""),
                "passes[0].quantize.mode: required");
  auto r = TranslateJobSpec(SpecWithMode(v1::QUANTIZATION_MODE_UNSPECIFIED), {}, "job.spec");
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("job.spec.passes[0].quantize.mode"));
}

// The example specs in examples/specs/ parse as JobSpec JSON and translate (with a calibration
// folder where the mode needs one).
TEST(SpecTranslationTest, ExampleSpecsTranslate) {
  for (const char* name : {"int8.json", "dynamic.json", "float16.json"}) {
    SCOPED_TRACE(name);
    std::ifstream in(std::string(COMPRESSD_SOURCE_DIR) + "/examples/specs/" + name);
    ASSERT_TRUE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    v1::JobSpec spec;
    auto s = google::protobuf::util::JsonStringToMessage(ss.str(), &spec);
    ASSERT_TRUE(s.ok()) << s.ToString();
    auto r = TranslateJobSpec(spec, {{"/calibration"}, {}});
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->passes.size(), 1u);
  }
}

}  // namespace
}  // namespace compressd::worker
