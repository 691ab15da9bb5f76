#include "core/data/image.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>

// jpeglib.h needs <cstdio> (FILE) first; jerror.h after jpeglib.h.
// clang-format off
#include <jpeglib.h>
#include <jerror.h>
// clang-format on
#include <png.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/file_io.h"
#include "core/base/status_macros.h"

// libpng and libjpeg report fatal errors by longjmp. To keep that well-defined in C++, every
// setjmp lives in a small C-style function (the *C functions below) whose frame holds no objects
// with destructors, that does not touch its automatic variables after the jump, and whose callees
// up to the library are C code or C-style callbacks. The C++ callers own all memory (vectors, RAII
// guards) outside those frames, so a jump never skips a destructor.

namespace compressd::data {
namespace {

constexpr uint8_t kPngMagic[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr uint8_t kJpegMagic[] = {0xff, 0xd8, 0xff};

bool StartsWith(std::span<const uint8_t> bytes, const uint8_t* magic, size_t n) {
  return bytes.size() >= n && std::memcmp(bytes.data(), magic, n) == 0;
}

absl::Status CheckDimensions(int64_t width, int64_t height, const ImageLimits& limits,
                             const std::string& name, const char* format) {
  if (width <= 0 || height <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": ", format, " image has an empty size ", width, "x", height));
  }
  if (width > limits.max_dimension || height > limits.max_dimension) {
    return absl::ResourceExhaustedError(absl::StrCat(name, ": ", format, " image is ", width, "x",
                                                     height, ", larger than the limit of ",
                                                     limits.max_dimension, " pixels per side"));
  }
  if (width * height > limits.max_pixels) {
    return absl::ResourceExhaustedError(
        absl::StrCat(name, ": ", format, " image is ", width, "x", height, " = ", width * height,
                     " pixels, more than the limit of ", limits.max_pixels));
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------------------------------------------
// PNG

// Shared by the read and error callbacks (io_ptr and error_ptr). Trivially destructible.
struct PngIo {
  const uint8_t* data;
  size_t size;
  size_t pos;
  char message[200];
};

void PngError(png_structp png, png_const_charp msg) {
  PngIo* io = static_cast<PngIo*>(png_get_error_ptr(png));
  std::snprintf(io->message, sizeof(io->message), "%s", msg != nullptr ? msg : "unknown error");
  png_longjmp(png, 1);
}

void PngWarning(png_structp, png_const_charp) {}  // warnings do not affect the pixels we return

void PngRead(png_structp png, png_bytep out, size_t n) {
  PngIo* io = static_cast<PngIo*>(png_get_io_ptr(png));
  if (n > io->size - io->pos) png_error(png, "unexpected end of data (file truncated)");
  std::memcpy(out, io->data + io->pos, n);
  io->pos += n;
}

struct PngInfo {
  png_uint_32 width;
  png_uint_32 height;
};

// Reads the chunks up to the image data and reports the size. Returns false on a libpng error.
bool PngReadInfoC(png_structp png, png_infop info, PngInfo* out) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  out->width = png_get_image_width(png, info);
  out->height = png_get_image_height(png, info);
  return true;
}

// Installs the transforms to 8-bit RGB and updates `info`. Returns false on a libpng error.
bool PngSetTransformsC(png_structp png, png_infop info) {
  if (setjmp(png_jmpbuf(png))) return false;
  const int color_type = png_get_color_type(png, info);
  const int bit_depth = png_get_bit_depth(png, info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);  // also expands tRNS
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (bit_depth == 16) png_set_scale_16(png);
  if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) {
    png_set_gray_to_rgb(png);
  }
  png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  return true;
}

// Decodes all rows (all passes when interlaced). Returns false on a libpng error.
bool PngReadImageC(png_structp png, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  return true;
}

class PngReadGuard {
 public:
  PngReadGuard(png_structp png, png_infop info) : png_(png), info_(info) {}
  ~PngReadGuard() { png_destroy_read_struct(&png_, info_ ? &info_ : nullptr, nullptr); }
  PngReadGuard(const PngReadGuard&) = delete;
  PngReadGuard& operator=(const PngReadGuard&) = delete;

