#include "core/quant/observers.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace compressd::quant {
namespace {

Range RangeOf(const RangeObserver& o) {
  auto r = o.GetRange();
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : Range{};
}

// 2M N(0, 1) values in 20 samples, plus one outlier at +50 and one at -50. The outliers are rare
// enough (1e-6 of the mass) that clipping them minimizes the squared error: at a threshold T the
// 8-bit rounding noise is (2T/255)^2/12 and the clipping cost 1e-6 (50 - T)^2, optimal near T = 8.
std::vector<std::vector<float>> GaussianWithOutliers() {
  std::mt19937 rng(42);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<std::vector<float>> samples(20, std::vector<float>(100000));
  for (auto& s : samples) {
    for (float& v : s) v = g(rng);
  }
  samples[0][7] = 50.0f;
  samples[1][7] = -50.0f;
  return samples;
}

std::vector<std::vector<float>> Uniform(float lo, float hi) {
  std::mt19937 rng(17);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<std::vector<float>> samples(10, std::vector<float>(10000));
  for (auto& s : samples) {
    for (float& v : s) v = u(rng);
  }
  return samples;
}

void Feed(RangeObserver& o, const std::vector<std::vector<float>>& samples) {
  for (const auto& s : samples) o.Observe(s);
}

// Mean squared error of fake-quantizing `samples` to [lo, hi] with 2^bits levels, asymmetric
// with an integer zero point (computed naively, independently of the observers).
double FakeQuantMse(const std::vector<std::vector<float>>& samples, double lo, double hi,
                    int bits) {
  const double levels = std::ldexp(1.0, bits) - 1.0;
  const double scale = (hi - lo) / levels;
  const double zp = std::round(-lo / scale);
  double sum = 0.0;
  size_t n = 0;
  for (const auto& s : samples) {
    for (float v : s) {
      const double q = std::clamp(std::round(v / scale) + zp, 0.0, levels);
      const double d = (q - zp) * scale - v;
      sum += d * d;
      ++n;
    }
  }
  return sum / static_cast<double>(n);
}

TEST(MinMaxObserverTest, TracksExtremesAndSkipsNonFinite) {
  MinMaxObserver o;
  EXPECT_EQ(o.GetRange().status().code(), absl::StatusCode::kFailedPrecondition);
  o.Observe(std::vector<float>{1.0f, 2.0f, 3.0f});
  o.Observe(std::vector<float>{-1.0f, NAN, 0.5f, INFINITY});
  const Range r = RangeOf(o);
  EXPECT_EQ(r.min, -1.0f);
  EXPECT_EQ(r.max, 3.0f);
  EXPECT_EQ(o.observed_values(), 5u);
  EXPECT_EQ(o.skipped_values(), 2u);
  MinMaxObserver only_nan;
  only_nan.Observe(std::vector<float>{NAN});
  auto s = only_nan.GetRange();
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(s.status().message()).find("1 non-finite"), std::string::npos);
}

TEST(EmaMinMaxObserverTest, HandComputedAverages) {
  EmaMinMaxObserver o(0.99);
  o.Observe(std::vector<float>{0.0f, 10.0f});
  o.Observe(std::vector<float>{-10.0f, 20.0f});
  // min = 0 + 0.01 * (-10 - 0) = -0.1; max = 10 + 0.01 * (20 - 10) = 10.1.
  Range r = RangeOf(o);
  EXPECT_FLOAT_EQ(r.min, -0.1f);
  EXPECT_FLOAT_EQ(r.max, 10.1f);
  o.Observe(std::vector<float>{-10.0f, 20.0f});
  r = RangeOf(o);
  EXPECT_FLOAT_EQ(r.min, -0.1f + 0.01f * (-10.0f + 0.1f));
  EXPECT_FLOAT_EQ(r.max, 10.1f + 0.01f * (20.0f - 10.1f));
  EmaMinMaxObserver last(0.0);  // decay 0: the last sample only
  last.Observe(std::vector<float>{-5.0f, 5.0f});
  last.Observe(std::vector<float>{-1.0f, 2.0f});
  r = RangeOf(last);
  EXPECT_EQ(r.min, -1.0f);
  EXPECT_EQ(r.max, 2.0f);
}

TEST(PercentileObserverTest, MatchesSortedOrderStatistics) {
  const auto samples = GaussianWithOutliers();
  std::vector<float> all;
  for (const auto& s : samples) all.insert(all.end(), s.begin(), s.end());
  std::sort(all.begin(), all.end());
  PercentileObserver o(99.0);
  Feed(o, samples);
  const Range r = RangeOf(o);
  const float want_lo = all[static_cast<size_t>(0.01 * all.size())];
  const float want_hi = all[static_cast<size_t>(0.99 * all.size())];
  const double bin = 100.0 / 2048.0;  // the histogram spans about [-50, 50]
  EXPECT_NEAR(r.min, want_lo, 2 * bin);
  EXPECT_NEAR(r.max, want_hi, 2 * bin);
  PercentileObserver full(100.0);
  Feed(full, samples);
  EXPECT_EQ(RangeOf(full).min, -50.0f);
  EXPECT_EQ(RangeOf(full).max, 50.0f);
}

