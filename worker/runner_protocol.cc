#include "worker/runner_protocol.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace compressd::worker {
namespace {

constexpr char kMagic0 = 'C';
constexpr char kMagic1 = 'F';
constexpr uint8_t kVersion = 1;
// Bound on list lengths so that a forged count cannot make the decoder reserve huge vectors.
constexpr uint32_t kMaxListEntries = 1u << 16;

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutF64(std::string& out, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  PutU64(out, bits);
}
void PutString(std::string& out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out.append(s.data(), s.size());
}
void PutStrings(std::string& out, const std::vector<std::string>& list) {
  PutU32(out, static_cast<uint32_t>(list.size()));
  for (const std::string& s : list) PutString(out, s);
}

// Bounds-checked reader over one payload.
class Reader {
 public:
  Reader(std::string_view data, const char* what) : data_(data), what_(what) {}

  absl::Status U32(uint32_t& v) {
    RETURN_IF_ERROR(Need(4, "u32"));
    v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(data_[pos_ + i])} << (8 * i);
    pos_ += 4;
    return absl::OkStatus();
  }
  absl::Status U64(uint64_t& v) {
    RETURN_IF_ERROR(Need(8, "u64"));
    v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(data_[pos_ + i])} << (8 * i);
    pos_ += 8;
    return absl::OkStatus();
  }
  absl::Status F64(double& v) {
    uint64_t bits;
    RETURN_IF_ERROR(U64(bits));
    std::memcpy(&v, &bits, sizeof(v));
    return absl::OkStatus();
  }
  absl::Status String(std::string& s) {
    uint32_t n;
    RETURN_IF_ERROR(U32(n));
    RETURN_IF_ERROR(Need(n, "string"));
    s.assign(data_.data() + pos_, n);
    pos_ += n;
    return absl::OkStatus();
  }
  absl::Status Strings(std::vector<std::string>& list) {
    uint32_t n;
    RETURN_IF_ERROR(U32(n));
    if (n > kMaxListEntries) {
      return Error(absl::StrCat("list of ", n, " entries (at most ", kMaxListEntries, ")"));
    }
    list.clear();
    for (uint32_t i = 0; i < n; ++i) {
      std::string s;
      RETURN_IF_ERROR(String(s));
      list.push_back(std::move(s));
    }
    return absl::OkStatus();
  }
  absl::Status Done() const {
    if (pos_ != data_.size()) {
      return Error(absl::StrCat(data_.size() - pos_, " trailing bytes"));
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Need(uint64_t n, const char* field) const {
    if (n > data_.size() - pos_) {
      return Error(absl::StrCat(field, " of ", n, " bytes at offset ", pos_, " but only ",
                                data_.size() - pos_, " bytes left"));
    }
    return absl::OkStatus();
  }
  absl::Status Error(const std::string& what) const {
    return absl::InvalidArgumentError(absl::StrCat(what_, " frame: ", what));
  }

  std::string_view data_;
  size_t pos_ = 0;
  const char* what_;
};

}  // namespace

std::string EncodeFrame(FrameType type, std::string_view payload) {
  if (payload.size() > kMaxFramePayload) payload = payload.substr(0, 0);
  std::string out;
  out.reserve(kFrameHeaderBytes + payload.size());
  out.push_back(kMagic0);
  out.push_back(kMagic1);
  out.push_back(static_cast<char>(kVersion));
  out.push_back(static_cast<char>(type));
  PutU32(out, static_cast<uint32_t>(payload.size()));
  out.append(payload.data(), payload.size());
  return out;
}

std::string EncodeRequest(const RunnerRequest& m) {
  std::string out;
  PutString(out, m.job_spec);
  PutString(out, m.model_path);
  PutStrings(out, m.calibration_paths);
  PutStrings(out, m.evaluation_paths);
  PutString(out, m.output_path);
  PutU32(out, m.threads);
  PutString(out, m.test_hook);
  return out;
}

std::string EncodeProgress(const RunnerProgress& m) {
  std::string out;
  PutString(out, m.pass);
  PutF64(out, m.fraction);
  PutString(out, m.message);
  return out;
}

std::string EncodeResult(const RunnerResult& m) {
  std::string out;
  PutString(out, m.output_path);
  PutString(out, m.report);
  return out;
}

std::string EncodeError(const RunnerError& m) {
  std::string out;
  PutU32(out, static_cast<uint32_t>(m.code));
  PutString(out, m.message);
  return out;
}

