#include "core/data/image.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/data/testing/image_encode.h"
#include "core/data/testing/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::data {
namespace {

using testing::EncodeJpeg;
using testing::EncodePng;
using testing::EncodePngRgb;
using ::testing::HasSubstr;
using testing::JpegSpec;
using testing::PngSpec;

// A deterministic test pattern: 8-bit sample (x, y, c).
uint8_t Pattern(int x, int y, int c) {
  return static_cast<uint8_t>((x * 37 + y * 91 + c * 53 + 11) % 256);
}

std::vector<uint8_t> RgbPattern(int w, int h) {
  std::vector<uint8_t> v;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) v.push_back(Pattern(x, y, c));
  return v;
}

absl::StatusOr<Image> Decode(const std::vector<uint8_t>& bytes, const ImageLimits& limits = {}) {
  return DecodeImage(bytes, "img", limits);
}

// Checks every pixel of `image` against expected(x, y, c), exactly or within `tolerance`.
template <typename F>
void ExpectPixels(const Image& image, int w, int h, F expected, int tolerance = 0) {
  ASSERT_EQ(image.width, w);
  ASSERT_EQ(image.height, h);
  ASSERT_EQ(image.pixels.size(), static_cast<size_t>(w) * h * 3);
  int worst = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        const int diff = std::abs(int{image.at(x, y, c)} - int{expected(x, y, c)});
        worst = std::max(worst, diff);
        if (diff > tolerance) {
          ADD_FAILURE() << "pixel (" << x << "," << y << ") channel " << c << ": got "
                        << int{image.at(x, y, c)} << ", expected " << int{expected(x, y, c)};
          return;
        }
      }
    }
  }
}

// ---- PNG ----------------------------------------------------------------------------------------

TEST(PngTest, Rgb8) {
  const std::vector<uint8_t> png = EncodePngRgb(5, 3, RgbPattern(5, 3));
  ASSERT_FALSE(png.empty());
  EXPECT_EQ(DetectImageFormat(png), ImageFormat::kPng);
  absl::StatusOr<Image> img = Decode(png);
  ASSERT_TRUE(img.ok()) << img.status();
  ExpectPixels(*img, 5, 3, Pattern);
}

TEST(PngTest, Rgb8Interlaced) {
  const std::vector<uint8_t> png = EncodePngRgb(11, 9, RgbPattern(11, 9), /*interlaced=*/true);
  ASSERT_FALSE(png.empty());
  absl::StatusOr<Image> img = Decode(png);
  ASSERT_TRUE(img.ok()) << img.status();
  ExpectPixels(*img, 11, 9, Pattern);
}

TEST(PngTest, Gray8IsReplicated) {
  PngSpec spec{.width = 4, .height = 2, .color_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 8};
  const std::vector<uint8_t> gray = {0, 50, 100, 255, 1, 2, 3, 200};
  absl::StatusOr<Image> img = Decode(EncodePng(spec, gray));
  ASSERT_TRUE(img.ok()) << img.status();
  ExpectPixels(*img, 4, 2, [&](int x, int y, int) { return gray[y * 4 + x]; });
}

TEST(PngTest, GrayLowBitDepthsAreExpanded) {
  for (int depth : {1, 2, 4}) {
    SCOPED_TRACE(depth);
    const int w = 11, h = 3, max = (1 << depth) - 1;
    std::vector<int> samples;
    for (int i = 0; i < w * h; ++i) samples.push_back((i * 7 + 3) % (max + 1));
    // Pack MSB first, rows padded to whole bytes.
    const int row_bytes = (w * depth + 7) / 8;
    std::vector<uint8_t> packed(row_bytes * h, 0);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const int bit = x * depth;
        packed[y * row_bytes + bit / 8] |=
            static_cast<uint8_t>(samples[y * w + x] << (8 - depth - bit % 8));
      }
    }
    PngSpec spec{.width = w, .height = h, .color_type = PNG_COLOR_TYPE_GRAY, .bit_depth = depth};
    absl::StatusOr<Image> img = Decode(EncodePng(spec, packed));
    ASSERT_TRUE(img.ok()) << img.status();
    // A depth-d gray level v means v / (2^d - 1) of full scale: 1-bit 1 → 255, 2-bit 1 → 85.
    ExpectPixels(*img, w, h, [&](int x, int y, int) { return samples[y * w + x] * 255 / max; });
  }
}

