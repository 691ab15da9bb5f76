// Error metrics between a reference tensor (the float model's) and a candidate (the compressed
// model's, dequantized), accumulated over evaluation samples.
//
//   SQNR (dB)   10·log10(Σ ref² / Σ (ref − cand)²); +inf when identical, −inf when the reference
//               is all zeros and the candidate is not
//   max |err|   max over all elements of |ref − cand|
//   cosine      Σ ref·cand / (‖ref‖·‖cand‖) over all elements; 1 when both are all zeros
//   top-1       fraction of samples whose argmax over the last axis agrees (classifier outputs)
// Sums are kept in double. Not thread-safe.
#ifndef COMPRESSD_CORE_EVAL_TENSOR_COMPARISON_H_
#define COMPRESSD_CORE_EVAL_TENSOR_COMPARISON_H_

#include <cstdint>
#include <optional>
#include <span>

namespace compressd::eval {

struct ComparisonResult {
  double sqnr_db = 0;
  double max_abs_error = 0;
  double cosine_similarity = 0;
  std::optional<double> top1_agreement;
  uint32_t samples = 0;
  uint64_t non_finite = 0;  // element pairs skipped because one side was NaN / inf
};

class TensorComparison {
 public:
  // `classes` > 1 enables top-1 agreement: each sample's elements are rows of `classes` scores
  // (argmax per row; ties go to the lowest index).
  explicit TensorComparison(int64_t classes = 0) : classes_(classes) {}

  // One sample. Precondition: ref.size() == cand.size().
  void Add(std::span<const float> ref, std::span<const float> cand);
  ComparisonResult Result() const;

 private:
  int64_t classes_;
  double signal_ = 0, noise_ = 0, dot_ = 0, ref_norm_ = 0, cand_norm_ = 0, max_abs_ = 0;
  uint64_t rows_ = 0, rows_agree_ = 0, non_finite_ = 0;
  uint32_t samples_ = 0;
};

}  // namespace compressd::eval

#endif  // COMPRESSD_CORE_EVAL_TENSOR_COMPARISON_H_
