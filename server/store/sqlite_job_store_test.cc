#include "server/store/sqlite_job_store.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/util/time_util.h"

namespace compressd::server {
namespace {

using ::testing::HasSubstr;

class SqliteJobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sqlite_store_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/jobs.db";
    store_ = std::move(SqliteJobStore::Open(path_).value());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static JobRecord Job(const std::string& id, const std::string& tenant,
                       v1::JobState state = v1::JOB_STATE_QUEUED, const std::string& key = "",
                       const std::string& fp = "fp", int64_t create_s = 1000) {
    JobRecord r;
    r.job.set_job_id(id);
    r.job.set_tenant(tenant);
    r.job.set_state(state);
    r.job.set_idempotency_key(key);
    *r.job.mutable_create_time() = ToProtoTime(absl::FromUnixSeconds(create_s));
    r.request_fingerprint = fp;
    return r;
  }

  std::string dir_, path_;
  std::unique_ptr<SqliteJobStore> store_;
};

TEST_F(SqliteJobStoreTest, MigratesToTheCurrentSchemaOnce) {
  EXPECT_EQ(store_->SchemaVersion().value(), 1);
  store_.reset();
  store_ = std::move(SqliteJobStore::Open(path_).value());
  EXPECT_EQ(store_->SchemaVersion().value(), 1);
}

TEST_F(SqliteJobStoreTest, CreateGetUpdateRoundTrip) {
  JobRecord r = Job("j-1", "a");
  r.job.mutable_spec()->mutable_labels()->insert({"team", "vision"});
  auto created = store_->CreateJob(r, {});
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->created);
  EXPECT_GT(created->record.seq, 0);
  auto got = store_->GetJob("j-1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->job.tenant(), "a");
  EXPECT_EQ(got->job.spec().labels().at("team"), "vision");
  EXPECT_EQ(got->lease_deadline, absl::InfinitePast());

  got->job.set_state(v1::JOB_STATE_RUNNING);
  got->lease_deadline = absl::FromUnixSeconds(2000);
  got->worker_id = "w1";
  ASSERT_TRUE(store_->UpdateJob(*got).ok());
  auto again = store_->GetJob("j-1");
  EXPECT_EQ(again->job.state(), v1::JOB_STATE_RUNNING);
  EXPECT_EQ(again->lease_deadline, absl::FromUnixSeconds(2000));
  EXPECT_EQ(again->worker_id, "w1");
  EXPECT_EQ(again->seq, created->record.seq);

  EXPECT_EQ(store_->GetJob("j-none").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->UpdateJob(Job("j-none", "a")).code(), absl::StatusCode::kNotFound);
}

TEST_F(SqliteJobStoreTest, IdempotencyKeyReturnsExistingOrRejectsDifferentRequest) {
  ASSERT_TRUE(store_->CreateJob(Job("j-1", "a", v1::JOB_STATE_QUEUED, "k1", "fpA"), {}).ok());
  auto same = store_->CreateJob(Job("j-2", "a", v1::JOB_STATE_QUEUED, "k1", "fpA"), {});
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->created);
  EXPECT_EQ(same->record.job.job_id(), "j-1");
  auto diff = store_->CreateJob(Job("j-3", "a", v1::JOB_STATE_QUEUED, "k1", "fpB"), {});
  EXPECT_EQ(diff.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(diff.status().message()), HasSubstr("j-1"));
  // Keys are per tenant.
  auto other = store_->CreateJob(Job("j-4", "b", v1::JOB_STATE_QUEUED, "k1", "fpB"), {});
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->created);
  EXPECT_EQ(store_->GetJob("j-2").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SqliteJobStoreTest, ActiveJobLimitCountsQueuedAndRunning) {
  CreateJobOptions opt;
  opt.max_active_jobs_per_tenant = 2;
  ASSERT_TRUE(store_->CreateJob(Job("j-1", "a", v1::JOB_STATE_QUEUED), opt).ok());
  ASSERT_TRUE(store_->CreateJob(Job("j-2", "a", v1::JOB_STATE_RUNNING), opt).ok());
  ASSERT_TRUE(store_->CreateJob(Job("j-3", "a", v1::JOB_STATE_SUCCEEDED), {}).ok());  // finished
  auto over = store_->CreateJob(Job("j-4", "a"), opt);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(over.status().message()), HasSubstr("max_concurrent_jobs=2"));
  EXPECT_TRUE(store_->CreateJob(Job("j-5", "b"), opt).ok());
}

