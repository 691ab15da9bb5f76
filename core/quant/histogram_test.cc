#include "core/quant/histogram.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace compressd::quant {
namespace {

TEST(HistogramTest, FirstBatchSetsTheRange) {
  Histogram h(4);
  const std::vector<float> v = {0.0f, 1.0f, 2.0f, 3.0f};
  h.Add(v);
  EXPECT_EQ(h.lo(), 0.0);
  EXPECT_NEAR(h.bin_width(), 0.75, 1e-5);
  // 0 -> bin 0, 1 -> 1 (1.33), 2 -> 2 (2.67), 3 -> 3 (3.99999).
  EXPECT_EQ(std::vector<uint64_t>(h.counts().begin(), h.counts().end()),
            (std::vector<uint64_t>{1, 1, 1, 1}));
  EXPECT_EQ(h.total(), 4u);
  EXPECT_EQ(h.min(), 0.0f);
  EXPECT_EQ(h.max(), 3.0f);
}

TEST(HistogramTest, NonFiniteValuesAreSkipped) {
  Histogram h(8);
  const std::vector<float> v = {1.0f, NAN, INFINITY, 2.0f, -INFINITY};
  h.Add(v);
  EXPECT_EQ(h.total(), 2u);
  EXPECT_EQ(h.skipped(), 3u);
  const std::vector<float> all_nan = {NAN};
  h.Add(all_nan);
  EXPECT_EQ(h.skipped(), 4u);
  EXPECT_EQ(h.max(), 2.0f);
}

// Recounts `values` into the histogram's final bins, independently of its growth history.
std::vector<uint64_t> NaiveCounts(const Histogram& h, const std::vector<float>& values) {
  std::vector<uint64_t> counts(static_cast<size_t>(h.num_bins()), 0);
  for (float v : values) {
    int64_t i = static_cast<int64_t>(std::floor((v - h.lo()) / h.bin_width()));
    i = std::clamp<int64_t>(i, 0, h.num_bins() - 1);
    ++counts[static_cast<size_t>(i)];
  }
  return counts;
}

TEST(HistogramTest, GrowingKeepsCountsExact) {
  std::mt19937 rng(2);
  Histogram h(64);
  std::vector<float> all;
  // Batches whose ranges widen on both sides, by irregular factors.
  const float spans[] = {0.3f, 0.5f, 2.0f, 1.0f, 7.5f, 40.0f, 3.0f, 1000.0f};
  const float centers[] = {0.1f, -0.2f, 0.7f, -1.5f, 3.0f, -20.0f, 0.0f, 300.0f};
  for (int b = 0; b < 8; ++b) {
    std::uniform_real_distribution<float> u(centers[b] - spans[b], centers[b] + spans[b]);
    std::vector<float> batch(997);
    for (float& v : batch) v = u(rng);
    h.Add(batch);
    all.insert(all.end(), batch.begin(), batch.end());
    ASSERT_EQ(h.num_bins(), 64);  // memory stays bounded
    ASSERT_LE(h.lo(), *std::min_element(all.begin(), all.end()));
    ASSERT_GE(h.hi(), *std::max_element(all.begin(), all.end()));
    EXPECT_EQ(std::vector<uint64_t>(h.counts().begin(), h.counts().end()), NaiveCounts(h, all))
        << "after batch " << b;
  }
  EXPECT_EQ(h.total(), all.size());
  EXPECT_EQ(h.min(), *std::min_element(all.begin(), all.end()));
  EXPECT_EQ(h.max(), *std::max_element(all.begin(), all.end()));
}

TEST(HistogramTest, SingleValueThenWiderData) {
  Histogram h(16);
  const std::vector<float> zeros(10, 0.0f);
  h.Add(zeros);
  EXPECT_GT(h.bin_width(), 0.0);
  const std::vector<float> wide = {-5.0f, 5.0f};
  h.Add(wide);
  EXPECT_LE(h.lo(), -5.0);
  EXPECT_GE(h.hi(), 5.0);
  std::vector<float> all = zeros;
  all.insert(all.end(), wide.begin(), wide.end());
  EXPECT_EQ(std::vector<uint64_t>(h.counts().begin(), h.counts().end()), NaiveCounts(h, all));
}

TEST(HistogramTest, AnchoredHistogramStartsAtZero) {
  Histogram h(32, /*anchored_at_zero=*/true);
  const std::vector<float> a = {3.0f, 4.0f};
  h.Add(a);
  EXPECT_EQ(h.lo(), 0.0);
  const std::vector<float> b = {100.0f};
  h.Add(b);
  EXPECT_EQ(h.lo(), 0.0);
  EXPECT_GE(h.hi(), 100.0);
  std::vector<float> all = {3.0f, 4.0f, 100.0f};
  EXPECT_EQ(std::vector<uint64_t>(h.counts().begin(), h.counts().end()), NaiveCounts(h, all));
}

TEST(HistogramTest, QuantilesOfAUniformRamp) {
  Histogram h(2048);
  std::vector<float> v(10000);
  for (int i = 0; i < 10000; ++i) v[i] = static_cast<float>(i);
  h.Add(v);
  EXPECT_EQ(h.Quantile(0.0), 0.0);
  EXPECT_EQ(h.Quantile(1.0), 9999.0);
  // Naive order statistics; the histogram interpolates inside ~5-wide bins.
  for (double f : {0.01, 0.25, 0.5, 0.9, 0.999}) {
    EXPECT_NEAR(h.Quantile(f), f * 10000.0, h.bin_width() + 1.0) << f;
  }
  Histogram empty;
  EXPECT_EQ(empty.Quantile(0.5), 0.0);
}

}  // namespace
}  // namespace compressd::quant
