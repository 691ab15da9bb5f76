#include "core/quant/observers.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace compressd::quant {
namespace {

// Batch extremes of finite values (the caller guarantees a non-empty span of finite values).
Range BatchRange(std::span<const float> values) {
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return Range{*lo, *hi};
}

// MXNet's _smooth_distribution on counts: empty entries get eps, the others give up eps1 so that
// the total is unchanged. When that would empty a small entry, only the zeros are lifted.
void Smooth(std::vector<double>& h) {
  constexpr double kEps = 1e-4;
  size_t zeros = 0;
  double smallest = std::numeric_limits<double>::infinity();
  for (double v : h) {
    if (v == 0.0) {
      ++zeros;
    } else {
      smallest = std::min(smallest, v);
    }
  }
  const size_t nonzeros = h.size() - zeros;
  if (zeros == 0 || nonzeros == 0) return;
  double eps1 = kEps * static_cast<double>(zeros) / static_cast<double>(nonzeros);
  if (eps1 >= smallest) eps1 = 0.0;
  for (double& v : h) v = v == 0.0 ? kEps : v - eps1;
}

// KL(P‖Q) of two positive (unnormalized) distributions of equal length.
double KlDivergence(const std::vector<double>& p, const std::vector<double>& q) {
  double sp = 0.0;
  double sq = 0.0;
  for (size_t k = 0; k < p.size(); ++k) {
    sp += p[k];
    sq += q[k];
  }
  if (!(sp > 0.0) || !(sq > 0.0)) return std::numeric_limits<double>::infinity();
  double kl = 0.0;
  for (size_t k = 0; k < p.size(); ++k) {
    if (p[k] <= 0.0) continue;
    const double pk = p[k] / sp;
    const double qk = q[k] / sq;
    if (!(qk > 0.0)) return std::numeric_limits<double>::infinity();
    kl += pk * std::log(pk / qk);
  }
  return kl;
}

}  // namespace

void RangeObserver::Observe(std::span<const float> values) {
  size_t finite = 0;
  for (float v : values) finite += std::isfinite(v) ? 1 : 0;
  skipped_ += values.size() - finite;
  observed_ += finite;
  if (finite == 0) return;
  if (finite == values.size()) {
    ObserveFinite(values);
    return;
  }
  scratch_.clear();
  for (float v : values) {
    if (std::isfinite(v)) scratch_.push_back(v);
  }
  ObserveFinite(scratch_);
}

absl::StatusOr<Range> RangeObserver::GetRange() const {
  if (observed_ == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        name(), " observer has seen no finite value (", skipped_, " non-finite values skipped)"));
  }
  return ComputeRange();
}

void MinMaxObserver::ObserveFinite(std::span<const float> values) {
  const Range batch = BatchRange(values);
  if (!seen_) {
    range_ = batch;
    seen_ = true;
    return;
  }
  range_.min = std::min(range_.min, batch.min);
  range_.max = std::max(range_.max, batch.max);
}

void EmaMinMaxObserver::ObserveFinite(std::span<const float> values) {
  const Range batch = BatchRange(values);
  if (!seen_) {
    min_ = batch.min;
    max_ = batch.max;
    seen_ = true;
    return;
  }
  min_ += (1.0 - decay_) * (static_cast<double>(batch.min) - min_);
  max_ += (1.0 - decay_) * (static_cast<double>(batch.max) - max_);
}

Range EmaMinMaxObserver::ComputeRange() const {
  return Range{static_cast<float>(min_), static_cast<float>(max_)};
}

Range PercentileObserver::ComputeRange() const {
  const double p = std::clamp(percentile_, 0.0, 100.0) / 100.0;
  float lo = static_cast<float>(histogram_.Quantile(1.0 - p));
  float hi = static_cast<float>(histogram_.Quantile(p));
  if (p >= 1.0) {
    lo = histogram_.min();
    hi = histogram_.max();
  }
  return Range{std::min(lo, hi), std::max(lo, hi)};
}