// round(v * 255 / 65535), the accurate 16 → 8 bit scaling.
uint8_t Scale16(int v) { return static_cast<uint8_t>((v * 255 + 32767) / 65535); }

TEST(PngTest, Rgb16IsScaledWithRounding) {
  // Values around the rounding boundaries: 128 → 0.498 → 0, 129 → 0.502 → 1, 32767 → 127,
  // 32768 → 128, 65535 → 255.
  const std::vector<int> values = {0,     128,   129,   257,   385,   386,
                                   32767, 32768, 65407, 65408, 65535, 1000};
  const int w = 4, h = 1;
  std::vector<uint8_t> be;
  for (int v : values) {
    be.push_back(static_cast<uint8_t>(v >> 8));
    be.push_back(static_cast<uint8_t>(v & 0xff));
  }
  PngSpec spec{.width = w, .height = h, .color_type = PNG_COLOR_TYPE_RGB, .bit_depth = 16};
  absl::StatusOr<Image> img = Decode(EncodePng(spec, be));
  ASSERT_TRUE(img.ok()) << img.status();
  ExpectPixels(*img, w, h, [&](int x, int, int c) { return Scale16(values[x * 3 + c]); });
}

TEST(PngTest, Gray16AndGrayAlpha16) {
  const std::vector<int> gray = {0, 255, 256, 40000, 65535, 12345};
  std::vector<uint8_t> g, ga;
  for (int v : gray) {
    g.push_back(static_cast<uint8_t>(v >> 8));
    g.push_back(static_cast<uint8_t>(v));
    ga.push_back(static_cast<uint8_t>(v >> 8));
    ga.push_back(static_cast<uint8_t>(v));
    ga.push_back(0x12);  // alpha, dropped
    ga.push_back(0x34);
  }
  auto expected = [&](int x, int y, int) { return Scale16(gray[y * 3 + x]); };
  PngSpec spec{.width = 3, .height = 2, .color_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 16};
  absl::StatusOr<Image> img = Decode(EncodePng(spec, g));
  ASSERT_TRUE(img.ok()) << img.status();
  ExpectPixels(*img, 3, 2, expected);
  spec.color_type = PNG_COLOR_TYPE_GRAY_ALPHA;
  img = Decode(EncodePng(spec, ga));
  ASSERT_TRUE(img.ok()) << img.status();
  ExpectPixels(*img, 3, 2, expected);
}

TEST(PngTest, AlphaIsDropped) {
  const int w = 3, h = 2;
  std::vector<uint8_t> rgba, gray_alpha;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) rgba.push_back(Pattern(x, y, c));
      rgba.push_back(static_cast<uint8_t>(x * 100));  // alpha 0, 100, 200: not composited
      gray_alpha.push_back(Pattern(x, y, 0));
      gray_alpha.push_back(static_cast<uint8_t>(y * 10));
    }
  }
  PngSpec spec{.width = w, .height = h, .color_type = PNG_COLOR_TYPE_RGB_ALPHA, .bit_depth = 8};
  absl::StatusOr<Image> img = Decode(EncodePng(spec, rgba));
  ASSERT_TRUE(img.ok()) << img.status();
  ExpectPixels(*img, w, h, Pattern);
  spec.color_type = PNG_COLOR_TYPE_GRAY_ALPHA;
  img = Decode(EncodePng(spec, gray_alpha));
  ASSERT_TRUE(img.ok()) << img.status();
  ExpectPixels(*img, w, h, [](int x, int y, int) { return Pattern(x, y, 0); });
}

