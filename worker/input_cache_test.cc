#include "worker/input_cache.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "client/remote/dataset_archive.h"
#include "client/remote/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::worker {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A minimal valid .npy (float32 [2]).
std::string Npy() {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = std::string("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  out += std::string(8, '\0');
  return out;
}

void WriteFile(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

class InputCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            absl::StrCat("input_cache_test-", ::getpid(), "-",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    auto c = InputCache::Open((root_ / "cache").string());
    ASSERT_TRUE(c.ok()) << c.status();
    cache_.emplace(std::move(*c));
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path root_;
  std::optional<InputCache> cache_;
};

TEST_F(InputCacheTest, BlobIsDownloadedOnceAndVerified) {
  const std::string content = "model bytes";
  const std::string sha = client::Sha256Hex(content);
  int downloads = 0;
  auto download = [&](const std::string& dest) {
    ++downloads;
    WriteFile(dest, content);
    return absl::OkStatus();
  };
  auto p1 = cache_->GetBlob(sha, content.size(), download);
  ASSERT_TRUE(p1.ok()) << p1.status();
  EXPECT_EQ(*p1, (root_ / "cache" / "blobs" / sha).string());
  auto p2 = cache_->GetBlob(sha, content.size(), download);
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(downloads, 1);
  // A corrupted cache entry is fetched again.
  WriteFile(*p1, "tampered!!!");
  auto p3 = cache_->GetBlob(sha, content.size(), download);
  ASSERT_TRUE(p3.ok());
  EXPECT_EQ(downloads, 2);
  std::ifstream in(*p3);
  std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(back, content);
}

TEST_F(InputCacheTest, WrongDownloadIsDataLossAndLeavesNothing) {
  const std::string sha = client::Sha256Hex("expected");
  auto p = cache_->GetBlob(sha, 8, [&](const std::string& dest) {
    WriteFile(dest, "different");
    return absl::OkStatus();
  });
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(fs::exists(root_ / "cache" / "blobs" / sha));
}

TEST_F(InputCacheTest, DownloadErrorsPassThrough) {
  auto p = cache_->GetBlob(client::Sha256Hex("x"), 1, [](const std::string&) {
    return absl::AbortedError("lease lost");
  });
  EXPECT_EQ(p.status(), absl::AbortedError("lease lost"));
}

TEST_F(InputCacheTest, MalformedHashIsRejected) {
  auto p = cache_->GetBlob("../../etc/passwd", 1, [](const std::string&) {
    return absl::OkStatus();
  });
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(InputCacheTest, SamplePathsOfFlatFolder) {
  const fs::path d = root_ / "flat";
  WriteFile(d / "b.npy", "x");
  WriteFile(d / "a.npy", "x");
  WriteFile(d / "labels.txt", "cat\ndog\n");
  auto paths = DatasetSamplePaths(d.string());
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_THAT(*paths, ElementsAre((d / "a.npy").string(), (d / "b.npy").string()));
}

TEST_F(InputCacheTest, SamplePathsOfFirstLevelFoldersAreTheFolders) {
  const fs::path d = root_ / "perinput";
  WriteFile(d / "01-image" / "x.npy", "x");
  WriteFile(d / "00-mask" / "y.npy", "x");
  WriteFile(d / "00-mask" / "z.npy", "x");
  auto paths = DatasetSamplePaths(d.string());
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_THAT(*paths, ElementsAre((d / "00-mask").string(), (d / "01-image").string()));
}

TEST_F(InputCacheTest, SamplePathsOfMixedDepthsAreFiles) {
  const fs::path d = root_ / "mixed";
  WriteFile(d / "top.npy", "x");
  WriteFile(d / "sub" / "deeper" / "a.npy", "x");
  auto paths = DatasetSamplePaths(d.string());
  ASSERT_TRUE(paths.ok()) << paths.status();
  EXPECT_THAT(*paths, ElementsAre((d / "sub" / "deeper" / "a.npy").string(),
                                  (d / "top.npy").string()));
  fs::create_directories(root_ / "empty");
  EXPECT_EQ(DatasetSamplePaths((root_ / "empty").string()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(InputCacheTest, DatasetArchiveFromTheClientIsExtractedOnce) {
  // What compressctl uploads for `--calibration in0/ --calibration in1/`.
  WriteFile(root_ / "in0" / "s1.npy", Npy());
  WriteFile(root_ / "in1" / "s1.npy", Npy());
  auto plan = client::PlanDatasetArchive({(root_ / "in0").string(), (root_ / "in1").string()});
  ASSERT_TRUE(plan.ok()) << plan.status();
  const std::string tar = (root_ / "d.tar").string();
  ASSERT_TRUE(client::WriteDatasetArchive(*plan, tar).ok());
  auto digest = client::Sha256File(tar);
  ASSERT_TRUE(digest.ok());
  auto paths = cache_->GetDataset(digest->sha256, tar);
  ASSERT_TRUE(paths.ok()) << paths.status();
  const fs::path base = root_ / "cache" / "datasets" / digest->sha256;
  EXPECT_THAT(*paths, ElementsAre((base / "00-in0").string(), (base / "01-in1").string()));
  // Second use: no extraction needed (the archive may be gone).
  fs::remove(tar);
  auto again = cache_->GetDataset(digest->sha256, tar);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *paths);
}

TEST_F(InputCacheTest, PathTraversalArchiveIsRejected) {
  const std::string tar = (root_ / "evil.tar").string();
  {
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    ASSERT_EQ(archive_write_open_filename(a, tar.c_str()), ARCHIVE_OK);
    const std::string npy = Npy();
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, "../evil.npy");
    archive_entry_set_size(e, static_cast<la_int64_t>(npy.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
    archive_write_data(a, npy.data(), npy.size());
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
  }
  auto digest = client::Sha256File(tar);
  ASSERT_TRUE(digest.ok());
  auto paths = cache_->GetDataset(digest->sha256, tar);
  ASSERT_FALSE(paths.ok());
  EXPECT_EQ(paths.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(paths.status().message()), HasSubstr(".."));
  EXPECT_FALSE(fs::exists(root_ / "cache" / "evil.npy"));
  EXPECT_FALSE(fs::exists(root_ / "cache" / "datasets" / digest->sha256));
}

TEST_F(InputCacheTest, WorkDirsAreFreshAndPrivate) {
  auto a = cache_->MakeWorkDir("job-1");
  auto b = cache_->MakeWorkDir("job-1");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(fs::is_directory(*a));
}

}  // namespace
}  // namespace compressd::worker