TEST(PercentileObserverTest, OneSidedDataKeepsItsLowerEnd) {
  std::vector<float> relu(10000);
  for (size_t i = 0; i < relu.size(); ++i) relu[i] = i % 3 == 0 ? 0.0f : 0.001f * i;
  PercentileObserver o(99.9);
  o.Observe(relu);
  const Range r = RangeOf(o);
  // The lower tail lies in the first bin, whose lower edge is the minimum (0).
  EXPECT_GE(r.min, 0.0f);
  EXPECT_LT(r.min, 10.0f / 2048.0f);
  EXPECT_LT(r.max, 10.0f);
  EXPECT_GT(r.max, 9.9f);
}

TEST(ObserversTest, ClippingObserversClipOutliersMinMaxDoesNot) {
  const auto samples = GaussianWithOutliers();
  MinMaxObserver minmax;
  EmaMinMaxObserver ema;
  PercentileObserver percentile(99.99);
  MseObserver mse;
  KlObserver kl;
  for (RangeObserver* o : std::vector<RangeObserver*>{&minmax, &ema, &percentile, &mse, &kl}) {
    Feed(*o, samples);
  }
  const Range mm = RangeOf(minmax);
  EXPECT_EQ(mm.min, -50.0f);
  EXPECT_EQ(mm.max, 50.0f);
  for (RangeObserver* o : std::vector<RangeObserver*>{&percentile, &mse, &kl}) {
    const Range r = RangeOf(*o);
    SCOPED_TRACE(o->name());
    // The bulk of N(0,1) is kept, the ±50 outliers are clipped.
    EXPECT_GT(r.max, 2.0f);
    EXPECT_LT(r.max, 12.0f);
    EXPECT_LT(r.min, -2.0f);
    EXPECT_GT(r.min, -12.0f);
  }
  // MSE's choice has a lower real quantization error than the min/max range.
  const Range m = RangeOf(mse);
  EXPECT_LT(FakeQuantMse(samples, m.min, m.max, 8), 0.5 * FakeQuantMse(samples, -50, 50, 8));
}

TEST(ObserversTest, UniformDataIsNotClippedMuch) {
  const auto samples = Uniform(-1.0f, 1.0f);
  PercentileObserver percentile(99.99);
  MseObserver mse;
  KlObserver kl;
  for (RangeObserver* o : std::vector<RangeObserver*>{&percentile, &mse, &kl}) {
    Feed(*o, samples);
    const Range r = RangeOf(*o);
    SCOPED_TRACE(o->name());
    EXPECT_GT(r.max, 0.9f);
    EXPECT_LE(r.max, 1.0f);
    EXPECT_LT(r.min, -0.9f);
    EXPECT_GE(r.min, -1.0f);
  }
}

TEST(MseObserverTest, ExpectedErrorTracksRealQuantizationError) {
  const auto samples = GaussianWithOutliers();
  MseObserver o(8);
  Feed(o, samples);
  for (double t : {2.0, 4.0, 8.0, 50.0}) {
    const double predicted = o.ExpectedError(-t, t);
    const double real = FakeQuantMse(samples, -t, t, 8);
    EXPECT_NEAR(predicted, real, 0.25 * real) << "threshold " << t;
  }
  // Fewer bits: a larger optimal threshold fraction is not required, but the error must grow.
  MseObserver four(4);
  Feed(four, samples);
  EXPECT_GT(four.ExpectedError(-4, 4), o.ExpectedError(-4, 4));
}

TEST(KlObserverTest, BestBinCountHandCases) {
  // All mass in the first 10 bins: at i = 128 every bin maps to itself (P == Q), KL = 0.
  std::vector<uint64_t> front(2048, 0);
  for (int i = 0; i < 10; ++i) front[static_cast<size_t>(i)] = 100 + i;
  EXPECT_EQ(KlBestBinCount(front, 128), 128);
  // A flat histogram: only the full range has no clipped outliers, and there Q == P.
  std::vector<uint64_t> flat(2048, 5);
  EXPECT_EQ(KlBestBinCount(flat, 128), 2048);
  // Fewer bins than quantized bins: nothing to search.
  std::vector<uint64_t> tiny(100, 1);
  EXPECT_EQ(KlBestBinCount(tiny, 128), 100);
}

TEST(KlObserverTest, OneSidedDataUsesTheZeroToThresholdRange) {
  std::mt19937 rng(8);
  std::exponential_distribution<float> e(1.0f);
  std::vector<float> v(50000);
  for (float& x : v) x = e(rng);
  v[3] = 100.0f;
  KlObserver o;
  o.Observe(v);
  const Range r = RangeOf(o);
  EXPECT_EQ(r.min, *std::min_element(v.begin(), v.end()));
  EXPECT_GT(r.max, 3.0f);
  EXPECT_LT(r.max, 30.0f);
}

}  // namespace
}  // namespace compressd::quant
