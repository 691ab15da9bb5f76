#include "worker/runner_protocol.h"

#include <cmath>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::worker {
namespace {

using ::testing::HasSubstr;

std::string Le32(uint32_t v) {
  std::string s;
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

TEST(RunnerProtocolTest, FrameHeaderLayout) {
  const std::string f = EncodeFrame(FrameType::kResult, "abc");
  // 'C' 'F', version 1, type 3, length 3 (little-endian), payload.
  EXPECT_EQ(f, std::string("CF\x01\x03", 4) + Le32(3) + "abc");
}

TEST(RunnerProtocolTest, RequestRoundTrip) {
  RunnerRequest r;
  r.job_spec = std::string("\x0a\x02\x52\x00", 4);  // binary bytes survive
  r.model_path = "/cache/blobs/abc";
  r.calibration_paths = {"/c/a", "/c/b"};
  r.evaluation_paths = {};
  r.output_path = "/work/out.tflite";
  r.threads = 4;
  r.test_hook = "slow:2";
  auto d = DecodeRequest(EncodeRequest(r));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->job_spec, r.job_spec);
  EXPECT_EQ(d->model_path, r.model_path);
  EXPECT_EQ(d->calibration_paths, r.calibration_paths);
  EXPECT_TRUE(d->evaluation_paths.empty());
  EXPECT_EQ(d->output_path, r.output_path);
  EXPECT_EQ(d->threads, 4u);
  EXPECT_EQ(d->test_hook, "slow:2");
}

TEST(RunnerProtocolTest, ProgressResultErrorRoundTrip) {
  auto p = DecodeProgress(EncodeProgress({"quantize", 0.375, "layer 3 of 8"}));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->pass, "quantize");
  EXPECT_EQ(p->fraction, 0.375);
  EXPECT_EQ(p->message, "layer 3 of 8");
  auto r = DecodeResult(EncodeResult({"/out", std::string(1000, 'r')}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->output_path, "/out");
  EXPECT_EQ(r->report, std::string(1000, 'r'));
  auto e = DecodeError(EncodeError({12, "not yet"}));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->code, 12);
  EXPECT_EQ(e->message, "not yet");
}

TEST(RunnerProtocolTest, DecoderHandlesBytesArrivingOneByOne) {
  const std::string stream = EncodeFrame(FrameType::kProgress, EncodeProgress({"a", 0.5, "m"})) +
                             EncodeFrame(FrameType::kResult, EncodeResult({"/o", "rep"}));
  FrameDecoder d;
  std::vector<Frame> frames;
  for (char c : stream) {
    d.Append(std::string_view(&c, 1));
    for (;;) {
      auto f = d.Next();
      ASSERT_TRUE(f.ok()) << f.status();
      if (!f->has_value()) break;
      frames.push_back(std::move(**f));
    }
  }
  EXPECT_TRUE(d.Finish().ok());
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].type, FrameType::kProgress);
  EXPECT_EQ(frames[1].type, FrameType::kResult);
  auto r = DecodeResult(frames[1].payload);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->report, "rep");
}

TEST(RunnerProtocolTest, GarbageIsRejected) {
  FrameDecoder d;
  d.Append("this is not a frame at all");
  auto f = d.Next();
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(f.status().message()), HasSubstr("bad frame magic 0x7468"));
}

TEST(RunnerProtocolTest, BadVersionTypeAndLengthAreRejected) {
  {
    FrameDecoder d;
    d.Append(std::string("CF\x02\x02", 4) + Le32(0));
    auto f = d.Next();
    ASSERT_FALSE(f.ok());
    EXPECT_THAT(std::string(f.status().message()), HasSubstr("unsupported frame version 2"));
  }
  {
    FrameDecoder d;
    d.Append(std::string("CF\x01\x09", 4) + Le32(0));
    auto f = d.Next();
    ASSERT_FALSE(f.ok());
    EXPECT_THAT(std::string(f.status().message()), HasSubstr("unknown frame type 9"));
  }
  {
    FrameDecoder d;
    d.Append(std::string("CF\x01\x02", 4) + Le32(kMaxFramePayload + 1));
    auto f = d.Next();
    ASSERT_FALSE(f.ok());
    EXPECT_THAT(std::string(f.status().message()),
                HasSubstr("frame payload of 67108865 bytes exceeds the limit of 67108864"));
  }
}

TEST(RunnerProtocolTest, TruncatedFramesAreReportedAtEndOfStream) {
  {
    FrameDecoder d;
    d.Append("CF\x01");
    auto f = d.Next();
    ASSERT_TRUE(f.ok());
    EXPECT_FALSE(f->has_value());
    absl::Status s = d.Finish();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(s.message()), HasSubstr("truncated frame: 3 of 8 header bytes"));
  }
  {
    FrameDecoder d;
    const std::string full = EncodeFrame(FrameType::kProgress, "0123456789");
    d.Append(full.substr(0, full.size() - 8));
    auto f = d.Next();
    ASSERT_TRUE(f.ok());
    EXPECT_FALSE(f->has_value());
    EXPECT_THAT(std::string(d.Finish().message()),
                HasSubstr("truncated frame: 2 of 10 payload bytes"));
  }
}

TEST(RunnerProtocolTest, MalformedPayloadsAreRejected) {
  // A string length beyond the payload.
  std::string p = Le32(1000) + "abc";
  auto a = DecodeProgress(p);
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(std::string(a.status().message()),
              HasSubstr("progress frame: string of 1000 bytes at offset 4 but only 3 bytes left"));
  // Trailing bytes.
  auto b = DecodeResult(EncodeResult({"/o", "r"}) + "x");
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("result frame: 1 trailing bytes"));
  // A forged list count.
  std::string req = Le32(0) + Le32(0) + Le32(0x7fffffff);
  auto c = DecodeRequest(req);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("list of 2147483647 entries"));
  // Empty payload.
  EXPECT_FALSE(DecodeError("").ok());
}

TEST(RunnerProtocolTest, ProgressFractionMustBeInRange) {
  for (double bad : {-0.1, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
    auto p = DecodeProgress(EncodeProgress({"x", bad, ""}));
    ASSERT_FALSE(p.ok());
    EXPECT_THAT(std::string(p.status().message()), HasSubstr("is outside [0, 1]"));
  }
}

TEST(RunnerProtocolTest, ErrorCodeMustBeAnError) {
  for (int code : {0, 17}) {
    auto e = DecodeError(EncodeError({code, "x"}));
    ASSERT_FALSE(e.ok());
    EXPECT_THAT(std::string(e.status().message()), HasSubstr("is not an error code"));
  }
}

}  // namespace
}  // namespace compressd::worker
