#include "core/data/preprocess.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::data {
namespace {

using ir::DataType;
using ::testing::HasSubstr;

// ---- spec parsing -------------------------------------------------------------------------------

TEST(PreprocessSpecTest, EmptyIsDefault) {
  absl::StatusOr<PreprocessSpec> spec = ParsePreprocessSpec("");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->range, ValueRange::kZeroToOne);
  EXPECT_EQ(spec->order, ChannelOrder::kRgb);
  EXPECT_EQ(spec->layout, TensorLayout::kNhwc);
  EXPECT_EQ(*spec, PreprocessSpec());
  EXPECT_EQ(*ParsePreprocessSpec("  ; , "), PreprocessSpec());
}

TEST(PreprocessSpecTest, RangesOrdersLayouts) {
  absl::StatusOr<PreprocessSpec> spec = ParsePreprocessSpec("scale=0_1,order=rgb");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->range, ValueRange::kZeroToOne);
  spec = ParsePreprocessSpec("range=-1_1; order=BGR ;layout=NCHW");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->range, ValueRange::kMinusOneToOne);
  EXPECT_EQ(spec->order, ChannelOrder::kBgr);
  EXPECT_EQ(spec->layout, TensorLayout::kNchw);
  spec = ParsePreprocessSpec("RANGE=0_255");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->range, ValueRange::kZeroTo255);
}

TEST(PreprocessSpecTest, MeanStdLists) {
  absl::StatusOr<PreprocessSpec> spec =
      ParsePreprocessSpec("mean=127.5,127.5,127.5;std=127.5,127.5,127.5");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->range, ValueRange::kMeanStd);
  EXPECT_EQ(spec->mean, (std::array<float, 3>{127.5f, 127.5f, 127.5f}));
  EXPECT_EQ(spec->std, (std::array<float, 3>{127.5f, 127.5f, 127.5f}));

  // Commas everywhere: bare numbers continue the previous key.
  spec = ParsePreprocessSpec("mean=1,2,3,std=4,5,6,order=bgr");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->mean, (std::array<float, 3>{1, 2, 3}));
  EXPECT_EQ(spec->std, (std::array<float, 3>{4, 5, 6}));
  EXPECT_EQ(spec->order, ChannelOrder::kBgr);

  // One value applies to every channel; a missing mean is 0, a missing std is 1.
  spec = ParsePreprocessSpec("std=58.5");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->range, ValueRange::kMeanStd);
  EXPECT_EQ(spec->mean, (std::array<float, 3>{0, 0, 0}));
  EXPECT_EQ(spec->std, (std::array<float, 3>{58.5f, 58.5f, 58.5f}));
  spec = ParsePreprocessSpec("mean=-3.25e1");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->mean, (std::array<float, 3>{-32.5f, -32.5f, -32.5f}));
  EXPECT_EQ(spec->std, (std::array<float, 3>{1, 1, 1}));
}

TEST(PreprocessSpecTest, Errors) {
  struct Case {
    std::string text;
    std::string fragment;
  };
  const Case cases[] = {
      {"colour=rgb", "unknown key 'colour'"},
      {"order=rgb,order=bgr", "key 'order' given twice"},
      {"scale=0_1,range=0_255", "key 'range' given twice"},
      {"range=0_1,mean=1", "range and mean/std are alternatives"},
      {"std=0", "std value 0 must be > 0"},
      {"std=1,2,-3", "std value -3 must be > 0"},
      {"mean=1,2", "mean needs 1 or 3 values, got 2"},
      {"mean=1,2,3,4", "mean needs 1 or 3 values, got 4"},
      {"mean=abc", "mean value 'abc' is not a finite number"},
      {"mean=inf", "is not a finite number"},
      {"std=nan", "is not a finite number"},
      {"rgb", "'rgb' is not key=value"},
      {"order=", "has no value"},
      {"order=xyz", "order 'xyz' is not rgb or bgr"},
      {"range=0_2", "range '0_2' is not 0_1, -1_1 or 0_255"},
      {"layout=chw", "layout 'chw' is not nhwc or nchw"},
      {"range=0_1,5", "key 'range' takes one value"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<PreprocessSpec> spec = ParsePreprocessSpec(c.text);
    ASSERT_FALSE(spec.ok());
    EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(spec.status().message(), HasSubstr(c.fragment));
  }
}

TEST(PreprocessSpecTest, ToStringRoundTrips) {
  PreprocessSpec a;
  EXPECT_EQ(PreprocessSpecToString(a), "range=0_1;order=rgb;layout=nhwc");
  PreprocessSpec b;
  b.range = ValueRange::kMeanStd;
  b.mean = {123.68f, 116.779f, 103.939f};
  b.std = {58.393f, 57.12f, 57.375f};
  b.order = ChannelOrder::kBgr;
  b.layout = TensorLayout::kNchw;
  PreprocessSpec c;
  c.range = ValueRange::kMinusOneToOne;
  for (const PreprocessSpec& spec : {a, b, c}) {
    const std::string text = PreprocessSpecToString(spec);
    SCOPED_TRACE(text);
    absl::StatusOr<PreprocessSpec> back = ParsePreprocessSpec(text);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, spec);
  }
}

