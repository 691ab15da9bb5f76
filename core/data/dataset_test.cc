#include "core/data/dataset.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/data/npy.h"
#include "core/data/testing/image_encode.h"
#include "core/data/testing/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::data {
namespace {

using ir::DataType;
using ::testing::HasSubstr;
using testing::TempFolder;

// A float32 tensor of `shape` holding start, start + 1, ...
TensorData Iota(std::vector<int32_t> shape, float start) {
  TensorData t;
  t.type = DataType::kFloat32;
  t.shape = std::move(shape);
  t.bytes.resize(t.NumElements() * 4);
  std::span<float> v = t.mutable_values<float>();
  for (size_t i = 0; i < v.size(); ++i) v[i] = start + static_cast<float>(i);
  return t;
}

std::vector<float> Floats(const TensorData& t) {
  std::span<const float> v = t.values<float>();
  return std::vector<float>(v.begin(), v.end());
}

std::vector<float> IotaValues(size_t n, float start) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + static_cast<float>(i);
  return v;
}

void Save(const std::string& path, const TensorData& t) { ASSERT_TRUE(SaveNpy(path, t).ok()); }

InputSpec FloatInput(std::vector<int32_t> shape, std::string name = "in") {
  InputSpec in;
  in.name = std::move(name);
  in.type = DataType::kFloat32;
  in.shape = std::move(shape);
  return in;
}

PreprocessSpec Raw255() {
  PreprocessSpec spec;
  spec.range = ValueRange::kZeroTo255;
  return spec;
}

// The 4x4 image used in c.png: red channel r(x, y) = 10 * (4 * y + x), green 0, blue 255.
std::vector<uint8_t> FourByFourPng() {
  std::vector<uint8_t> rgb;
  for (int i = 0; i < 16; ++i) rgb.insert(rgb.end(), {static_cast<uint8_t>(10 * i), 0, 255});
  return testing::EncodePngRgb(4, 4, rgb);
}

// The mixed folder: a.npy (1 sample), b.npy (batch of 3), c.png, d.bin, a hidden file, and a
// sub-folder with e.npy.
class MixedFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Save(dir_.Join("a.npy"), Iota({1, 2, 2, 3}, 0));
    Save(dir_.Join("b.npy"), Iota({3, 2, 2, 3}, 100));
    testing::WriteBytes(dir_.Join("c.png"), FourByFourPng());
    const std::vector<float> d = IotaValues(12, 200);
    std::vector<uint8_t> raw(48);
    std::memcpy(raw.data(), d.data(), 48);
    testing::WriteBytes(dir_.Join("d.bin"), raw);
    testing::WriteText(dir_.Join(".hidden.txt"), "not a sample");
    std::filesystem::create_directory(dir_.Join("sub"));
    Save(dir_.Join("sub/e.npy"), Iota({1, 2, 2, 3}, 500));
  }

  TempFolder dir_;
  const InputSpec input_ = FloatInput({1, 2, 2, 3});
};

TEST_F(MixedFolderTest, ListsSortedNonRecursiveSkippingHidden) {
  absl::StatusOr<std::vector<SampleFile>> files = ListSampleFiles(dir_.path());
  ASSERT_TRUE(files.ok()) << files.status();
  const std::vector<SampleFile> expected = {{dir_.Join("a.npy"), SampleFileKind::kNpy},
                                            {dir_.Join("b.npy"), SampleFileKind::kNpy},
                                            {dir_.Join("c.png"), SampleFileKind::kImage},
                                            {dir_.Join("d.bin"), SampleFileKind::kRaw}};
  EXPECT_EQ(*files, expected);
}

TEST_F(MixedFolderTest, RecursiveIncludesSubFolders) {
  DatasetOptions options;
  options.recursive = true;
  absl::StatusOr<std::vector<SampleFile>> files = ListSampleFiles(dir_.path(), options);
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->size(), 5u);
  EXPECT_EQ((*files)[4].path, dir_.Join("sub/e.npy"));
}