 private:
  png_structp png_;
  png_infop info_;
};

// ------------------------------------------------------------------------------------------------
// JPEG

// Error manager + progress monitor; trivially destructible C structs.
struct JpegErrorMgr {
  jpeg_error_mgr pub;  // first member: libjpeg sees a jpeg_error_mgr*
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

struct JpegProgress {
  jpeg_progress_mgr pub;  // first member
  int max_scans;
  bool scan_limit_hit;
};

[[noreturn]] void JpegErrorExit(j_common_ptr cinfo) {
  JpegErrorMgr* err = reinterpret_cast<JpegErrorMgr*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Warnings (msg_level -1) that mean the image data is missing or corrupt abort the decode;
// informational ones (unknown JFIF revision, extraneous bytes before a marker, ...) are ignored.
void JpegEmitMessage(j_common_ptr cinfo, int msg_level) {
  if (msg_level >= 0) return;  // trace messages
  switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION: JpegErrorExit(cinfo);
    default: return;
  }
}

void JpegProgressMonitor(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  JpegProgress* p = reinterpret_cast<JpegProgress*>(cinfo->progress);
  const j_decompress_ptr d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > p->max_scans) {
    p->scan_limit_hit = true;
    JpegErrorMgr* err = reinterpret_cast<JpegErrorMgr*>(cinfo->err);
    std::snprintf(err->message, sizeof(err->message), "more than %d progressive scans",
                  p->max_scans);
    std::longjmp(err->jump, 1);
  }
}

// All libjpeg state of one decode; lives in the C++ caller's frame, trivially destructible.
struct JpegDecoder {
  jpeg_decompress_struct cinfo;
  JpegErrorMgr err;
  JpegProgress progress;
};

bool JpegReadHeaderC(JpegDecoder* d, const uint8_t* data, unsigned long size) {
  if (setjmp(d->err.jump)) return false;
  jpeg_create_decompress(&d->cinfo);
  d->cinfo.progress = &d->progress.pub;
  jpeg_mem_src(&d->cinfo, data, size);
  jpeg_read_header(&d->cinfo, TRUE);
  return true;
}

bool JpegStartC(JpegDecoder* d) {
  if (setjmp(d->err.jump)) return false;
  d->cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&d->cinfo);
  return true;
}

bool JpegReadRowsC(JpegDecoder* d, uint8_t* pixels, size_t stride) {
  if (setjmp(d->err.jump)) return false;
  while (d->cinfo.output_scanline < d->cinfo.output_height) {
    JSAMPROW row = pixels + static_cast<size_t>(d->cinfo.output_scanline) * stride;
    if (jpeg_read_scanlines(&d->cinfo, &row, 1) != 1) {
      // Cannot happen with a memory source (it never suspends); stop rather than spin.
      std::snprintf(d->err.message, sizeof(d->err.message), "decoder made no progress");
      return false;
    }
  }
  jpeg_finish_decompress(&d->cinfo);
  return true;
}

const char* JpegColorSpaceName(J_COLOR_SPACE cs) {
  switch (cs) {
    case JCS_CMYK: return "CMYK";
    case JCS_YCCK: return "YCCK";
    case JCS_UNKNOWN: return "unknown";
    default: return "unsupported";
  }
}

}  // namespace

ImageFormat DetectImageFormat(std::span<const uint8_t> bytes) {
  if (StartsWith(bytes, kPngMagic, sizeof(kPngMagic))) return ImageFormat::kPng;
  if (StartsWith(bytes, kJpegMagic, sizeof(kJpegMagic))) return ImageFormat::kJpeg;
  return ImageFormat::kUnknown;
}

absl::StatusOr<Image> DecodePng(std::span<const uint8_t> bytes, const std::string& name,
                                const ImageLimits& limits) {
  if (!StartsWith(bytes, kPngMagic, sizeof(kPngMagic))) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": not a PNG file (bad signature)"));
  }
  PngIo io{bytes.data(), bytes.size(), 0, {}};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &io, PngError, PngWarning);
  if (png == nullptr) return absl::ResourceExhaustedError("cannot allocate a PNG decoder");
  png_infop info = png_create_info_struct(png);
  PngReadGuard guard(png, info);
  if (info == nullptr) return absl::ResourceExhaustedError("cannot allocate a PNG decoder");
  png_set_read_fn(png, &io, PngRead);
  // Our own limits are checked below with a clear status; keep libpng's out of the way.
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
  png_set_chunk_malloc_max(png, 8 << 20);  // bounds ancillary chunk (iCCP, zTXt) allocations
  png_set_chunk_cache_max(png, 1000);

  auto failed = [&]() {
    return absl::InvalidArgumentError(absl::StrCat(name, ": corrupt PNG: ", io.message));
  };
  PngInfo header{};
  if (!PngReadInfoC(png, info, &header)) return failed();
  RETURN_IF_ERROR(CheckDimensions(header.width, header.height, limits, name, "PNG"));
  if (!PngSetTransformsC(png, info)) return failed();
  const size_t row_bytes = png_get_rowbytes(png, info);
  if (png_get_channels(png, info) != 3 || png_get_bit_depth(png, info) != 8 ||
      row_bytes != static_cast<size_t>(header.width) * 3) {
    return absl::InternalError(absl::StrCat(
        name, ": PNG transforms did not produce 8-bit RGB (channels ", png_get_channels(png, info),
        ", bit depth ", png_get_bit_depth(png, info), ")"));
  }
  Image image;
  image.width = static_cast<int>(header.width);
  image.height = static_cast<int>(header.height);
  image.pixels.resize(row_bytes * header.height);
  std::vector<png_bytep> rows(header.height);
  for (size_t y = 0; y < rows.size(); ++y) rows[y] = image.pixels.data() + y * row_bytes;
  if (!PngReadImageC(png, rows.data())) return failed();
  return image;
}

