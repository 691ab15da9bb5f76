#include "client/remote/sha256.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace compressd::client {
namespace {

// FIPS 180-2 test vectors.
TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, IncrementalEqualsOneShot) {
  Sha256Hasher h;
  h.Update("ab");
  h.Update("c");
  EXPECT_EQ(h.Finish(), Sha256Hex("abc"));
  h.Update("abc");  // reset after Finish
  EXPECT_EQ(h.Finish(), Sha256Hex("abc"));
}

TEST(Sha256Test, FileDigest) {
  const std::string path =
      (std::filesystem::temp_directory_path() / absl::StrCat("sha256_test-", ::getpid())).string();
  std::string content(3 << 20, 'x');  // spans several read buffers
  content += "abc";
  std::ofstream(path, std::ios::binary) << content;
  auto d = Sha256File(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->size, content.size());
  EXPECT_EQ(d->sha256, Sha256Hex(content));
  EXPECT_EQ(Sha256File(path).status().code(), absl::StatusCode::kNotFound);
}

TEST(Sha256Test, HexForm) {
  EXPECT_TRUE(IsSha256Hex(Sha256Hex("x")));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a')));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'A')));
  std::string non_hex(64, 'a');
  non_hex[63] = 'g';
  EXPECT_FALSE(IsSha256Hex(non_hex));
}

}  // namespace
}  // namespace compressd::client