TEST(PngTest, PaletteWithTransparencyAndLowBitDepth) {
  const std::vector<png_color> palette = {{10, 20, 30}, {200, 100, 0}, {1, 2, 3}, {255, 255, 255}};
  const std::vector<int> indices = {0, 1, 2, 3, 3, 2, 1, 0, 1, 1};  // 5 x 2
  auto expected = [&](int x, int y, int c) {
    const png_color& p = palette[indices[y * 5 + x]];
    return c == 0 ? p.red : c == 1 ? p.green : p.blue;
  };
  for (int depth : {8, 2}) {
    SCOPED_TRACE(depth);
    const int row_bytes = (5 * depth + 7) / 8;
    std::vector<uint8_t> packed(row_bytes * 2, 0);
    for (int y = 0; y < 2; ++y) {
      for (int x = 0; x < 5; ++x) {
        const int bit = x * depth;
        packed[y * row_bytes + bit / 8] |=
            static_cast<uint8_t>(indices[y * 5 + x] << (8 - depth - bit % 8));
      }
    }
    PngSpec spec{.width = 5,
                 .height = 2,
                 .color_type = PNG_COLOR_TYPE_PALETTE,
                 .bit_depth = depth,
                 .palette = palette,
                 .trns = {0, 128}};
    absl::StatusOr<Image> img = Decode(EncodePng(spec, packed));
    ASSERT_TRUE(img.ok()) << img.status();
    ExpectPixels(*img, 5, 2, expected);
  }
}

// ---- JPEG ---------------------------------------------------------------------------------------

// A smooth image (JPEG-friendly): gradients per channel.
uint8_t Smooth(int x, int y, int c) {
  return static_cast<uint8_t>(c == 0 ? x * 15 : c == 1 ? y * 15 : 128 + (x - y) * 4);
}

std::vector<uint8_t> SmoothRgb(int w, int h) {
  std::vector<uint8_t> v;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) v.push_back(Smooth(x, y, c));
  return v;
}

TEST(JpegTest, RgbQuality100FullChroma) {
  JpegSpec spec{.width = 16, .height = 16};
  const std::vector<uint8_t> jpeg = EncodeJpeg(spec, SmoothRgb(16, 16));
  ASSERT_FALSE(jpeg.empty());
  EXPECT_EQ(DetectImageFormat(jpeg), ImageFormat::kJpeg);
  absl::StatusOr<Image> img = Decode(jpeg);
  ASSERT_TRUE(img.ok()) << img.status();
  ExpectPixels(*img, 16, 16, Smooth, /*tolerance=*/3);
}

TEST(JpegTest, SubsampledChromaAndOddSize) {
  JpegSpec spec{.width = 13, .height = 11, .quality = 95, .full_chroma = false};
  absl::StatusOr<Image> img = Decode(EncodeJpeg(spec, SmoothRgb(13, 11)));
  ASSERT_TRUE(img.ok()) << img.status();
  ExpectPixels(*img, 13, 11, Smooth, /*tolerance=*/10);
}

TEST(JpegTest, Progressive) {
  JpegSpec spec{.width = 16, .height = 8, .progressive = true};
  absl::StatusOr<Image> img = Decode(EncodeJpeg(spec, SmoothRgb(16, 8)));
  ASSERT_TRUE(img.ok()) << img.status();
  ExpectPixels(*img, 16, 8, Smooth, /*tolerance=*/3);
}

TEST(JpegTest, GrayscaleIsReplicated) {
  std::vector<uint8_t> gray;
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) gray.push_back(static_cast<uint8_t>(20 + x * 20 + y * 5));
  JpegSpec spec{.width = 8, .height = 8, .components = 1, .in_color_space = JCS_GRAYSCALE};
  absl::StatusOr<Image> img = Decode(EncodeJpeg(spec, gray));
  ASSERT_TRUE(img.ok()) << img.status();
  ExpectPixels(
      *img, 8, 8, [&](int x, int y, int) { return gray[y * 8 + x]; }, /*tolerance=*/2);
  for (size_t i = 0; i < img->pixels.size(); i += 3) {
    ASSERT_EQ(img->pixels[i], img->pixels[i + 1]);
    ASSERT_EQ(img->pixels[i], img->pixels[i + 2]);
  }
}

TEST(JpegTest, CmykAndYcckAreUnimplemented) {
  const std::vector<uint8_t> cmyk(8 * 8 * 4, 100);
  for (J_COLOR_SPACE stored : {JCS_CMYK, JCS_YCCK}) {
    JpegSpec spec{.width = 8,
                  .height = 8,
                  .components = 4,
                  .in_color_space = JCS_CMYK,
                  .jpeg_color_space = stored};
    const std::vector<uint8_t> jpeg = EncodeJpeg(spec, cmyk);
    ASSERT_FALSE(jpeg.empty());
    absl::StatusOr<Image> img = Decode(jpeg);
    EXPECT_EQ(img.status().code(), absl::StatusCode::kUnimplemented);
    EXPECT_THAT(img.status().message(),
                HasSubstr(stored == JCS_CMYK ? "img: CMYK JPEG" : "img: YCCK JPEG"));
  }
}