absl::StatusOr<Image> DecodeJpeg(std::span<const uint8_t> bytes, const std::string& name,
                                 const ImageLimits& limits) {
  if (!StartsWith(bytes, kJpegMagic, sizeof(kJpegMagic))) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": not a JPEG file (bad signature)"));
  }
  // Value-initialized: jpeg_destroy_decompress is a no-op on a zeroed struct (mem == NULL).
  auto d = std::make_unique<JpegDecoder>();
  d->cinfo.err = jpeg_std_error(&d->err.pub);
  d->err.pub.error_exit = JpegErrorExit;
  d->err.pub.emit_message = JpegEmitMessage;
  d->progress.pub.progress_monitor = JpegProgressMonitor;
  d->progress.max_scans = limits.max_jpeg_scans;
  struct Destroy {
    jpeg_decompress_struct* cinfo;
    ~Destroy() { jpeg_destroy_decompress(cinfo); }
  } destroy{&d->cinfo};

  auto failed = [&]() -> absl::Status {
    if (d->progress.scan_limit_hit) {
      return absl::ResourceExhaustedError(absl::StrCat(name, ": JPEG image has ", d->err.message));
    }
    return absl::InvalidArgumentError(absl::StrCat(name, ": corrupt JPEG: ", d->err.message));
  };
  if (!JpegReadHeaderC(d.get(), bytes.data(), static_cast<unsigned long>(bytes.size()))) {
    return failed();
  }
  const J_COLOR_SPACE cs = d->cinfo.jpeg_color_space;
  if (cs != JCS_GRAYSCALE && cs != JCS_YCbCr && cs != JCS_RGB) {
    return absl::UnimplementedError(
        absl::StrCat(name, ": ", JpegColorSpaceName(cs), " JPEG images (", d->cinfo.num_components,
                     " components) are not supported; convert to RGB or grayscale"));
  }
  RETURN_IF_ERROR(
      CheckDimensions(d->cinfo.image_width, d->cinfo.image_height, limits, name, "JPEG"));
  if (!JpegStartC(d.get())) return failed();
  if (d->cinfo.output_components != 3 || d->cinfo.output_width != d->cinfo.image_width ||
      d->cinfo.output_height != d->cinfo.image_height) {
    return absl::InternalError(absl::StrCat(name, ": JPEG decoder output is ",
                                            d->cinfo.output_width, "x", d->cinfo.output_height, "x",
                                            d->cinfo.output_components, ", expected RGB"));
  }
  Image image;
  image.width = static_cast<int>(d->cinfo.output_width);
  image.height = static_cast<int>(d->cinfo.output_height);
  const size_t stride = static_cast<size_t>(image.width) * 3;
  image.pixels.resize(stride * image.height);
  if (!JpegReadRowsC(d.get(), image.pixels.data(), stride)) return failed();
  return image;
}

absl::StatusOr<Image> DecodeImage(std::span<const uint8_t> bytes, const std::string& name,
                                  const ImageLimits& limits) {
  switch (DetectImageFormat(bytes)) {
    case ImageFormat::kPng: return DecodePng(bytes, name, limits);
    case ImageFormat::kJpeg: return DecodeJpeg(bytes, name, limits);
    case ImageFormat::kUnknown: break;
  }
  auto starts = [&](const char* magic) {
    const size_t n = std::strlen(magic);
    return bytes.size() >= n && std::memcmp(bytes.data(), magic, n) == 0;
  };
  const char* other = nullptr;
  if (starts("GIF87a") || starts("GIF89a")) other = "GIF";
  if (starts("BM")) other = "BMP";
  if (bytes.size() >= 12 && starts("RIFF") && std::memcmp(bytes.data() + 8, "WEBP", 4) == 0) {
    other = "WebP";
  }
  if (other != nullptr) {
    return absl::UnimplementedError(
        absl::StrCat(name, ": ", other, " images are not supported (only PNG and JPEG)"));
  }
  std::string head;
  for (size_t i = 0; i < bytes.size() && i < 8; ++i) {
    absl::StrAppend(&head, i ? " " : "",
                    absl::Hex(static_cast<unsigned>(bytes[i]), absl::kZeroPad2));
  }
  return absl::InvalidArgumentError(absl::StrCat(name, ": not a PNG or JPEG image (first bytes: ",
                                                 head.empty() ? "none, empty file" : head, ")"));
}

absl::StatusOr<Image> LoadImage(const std::string& path, const ImageLimits& limits) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, limits.max_file_bytes));
  return DecodeImage(bytes, path, limits);
}

}  // namespace compressd::data