absl::StatusOr<RunnerRequest> DecodeRequest(std::string_view payload) {
  Reader r(payload, "request");
  RunnerRequest m;
  RETURN_IF_ERROR(r.String(m.job_spec));
  RETURN_IF_ERROR(r.String(m.model_path));
  RETURN_IF_ERROR(r.Strings(m.calibration_paths));
  RETURN_IF_ERROR(r.Strings(m.evaluation_paths));
  RETURN_IF_ERROR(r.String(m.output_path));
  RETURN_IF_ERROR(r.U32(m.threads));
  RETURN_IF_ERROR(r.String(m.test_hook));
  RETURN_IF_ERROR(r.Done());
  return m;
}

absl::StatusOr<RunnerProgress> DecodeProgress(std::string_view payload) {
  Reader r(payload, "progress");
  RunnerProgress m;
  RETURN_IF_ERROR(r.String(m.pass));
  RETURN_IF_ERROR(r.F64(m.fraction));
  RETURN_IF_ERROR(r.String(m.message));
  RETURN_IF_ERROR(r.Done());
  if (!std::isfinite(m.fraction) || m.fraction < 0 || m.fraction > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("progress frame: fraction ", m.fraction, " is outside [0, 1]"));
  }
  return m;
}

absl::StatusOr<RunnerResult> DecodeResult(std::string_view payload) {
  Reader r(payload, "result");
  RunnerResult m;
  RETURN_IF_ERROR(r.String(m.output_path));
  RETURN_IF_ERROR(r.String(m.report));
  RETURN_IF_ERROR(r.Done());
  return m;
}

absl::StatusOr<RunnerError> DecodeError(std::string_view payload) {
  Reader r(payload, "error");
  RunnerError m;
  uint32_t code;
  RETURN_IF_ERROR(r.U32(code));
  RETURN_IF_ERROR(r.String(m.message));
  RETURN_IF_ERROR(r.Done());
  if (code == 0 || code > 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("error frame: status code ", code, " is not an error code (1..16)"));
  }
  m.code = static_cast<int32_t>(code);
  return m;
}

absl::StatusOr<std::optional<Frame>> FrameDecoder::Next() {
  const size_t avail = buffer_.size() - pos_;
  if (avail < kFrameHeaderBytes) return std::optional<Frame>();
  const char* h = buffer_.data() + pos_;
  if (h[0] != kMagic0 || h[1] != kMagic1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad frame magic 0x", absl::Hex(static_cast<uint8_t>(h[0]), absl::kZeroPad2),
        absl::Hex(static_cast<uint8_t>(h[1]), absl::kZeroPad2), " at stream offset ", pos_));
  }
  if (static_cast<uint8_t>(h[2]) != kVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported frame version ", static_cast<int>(static_cast<uint8_t>(h[2]))));
  }
  const uint8_t type = static_cast<uint8_t>(h[3]);
  if (type < static_cast<uint8_t>(FrameType::kRequest) ||
      type > static_cast<uint8_t>(FrameType::kError)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown frame type ", static_cast<int>(type)));
  }
  uint32_t length = 0;
  for (int i = 0; i < 4; ++i) length |= uint32_t{static_cast<uint8_t>(h[4 + i])} << (8 * i);
  if (length > kMaxFramePayload) {
    return absl::InvalidArgumentError(absl::StrCat("frame payload of ", length,
                                                   " bytes exceeds the limit of ",
                                                   kMaxFramePayload));
  }
  if (avail - kFrameHeaderBytes < length) return std::optional<Frame>();
  Frame f;
  f.type = static_cast<FrameType>(type);
  f.payload.assign(h + kFrameHeaderBytes, length);
  pos_ += kFrameHeaderBytes + length;
  // Drop consumed bytes once they dominate the buffer.
  if (pos_ > 4096 && pos_ * 2 > buffer_.size()) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  return std::optional<Frame>(std::move(f));
}

absl::Status FrameDecoder::Finish() const {
  const size_t avail = buffer_.size() - pos_;
  if (avail == 0) return absl::OkStatus();
  if (avail < kFrameHeaderBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("truncated frame: ", avail, " of ", kFrameHeaderBytes, " header bytes"));
  }
  uint32_t length = 0;
  for (int i = 0; i < 4; ++i) {
    length |= uint32_t{static_cast<uint8_t>(buffer_[pos_ + 4 + i])} << (8 * i);
  }
  return absl::InvalidArgumentError(absl::StrCat("truncated frame: ", avail - kFrameHeaderBytes,
                                                 " of ", length, " payload bytes"));
}

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace compressd::worker