double MseObserver::ExpectedError(double lo, double hi) const {
  if (histogram_.empty()) return 0.0;
  const double levels = std::ldexp(1.0, bits_) - 1.0;
  const double scale = (hi - lo) / levels;
  const double rounding_noise = scale * scale / 12.0;
  const auto counts = histogram_.counts();
  double error = 0.0;
  for (int i = 0; i < histogram_.num_bins(); ++i) {
    const uint64_t c = counts[static_cast<size_t>(i)];
    if (c == 0) continue;
    const double x = histogram_.BinCenter(i);
    double e = rounding_noise;
    if (x < lo) {
      e = (lo - x) * (lo - x);
    } else if (x > hi) {
      e = (x - hi) * (x - hi);
    }
    error += static_cast<double>(c) * e;
  }
  return error / static_cast<double>(histogram_.total());
}

Range MseObserver::ComputeRange() const {
  const double lo = std::min(static_cast<double>(histogram_.min()), 0.0);
  const double hi = std::max(static_cast<double>(histogram_.max()), 0.0);
  if (lo == hi) return Range{0.0f, 0.0f};
  constexpr int kCandidates = 512;
  double best_alpha = 1.0;
  double best_error = ExpectedError(lo, hi);
  for (int k = kCandidates - 1; k >= 1; --k) {
    const double alpha = static_cast<double>(k) / kCandidates;
    const double e = ExpectedError(alpha * lo, alpha * hi);
    if (e < best_error) {
      best_error = e;
      best_alpha = alpha;
    }
  }
  return Range{static_cast<float>(best_alpha * lo), static_cast<float>(best_alpha * hi)};
}

void KlObserver::ObserveFinite(std::span<const float> values) {
  const Range batch = BatchRange(values);
  if (!seen_) {
    min_ = batch.min;
    max_ = batch.max;
    seen_ = true;
  } else {
    min_ = std::min(min_, batch.min);
    max_ = std::max(max_, batch.max);
  }
  abs_.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) abs_[i] = std::fabs(values[i]);
  magnitudes_.Add(abs_);
}

Range KlObserver::ComputeRange() const {
  const bool one_sided = min_ >= 0.0f;
  int quantized_bins = one_sided ? (1 << bits_) - 1 : 1 << (bits_ - 1);
  quantized_bins = std::min(quantized_bins, magnitudes_.num_bins());
  const int i = KlBestBinCount(magnitudes_.counts(), quantized_bins);
  const float threshold =
      static_cast<float>(magnitudes_.lo() + magnitudes_.bin_width() * static_cast<double>(i));
  if (one_sided) return Range{min_, std::max(std::min(max_, threshold), min_)};
  return Range{std::max(min_, -threshold), std::min(max_, threshold)};
}

int KlBestBinCount(std::span<const uint64_t> counts, int num_quantized_bins) {
  const int n = static_cast<int>(counts.size());
  if (num_quantized_bins < 1 || n <= num_quantized_bins) return n;
  std::vector<double> suffix(static_cast<size_t>(n) + 1, 0.0);  // suffix[i] = sum counts[i..n)
  for (int k = n - 1; k >= 0; --k) {
    suffix[static_cast<size_t>(k)] =
        suffix[static_cast<size_t>(k) + 1] + static_cast<double>(counts[static_cast<size_t>(k)]);
  }
  double best = std::numeric_limits<double>::infinity();
  int best_i = n;
  std::vector<double> p;
  std::vector<double> q;
  for (int i = num_quantized_bins; i <= n; ++i) {
    p.assign(counts.begin(), counts.begin() + i);
    p[static_cast<size_t>(i) - 1] += suffix[static_cast<size_t>(i)];  // outliers
    q.assign(static_cast<size_t>(i), 0.0);
    const int merged = i / num_quantized_bins;
    for (int j = 0; j < num_quantized_bins; ++j) {
      const int start = j * merged;
      const int stop = j == num_quantized_bins - 1 ? i : start + merged;
      double sum = 0.0;
      int nonzero = 0;
      for (int k = start; k < stop; ++k) {
        sum += static_cast<double>(counts[static_cast<size_t>(k)]);
        nonzero += p[static_cast<size_t>(k)] != 0.0 ? 1 : 0;
      }
      if (nonzero == 0) continue;
      for (int k = start; k < stop; ++k) {
        if (p[static_cast<size_t>(k)] != 0.0) q[static_cast<size_t>(k)] = sum / nonzero;
      }
    }
    Smooth(p);
    Smooth(q);
    const double kl = KlDivergence(p, q);
    if (kl < best) {
      best = kl;
      best_i = i;
    }
  }
  return best_i;
}

}  // namespace compressd::quant