TEST(JpegTest, ScanLimit) {
  JpegSpec spec{.width = 16, .height = 16, .progressive = true};
  const std::vector<uint8_t> jpeg = EncodeJpeg(spec, SmoothRgb(16, 16));
  ImageLimits limits;
  limits.max_jpeg_scans = 2;
  absl::StatusOr<Image> img = Decode(jpeg, limits);
  EXPECT_EQ(img.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(img.status().message(), HasSubstr("img: JPEG image has more than 2 progressive scans"));
  limits.max_jpeg_scans = 100;
  EXPECT_TRUE(Decode(jpeg, limits).ok());
}

// ---- limits -------------------------------------------------------------------------------------

TEST(ImageLimitsTest, DimensionAndPixelLimits) {
  const std::vector<uint8_t> png = EncodePngRgb(40, 10, RgbPattern(40, 10));
  const std::vector<uint8_t> jpeg =
      EncodeJpeg(JpegSpec{.width = 40, .height = 10}, SmoothRgb(40, 10));
  for (const std::vector<uint8_t>* bytes : {&png, &jpeg}) {
    ImageLimits limits;
    limits.max_dimension = 39;
    absl::StatusOr<Image> img = Decode(*bytes, limits);
    EXPECT_EQ(img.status().code(), absl::StatusCode::kResourceExhausted);
    EXPECT_THAT(img.status().message(), HasSubstr("is 40x10, larger than the limit of 39"));
    limits.max_dimension = 40;
    EXPECT_TRUE(Decode(*bytes, limits).ok());
    limits.max_pixels = 399;
    img = Decode(*bytes, limits);
    EXPECT_EQ(img.status().code(), absl::StatusCode::kResourceExhausted);
    EXPECT_THAT(img.status().message(), HasSubstr("400 pixels, more than the limit of 399"));
  }
}

// A PNG with a signature, an IHDR, a tiny IDAT and an IEND: the size must be rejected from the
// header, before libpng or we allocate rows.
std::vector<uint8_t> HeaderOnlyPng(uint32_t width, uint32_t height) {
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  auto chunk = [&](const char* type, const std::vector<uint8_t>& data) {
    testing::PutBe32(out, static_cast<uint32_t>(data.size()));
    const size_t start = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    testing::PutBe32(out, testing::PngChunkCrc(out.data() + start, 4 + data.size()));
  };
  std::vector<uint8_t> ihdr;
  testing::PutBe32(ihdr, width);
  testing::PutBe32(ihdr, height);
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});  // 8-bit RGB
  chunk("IHDR", ihdr);
  chunk("IDAT", {0x78, 0x9c, 0x03, 0x00});  // png_read_info stops at the first IDAT
  chunk("IEND", {});
  return out;
}

