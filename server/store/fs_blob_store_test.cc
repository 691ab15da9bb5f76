#include "server/store/fs_blob_store.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::server {
namespace {

using ::testing::HasSubstr;

// SHA-256 test vectors (FIPS 180-2).
constexpr char kAbcSha[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kEmptySha[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class FsBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/blob_store_test.XXXXXX";
    root_ = mkdtemp(tmpl);
    store_ = std::move(FsBlobStore::Create(root_).value());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(root_);
  }
  std::string ReadAll(const std::string& sha) {
    auto r = store_->Open(sha);
    EXPECT_TRUE(r.ok()) << r.status();
    return ReadWholeBlob(**r, 1 << 20).value();
  }

  std::string root_;
  std::unique_ptr<FsBlobStore> store_;
};

TEST_F(FsBlobStoreTest, PutIsContentAddressedAndStoredOnce) {
  auto sha = store_->Put(Bytes("abc"));
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(*sha, kAbcSha);
  EXPECT_EQ(ReadAll(kAbcSha), "abc");
  EXPECT_EQ(store_->TotalBytes(), 3);
  EXPECT_EQ(*store_->Put(Bytes("abc")), kAbcSha);
  EXPECT_EQ(store_->TotalBytes(), 3);  // no second copy
  int files = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(root_ + "/blobs")) {
    files += e.is_regular_file();
  }
  EXPECT_EQ(files, 1);
  EXPECT_EQ(std::filesystem::directory_iterator(root_ + "/tmp") ==
                std::filesystem::directory_iterator(),
            true);
  EXPECT_EQ(*store_->LocalPath(kAbcSha), root_ + "/blobs/ba/" + kAbcSha);
  EXPECT_EQ(store_->Open(kEmptySha).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Open("../../etc/passwd").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(FsBlobStoreTest, TotalBytesSurvivesReopen) {
  ASSERT_TRUE(store_->Put(Bytes("hello world")).ok());
  store_ = std::move(FsBlobStore::Create(root_).value());
  EXPECT_EQ(store_->TotalBytes(), 11);
}

TEST_F(FsBlobStoreTest, UploadResumesFromAnEarlierOffset) {
  {
    auto w = store_->OpenUpload("up1", 0).value();
    ASSERT_TRUE(w->Append(Bytes("abXXXX")).ok());
    EXPECT_EQ(w->Sync().value(), 6u);
  }  // destroyed without commit: the partial file stays
  EXPECT_EQ(store_->UploadSize("up1").value(), 6u);
  // Resume at 2: the tail is dropped and the hash covers the kept prefix.
  auto w = store_->OpenUpload("up1", 2).value();
  EXPECT_EQ(w->offset(), 2u);
  ASSERT_TRUE(w->Append(Bytes("c")).ok());
  ASSERT_TRUE(w->Verify(3, kAbcSha, "metadata").ok());
  EXPECT_EQ(w->Commit().value(), kAbcSha);
  EXPECT_EQ(ReadAll(kAbcSha), "abc");
  EXPECT_EQ(store_->UploadSize("up1").value(), 0u);  // moved into place
}

TEST_F(FsBlobStoreTest, ResumeBeyondStoredBytesFails) {
  { auto w = store_->OpenUpload("up2", 0).value(); ASSERT_TRUE(w->Append(Bytes("ab")).ok()); }
  auto w = store_->OpenUpload("up2", 5);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(w.status().message()), HasSubstr("only 2 bytes"));
  EXPECT_EQ(store_->OpenUpload("../x", 0).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(FsBlobStoreTest, VerifyNamesSizeAndHashMismatches) {
  auto w = store_->NewWriter().value();
  ASSERT_TRUE(w->Append(Bytes("abc")).ok());
  absl::Status size = w->Verify(4, kAbcSha, "metadata");
  EXPECT_EQ(size.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(size.message()), HasSubstr("metadata.size_bytes: declared 4"));
  absl::Status hash = w->Verify(3, kEmptySha, "header.artifacts[0]");
  EXPECT_THAT(std::string(hash.message()),
              HasSubstr(std::string("header.artifacts[0].sha256: declared ") + kEmptySha +
                        " but the data hashes to " + kAbcSha));
  EXPECT_EQ(w->CurrentSha256(), kAbcSha);
  w->Discard();
  EXPECT_FALSE(store_->Exists(kAbcSha));
}

TEST_F(FsBlobStoreTest, AbandonedAnonymousWritersLeaveNothing) {
  { auto w = store_->NewWriter().value(); ASSERT_TRUE(w->Append(Bytes("zzz")).ok()); }
  EXPECT_TRUE(std::filesystem::is_empty(root_ + "/tmp"));
  // Leftovers of a crash in tmp/ are removed at open.
  std::ofstream(root_ + "/tmp/leftover") << "x";
  store_ = std::move(FsBlobStore::Create(root_).value());
  EXPECT_TRUE(std::filesystem::is_empty(root_ + "/tmp"));
}

}  // namespace
}  // namespace compressd::server
