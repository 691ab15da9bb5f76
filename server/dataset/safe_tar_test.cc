#include "server/dataset/safe_tar.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/dataset/testing/tar_builder.h"

namespace compressd::server {
namespace {

using ::testing::HasSubstr;
using testing::TarBuilder;

class SafeTarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/safe_tar_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    out_ = dir_ + "/out";
    std::filesystem::create_directories(out_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& bytes) {
    const std::string path = dir_ + "/a.tar";
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  absl::StatusOr<TarSummary> Check(const TarBuilder& b, const TarLimits& limits = {}) {
    return ExtractTar(Write(b.Build()), "", limits);
  }
  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::string dir_, out_;
};

TEST_F(SafeTarTest, AcceptsSamplesAndLabelsAndExtractsThem) {
  TarBuilder b;
  b.Dir("imgs").File("imgs/b.png", TarBuilder::Png()).File("./a.npy", TarBuilder::Npy("xyz"))
      .File("imgs/c.JPG", TarBuilder::Jpeg()).File("labels.txt", "cat\ndog\nbird\n");
  absl::StatusOr<TarSummary> s = ExtractTar(Write(b.Build()), out_, {});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->npy_files, 1);
  EXPECT_EQ(s->image_files, 2);
  EXPECT_TRUE(s->has_labels);
  EXPECT_THAT(s->sample_files, ::testing::ElementsAre("a.npy", "imgs/b.png", "imgs/c.JPG"));
  const int64_t expected_bytes = static_cast<int64_t>(
      TarBuilder::Png().size() + TarBuilder::Npy("xyz").size() + TarBuilder::Jpeg().size() +
      std::string("cat\ndog\nbird\n").size());
  EXPECT_EQ(s->total_bytes, expected_bytes);
  EXPECT_EQ(Slurp(out_ + "/a.npy"), TarBuilder::Npy("xyz"));
  EXPECT_EQ(Slurp(out_ + "/imgs/b.png"), TarBuilder::Png());
}

TEST_F(SafeTarTest, AcceptsGzipCompressedTar) {
  TarBuilder b(/*gzip=*/true);
  b.File("x.npy", TarBuilder::Npy());
  absl::StatusOr<TarSummary> s = Check(b);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->npy_files, 1);
}

struct Hostile {
  const char* name;
  TarBuilder tar;
  const char* message;
};

TEST_F(SafeTarTest, RejectsHostileEntries) {
  std::vector<Hostile> cases = {
      {"dotdot", TarBuilder().File("../evil.npy", TarBuilder::Npy()), "'..' components"},
      {"nested dotdot", TarBuilder().File("a/../../evil.npy", TarBuilder::Npy()), "'..'"},
      {"absolute", TarBuilder().File("/etc/evil.npy", TarBuilder::Npy()), "absolute paths"},
      {"symlink", TarBuilder().Symlink("link.npy", "/etc/passwd"), "symbolic links"},
      {"hardlink",
       TarBuilder().File("a.npy", TarBuilder::Npy()).Hardlink("b.npy", "a.npy"), "hard links"},
      {"device", TarBuilder().CharDevice("dev.npy"), "only regular files"},
      {"fifo", TarBuilder().Fifo("fifo.npy"), "only regular files"},
      {"backslash", TarBuilder().File("a\\..\\b.npy", TarBuilder::Npy()), "backslashes"},
      {"other file", TarBuilder().File("run.sh", "#!/bin/sh"), "not a sample file"},
      {"labels not at root", TarBuilder().File("x.npy", TarBuilder::Npy()).File("d/labels.txt", "a"),
       "not a sample file"},
      {"bad magic", TarBuilder().File("fake.png", "GIF89a..."), "bad file signature"},
      {"duplicate",
       TarBuilder().File("a.npy", TarBuilder::Npy()).File("./a.npy", TarBuilder::Npy()),
       "duplicate path"},
      {"file then dir",
       TarBuilder().File("a.npy", TarBuilder::Npy()).File("a.npy/b.npy", TarBuilder::Npy()),
       "a parent is a file"},
      {"no samples", TarBuilder().Dir("empty").File("labels.txt", "a\n"), "no sample files"},
  };
  int n = 0;
  for (const Hostile& c : cases) {
    const std::string out = out_ + "/" + std::to_string(n++);
    std::filesystem::create_directories(out);
    absl::StatusOr<TarSummary> s = ExtractTar(Write(c.tar.Build()), out, {});
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(std::string(s.status().message()), HasSubstr(c.message)) << c.name;
  }
  // Nothing escaped the destination.
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/evil.npy"));
  EXPECT_FALSE(std::filesystem::exists(out_ + "/3/link.npy"));
}

TEST_F(SafeTarTest, EnforcesFileCountAndSizeLimitsOnActualData) {
  TarLimits limits;
  limits.max_files = 2;
  TarBuilder three;
  three.File("a.npy", TarBuilder::Npy()).File("b.npy", TarBuilder::Npy())
      .File("c.npy", TarBuilder::Npy());
  absl::StatusOr<TarSummary> s = Check(three, limits);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("more than 2 files"));

  TarLimits total;
  total.max_total_bytes = 100;
  TarBuilder big;
  big.File("a.npy", TarBuilder::Npy(std::string(60, 'x')))
      .File("b.npy", TarBuilder::Npy(std::string(60, 'y')));  // 68 + 68 > 100
  s = Check(big, total);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("more than 100 bytes"));

  TarLimits per_file;
  per_file.max_file_bytes = 10;
  TarBuilder one;
  one.File("a.npy", TarBuilder::Npy(std::string(20, 'x')));
  s = Check(one, per_file);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("per-file limit of 10 bytes"));
}

TEST_F(SafeTarTest, RejectsGarbageAndTruncatedArchives) {
  absl::StatusOr<TarSummary> s = ExtractTar(Write(std::string(1000, '\x01')), "", {});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  TarBuilder b;
  b.File("a.npy", TarBuilder::Npy(std::string(5000, 'z')));
  std::string bytes = b.Build();
  bytes.resize(1500);  // header + part of the data
  s = ExtractTar(Write(bytes), "", {});
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << s.status();
}

TEST(SanitizeEntryPathTest, Normalizes) {
  TarLimits limits;
  EXPECT_EQ(*SanitizeEntryPath("./a//b/./c.npy", limits), "a/b/c.npy");
  EXPECT_EQ(*SanitizeEntryPath("./", limits), "");
  limits.max_depth = 2;
  EXPECT_EQ(SanitizeEntryPath("a/b/c.npy", limits).status().code(),
            absl::StatusCode::kInvalidArgument);
  limits.max_path_bytes = 5;
  EXPECT_THAT(std::string(SanitizeEntryPath("abcdef", limits).status().message()),
              HasSubstr("exceeds the limit of 5"));
}

}  // namespace
}  // namespace compressd::server
