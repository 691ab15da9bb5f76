// Reference STRIDED_SLICE, generic over the element type, with TFLite's index logic
// (strided_slice_logic.h: StridedSliceStartForAxis / StridedSliceEndForAxis).
//
// The op glue resolves ellipsis and new-axis masks into an "effective" input shape (new axes are
// dimensions of size 1) with one StridedSliceAxis per effective dimension; this file provides the
// per-axis index arithmetic and the copy loop. Arithmetic is done in int64 so extreme begin/end
// values (INT32_MIN/MAX) cannot overflow.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_STRIDED_SLICE_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_STRIDED_SLICE_H_

#include <array>
#include <cstdint>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

// The iteration along one effective input dimension: indices start, start + stride, ... while
// before `stop` (stride > 0) or after it (stride < 0); `count` of them.
struct StridedSliceAxis {
  int64_t start = 0;
  int64_t stop = 0;
  int64_t stride = 1;
  int64_t count = 0;
};

inline int64_t ClampIndex(int64_t v, int64_t lo, int64_t hi) {
  if (hi < v) return hi;
  if (v < lo) return lo;
  return v;
}

// TFLite's StridedSliceStartForAxis: negative begin counts from the end; clamp to [0, size] for
// forward and [-1, size-1] for backward strides; begin_mask selects the first element in the
// direction of iteration.
inline int64_t StridedSliceStart(int64_t begin, bool begin_masked, int64_t stride,
                                 int64_t axis_size) {
  int64_t start = begin;
  if (start < 0) start += axis_size;
  start = stride > 0 ? ClampIndex(start, 0, axis_size) : ClampIndex(start, -1, axis_size - 1);
  if (begin_masked) start = stride > 0 ? 0 : axis_size - 1;
  return start;
}

// TFLite's StridedSliceEndForAxis: a shrunk axis takes the single element at `start` (none when
// start is past the end); with `offset`, `end` is relative to `start`; negative end counts from
// the end; clamped like the start; end_mask runs to the end in the direction of iteration.
inline int64_t StridedSliceEnd(int64_t end, bool end_masked, bool shrink, bool offset,
                               int64_t start, int64_t stride, int64_t axis_size) {
  if (shrink) return start >= axis_size ? start : start + 1;
  int64_t stop = end;
  if (offset) stop += start;
  if (stop < 0) stop += axis_size;
  stop = stride > 0 ? ClampIndex(stop, 0, axis_size) : ClampIndex(stop, -1, axis_size - 1);
  if (end_masked) stop = stride > 0 ? axis_size : -1;
  return stop;
}

// Number of indices visited from start towards stop with the given non-zero stride.
inline int64_t StridedSliceCount(int64_t start, int64_t stop, int64_t stride) {
  if (stride > 0) return stop > start ? (stop - start + stride - 1) / stride : 0;
  return start > stop ? (start - stop - stride - 1) / -stride : 0;
}

// Copies the selected elements in row-major order of the effective dimensions. `in_shape` is the
// effective input shape (same memory layout as the real input); every axes[d] must satisfy
// 0 <= start + k * stride < in_shape[d] for k < count.
template <typename T>
inline void StridedSlice(const Shape& in_shape, const StridedSliceAxis* axes, const T* in, T* out) {
  const int rank = in_shape.rank();
  int64_t out_size = 1;
  for (int d = 0; d < rank; ++d) out_size *= axes[d].count;
  if (out_size == 0) return;
  if (rank == 0) {
    out[0] = in[0];
    return;
  }
  std::array<int64_t, Shape::kMaxRank> in_stride{};
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    in_stride[d] = s;
    s *= in_shape.dim(d);
  }
  std::array<int64_t, Shape::kMaxRank> step{};  // input elements per step along each dimension
  int64_t in_off = 0;
  for (int d = 0; d < rank; ++d) {
    step[d] = axes[d].stride * in_stride[d];
    in_off += axes[d].start * in_stride[d];
  }
  const int last = rank - 1;
  const int64_t row = axes[last].count;
  const int64_t row_step = step[last];
  const int64_t rows = out_size / row;
  std::array<int64_t, Shape::kMaxRank> index{};
  for (int64_t r = 0; r < rows; ++r) {
    const T* src = in + in_off;
    for (int64_t i = 0; i < row; ++i) out[i] = src[i * row_step];
    out += row;
    for (int d = last - 1; d >= 0; --d) {
      in_off += step[d];
      if (++index[d] < axes[d].count) break;
      in_off -= step[d] * axes[d].count;
      index[d] = 0;
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_STRIDED_SLICE_H_
