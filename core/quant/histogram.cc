#include "core/quant/histogram.h"

#include <algorithm>
#include <cmath>

namespace compressd::quant {

Histogram::Histogram(int num_bins, bool anchored_at_zero)
    : counts_(static_cast<size_t>(std::max(num_bins, 1)), 0), anchored_(anchored_at_zero) {}

void Histogram::Init(double data_min, double data_max) {
  if (anchored_) {
    data_min = 0.0;
    data_max = std::max(data_max, 0.0);
  }
  double span = data_max - data_min;
  lo_ = data_min;
  if (!(span > 0.0)) {
    // A single value so far: give it a small range around itself (it is widened on demand).
    const double magnitude = std::max(std::fabs(data_min), std::fabs(data_max));
    span = magnitude > 0.0 ? magnitude * 1e-3 : 1e-20;
    if (!anchored_) lo_ = data_min - span / 2;
  }
  // Slightly wider than the data so that the maximum falls strictly inside the last bin: every
  // value is then binned by the same floor rule, before and after the range grows.
  width_ = span * (1.0 + 1e-6) / static_cast<double>(counts_.size());
}

void Histogram::Grow(double data_min, double data_max) {
  double new_lo = lo_;
  if (!anchored_ && data_min < lo_) {
    const double m = std::ceil((lo_ - data_min) / width_);
    new_lo = lo_ - m * width_;
    if (new_lo > data_min) new_lo -= width_;  // rounding in m * width_
  }
  const double target_hi = std::max(data_max, hi());
  const double bins = static_cast<double>(counts_.size());
  double k = 1.0;
  while (new_lo + width_ * k * bins <= target_hi) k *= 2.0;
  const double new_width = width_ * k;
  std::vector<uint64_t> grown(counts_.size(), 0);
  const int64_t last = static_cast<int64_t>(counts_.size()) - 1;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    // Old bins are aligned with the new ones, so the old bin's centre identifies its new bin.
    const double center = BinCenter(static_cast<int>(i));
    const int64_t j = std::clamp(static_cast<int64_t>(std::floor((center - new_lo) / new_width)),
                                 int64_t{0}, last);
    grown[static_cast<size_t>(j)] += counts_[i];
  }
  counts_ = std::move(grown);
  lo_ = new_lo;
  width_ = new_width;
}

void Histogram::Add(std::span<const float> values) {
  bool any = false;
  float batch_min = 0.0f;
  float batch_max = 0.0f;
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    if (!any) {
      batch_min = batch_max = v;
      any = true;
    } else {
      batch_min = std::min(batch_min, v);
      batch_max = std::max(batch_max, v);
    }
  }
  if (!any) {
    skipped_ += values.size();
    return;
  }
  if (total_ == 0) {
    Init(batch_min, batch_max);
    min_ = batch_min;
    max_ = batch_max;
  } else {
    if ((!anchored_ && batch_min < lo_) || batch_max >= hi()) Grow(batch_min, batch_max);
    min_ = std::min(min_, batch_min);
    max_ = std::max(max_, batch_max);
  }
  const int64_t last = static_cast<int64_t>(counts_.size()) - 1;
  for (float v : values) {
    if (!std::isfinite(v)) {
      ++skipped_;
      continue;
    }
    const double pos = std::floor((static_cast<double>(v) - lo_) / width_);
    const int64_t i = pos <= 0.0 ? 0 : std::min(static_cast<int64_t>(std::min(pos, 9e18)), last);
    ++counts_[static_cast<size_t>(i)];
    ++total_;
  }
}

double Histogram::Quantile(double fraction) const {
  if (total_ == 0) return 0.0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  const double target = fraction * static_cast<double>(total_);
  if (target <= 0.0) return min_;
  double cumulative = 0.0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    const double c = static_cast<double>(counts_[i]);
    if (c == 0.0) continue;
    if (cumulative + c >= target) {
      const double pos = BinLower(static_cast<int>(i)) + width_ * (target - cumulative) / c;
      return std::clamp(pos, static_cast<double>(min_), static_cast<double>(max_));
    }
    cumulative += c;
  }
  return max_;
}

}  // namespace compressd::quant