TEST_F(MixedFolderTest, LoadsEverySampleInOrder) {
  absl::StatusOr<std::vector<std::vector<TensorData>>> samples =
      LoadSamples({dir_.path()}, {input_}, Raw255());
  ASSERT_TRUE(samples.ok()) << samples.status();
  ASSERT_EQ(samples->size(), 6u);
  for (const auto& s : *samples) {
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].shape, input_.shape);
    EXPECT_EQ(s[0].type, DataType::kFloat32);
  }
  EXPECT_EQ(Floats((*samples)[0][0]), IotaValues(12, 0));
  EXPECT_EQ(Floats((*samples)[1][0]), IotaValues(12, 100));
  EXPECT_EQ(Floats((*samples)[2][0]), IotaValues(12, 112));
  EXPECT_EQ(Floats((*samples)[3][0]), IotaValues(12, 124));
  // c.png, 4x4 → 2x2: each output averages a 2x2 block (half-pixel centers, scale 2).
  // Red of block (0,0) = 10 * (0 + 1 + 4 + 5) / 4 = 25; (1,0) = 10 * (2 + 3 + 6 + 7) / 4 = 45;
  // (0,1) = 105; (1,1) = 125.
  EXPECT_EQ(Floats((*samples)[4][0]),
            (std::vector<float>{25, 0, 255, 45, 0, 255, 105, 0, 255, 125, 0, 255}));
  EXPECT_EQ(Floats((*samples)[5][0]), IotaValues(12, 200));
}

TEST_F(MixedFolderTest, MaxSamplesStopsEarly) {
  DatasetOptions options;
  options.max_samples = 2;
  absl::StatusOr<std::vector<std::vector<TensorData>>> samples =
      LoadSamples({dir_.path()}, {input_}, Raw255(), options);
  ASSERT_TRUE(samples.ok()) << samples.status();
  ASSERT_EQ(samples->size(), 2u);
  EXPECT_EQ(Floats((*samples)[1][0]), IotaValues(12, 100));
}

TEST_F(MixedFolderTest, TotalBytesLimit) {
  DatasetOptions options;
  options.max_total_bytes = 100;  // two 48-byte samples fit, the third does not
  absl::StatusOr<std::vector<std::vector<TensorData>>> samples =
      LoadSamples({dir_.path()}, {input_}, Raw255(), options);
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(samples.status().message(), HasSubstr(dir_.Join("b.npy")));
  EXPECT_THAT(samples.status().message(), HasSubstr("limit of 100 bytes"));
}

TEST_F(MixedFolderTest, SeveralPathsAreConcatenatedForOneInput) {
  absl::StatusOr<std::vector<std::vector<TensorData>>> samples =
      LoadSamples({dir_.Join("d.bin"), dir_.Join("sub"), dir_.Join("a.npy")}, {input_}, Raw255());
  ASSERT_TRUE(samples.ok()) << samples.status();
  ASSERT_EQ(samples->size(), 3u);
  EXPECT_EQ(Floats((*samples)[0][0]), IotaValues(12, 200));
  EXPECT_EQ(Floats((*samples)[1][0]), IotaValues(12, 500));
  EXPECT_EQ(Floats((*samples)[2][0]), IotaValues(12, 0));
}

TEST_F(MixedFolderTest, UnknownFileTypeInFolderIsAnError) {
  testing::WriteText(dir_.Join("notes.txt"), "labels");
  absl::StatusOr<std::vector<std::vector<TensorData>>> samples =
      LoadSamples({dir_.path()}, {input_}, Raw255());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(samples.status().message(),
              HasSubstr(dir_.Join("notes.txt") + ": unknown file type '.txt'"));
}

TEST_F(MixedFolderTest, FifosAreSkippedNotOpened) {
  ASSERT_EQ(::mkfifo(dir_.Join("pipe.npy").c_str(), 0600), 0);
  absl::StatusOr<std::vector<SampleFile>> files = ListSampleFiles(dir_.path());
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(files->size(), 4u);
  absl::StatusOr<std::vector<SampleFile>> direct = ListSampleFiles(dir_.Join("pipe.npy"));
  EXPECT_EQ(direct.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(direct.status().message(), HasSubstr("is neither a regular file nor a folder"));
}

TEST_F(MixedFolderTest, RecursiveSkipsSymlinkedFolders) {
  std::filesystem::create_directory_symlink(dir_.path(), dir_.Join("sub/loop"));
  DatasetOptions options;
  options.recursive = true;
  absl::StatusOr<std::vector<SampleFile>> files = ListSampleFiles(dir_.path(), options);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(files->size(), 5u);
}

// ---- matching rules and errors ------------------------------------------------------------------

TEST(DatasetTest, BatchForms) {
  TempFolder dir;
  const InputSpec input = FloatInput({1, 2});
  Save(dir.Join("replace.npy"), Iota({3, 2}, 0));      // [N] + input_shape[1:]
  Save(dir.Join("prepend.npy"), Iota({2, 1, 2}, 10));  // [N] + input_shape
  absl::StatusOr<std::vector<std::vector<TensorData>>> samples =
      LoadSamples({dir.Join("replace.npy"), dir.Join("prepend.npy")}, {input}, PreprocessSpec());
  ASSERT_TRUE(samples.ok()) << samples.status();
  ASSERT_EQ(samples->size(), 5u);
  const std::vector<std::vector<float>> expected = {{0, 1}, {2, 3}, {4, 5}, {10, 11}, {12, 13}};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ((*samples)[i][0].shape, input.shape);
    EXPECT_EQ(Floats((*samples)[i][0]), expected[i]) << i;
  }
}

