// Test-only PNG/JPEG encoders (libpng, libjpeg-turbo) producing small images with known pixels,
// so the decoders can be checked without binary files in the repository.
#ifndef COMPRESSD_CORE_DATA_TESTING_IMAGE_ENCODE_H_
#define COMPRESSD_CORE_DATA_TESTING_IMAGE_ENCODE_H_

#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

// clang-format off
#include <jpeglib.h>
// clang-format on
#include <png.h>
#include <zlib.h>

namespace compressd::data::testing {

struct PngSpec {
  int width = 1;
  int height = 1;
  int color_type = PNG_COLOR_TYPE_RGB;  // PNG_COLOR_TYPE_*
  int bit_depth = 8;
  bool interlaced = false;
  std::vector<png_color> palette = {};  // PNG_COLOR_TYPE_PALETTE
  std::vector<uint8_t> trns = {};       // palette alpha (tRNS), optional
};

namespace internal {

inline void PngAppend(png_structp png, png_bytep data, size_t n) {
  auto* out = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + n);
}
inline void PngFlush(png_structp) {}

// C-style: no objects with destructors in this frame.
inline bool EncodePngC(png_structp png, png_infop info, const PngSpec* spec, png_bytepp rows,
                       std::vector<uint8_t>* out) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, out, PngAppend, PngFlush);
  png_set_IHDR(png, info, spec->width, spec->height, spec->bit_depth, spec->color_type,
               spec->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!spec->palette.empty()) {
    png_set_PLTE(png, info, spec->palette.data(), static_cast<int>(spec->palette.size()));
  }
  if (!spec->trns.empty()) {
    png_set_tRNS(png, info, spec->trns.data(), static_cast<int>(spec->trns.size()), nullptr);
  }
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

}  // namespace internal

// Encodes rows given in PNG's own sample layout: `data` holds height rows of
// ceil(width * channels * bit_depth / 8) bytes, 16-bit samples big-endian, sub-byte samples packed
// from the most significant bit. Returns an empty vector on failure.
inline std::vector<uint8_t> EncodePng(const PngSpec& spec, std::vector<uint8_t> data) {
  std::vector<uint8_t> out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  int channels = 0;
  switch (spec.color_type) {
    case PNG_COLOR_TYPE_GRAY: channels = 1; break;
    case PNG_COLOR_TYPE_PALETTE: channels = 1; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: channels = 2; break;
    case PNG_COLOR_TYPE_RGB: channels = 3; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: channels = 4; break;
  }
  const size_t row_bytes = (static_cast<size_t>(spec.width) * channels * spec.bit_depth + 7) / 8;
  std::vector<png_bytep> rows(spec.height);
  if (data.size() != row_bytes * spec.height) return {};
  for (int y = 0; y < spec.height; ++y) rows[y] = data.data() + y * row_bytes;
  const bool ok = internal::EncodePngC(png, info, &spec, rows.data(), &out);
  png_destroy_write_struct(&png, &info);
  if (!ok) out.clear();
  return out;
}

// 8-bit RGB convenience: `rgb` holds width * height * 3 bytes.
inline std::vector<uint8_t> EncodePngRgb(int width, int height, const std::vector<uint8_t>& rgb,
                                         bool interlaced = false) {
  PngSpec spec;
  spec.width = width;
  spec.height = height;
  spec.interlaced = interlaced;
  return EncodePng(spec, rgb);
}

struct JpegSpec {
  int width = 1;
  int height = 1;
  int components = 3;  // 1 (gray), 3 (RGB input) or 4 (CMYK input)
  J_COLOR_SPACE in_color_space = JCS_RGB;
  J_COLOR_SPACE jpeg_color_space = JCS_YCbCr;  // stored color space (JCS_CMYK/JCS_YCCK for 4)
  int quality = 100;
  bool progressive = false;
  bool full_chroma = true;  // 4:4:4 instead of the default 4:2:0
};

namespace internal {

struct JpegEncodeErr {
  jpeg_error_mgr pub;
  jmp_buf jump;
};

inline void JpegEncodeErrorExit(j_common_ptr cinfo) {
  std::longjmp(reinterpret_cast<JpegEncodeErr*>(cinfo->err)->jump, 1);
}

struct JpegEncoder {
  jpeg_compress_struct cinfo;
  JpegEncodeErr err;
  unsigned char* buffer;
  unsigned long size;
};

inline bool EncodeJpegC(JpegEncoder* e, const JpegSpec* spec, const uint8_t* pixels) {
  if (setjmp(e->err.jump)) return false;
  jpeg_create_compress(&e->cinfo);
  jpeg_mem_dest(&e->cinfo, &e->buffer, &e->size);
  e->cinfo.image_width = spec->width;
  e->cinfo.image_height = spec->height;
  e->cinfo.input_components = spec->components;
  e->cinfo.in_color_space = spec->in_color_space;
  jpeg_set_defaults(&e->cinfo);
  if (spec->components == 4) jpeg_set_colorspace(&e->cinfo, spec->jpeg_color_space);
  jpeg_set_quality(&e->cinfo, spec->quality, TRUE);
  if (spec->full_chroma) {
    for (int c = 0; c < e->cinfo.num_components; ++c) {
      e->cinfo.comp_info[c].h_samp_factor = 1;
      e->cinfo.comp_info[c].v_samp_factor = 1;
    }
  }
  if (spec->progressive) jpeg_simple_progression(&e->cinfo);
  jpeg_start_compress(&e->cinfo, TRUE);
  const size_t stride = static_cast<size_t>(spec->width) * spec->components;
  while (e->cinfo.next_scanline < e->cinfo.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(pixels) + e->cinfo.next_scanline * stride;
    jpeg_write_scanlines(&e->cinfo, &row, 1);
  }
  jpeg_finish_compress(&e->cinfo);
  return true;
}

}  // namespace internal

// `pixels` holds width * height * components bytes. Returns an empty vector on failure.
inline std::vector<uint8_t> EncodeJpeg(const JpegSpec& spec, const std::vector<uint8_t>& pixels) {
  if (pixels.size() != static_cast<size_t>(spec.width) * spec.height * spec.components) return {};
  internal::JpegEncoder e{};
  e.cinfo.err = jpeg_std_error(&e.err.pub);
  e.err.pub.error_exit = internal::JpegEncodeErrorExit;
  const bool ok = internal::EncodeJpegC(&e, &spec, pixels.data());
  std::vector<uint8_t> out;
  if (ok && e.buffer != nullptr) out.assign(e.buffer, e.buffer + e.size);
  jpeg_destroy_compress(&e.cinfo);
  std::free(e.buffer);
  return out;
}

// Big-endian 32-bit write, and the CRC of a PNG chunk (type + data), for hand-made chunks.
inline void PutBe32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}
inline uint32_t PngChunkCrc(const uint8_t* type_and_data, size_t n) {
  return static_cast<uint32_t>(crc32(crc32(0, nullptr, 0), type_and_data, static_cast<uInt>(n)));
}

}  // namespace compressd::data::testing

#endif  // COMPRESSD_CORE_DATA_TESTING_IMAGE_ENCODE_H_
