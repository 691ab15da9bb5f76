#include "core/eval/tensor_comparison.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace compressd::eval {
namespace {

size_t ArgMax(std::span<const float> row) {
  size_t best = 0;
  for (size_t i = 1; i < row.size(); ++i) {
    if (row[i] > row[best]) best = i;
  }
  return best;
}

}  // namespace

void TensorComparison::Add(std::span<const float> ref, std::span<const float> cand) {
  const size_t n = std::min(ref.size(), cand.size());
  for (size_t i = 0; i < n; ++i) {
    const double r = ref[i];
    const double c = cand[i];
    if (!std::isfinite(r) || !std::isfinite(c)) {
      ++non_finite_;
      continue;
    }
    const double e = r - c;
    signal_ += r * r;
    noise_ += e * e;
    dot_ += r * c;
    ref_norm_ += r * r;
    cand_norm_ += c * c;
    max_abs_ = std::max(max_abs_, std::fabs(e));
  }
  if (classes_ > 1) {
    const size_t k = static_cast<size_t>(classes_);
    for (size_t start = 0; start + k <= n; start += k) {
      ++rows_;
      if (ArgMax(ref.subspan(start, k)) == ArgMax(cand.subspan(start, k))) ++rows_agree_;
    }
  }
  ++samples_;
}

ComparisonResult TensorComparison::Result() const {
  ComparisonResult r;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (noise_ == 0) {
    r.sqnr_db = kInf;
  } else if (signal_ == 0) {
    r.sqnr_db = -kInf;
  } else {
    r.sqnr_db = 10.0 * std::log10(signal_ / noise_);
  }
  r.max_abs_error = max_abs_;
  if (ref_norm_ == 0 && cand_norm_ == 0) {
    r.cosine_similarity = 1.0;
  } else if (ref_norm_ == 0 || cand_norm_ == 0) {
    r.cosine_similarity = 0.0;
  } else {
    r.cosine_similarity = dot_ / (std::sqrt(ref_norm_) * std::sqrt(cand_norm_));
  }
  if (classes_ > 1 && rows_ > 0) {
    r.top1_agreement = static_cast<double>(rows_agree_) / static_cast<double>(rows_);
  }
  r.samples = samples_;
  r.non_finite = non_finite_;
  return r;
}

}  // namespace compressd::eval