TEST(DatasetTest, WrongShapeAndDtypeMessages) {
  TempFolder dir;
  const std::string x = dir.Join("x.npy");
  Save(x, Iota({1, 3, 2, 2}, 0));
  absl::StatusOr<std::vector<std::vector<TensorData>>> samples =
      LoadSamples({x}, {FloatInput({1, 2, 2, 3}, "")}, PreprocessSpec());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      samples.status().message(),
      HasSubstr(x + " has shape [1,3,2,2], input 0 needs [1,2,2,3] (or a batch [N,2,2,3])"));
  samples = LoadSamples({x}, {FloatInput({1, 2, 2, 3}, "pixels")}, PreprocessSpec());
  EXPECT_THAT(samples.status().message(),
              HasSubstr(x + " has shape [1,3,2,2], input 0 ('pixels') needs [1,2,2,3]"));

  TensorData f64;
  f64.type = DataType::kFloat64;
  f64.shape = {1, 2};
  f64.bytes.resize(16);
  const std::string y = dir.Join("y.npy");
  Save(y, f64);
  samples = LoadSamples({y}, {FloatInput({1, 2}, "")}, PreprocessSpec());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(samples.status().message(),
              HasSubstr(y + " has dtype float64, input 0 needs float32"));
}

TEST(DatasetTest, CorruptImageAndImageForNonImageInput) {
  TempFolder dir;
  std::vector<uint8_t> bad = FourByFourPng();
  bad.resize(bad.size() / 2);
  const std::string bad_path = dir.Join("bad.png");
  testing::WriteBytes(bad_path, bad);
  absl::StatusOr<std::vector<std::vector<TensorData>>> samples =
      LoadSamples({bad_path}, {FloatInput({1, 2, 2, 3})}, PreprocessSpec());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(samples.status().message(), HasSubstr(bad_path + ": corrupt PNG"));

  const std::string good = dir.Join("good.PNG");  // extension case does not matter
  testing::WriteBytes(good, FourByFourPng());
  samples = LoadSamples({good}, {FloatInput({1, 5})}, PreprocessSpec());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(samples.status().message(),
              HasSubstr(good + ": cannot feed input 0 ('in'): input 'in' has shape [1,5]"));

  testing::WriteText(dir.Join("fake.jpg"), "this is text");
  samples = LoadSamples({dir.Join("fake.jpg")}, {FloatInput({1, 2, 2, 3})}, PreprocessSpec());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(samples.status().message(), HasSubstr("fake.jpg: not a PNG or JPEG image"));
}

