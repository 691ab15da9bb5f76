// Decoding of real photographs (skimage's sample images, fetched by scripts/fetch_test_data.sh
// into $COMPRESSD_TEST_DATA/images). Registered with NEEDS_DATA as its own binary; skipped when
// the data is absent.
//
// The expected PNG values (size, per-channel sums, three pixels) were computed with an independent
// pure-Python decoder (zlib + PNG unfiltering, palette lookup, 16-bit scaling
// round(v * 255 / 65535), gray replicated, alpha dropped), not with the code under test.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/data/dataset.h"
#include "core/data/image.h"
#include "core/data/preprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::data {
namespace {

using ::testing::HasSubstr;

std::string ImagesDir() {
  const char* root = std::getenv("COMPRESSD_TEST_DATA");
  if (root == nullptr) return "";
  const std::string dir = std::string(root) + "/images";
  return std::filesystem::exists(dir + "/astronaut.png") ? dir : "";
}

#define REQUIRE_IMAGES(dir)            \
  const std::string dir = ImagesDir(); \
  if (dir.empty()) GTEST_SKIP() << "no $COMPRESSD_TEST_DATA/images/astronaut.png"

struct Pixel {
  int x, y;
  uint8_t rgb[3];
};

struct PngCase {
  const char* name;
  int width, height;
  int64_t sums[3];
  Pixel pixels[3];  // (0,0), (w/2,h/2), (w-1,h-1)
};

const PngCase kPngCases[] = {
    {"astronaut.png",
     512,
     512,
     {37109758, 27724204, 25290362},
     {{0, 0, {154, 147, 151}}, {256, 256, {19, 14, 7}}, {511, 511, {0, 0, 0}}}},
    {"camera.png",
     512,
     512,
     {33832495, 33832495, 33832495},  // 8-bit gray
     {{0, 0, {200, 200, 200}}, {256, 256, {14, 14, 14}}, {511, 511, {149, 149, 149}}}},
    {"chessboard_RGB.png",
     200,
     200,
     {5100000, 5100000, 5100000},  // 16-bit RGB
     {{0, 0, {255, 255, 255}}, {100, 100, {175, 175, 175}}, {199, 199, {255, 255, 255}}}},
    {"palette_color.png",
     10,
     10,
     {11628, 11424, 12393},
     {{0, 0, {51, 0, 255}}, {5, 5, {102, 51, 255}}, {9, 9, {102, 0, 204}}}},
    {"horse.png",
     400,
     328,
     {22391924, 22391924, 22391924},  // RGBA
     {{0, 0, {255, 255, 255}}, {200, 164, {0, 0, 0}}, {399, 327, {255, 255, 255}}}},
    {"checker_bilevel.png",
     10,
     10,
     {12750, 12750, 12750},  // 1-bit gray
     {{0, 0, {255, 255, 255}}, {5, 5, {0, 0, 0}}, {9, 9, {0, 0, 0}}}},
    {"foo3x5x4indexed.png",
     5,
     3,
     {1019, 539, 3825},
     {{0, 0, {127, 0, 255}}, {2, 1, {0, 0, 255}}, {4, 2, {0, 31, 255}}}},
};

TEST(RealImagesTest, PngsMatchAnIndependentDecoder) {
  REQUIRE_IMAGES(dir);
  for (const PngCase& c : kPngCases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<Image> img = LoadImage(dir + "/" + c.name);
    ASSERT_TRUE(img.ok()) << img.status();
    ASSERT_EQ(img->width, c.width);
    ASSERT_EQ(img->height, c.height);
    int64_t sums[3] = {0, 0, 0};
    for (size_t i = 0; i < img->pixels.size(); ++i) sums[i % 3] += img->pixels[i];
    for (int ch = 0; ch < 3; ++ch) EXPECT_EQ(sums[ch], c.sums[ch]) << "channel " << ch;
    for (const Pixel& p : c.pixels) {
      for (int ch = 0; ch < 3; ++ch) {
        EXPECT_EQ(img->at(p.x, p.y, ch), p.rgb[ch]) << "(" << p.x << "," << p.y << ") " << ch;
      }
    }
  }
}

TEST(RealImagesTest, JpegsDecodeAndTruncatedJpegFails) {
  REQUIRE_IMAGES(dir);
  struct Case {
    const char* name;
    int width, height;
  };
  for (const Case& c : {Case{"hubble_deep_field.jpg", 1000, 872}, Case{"retina.jpg", 1411, 1411},
                        Case{"rocket.jpg", 640, 427}}) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<Image> img = LoadImage(dir + "/" + c.name);
    ASSERT_TRUE(img.ok()) << img.status();
    EXPECT_EQ(img->width, c.width);
    EXPECT_EQ(img->height, c.height);
  }
  absl::StatusOr<Image> truncated = LoadImage(dir + "/truncated.jpg");
  EXPECT_EQ(truncated.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(truncated.status().message(), HasSubstr("truncated.jpg: corrupt JPEG"));
}

TEST(RealImagesTest, EveryOtherImageDecodes) {
  REQUIRE_IMAGES(dir);
  int decoded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == "truncated.jpg") continue;
    absl::StatusOr<Image> img = LoadImage(entry.path().string());
    EXPECT_TRUE(img.ok()) << name << ": " << img.status();
    ++decoded;
  }
  EXPECT_GE(decoded, 30);
}

TEST(RealImagesTest, AstronautPreprocessedToModelInput) {
  REQUIRE_IMAGES(dir);
  InputSpec input;
  input.name = "image";
  input.shape = {1, 224, 224, 3};
  absl::StatusOr<std::vector<std::vector<TensorData>>> samples =
      LoadSamples({dir + "/astronaut.png"}, {input}, PreprocessSpec());
  ASSERT_TRUE(samples.ok()) << samples.status();
  ASSERT_EQ(samples->size(), 1u);
  std::span<const float> v = (*samples)[0][0].values<float>();
  ASSERT_EQ(v.size(), 224u * 224u * 3u);
  double sums[3] = {0, 0, 0};
  for (size_t i = 0; i < v.size(); ++i) {
    ASSERT_GE(v[i], 0.0f);
    ASSERT_LE(v[i], 1.0f);
    sums[i % 3] += v[i];
  }
  // Bilinear resizing roughly preserves the mean: compare with the full-size channel means.
  const double full_means[3] = {37109758.0 / (512 * 512 * 255), 27724204.0 / (512 * 512 * 255),
                                25290362.0 / (512 * 512 * 255)};
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(sums[c] / (224 * 224), full_means[c], 0.01) << c;
}

TEST(RealImagesTest, FolderWithTheTruncatedJpegNamesIt) {
  REQUIRE_IMAGES(dir);
  InputSpec input;
  input.shape = {1, 32, 32, 3};
  absl::StatusOr<std::vector<std::vector<TensorData>>> samples =
      LoadSamples({dir}, {input}, PreprocessSpec());
  EXPECT_EQ(samples.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(samples.status().message(), HasSubstr("truncated.jpg"));
}

}  // namespace
}  // namespace compressd::data
