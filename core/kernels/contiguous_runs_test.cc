#include "core/kernels/contiguous_runs.h"

#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

void ExpectLayout(const std::optional<RunLayout>& got, RunLayout want) {
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->rows, want.rows);
  EXPECT_EQ(got->length, want.length);
  EXPECT_EQ(got->a_step, want.a_step);
  EXPECT_EQ(got->b_step, want.b_step);
}

TEST(ContiguousRunsTest, EqualShapesAreOneRun) {
  ExpectLayout(ContiguousRuns(Shape{2, 3, 4}, Shape{2, 3, 4}, Shape{2, 3, 4}), {1, 24, 24, 24});
}

TEST(ContiguousRunsTest, ARowOperandIsReusedForEveryOutputRow) {
  ExpectLayout(ContiguousRuns(Shape{1, 2, 2, 3}, Shape{1, 1, 1, 3}, Shape{1, 2, 2, 3}),
               {4, 3, 3, 0});
  ExpectLayout(ContiguousRuns(Shape{3}, Shape{2, 3}, Shape{2, 3}), {2, 3, 0, 3});
}

TEST(ContiguousRunsTest, OtherBroadcastsAreLeftToTheCaller) {
  EXPECT_FALSE(ContiguousRuns(Shape{2, 1}, Shape{1, 3}, Shape{2, 3}).has_value());
  EXPECT_FALSE(ContiguousRuns(Shape{2, 3}, Shape{2, 1}, Shape{2, 3}).has_value());  // column
  EXPECT_FALSE(ContiguousRuns(Shape{1}, Shape{2, 3}, Shape{2, 3}).has_value());     // scalar
}

}  // namespace
}  // namespace compressd::kernels