// ---- resize -------------------------------------------------------------------------------------

// An image whose three channels are `r`, r + 1 and 255 - r.
Image MakeImage(int w, int h, const std::vector<uint8_t>& r) {
  Image img;
  img.width = w;
  img.height = h;
  for (uint8_t v : r) {
    img.pixels.push_back(v);
    img.pixels.push_back(static_cast<uint8_t>(v + 1));
    img.pixels.push_back(static_cast<uint8_t>(255 - v));
  }
  return img;
}

TEST(ResizeTest, Upscale2x2To4x4ByHand) {
  // Half-pixel centers, scale 0.5: output 0 → src -0.25 (clamped to pixel 0), 1 → 0.25,
  // 2 → 0.75, 3 → 1.25 (clamped to pixel 1). Weights per axis: [1,0], [.75,.25], [.25,.75], [0,1].
  const Image img = MakeImage(2, 2, {0, 80, 160, 240});
  const std::vector<float> out = ResizeBilinear(img, 4, 4);
  const float expected_r[16] = {0,   20,  60,  80,   //
                                40,  60,  100, 120,  //
                                120, 140, 180, 200,  //
                                160, 180, 220, 240};
  ASSERT_EQ(out.size(), 48u);
  for (int i = 0; i < 16; ++i) {
    EXPECT_FLOAT_EQ(out[i * 3], expected_r[i]) << "pixel " << i;
    EXPECT_FLOAT_EQ(out[i * 3 + 1], expected_r[i] + 1) << "pixel " << i;
    EXPECT_FLOAT_EQ(out[i * 3 + 2], 255 - expected_r[i]) << "pixel " << i;
  }
}

TEST(ResizeTest, Downscale4x4To2x2AveragesBlocks) {
  // Scale 2: output 0 → src 0.5 (between pixels 0 and 1), output 1 → src 2.5.
  const std::vector<uint8_t> r = {0,   10,  20,  30,   //
                                  40,  50,  60,  70,   //
                                  80,  90,  100, 110,  //
                                  120, 130, 140, 150};
  const std::vector<float> out = ResizeBilinear(MakeImage(4, 4, r), 2, 2);
  ASSERT_EQ(out.size(), 12u);
  EXPECT_FLOAT_EQ(out[0], (0 + 10 + 40 + 50) / 4.0f);
  EXPECT_FLOAT_EQ(out[3], (20 + 30 + 60 + 70) / 4.0f);
  EXPECT_FLOAT_EQ(out[6], (80 + 90 + 120 + 130) / 4.0f);
  EXPECT_FLOAT_EQ(out[9], (100 + 110 + 140 + 150) / 4.0f);
}

TEST(ResizeTest, NonIntegerScaleAndSingleRow) {
  // 3 → 2 columns, scale 1.5: output 0 → src 0.25, output 1 → src 1.75. Height 1 → 1.
  const std::vector<float> out = ResizeBilinear(MakeImage(3, 1, {0, 100, 200}), 2, 1);
  ASSERT_EQ(out.size(), 6u);
  EXPECT_FLOAT_EQ(out[0], 0.75f * 0 + 0.25f * 100);
  EXPECT_FLOAT_EQ(out[3], 0.25f * 100 + 0.75f * 200);
  // 1 → 3 columns: every output is the single pixel.
  const std::vector<float> wide = ResizeBilinear(MakeImage(1, 1, {77}), 3, 2);
  for (size_t i = 0; i < wide.size(); i += 3) EXPECT_FLOAT_EQ(wide[i], 77.0f);
}

TEST(ResizeTest, SameSizeIsExactCopy) {
  const Image img = MakeImage(3, 2, {1, 2, 3, 250, 251, 252});
  const std::vector<float> out = ResizeBilinear(img, 3, 2);
  ASSERT_EQ(out.size(), img.pixels.size());
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], static_cast<float>(img.pixels[i]));
}

// ---- image to tensor ----------------------------------------------------------------------------

InputSpec Input(DataType type, std::vector<int32_t> shape, float scale = 0, int32_t zp = 0) {
  InputSpec in;
  in.name = "image";
  in.type = type;
  in.shape = std::move(shape);
  in.scale = scale;
  in.zero_point = zp;
  return in;
}

// A 2x1 image: pixel 0 = (10, 20, 30), pixel 1 = (200, 100, 0).
Image TwoPixels() {
  Image img;
  img.width = 2;
  img.height = 1;
  img.pixels = {10, 20, 30, 200, 100, 0};
  return img;
}

