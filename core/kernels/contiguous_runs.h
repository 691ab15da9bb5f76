// Splitting a broadcasting binary operation into contiguous runs, so that elementwise fast paths
// (optimized/int8_binary.h) serve the common shapes:
//   * equal shapes: one run over every element;
//   * one operand is a single row of the output's last dimension ([C], [1,1,1,C], ...) and the
//     other has the output's shape (squeeze-and-excitation scaling, per-channel offsets): one run
//     per output row, the row operand reused.
// Anything else gives nullopt and the caller uses the general broadcasting reference.
#ifndef COMPRESSD_CORE_KERNELS_CONTIGUOUS_RUNS_H_
#define COMPRESSD_CORE_KERNELS_CONTIGUOUS_RUNS_H_

#include <cstdint>
#include <optional>

#include "core/kernels/shape.h"

namespace compressd::kernels {

// `rows` runs of `length` output elements; run r reads operand a at r * a_step and b at
// r * b_step (0: the same row every time).
struct RunLayout {
  int64_t rows = 0;
  int64_t length = 0;
  int64_t a_step = 0;
  int64_t b_step = 0;
};

// The layout for the shapes above, or nullopt for any other broadcast.
inline std::optional<RunLayout> ContiguousRuns(const Shape& a_shape, const Shape& b_shape,
                                               const Shape& out_shape) {
  const int64_t total = out_shape.FlatSize();
  if (a_shape == out_shape && b_shape == out_shape) return RunLayout{1, total, total, total};
  if (out_shape.rank() == 0) return std::nullopt;
  const int64_t row = out_shape.dim(out_shape.rank() - 1);
  auto is_row = [&](const Shape& s) {
    return s.rank() >= 1 && s.dim(s.rank() - 1) == row && s.FlatSize() == row;
  };
  if (row <= 0 || total % row != 0) return std::nullopt;
  if (a_shape == out_shape && is_row(b_shape)) return RunLayout{total / row, row, row, 0};
  if (b_shape == out_shape && is_row(a_shape)) return RunLayout{total / row, row, 0, row};
  return std::nullopt;
}

}  // namespace compressd::kernels

#endif  // COMPRESSD_CORE_KERNELS_CONTIGUOUS_RUNS_H_
