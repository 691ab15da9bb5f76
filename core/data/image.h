// Decoding of untrusted PNG and JPEG bytes into 8-bit RGB images.
//
// The format is detected from the magic bytes, never from a file name. Every decoded image is
// 8-bit RGB, whatever the source:
//   PNG  (libpng): gray, gray+alpha, RGB, RGBA, palette, 1/2/4/8/16-bit, Adam7-interlaced.
//        Gray is replicated to R=G=B, palettes are expanded, alpha (and tRNS transparency) is
//        DROPPED without compositing (as tf.io.decode_png(channels=3) does), 16-bit samples are
//        scaled with rounding to 8 bits (v8 = round(v16 * 255 / 65535)). No gamma correction.
//   JPEG (libjpeg-turbo): grayscale (replicated), YCbCr and RGB; baseline and progressive.
//        CMYK/YCCK JPEGs are UNIMPLEMENTED. Data that libjpeg can only decode with a "corrupt
//        data" warning (truncation, bad Huffman codes, ...) is rejected rather than returned
//        with gray filler. Decoding uses libjpeg's default (islow) IDCT and fancy upsampling.
//
// Safety: width, height and pixel count are checked against ImageLimits from the header, before
// any pixel memory is allocated; libpng/libjpeg errors are caught (setjmp/longjmp confined to small
// C-style functions) and returned as INVALID_ARGUMENT naming the image; nothing aborts.
// Thread-safe: no shared state.
#ifndef COMPRESSD_CORE_DATA_IMAGE_H_
#define COMPRESSD_CORE_DATA_IMAGE_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace compressd::data {

// 8-bit RGB, row-major, interleaved: pixel (x, y) channel c is pixels[(y * width + x) * 3 + c].
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height * 3 bytes

  uint8_t at(int x, int y, int c) const {
    return pixels[(static_cast<size_t>(y) * width + x) * 3 + c];
  }
  bool operator==(const Image&) const = default;
};

struct ImageLimits {
  int max_dimension = 16384;                    // width and height
  int64_t max_pixels = int64_t{64} << 20;       // width * height (64 Mpx = 192 MiB of RGB)
  int max_jpeg_scans = 1000;                    // progressive JPEG scan count (CPU bound)
  int64_t max_file_bytes = int64_t{256} << 20;  // LoadImage only
};

enum class ImageFormat { kUnknown, kPng, kJpeg };

// PNG: 89 50 4E 47 0D 0A 1A 0A; JPEG: FF D8 FF.
ImageFormat DetectImageFormat(std::span<const uint8_t> bytes);

// Decodes PNG or JPEG bytes (by magic). `name` (usually the path) prefixes error messages.
// INVALID_ARGUMENT for unknown formats and corrupt data, UNIMPLEMENTED for CMYK JPEGs,
// RESOURCE_EXHAUSTED when the image exceeds `limits`.
absl::StatusOr<Image> DecodeImage(std::span<const uint8_t> bytes, const std::string& name,
                                  const ImageLimits& limits = {});
absl::StatusOr<Image> DecodePng(std::span<const uint8_t> bytes, const std::string& name,
                                const ImageLimits& limits = {});
absl::StatusOr<Image> DecodeJpeg(std::span<const uint8_t> bytes, const std::string& name,
                                 const ImageLimits& limits = {});

// Reads (at most limits.max_file_bytes) and decodes the image file at `path`.
absl::StatusOr<Image> LoadImage(const std::string& path, const ImageLimits& limits = {});

}  // namespace compressd::data

#endif  // COMPRESSD_CORE_DATA_IMAGE_H_