std::vector<float> Floats(const TensorData& t) {
  std::span<const float> v = t.values<float>();
  return std::vector<float>(v.begin(), v.end());
}

TEST(ImageToTensorTest, ZeroToOneNhwc) {
  absl::StatusOr<TensorData> t =
      ImageToTensor(TwoPixels(), Input(DataType::kFloat32, {1, 1, 2, 3}), PreprocessSpec());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->type, DataType::kFloat32);
  EXPECT_EQ(t->shape, std::vector<int32_t>({1, 1, 2, 3}));
  EXPECT_THAT(Floats(*t),
              ::testing::Pointwise(::testing::FloatEq(),
                                   std::vector<float>{10 / 255.f, 20 / 255.f, 30 / 255.f,
                                                      200 / 255.f, 100 / 255.f, 0}));
}

TEST(ImageToTensorTest, MinusOneToOneAndRaw) {
  PreprocessSpec spec;
  spec.range = ValueRange::kMinusOneToOne;
  absl::StatusOr<TensorData> t =
      ImageToTensor(TwoPixels(), Input(DataType::kFloat32, {1, 1, 2, 3}), spec);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT(Floats(*t), ::testing::Pointwise(
                              ::testing::FloatNear(1e-6f),
                              std::vector<float>{10 / 127.5f - 1, 20 / 127.5f - 1, 30 / 127.5f - 1,
                                                 200 / 127.5f - 1, 100 / 127.5f - 1, -1}));
  spec.range = ValueRange::kZeroTo255;
  t = ImageToTensor(TwoPixels(), Input(DataType::kFloat32, {1, 1, 2, 3}), spec);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(Floats(*t), (std::vector<float>{10, 20, 30, 200, 100, 0}));
}

TEST(ImageToTensorTest, MeanStdWithBgrUsesModelChannelOrder) {
  PreprocessSpec spec;
  spec.range = ValueRange::kMeanStd;
  spec.order = ChannelOrder::kBgr;
  spec.mean = {1, 2, 3};  // for B, G, R
  spec.std = {2, 4, 5};
  absl::StatusOr<TensorData> t =
      ImageToTensor(TwoPixels(), Input(DataType::kFloat32, {1, 1, 2, 3}), spec);
  ASSERT_TRUE(t.ok()) << t.status();
  // Pixel 0 in BGR is (30, 20, 10); pixel 1 is (0, 100, 200).
  EXPECT_THAT(Floats(*t), ::testing::Pointwise(
                              ::testing::FloatEq(),
                              std::vector<float>{(30 - 1) / 2.f, (20 - 2) / 4.f, (10 - 3) / 5.f,
                                                 (0 - 1) / 2.f, (100 - 2) / 4.f, (200 - 3) / 5.f}));
}

TEST(ImageToTensorTest, NchwLayout) {
  PreprocessSpec spec;
  spec.range = ValueRange::kZeroTo255;
  spec.layout = TensorLayout::kNchw;
  absl::StatusOr<TensorData> t =
      ImageToTensor(TwoPixels(), Input(DataType::kFloat32, {1, 3, 1, 2}), spec);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(Floats(*t), (std::vector<float>{10, 200, 20, 100, 30, 0}));
}