TEST(DatasetTest, EmptyMissingAndUnknown) {
  TempFolder dir;
  const std::string empty = dir.Join("empty");
  std::filesystem::create_directory(empty);
  testing::WriteText(empty + "/.DS_Store", "x");
  const std::vector<InputSpec> inputs = {FloatInput({1, 2})};
  absl::StatusOr<std::vector<std::vector<TensorData>>> samples =
      LoadSamples({empty}, inputs, PreprocessSpec());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(samples.status().message(), "no samples found in " + empty);

  samples = LoadSamples({dir.Join("nope")}, inputs, PreprocessSpec());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(samples.status().message(), HasSubstr(dir.Join("nope")));

  testing::WriteText(dir.Join("README"), "x");
  samples = LoadSamples({dir.Join("README")}, inputs, PreprocessSpec());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(samples.status().message(), HasSubstr("README: unknown file type (no extension)"));

  Save(dir.Join("zero.npy"), Iota({0, 2}, 0));  // a batch of no samples
  samples = LoadSamples({dir.Join("zero.npy")}, inputs, PreprocessSpec());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(samples.status().message(), HasSubstr("no samples found in"));

  EXPECT_EQ(LoadSamples({}, inputs, PreprocessSpec()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadSamples({empty}, {}, PreprocessSpec()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DatasetTest, RawFileSizeMismatch) {
  TempFolder dir;
  const std::string path = dir.Join("s.raw");
  testing::WriteBytes(path, std::vector<uint8_t>(7));
  absl::StatusOr<std::vector<std::vector<TensorData>>> samples =
      LoadSamples({path}, {FloatInput({1, 2})}, PreprocessSpec());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(samples.status().message(),
              HasSubstr(path + ": raw file is 7 bytes but float32 [1,2] needs exactly 8 bytes"));
}

TEST(DatasetTest, MultiInputMatchedByPosition) {
  TempFolder dir;
  std::filesystem::create_directory(dir.Join("a"));
  Save(dir.Join("a/0.npy"), Iota({1, 2}, 0));
  Save(dir.Join("a/1.npy"), Iota({2, 2}, 10));
  TensorData ints;
  ints.type = DataType::kInt32;
  ints.shape = {3, 3};
  ints.bytes.resize(36);
  for (int i = 0; i < 9; ++i) ints.mutable_values<int32_t>()[i] = -i;
  Save(dir.Join("b.npy"), ints);

  InputSpec b;
  b.name = "ids";
  b.type = DataType::kInt32;
  b.shape = {3};
  const std::vector<InputSpec> inputs = {FloatInput({1, 2}), b};
  absl::StatusOr<std::vector<std::vector<TensorData>>> samples =
      LoadSamples({dir.Join("a"), dir.Join("b.npy")}, inputs, PreprocessSpec());
  ASSERT_TRUE(samples.ok()) << samples.status();
  ASSERT_EQ(samples->size(), 3u);
  const std::vector<std::vector<float>> a_values = {{0, 1}, {10, 11}, {12, 13}};
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ((*samples)[i].size(), 2u);
    EXPECT_EQ(Floats((*samples)[i][0]), a_values[i]);
    std::span<const int32_t> ids = (*samples)[i][1].values<int32_t>();
    EXPECT_EQ(std::vector<int32_t>(ids.begin(), ids.end()),
              (std::vector<int32_t>{-3 * i, -3 * i - 1, -3 * i - 2}));
  }

  // Counts must agree.
  Save(dir.Join("b2.npy"), Iota({2, 3}, 0));
  InputSpec b_float = FloatInput({3}, "ids");
  samples = LoadSamples({dir.Join("a"), dir.Join("b2.npy")}, {FloatInput({1, 2}), b_float},
                        PreprocessSpec());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(samples.status().message(),
              HasSubstr("input 0 has 3 samples (from " + dir.Join("a") + ") but input 1 has 2"));

  // One path per input.
  samples = LoadSamples({dir.Join("a")}, inputs, PreprocessSpec());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(samples.status().message(),
              HasSubstr("the model has 2 inputs, so give exactly one file or folder per input"));
}

TEST(DatasetTest, ClassifySampleFile) {
  EXPECT_EQ(*ClassifySampleFile("x/IMG_1.JPG"), SampleFileKind::kImage);
  EXPECT_EQ(*ClassifySampleFile("a.jpeg"), SampleFileKind::kImage);
  EXPECT_EQ(*ClassifySampleFile("a.Npy"), SampleFileKind::kNpy);
  EXPECT_EQ(*ClassifySampleFile("a.raw"), SampleFileKind::kRaw);
  EXPECT_EQ(ClassifySampleFile("a.npz").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(InputSpecTest, FromModel) {
  ir::Model model;
  model.subgraphs.resize(1);
  ir::Subgraph& sg = model.subgraphs[0];
  sg.tensors.resize(3);
  sg.tensors[0].name = "x";
  sg.tensors[0].type = DataType::kInt8;
  sg.tensors[0].shape = {1, 8, 8, 3};
  ir::QuantParams per_tensor;
  per_tensor.scale = {0.5f};
  per_tensor.zero_point = {-3};
  sg.tensors[0].quantization = per_tensor;
  sg.tensors[2].name = "y";
  sg.tensors[2].shape = {4};
  ir::QuantParams per_channel;
  per_channel.scale = {0.5f, 0.25f};
  per_channel.zero_point = {0, 0};
  sg.tensors[2].quantization = per_channel;
  sg.inputs = {2, 0};
  absl::StatusOr<std::vector<InputSpec>> specs = InputSpecsFromModel(model);
  ASSERT_TRUE(specs.ok()) << specs.status();
  ASSERT_EQ(specs->size(), 2u);
  EXPECT_EQ((*specs)[0].name, "y");
  EXPECT_EQ((*specs)[0].scale, 0.0f);  // per-channel: not usable as per-tensor
  EXPECT_EQ((*specs)[1].name, "x");
  EXPECT_EQ((*specs)[1].type, DataType::kInt8);
  EXPECT_EQ((*specs)[1].shape, std::vector<int32_t>({1, 8, 8, 3}));
  EXPECT_EQ((*specs)[1].scale, 0.5f);
  EXPECT_EQ((*specs)[1].zero_point, -3);
  sg.inputs = {3};
  EXPECT_EQ(InputSpecsFromModel(model).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InputSpecsFromModel(model, 1).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::data
