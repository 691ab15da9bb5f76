// Splitting a broadcasting binary operation into contiguous runs, so that elementwise fast paths
// (optimized/int8_binary.h) serve the common shapes:
//   * equal shapes: one run over every element;
//   * one operand is a single row of the output's last dimension ([C], [1,1,1,C], ...) and the
//     other has the output's shape (squeeze-and-excitation scaling, per-channel offsets): one run
//     per output row, the row operand reused.
// Anything else returns false and the caller uses the general broadcasting reference.
#ifndef COMPRESSD_CORE_KERNELS_CONTIGUOUS_RUNS_H_
#define COMPRESSD_CORE_KERNELS_CONTIGUOUS_RUNS_H_

#include <cstdint>

#include "core/kernels/shape.h"

namespace compressd::kernels {

// `run(a_run, b_run, out_run, n)` is called for consecutive runs covering `out` in order.
template <typename T, typename Run>
bool ForEachContiguousRun(const Shape& a_shape, const T* a, const Shape& b_shape, const T* b,
                          const Shape& out_shape, T* out, Run&& run) {
  const int64_t total = out_shape.FlatSize();
  if (a_shape == out_shape && b_shape == out_shape) {
    run(a, b, out, total);
    return true;
  }
  if (out_shape.rank() == 0) return false;
  const int64_t row = out_shape.dim(out_shape.rank() - 1);
  auto is_row = [&](const Shape& s) {
    return s.rank() >= 1 && s.dim(s.rank() - 1) == row && s.FlatSize() == row;
  };
  if (row <= 0 || total % row != 0) return false;
  if (a_shape == out_shape && is_row(b_shape)) {
    for (int64_t r = 0; r < total; r += row) run(a + r, b, out + r, row);
    return true;
  }
  if (b_shape == out_shape && is_row(a_shape)) {
    for (int64_t r = 0; r < total; r += row) run(a, b + r, out + r, row);
    return true;
  }
  return false;
}

}  // namespace compressd::kernels

#endif  // COMPRESSD_CORE_KERNELS_CONTIGUOUS_RUNS_H_