TEST(ImageLimitsTest, HugePngHeaderRejectedBeforeAllocation) {
  absl::StatusOr<Image> img = Decode(HeaderOnlyPng(100000, 100000));
  EXPECT_EQ(img.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(img.status().message(), HasSubstr("100000x100000, larger than the limit of 16384"));
  img = Decode(HeaderOnlyPng(16384, 16384));  // 256 Mpx
  EXPECT_EQ(img.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(img.status().message(), HasSubstr("more than the limit of 67108864"));
  img = Decode(HeaderOnlyPng(0x7fffffff, 1));
  EXPECT_EQ(img.status().code(), absl::StatusCode::kResourceExhausted);
  img = Decode(HeaderOnlyPng(0, 5));  // invalid per the PNG spec: libpng's own error
  EXPECT_EQ(img.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(img.status().message(), HasSubstr("img: corrupt PNG"));
  img = Decode(HeaderOnlyPng(8, 8));  // valid header but no image data
  EXPECT_EQ(img.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ImageLimitsTest, HugeJpegHeaderRejectedBeforeAllocation) {
  std::vector<uint8_t> jpeg = EncodeJpeg(JpegSpec{.width = 8, .height = 8}, SmoothRgb(8, 8));
  // Patch the SOF0 frame header (FF C0, length, precision, height, width).
  size_t sof = 0;
  for (size_t i = 2; i + 9 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xff && jpeg[i + 1] == 0xc0) {
      sof = i;
      break;
    }
  }
  ASSERT_NE(sof, 0u);
  jpeg[sof + 5] = 0xea;  // height 60000
  jpeg[sof + 6] = 0x60;
  jpeg[sof + 7] = 0xea;  // width 60000
  jpeg[sof + 8] = 0x60;
  absl::StatusOr<Image> img = Decode(jpeg);
  EXPECT_EQ(img.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(img.status().message(), HasSubstr("img: JPEG image is 60000x60000"));
}

// ---- format detection and files -----------------------------------------------------------------

TEST(ImageFormatTest, UnknownAndUnsupportedFormats) {
  absl::StatusOr<Image> img = Decode({});
  EXPECT_EQ(img.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(img.status().message(), HasSubstr("img: not a PNG or JPEG image (first bytes: none"));
  img = Decode({0x12, 0x34, 0xab});
  EXPECT_EQ(img.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(img.status().message(), HasSubstr("first bytes: 12 34 ab)"));
  const std::string gif = "GIF89a....";
  img = Decode(std::vector<uint8_t>(gif.begin(), gif.end()));
  EXPECT_EQ(img.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(img.status().message(), HasSubstr("GIF images are not supported"));
  const std::string webp("RIFF\x10\0\0\0WEBPVP8 ", 16);
  img = Decode(std::vector<uint8_t>(webp.begin(), webp.end()));
  EXPECT_EQ(img.status().code(), absl::StatusCode::kUnimplemented);
  // The PNG signature alone, and a JPEG SOI alone.
  img = Decode({0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
  EXPECT_EQ(img.status().code(), absl::StatusCode::kInvalidArgument);
  img = Decode({0xff, 0xd8, 0xff});
  EXPECT_EQ(img.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePng(std::vector<uint8_t>{0xff, 0xd8, 0xff}, "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeJpeg(EncodePngRgb(1, 1, {1, 2, 3}), "x").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ImageFileTest, FormatComesFromMagicNotExtension) {
  testing::TempFolder dir;
  const std::string path = dir.Join("photo.png");  // actually a JPEG
  testing::WriteBytes(path, EncodeJpeg(JpegSpec{.width = 8, .height = 4}, SmoothRgb(8, 4)));
  absl::StatusOr<Image> img = LoadImage(path);
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->width, 8);
  EXPECT_EQ(img->height, 4);
  ImageLimits limits;
  limits.max_file_bytes = 10;
  EXPECT_EQ(LoadImage(path, limits).status().code(), absl::StatusCode::kResourceExhausted);
  absl::StatusOr<Image> missing = LoadImage(dir.Join("none.jpg"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

// ---- corruption ---------------------------------------------------------------------------------

// End offset of the last IDAT chunk of a PNG (its CRC included).
size_t EndOfImageData(const std::vector<uint8_t>& png) {
  size_t pos = 8, end = 0;
  while (pos + 12 <= png.size()) {
    const uint32_t len =
        (png[pos] << 24) | (png[pos + 1] << 16) | (png[pos + 2] << 8) | png[pos + 3];
    const std::string type(png.begin() + pos + 4, png.begin() + pos + 8);
    pos += 12 + len;
    if (type == "IDAT") end = pos;
  }
  return end;
}

TEST(ImageCorruptionTest, EveryTruncationFailsCleanly) {
  const std::vector<uint8_t> png = EncodePngRgb(9, 7, RgbPattern(9, 7), /*interlaced=*/true);
  const size_t idat_end = EndOfImageData(png);
  ASSERT_GT(idat_end, 0u);
  for (size_t n = 0; n < png.size(); ++n) {
    absl::StatusOr<Image> img = Decode(std::vector<uint8_t>(png.begin(), png.begin() + n));
    // The pixels are complete once the image data is; only IEND is missing after that.
    EXPECT_EQ(img.ok(), n >= idat_end) << "PNG truncated to " << n << ": " << img.status();
    if (img.ok()) ExpectPixels(*img, 9, 7, Pattern);
  }
  for (bool progressive : {false, true}) {
    const std::vector<uint8_t> jpeg = EncodeJpeg(
        JpegSpec{.width = 16, .height = 16, .progressive = progressive}, SmoothRgb(16, 16));
    for (size_t n = 0; n < jpeg.size(); ++n) {
      absl::StatusOr<Image> img = Decode(std::vector<uint8_t>(jpeg.begin(), jpeg.begin() + n));
      EXPECT_FALSE(img.ok()) << "JPEG truncated to " << n;
      if (!img.ok()) {
        EXPECT_TRUE(img.status().code() == absl::StatusCode::kInvalidArgument) << img.status();
      }
    }
  }
}

// Recomputes every chunk CRC so that corruptions inside chunk data reach libpng's parsers and
// zlib instead of stopping at the CRC check.
void FixPngCrcs(std::vector<uint8_t>& png) {
  size_t pos = 8;
  while (pos + 12 <= png.size()) {
    const uint32_t len =
        (png[pos] << 24) | (png[pos + 1] << 16) | (png[pos + 2] << 8) | png[pos + 3];
    if (len > png.size() - pos - 12) return;
    const uint32_t crc = testing::PngChunkCrc(png.data() + pos + 4, 4 + len);
    for (int i = 0; i < 4; ++i) png[pos + 8 + len + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
    pos += 12 + len;
  }
}

void Corrupt(std::vector<uint8_t>& bytes, std::mt19937& rng, size_t skip_prefix) {
  const int edits = 1 + rng() % 6;
  for (int e = 0; e < edits; ++e) {
    const size_t pos = skip_prefix + rng() % (bytes.size() - skip_prefix);
    switch (rng() % 4) {
      case 0: bytes[pos] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
      case 1: bytes[pos] = static_cast<uint8_t>(rng()); break;
      case 2: bytes[pos] = (rng() % 2) ? 0xff : 0x00; break;
      case 3: bytes.resize(pos + 1); return;  // truncate
    }
  }
}

TEST(ImageCorruptionTest, SeededBitFlipsNeverCrash) {
  std::vector<std::vector<uint8_t>> images;
  images.push_back(EncodePngRgb(17, 13, RgbPattern(17, 13)));
  images.push_back(EncodePngRgb(17, 13, RgbPattern(17, 13), /*interlaced=*/true));
  PngSpec palette{.width = 9,
                  .height = 9,
                  .color_type = PNG_COLOR_TYPE_PALETTE,
                  .bit_depth = 8,
                  .palette = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}},
                  .trns = {5}};
  std::vector<uint8_t> indices(81);
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = i % 3;
  images.push_back(EncodePng(palette, indices));
  images.push_back(EncodeJpeg(JpegSpec{.width = 24, .height = 16}, SmoothRgb(24, 16)));
  images.push_back(
      EncodeJpeg(JpegSpec{.width = 24, .height = 16, .progressive = true}, SmoothRgb(24, 16)));
  images.push_back(EncodeJpeg(
      JpegSpec{.width = 24, .height = 16, .quality = 50, .full_chroma = false}, SmoothRgb(24, 16)));
  ImageLimits limits;
  limits.max_dimension = 4096;
  limits.max_pixels = 1 << 20;
  std::mt19937 rng(20240607);
  int failures = 0, total = 0;
  for (size_t k = 0; k < images.size(); ++k) {
    ASSERT_FALSE(images[k].empty());
    const bool is_png = DetectImageFormat(images[k]) == ImageFormat::kPng;
    for (int iter = 0; iter < 400; ++iter) {
      std::vector<uint8_t> b = images[k];
      Corrupt(b, rng, /*skip_prefix=*/3);
      if (is_png && iter % 2 == 0) FixPngCrcs(b);
      absl::StatusOr<Image> img = Decode(b, limits);
      ++total;
      if (!img.ok()) {
        ++failures;
        EXPECT_THAT(img.status().message(), HasSubstr("img"));
        continue;
      }
      // Any image returned is well-formed and within the limits.
      EXPECT_GT(img->width, 0);
      EXPECT_GT(img->height, 0);
      EXPECT_LE(img->width, limits.max_dimension);
      EXPECT_EQ(img->pixels.size(), static_cast<size_t>(img->width) * img->height * 3);
    }
  }
  EXPECT_GT(failures, total / 4);  // the corruptions mostly hit error paths
}

}  // namespace
}  // namespace compressd::data
