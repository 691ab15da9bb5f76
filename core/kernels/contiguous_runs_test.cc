#include "core/kernels/contiguous_runs.h"

#include <vector>

#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

struct Call {
  int64_t a, b, out, n;
  bool operator==(const Call&) const = default;
};

std::vector<Call> Runs(const Shape& a_shape, const Shape& b_shape, const Shape& out_shape,
                       bool* handled) {
  static const int kBase[3] = {0, 0, 0};
  const int* a = kBase;
  const int* b = kBase + 1;
  int out_storage[1];
  int* out = out_storage;
  std::vector<Call> calls;
  *handled = ForEachContiguousRun(a_shape, a, b_shape, b, out_shape, out,
                                  [&](const int* x, const int* y, int* o, int64_t n) {
                                    calls.push_back({x - a, y - b, o - out, n});
                                  });
  return calls;
}

TEST(ContiguousRunsTest, EqualShapesAreOneRun) {
  bool handled = false;
  const auto calls = Runs(Shape{2, 3, 4}, Shape{2, 3, 4}, Shape{2, 3, 4}, &handled);
  EXPECT_TRUE(handled);
  EXPECT_EQ(calls, (std::vector<Call>{{0, 0, 0, 24}}));
}

TEST(ContiguousRunsTest, ARowOperandIsReusedForEveryOutputRow) {
  bool handled = false;
  auto calls = Runs(Shape{1, 2, 2, 3}, Shape{1, 1, 1, 3}, Shape{1, 2, 2, 3}, &handled);
  EXPECT_TRUE(handled);
  EXPECT_EQ(calls, (std::vector<Call>{{0, 0, 0, 3}, {3, 0, 3, 3}, {6, 0, 6, 3}, {9, 0, 9, 3}}));
  calls = Runs(Shape{3}, Shape{2, 3}, Shape{2, 3}, &handled);
  EXPECT_TRUE(handled);
  EXPECT_EQ(calls, (std::vector<Call>{{0, 0, 0, 3}, {0, 3, 3, 3}}));
}

TEST(ContiguousRunsTest, OtherBroadcastsAreLeftToTheCaller) {
  bool handled = true;
  EXPECT_TRUE(Runs(Shape{2, 1}, Shape{1, 3}, Shape{2, 3}, &handled).empty());
  EXPECT_FALSE(handled);
  EXPECT_TRUE(Runs(Shape{2, 3}, Shape{2, 1}, Shape{2, 3}, &handled).empty());  // column
  EXPECT_FALSE(handled);
  EXPECT_TRUE(Runs(Shape{1}, Shape{2, 3}, Shape{2, 3}, &handled).empty());  // scalar
  EXPECT_FALSE(handled);
}

}  // namespace
}  // namespace compressd::kernels
