// The framed protocol between compressd-worker (parent) and compressd-pipeline-runner (child).
//
// Transport: the parent writes one kRequest frame to the child's stdin and closes it; the child
// writes kProgress frames, then exactly one kResult or kError frame, to the file descriptor named
// by `--result-fd` and exits. Everything the child sends is untrusted (it ran a hostile model):
// the parent decodes with FrameDecoder, which rejects garbage instead of trusting lengths.
//
// Frame layout (all integers little-endian):
//   byte 0..1  magic 'C' 'F'
//   byte 2     version (1)
//   byte 3     type (FrameType)
//   byte 4..7  payload length in bytes (at most kMaxFramePayload)
//   payload    the message, encoded as a sequence of fields (below)
// Fields: u32 and u64 as 4/8 little-endian bytes, f64 as the 8 bytes of its IEEE-754 bit pattern,
// strings as u32 length + bytes, string lists as u32 count + strings. Decoders check every length
// against the bytes left and reject trailing bytes.
//
// Thread safety: FrameDecoder is not thread-safe; the rest are pure functions.
#ifndef COMPRESSD_WORKER_RUNNER_PROTOCOL_H_
#define COMPRESSD_WORKER_RUNNER_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace compressd::worker {

inline constexpr uint32_t kMaxFramePayload = 64u << 20;  // 64 MiB (reports can be large)
inline constexpr size_t kFrameHeaderBytes = 8;

enum class FrameType : uint8_t {
  kRequest = 1,   // parent → child: RunnerRequest
  kProgress = 2,  // child → parent: RunnerProgress
  kResult = 3,    // child → parent: RunnerResult (success)
  kError = 4,     // child → parent: RunnerError (the pipeline returned an error)
};

struct Frame {
  FrameType type = FrameType::kProgress;
  std::string payload;
};

// What the child runs. Paths are absolute paths prepared by the parent.
struct RunnerRequest {
  std::string job_spec;  // serialized compressd.v1.JobSpec
  std::string model_path;
  std::vector<std::string> calibration_paths;
  std::vector<std::string> evaluation_paths;
  std::string output_path;  // where the child writes the compressed model
  uint32_t threads = 1;
  // Test hook (compressd-worker --test-hooks only; empty otherwise): see runner_main.cc.
  std::string test_hook;
};

struct RunnerProgress {
  std::string pass;
  double fraction = 0;  // [0, 1]
  std::string message;
};

struct RunnerResult {
  std::string output_path;  // equals the request's output_path
  std::string report;       // serialized compressd.v1.CompressionReport
};

struct RunnerError {
  int32_t code = 2;  // absl::StatusCode
  std::string message;
};

// Encodes a frame (header + payload). Callers keep payloads below kMaxFramePayload; a larger one
// is replaced by an empty payload, which every decoder then rejects as malformed.
std::string EncodeFrame(FrameType type, std::string_view payload);

std::string EncodeRequest(const RunnerRequest& m);
std::string EncodeProgress(const RunnerProgress& m);
std::string EncodeResult(const RunnerResult& m);
std::string EncodeError(const RunnerError& m);

// INVALID_ARGUMENT ("progress frame: ...") for short, long or malformed payloads.
absl::StatusOr<RunnerRequest> DecodeRequest(std::string_view payload);
absl::StatusOr<RunnerProgress> DecodeProgress(std::string_view payload);
absl::StatusOr<RunnerResult> DecodeResult(std::string_view payload);
absl::StatusOr<RunnerError> DecodeError(std::string_view payload);

// Incremental frame decoder for a byte stream that arrives in arbitrary pieces.
class FrameDecoder {
 public:
  void Append(std::string_view bytes) { buffer_.append(bytes.data(), bytes.size()); }
  // The next complete frame, std::nullopt when more bytes are needed, or INVALID_ARGUMENT for a
  // bad magic, version, type or length (the stream is then unusable).
  absl::StatusOr<std::optional<Frame>> Next();
  // Call at end of stream: INVALID_ARGUMENT when a partial frame is left ("truncated frame: 5 of
  // 8 header bytes").
  absl::Status Finish() const;

 private:
  std::string buffer_;
  size_t pos_ = 0;
};

// Writes all bytes to `fd`, retrying on EINTR and short writes. Async-signal-safe.
bool WriteAll(int fd, const char* data, size_t size);

}  // namespace compressd::worker

#endif  // COMPRESSD_WORKER_RUNNER_PROTOCOL_H_
