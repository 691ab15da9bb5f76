#include "client/remote/dataset_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace compressd::client {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class DatasetArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            absl::StrCat("dataset_archive_test-", ::getpid(), "-",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string Write(const std::string& rel, const std::string& content = "data") {
    const fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string P(const std::string& rel) const { return (root_ / rel).string(); }

  std::vector<std::string> Names(const std::vector<ArchiveEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.name);
    return out;
  }

  fs::path root_;
};

TEST_F(DatasetArchiveTest, OneFolderKeepsRelativePathsAndLabels) {
  Write("d/a.npy");
  Write("d/sub/b.PNG");
  Write("d/labels.txt", "cat\n");
  Write("d/.hidden.npy");
  auto plan = PlanDatasetArchive({P("d")});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Names(*plan), (std::vector<std::string>{"a.npy", "labels.txt", "sub/b.PNG"}));
  EXPECT_EQ((*plan)[0].source, P("d/a.npy"));
}

TEST_F(DatasetArchiveTest, SeveralFoldersArePrefixedInOrder) {
  Write("zeta/x.npy");
  Write("alpha/y.jpg");
  auto plan = PlanDatasetArchive({P("zeta"), P("alpha/")});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Names(*plan), (std::vector<std::string>{"00-zeta/x.npy", "01-alpha/y.jpg"}));
}

TEST_F(DatasetArchiveTest, FilesGoToTheRoot) {
  auto plan = PlanDatasetArchive({Write("p/2.npy"), Write("q/1.jpeg")});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Names(*plan), (std::vector<std::string>{"1.jpeg", "2.npy"}));
}

TEST_F(DatasetArchiveTest, Errors) {
  Write("bad/notes.md");
  auto a = PlanDatasetArchive({P("bad")});
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("notes.md': unsupported file type"));

  auto b = PlanDatasetArchive({Write("x/s.npy"), Write("y/s.npy")});
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("two files would be archived as 's.npy'"));

  Write("nested/in/labels.txt");
  Write("nested/in/a.npy");
  auto c = PlanDatasetArchive({P("nested")});
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("labels.txt is only allowed"));

  EXPECT_EQ(PlanDatasetArchive({P("missing")}).status().code(), absl::StatusCode::kNotFound);
  fs::create_directories(root_ / "empty");
  EXPECT_THAT(std::string(PlanDatasetArchive({P("empty")}).status().message()),
              HasSubstr("no sample files"));
  EXPECT_EQ(PlanDatasetArchive({}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(DatasetArchiveTest, WrittenArchiveHoldsTheFiles) {
  Write("d/a.npy", "first");
  Write("d/sub/b.png", std::string(3 << 20, 'z'));
  auto plan = PlanDatasetArchive({P("d")});
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(WriteDatasetArchive(*plan, P("out.tar")).ok());

  std::map<std::string, std::string> read;
  struct archive* a = archive_read_new();
  archive_read_support_format_all(a);
  ASSERT_EQ(archive_read_open_filename(a, P("out.tar").c_str(), 1 << 16), ARCHIVE_OK);
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    EXPECT_EQ(archive_entry_filetype(e), AE_IFREG);
    std::string data;
    char buf[65536];
    for (;;) {
      const la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
      ASSERT_GE(n, 0);
      if (n == 0) break;
      data.append(buf, static_cast<size_t>(n));
    }
    EXPECT_EQ(data.size(), static_cast<size_t>(archive_entry_size(e)));
    read[archive_entry_pathname(e)] = data;
  }
  archive_read_free(a);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read["a.npy"], "first");
  EXPECT_EQ(read["sub/b.png"], std::string(3 << 20, 'z'));
}

TEST_F(DatasetArchiveTest, ArchiveFileNames) {
  EXPECT_TRUE(IsDatasetArchiveFile("x.tar"));
  EXPECT_TRUE(IsDatasetArchiveFile("x.TAR.GZ"));
  EXPECT_TRUE(IsDatasetArchiveFile("x.tgz"));
  EXPECT_FALSE(IsDatasetArchiveFile("x.npy"));
}

}  // namespace
}  // namespace compressd::client
