// A bounded-memory histogram of float values streamed in batches, for the calibration observers.
//
// Bins are equal-width: bin i covers [lo + i*w, lo + (i+1)*w). The range starts as the first
// batch's [min, max] (widened by a relative 1e-6 so that the maximum lies inside the last bin) and
// grows when later values fall outside it: the new range extends the old one by a whole number of
// old bins and its width is a power-of-two multiple of the old width, so every old bin lies inside
// exactly one new bin and re-binning only adds counts together — counts stay exact integers, no
// interpolation. Memory is num_bins counters whatever the number of values.
//
// With anchored_at_zero the range always starts at 0 (for histograms of |x|); values must then be
// >= 0 (negative ones count in bin 0).
//
// Non-finite values are not binned; they are counted in skipped(). Not thread-safe.
#ifndef COMPRESSD_CORE_QUANT_HISTOGRAM_H_
#define COMPRESSD_CORE_QUANT_HISTOGRAM_H_

#include <cstdint>
#include <span>
#include <vector>

namespace compressd::quant {

class Histogram {
 public:
  // num_bins >= 1 (callers validate user input; smaller values are raised to 1).
  explicit Histogram(int num_bins = 2048, bool anchored_at_zero = false);

  void Add(std::span<const float> values);

  int num_bins() const { return static_cast<int>(counts_.size()); }
  bool empty() const { return total_ == 0; }
  uint64_t total() const { return total_; }
  uint64_t skipped() const { return skipped_; }
  std::span<const uint64_t> counts() const { return counts_; }
  double lo() const { return lo_; }
  double bin_width() const { return width_; }
  double hi() const { return lo_ + width_ * static_cast<double>(counts_.size()); }
  double BinLower(int i) const { return lo_ + width_ * i; }
  double BinCenter(int i) const { return lo_ + width_ * (i + 0.5); }
  // Exact extremes of the binned values (0 when empty).
  float min() const { return min_; }
  float max() const { return max_; }

  // The value below which `fraction` (in [0, 1]) of the binned values lie, interpolating linearly
  // inside a bin and clamped to [min(), max()]. 0 when empty.
  double Quantile(double fraction) const;

 private:
  void Init(double data_min, double data_max);
  void Grow(double data_min, double data_max);

  std::vector<uint64_t> counts_;
  bool anchored_;
  double lo_ = 0.0;
  double width_ = 0.0;
  uint64_t total_ = 0;
  uint64_t skipped_ = 0;
  float min_ = 0.0f;
  float max_ = 0.0f;
};

}  // namespace compressd::quant

#endif  // COMPRESSD_CORE_QUANT_HISTOGRAM_H_