TEST(ImageToTensorTest, GrayscaleUsesBt601Luma) {
  PreprocessSpec spec;
  spec.range = ValueRange::kZeroTo255;
  absl::StatusOr<TensorData> t =
      ImageToTensor(TwoPixels(), Input(DataType::kFloat32, {1, 1, 2, 1}), spec);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT(Floats(*t),
              ::testing::Pointwise(::testing::FloatNear(1e-4f),
                                   std::vector<float>{0.299f * 10 + 0.587f * 20 + 0.114f * 30,
                                                      0.299f * 200 + 0.587f * 100 + 0.114f * 0}));
  spec.range = ValueRange::kMeanStd;
  spec.mean = {1, 2, 3};
  EXPECT_EQ(
      ImageToTensor(TwoPixels(), Input(DataType::kFloat32, {1, 1, 2, 1}), spec).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(ImageToTensorTest, ResizesToTheInputSize) {
  // 2x2 → 4x4 through ImageToTensor gives the hand-computed resize values / 255.
  Image img;
  img.width = 2;
  img.height = 2;
  img.pixels = {0, 0, 0, 80, 0, 0, 160, 0, 0, 240, 0, 0};
  absl::StatusOr<TensorData> t =
      ImageToTensor(img, Input(DataType::kFloat32, {1, 4, 4, 3}), PreprocessSpec());
  ASSERT_TRUE(t.ok()) << t.status();
  const std::vector<float> v = Floats(*t);
  ASSERT_EQ(v.size(), 48u);
  EXPECT_FLOAT_EQ(v[(1 * 4 + 2) * 3], 100 / 255.f);  // y=1, x=2
  EXPECT_FLOAT_EQ(v[(2 * 4 + 1) * 3], 140 / 255.f);  // y=2, x=1
}

TEST(ImageToTensorTest, Int8QuantizationRoundsHalfAwayFromZeroAndClamps) {
  // real = v - 10 (mean 10, std 1), scale 2, zero point 5: q = round((v - 10) / 2) + 5.
  // Pixels (v, v, v); every channel gets the same value.
  Image img;
  img.width = 5;
  img.height = 1;
  for (uint8_t v : {7, 13, 255, 0, 10}) img.pixels.insert(img.pixels.end(), {v, v, v});
  PreprocessSpec spec;
  spec.range = ValueRange::kMeanStd;
  spec.mean = {10, 10, 10};
  absl::StatusOr<TensorData> t =
      ImageToTensor(img, Input(DataType::kInt8, {1, 1, 5, 3}, 2.0f, 5), spec);
  ASSERT_TRUE(t.ok()) << t.status();
  std::span<const int8_t> q = t->values<int8_t>();
  ASSERT_EQ(q.size(), 15u);
  const int expected[5] = {-2 + 5,  // (7 - 10) / 2 = -1.5 → -2
                           2 + 5,   // 1.5 → 2
                           127,     // 122.5 → 123, + 5 = 128 → clamped
                           -5 + 5,  // -5
                           0 + 5};
  for (int p = 0; p < 5; ++p) {
    for (int c = 0; c < 3; ++c) EXPECT_EQ(q[p * 3 + c], expected[p]) << p << "," << c;
  }

  // Clamping at the bottom: zero point -128, (0 - 10) / 2 = -5 → -133 → -128.
  t = ImageToTensor(img, Input(DataType::kInt8, {1, 1, 5, 3}, 2.0f, -128), spec);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->values<int8_t>()[3 * 3], -128);
  EXPECT_EQ(t->values<int8_t>()[1 * 3], -126);
}

TEST(ImageToTensorTest, Uint8WithUnitScaleIsThePixels) {
  PreprocessSpec spec;  // [0, 1]
  absl::StatusOr<TensorData> t =
      ImageToTensor(TwoPixels(), Input(DataType::kUInt8, {1, 1, 2, 3}, 1.0f / 255.0f, 0), spec);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->bytes, (std::vector<uint8_t>{10, 20, 30, 200, 100, 0}));
  // Typical int8 image model: scale 1/255, zero point -128.
  t = ImageToTensor(TwoPixels(), Input(DataType::kInt8, {1, 1, 2, 3}, 1.0f / 255.0f, -128), spec);
  ASSERT_TRUE(t.ok()) << t.status();
  std::span<const int8_t> q = t->values<int8_t>();
  EXPECT_EQ(std::vector<int>(q.begin(), q.end()),
            (std::vector<int>{10 - 128, 20 - 128, 30 - 128, 200 - 128, 100 - 128, -128}));
}

TEST(ImageToTensorTest, Errors) {
  const Image img = TwoPixels();
  const PreprocessSpec spec;
  absl::StatusOr<TensorData> t = ImageToTensor(img, Input(DataType::kFloat32, {1, 3, 2, 2}), spec);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(),
              HasSubstr("input 'image' has shape [1,3,2,2], which is not an image shape "
                        "[1,H,W,C] (layout=nhwc) with C = 1 or 3"));
  EXPECT_EQ(ImageToTensor(img, Input(DataType::kFloat32, {2, 4, 4, 3}), spec).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ImageToTensor(img, Input(DataType::kFloat32, {4, 4, 3}), spec).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ImageToTensor(img, Input(DataType::kFloat32, {1, 0, 4, 3}), spec).status().code(),
            absl::StatusCode::kInvalidArgument);
  t = ImageToTensor(img, Input(DataType::kFloat32, {1, 4097, 4096, 3}), spec);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(t.status().message(), HasSubstr("4096x4097 pixels, more than the limit of 16777216"));
  t = ImageToTensor(img, Input(DataType::kInt32, {1, 1, 2, 3}), spec);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(t.status().message(), HasSubstr("input 'image' is int32"));
  t = ImageToTensor(img, Input(DataType::kInt8, {1, 1, 2, 3}, 0.0f, 0), spec);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("scale > 0"));
  EXPECT_EQ(
      ImageToTensor(img, Input(DataType::kUInt8, {1, 1, 2, 3}, 0.1f, 300), spec).status().code(),
      absl::StatusCode::kInvalidArgument);
  Image broken = img;
  broken.pixels.pop_back();
  EXPECT_EQ(ImageToTensor(broken, Input(DataType::kFloat32, {1, 1, 2, 3}), spec).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace compressd::data