TEST_F(SqliteJobStoreTest, ListFiltersAndPaginatesNewestFirst) {
  for (int i = 1; i <= 7; ++i) {
    JobRecord r = Job("j-" + std::to_string(i), i % 2 ? "a" : "b",
                      i <= 3 ? v1::JOB_STATE_SUCCEEDED : v1::JOB_STATE_QUEUED, "", "fp", 1000 + i);
    if (i == 5 || i == 7) (*r.job.mutable_spec()->mutable_labels())["ci"] = "yes";
    ASSERT_TRUE(store_->CreateJob(r, {}).ok());
  }
  auto ids = [](const std::vector<JobRecord>& rs) {
    std::vector<std::string> out;
    for (const auto& r : rs) out.push_back(r.job.job_id());
    return out;
  };
  JobFilter f;
  f.tenant = "a";
  EXPECT_THAT(ids(store_->ListJobs(f).value()), ::testing::ElementsAre("j-7", "j-5", "j-3", "j-1"));
  f.limit = 2;
  auto page1 = store_->ListJobs(f).value();
  EXPECT_THAT(ids(page1), ::testing::ElementsAre("j-7", "j-5"));
  f.before_seq = page1.back().seq;
  EXPECT_THAT(ids(store_->ListJobs(f).value()), ::testing::ElementsAre("j-3", "j-1"));

  JobFilter states;
  states.states = {v1::JOB_STATE_SUCCEEDED};
  EXPECT_THAT(ids(store_->ListJobs(states).value()), ::testing::ElementsAre("j-3", "j-2", "j-1"));
  JobFilter labels;
  labels.labels = {{"ci", "yes"}};
  EXPECT_THAT(ids(store_->ListJobs(labels).value()), ::testing::ElementsAre("j-7", "j-5"));
  JobFilter time;
  time.create_time_after = absl::FromUnixSeconds(1003);
  time.create_time_before = absl::FromUnixSeconds(1005);
  EXPECT_THAT(ids(store_->ListJobs(time).value()), ::testing::ElementsAre("j-4", "j-3"));

  auto active = store_->LoadActiveJobs().value();
  EXPECT_THAT(ids(active), ::testing::ElementsAre("j-4", "j-5", "j-6", "j-7"));
  int64_t a_succeeded = 0;
  const std::vector<JobCount> counts = store_->CountJobs().value();
  for (const JobCount& c : counts) {
    if (c.tenant == "a" && c.state == v1::JOB_STATE_SUCCEEDED) a_succeeded = c.count;
  }
  EXPECT_EQ(a_succeeded, 2);  // j-1, j-3
}

TEST_F(SqliteJobStoreTest, ModelsDatasetsAreScopedByTenantAndCountTowardsStorage) {
  v1::ModelRef m;
  m.set_model_id(std::string(64, 'a'));
  m.set_size_bytes(1000);
  m.set_name("m.tflite");
  ASSERT_TRUE(store_->PutModel("t1", m).ok());
  EXPECT_EQ(store_->GetModel("t1", m.model_id())->name(), "m.tflite");
  EXPECT_EQ(store_->GetModel("t2", m.model_id()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->GetModel("", m.model_id()).ok());  // admin: any tenant
  v1::DatasetRef d;
  d.set_dataset_id(std::string(64, 'b'));
  d.set_size_bytes(300);
  ASSERT_TRUE(store_->PutDataset("t1", d).ok());
  JobRecord j = Job("j-1", "t1", v1::JOB_STATE_SUCCEEDED);
  j.job.add_artifacts()->set_size_bytes(50);
  j.job.add_artifacts()->set_size_bytes(7);
  ASSERT_TRUE(store_->CreateJob(j, {}).ok());
  EXPECT_EQ(store_->TenantStorageBytes("t1").value(), 1000 + 300 + 57);
  EXPECT_EQ(store_->TenantStorageBytes("t2").value(), 0);
}

TEST_F(SqliteJobStoreTest, UploadSessionsPersist) {
  UploadSessionRecord u;
  u.tenant = "t";
  u.kind = UploadKind::kDataset;
  u.sha256 = std::string(64, 'c');
  u.size_bytes = 99;
  u.committed_offset = 40;
  u.name = "d.tar";
  u.upload_name = "abc";
  u.update_time = absl::FromUnixSeconds(500);
  ASSERT_TRUE(store_->PutUpload(u).ok());
  store_.reset();
  store_ = std::move(SqliteJobStore::Open(path_).value());
  auto got = store_->GetUpload("t", UploadKind::kDataset, u.sha256, 99).value();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->committed_offset, 40u);
  EXPECT_EQ(got->upload_name, "abc");
  EXPECT_FALSE(store_->GetUpload("t", UploadKind::kModel, u.sha256, 99).value().has_value());
  EXPECT_EQ(store_->ListStaleUploads(absl::FromUnixSeconds(501)).value().size(), 1u);
  EXPECT_EQ(store_->ListStaleUploads(absl::FromUnixSeconds(500)).value().size(), 0u);
  ASSERT_TRUE(store_->DeleteUpload("t", UploadKind::kDataset, u.sha256, 99).ok());
  EXPECT_FALSE(store_->GetUpload("t", UploadKind::kDataset, u.sha256, 99).value().has_value());
}

// A child process creates jobs and reports each acknowledged one through a pipe; the parent kills
// it with SIGKILL in the middle. Every acknowledged job must be in the database afterwards.
TEST_F(SqliteJobStoreTest, AcknowledgedWritesSurviveKill9) {
  store_.reset();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto store = SqliteJobStore::Open(path_);
    if (!store.ok()) _exit(2);
    for (int i = 0;; ++i) {
      if (!(*store)->CreateJob(Job("j-" + std::to_string(i), "a"), {}).ok()) _exit(3);
      JobRecord r = Job("j-" + std::to_string(i), "a", v1::JOB_STATE_RUNNING);
      if (!(*store)->UpdateJob(r).ok()) _exit(4);
      const int32_t acked = i;
      if (write(fds[1], &acked, sizeof(acked)) != sizeof(acked)) _exit(5);
    }
  }
  close(fds[1]);
  int32_t last = -1, v = 0;
  while (last < 20 && read(fds[0], &v, sizeof(v)) == sizeof(v)) last = v;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
  ASSERT_GE(last, 20);
  store_ = std::move(SqliteJobStore::Open(path_).value());
  for (int i = 0; i <= last; ++i) {
    auto r = store_->GetJob("j-" + std::to_string(i));
    ASSERT_TRUE(r.ok()) << "acknowledged job " << i << " lost: " << r.status();
    EXPECT_EQ(r->job.state(), v1::JOB_STATE_RUNNING) << i;
  }
}

}  // namespace
}  // namespace compressd::server
