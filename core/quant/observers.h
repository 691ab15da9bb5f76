// Range observers for calibration: each one watches the values a float tensor takes over the
// calibration samples (Observe is called once per sample, or per batch) and proposes the [min, max]
// range its int8/int16 quantization should cover. The caller then derives scale and zero point with
// quant_params.h (which also widens the range to include 0).
//
//   MinMaxObserver      exact running min and max (TFLite's calibrator and converter default).
//   EmaMinMaxObserver   exponential moving average of each sample's min and max, decay 0.99 by
//                       default: min ← min + (1 - decay)(sample_min - min), the first sample
//                       initializing it (PyTorch's MovingAverageMinMaxObserver, averaging constant
//                       0.01; TF's QAT MovingAverageQuantizer uses 0.999, which suits thousands of
//                       training steps rather than a calibration set of ~100 samples).
//   PercentileObserver  the two tails are clipped separately: min = the (100 - p)-th percentile and
//                       max = the p-th percentile of the signed values (p = 99.99 by default), so a
//                       one-sided distribution (ReLU outputs) keeps its lower end (to within a
//                       histogram bin; the range is widened to include 0 afterwards anyway).
//   MseObserver         searches clip ranges [a·lo, a·hi] (lo = min(min, 0), hi = max(max, 0),
//                       a = k/512, k = 1..512) for the one minimizing the expected squared
//                       quantization error on the histogram at the given bit width: values inside
//                       contribute the uniform rounding noise scale²/12, clipped values their
//                       squared distance to the range. Ties go to the wider range.
//   KlObserver          TensorRT's entropy calibration: on a histogram of |x| (2048 bins), for each
//                       candidate threshold T = i·bin_width (i = N..2048) the clipped reference
//                       distribution P (outliers folded into its last bin) is compared with its
//                       quantization Q onto N bins (expanded back over P's non-empty bins), and
//                       the T minimizing KL(P‖Q) (with MXNet's 1e-4 smoothing) wins. N = 128 levels
//                       of magnitude for two-sided data (range [-T, T] ∩ [min, max]), 255 for
//                       one-sided non-negative data (range [0, T]).
//
// The histogram-based observers use Histogram (2048 bins by default): memory stays bounded by the
// number of bins however many samples are observed. Non-finite values are skipped and counted.
// Observers are not thread-safe; use one per tensor.
#ifndef COMPRESSD_CORE_QUANT_OBSERVERS_H_
#define COMPRESSD_CORE_QUANT_OBSERVERS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "core/quant/histogram.h"

namespace compressd::quant {

struct Range {
  float min = 0.0f;
  float max = 0.0f;
};

class RangeObserver {
 public:
  virtual ~RangeObserver() = default;

  // Records one sample's values of the tensor (any layout, any length).
  void Observe(std::span<const float> values);

  // FAILED_PRECONDITION when no finite value has been observed yet.
  absl::StatusOr<Range> GetRange() const;

  virtual const char* name() const = 0;
  uint64_t observed_values() const { return observed_; }
  uint64_t skipped_values() const { return skipped_; }  // NaN / ±inf

 protected:
  // Called with finite values only, never empty.
  virtual void ObserveFinite(std::span<const float> values) = 0;
  // Called only after at least one finite value.
  virtual Range ComputeRange() const = 0;

 private:
  uint64_t observed_ = 0;
  uint64_t skipped_ = 0;
  std::vector<float> scratch_;
};

class MinMaxObserver final : public RangeObserver {
 public:
  const char* name() const override { return "minmax"; }

 protected:
  void ObserveFinite(std::span<const float> values) override;
  Range ComputeRange() const override { return range_; }

 private:
  bool seen_ = false;
  Range range_;
};

class EmaMinMaxObserver final : public RangeObserver {
 public:
  // decay in [0, 1): the weight of the running value (callers validate user input).
  explicit EmaMinMaxObserver(double decay = 0.99) : decay_(decay) {}
  const char* name() const override { return "ema"; }

 protected:
  void ObserveFinite(std::span<const float> values) override;
  Range ComputeRange() const override;

 private:
  double decay_;
  bool seen_ = false;
  double min_ = 0.0;
  double max_ = 0.0;
};

class PercentileObserver final : public RangeObserver {
 public:
  // percentile in (0, 100] (callers validate); 100 gives the exact min and max.
  explicit PercentileObserver(double percentile = 99.99, int num_bins = 2048)
      : percentile_(percentile), histogram_(num_bins) {}
  const char* name() const override { return "percentile"; }

 protected:
  void ObserveFinite(std::span<const float> values) override { histogram_.Add(values); }
  Range ComputeRange() const override;

 private:
  double percentile_;
  Histogram histogram_;
};

class MseObserver final : public RangeObserver {
 public:
  // bits in [2, 16]: the integer width the range will be quantized to.
  explicit MseObserver(int bits = 8, int num_bins = 2048) : bits_(bits), histogram_(num_bins) {}
  const char* name() const override { return "mse"; }

  // Expected squared error per value of quantizing the observed distribution to [lo, hi] (lo <= 0
  // <= hi) at this observer's bit width; exposed for tests and reports.
  double ExpectedError(double lo, double hi) const;

 protected:
  void ObserveFinite(std::span<const float> values) override { histogram_.Add(values); }
  Range ComputeRange() const override;

 private:
  int bits_;
  Histogram histogram_;
};

class KlObserver final : public RangeObserver {
 public:
  // bits in [2, 16] sets the number of quantized bins (2^(bits-1) two-sided, 2^bits - 1 one-sided,
  // capped at num_bins).
  explicit KlObserver(int bits = 8, int num_bins = 2048)
      : bits_(bits), magnitudes_(num_bins, /*anchored_at_zero=*/true) {}
  const char* name() const override { return "kl"; }

 protected:
  void ObserveFinite(std::span<const float> values) override;
  Range ComputeRange() const override;

 private:
  int bits_;
  Histogram magnitudes_;
  bool seen_ = false;
  float min_ = 0.0f;
  float max_ = 0.0f;
  std::vector<float> abs_;
};

// KL(P‖Q) threshold search of KlObserver on a histogram of magnitudes: returns the number of
// leading bins i (num_quantized_bins <= i <= counts.size()) whose upper edge is the best threshold.
// counts.size() when the histogram has fewer bins than num_quantized_bins. Exposed for tests.
int KlBestBinCount(std::span<const uint64_t> counts, int num_quantized_bins);

}  // namespace compressd::quant

#endif  // COMPRESSD_CORE_QUANT_OBSERVERS_H_
