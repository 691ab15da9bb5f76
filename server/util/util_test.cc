#include <atomic>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/util/executor.h"
#include "server/util/ids.h"
#include "server/util/logger.h"
#include "server/util/sha256.h"
#include "server/util/time_util.h"

namespace compressd::server {
namespace {

TEST(Sha256Test, KnownVectorsAndIncrementalUpdates) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(Sha256Hex(std::string_view("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(std::string_view("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 h;
  h.Update(std::string_view("abcdbcdecdefdefgefghfghighijhijkijkljklm"));
  EXPECT_EQ(h.PeekHexDigest(), Sha256Hex(std::string_view("abcdbcdecdefdefgefghfghighijhijkijkljklm")));
  h.Update(std::string_view("klmnlmnomnopnopq"));
  EXPECT_EQ(h.HexDigest(), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_TRUE(IsSha256Hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
  EXPECT_FALSE(IsSha256Hex("248D6A61D20638B8E5C026930C3E6039A33CE45964FF2167F6ECEDD419DB06C1"));
  EXPECT_FALSE(IsSha256Hex("abc"));
}

TEST(IdsTest, RandomIdsHaveTheFormAndDiffer) {
  const std::string a = NewJobId(), b = NewJobId();
  EXPECT_EQ(a.size(), 26u);
  EXPECT_EQ(a.substr(0, 2), "j-");
  EXPECT_NE(a, b);
  EXPECT_THAT(a.substr(2), ::testing::MatchesRegex("[0-9a-f]+"));
}

TEST(LoggerTest, FormatsTextAndJsonLines) {
  const LogFields fields = {{"job_id", "j-1"}, {"msg", "a \"b\"\n"}};
  EXPECT_EQ(FormatLogLine(false, "T", LogLevel::kWarning, "lease expired", fields),
            "T W lease expired job_id=j-1 msg=\"a \\\"b\\\"\\n\"");
  EXPECT_EQ(FormatLogLine(true, "T", LogLevel::kInfo, "x\ty", fields),
            "{\"ts\":\"T\",\"level\":\"info\",\"msg\":\"x\\ty\",\"job_id\":\"j-1\","
            "\"msg\":\"a \\\"b\\\"\\n\"}");
  EXPECT_EQ(JsonEscape(std::string("\x01", 1)), "\\u0001");
}

TEST(ExecutorTest, RunsEverySubmittedTaskBeforeShutdownReturns) {
  std::atomic<int> n{0};
  {
    Executor ex(3);
    for (int i = 0; i < 100; ++i) ex.Submit([&] { n.fetch_add(1); });
    ex.Shutdown();
    EXPECT_EQ(n.load(), 100);
    ex.Submit([&] { n.fetch_add(1); });  // after shutdown: runs inline
    EXPECT_EQ(n.load(), 101);
  }
}

TEST(TimeUtilTest, ProtoRoundTripIncludingNegativeTimes) {
  const absl::Time t = absl::FromUnixMicros(-1500001);
  const auto ts = ToProtoTime(t);
  EXPECT_EQ(ts.seconds(), -2);
  EXPECT_EQ(ts.nanos(), 499999000);
  EXPECT_EQ(FromProtoTime(ts), t);
  EXPECT_EQ(FromMicros(ToMicros(absl::InfinitePast())), absl::InfinitePast());
}

}  // namespace
}  // namespace compressd::server
