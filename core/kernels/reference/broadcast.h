// NumPy-style broadcasting for elementwise binary operators, as TFLite defines it
// (CalculateShapeForBroadcast + BroadcastBinaryFunction6DSlow), for shapes of up to
// Shape::kMaxRank dimensions.
//
// Shapes are aligned at their last dimension; missing leading dimensions count as 1. Two
// dimensions are compatible when they are equal or one of them is 1; the output dimension is the
// larger one, or 0 when either is 0.
//
// Iteration: the output dimensions are collapsed into runs in which each input is either fully
// present or fully broadcast (size-1 output dimensions are dropped), so that the innermost loop is
// one contiguous run with input strides 0 or 1 and the outer loops advance offsets incrementally
// (no index decomposition, no division per element).
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_BROADCAST_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_BROADCAST_H_

#include <array>
#include <cstdint>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

// The broadcast shape of `a` and `b`; false when they are incompatible (e.g. [2,3] and [4]).
inline bool BroadcastShapes(const Shape& a, const Shape& b, Shape* out) {
  const int rank = a.rank() > b.rank() ? a.rank() : b.rank();
  const Shape ea = a.Extended(rank);
  const Shape eb = b.Extended(rank);
  Shape result = Shape::Filled(rank, 1);
  for (int i = 0; i < rank; ++i) {
    const int32_t da = ea.dim(i);
    const int32_t db = eb.dim(i);
    if (da != db && da != 1 && db != 1) return false;
    result.set_dim(i, (da == 0 || db == 0) ? 0 : (da > db ? da : db));
  }
  *out = result;
  return true;
}

// Output dimensions collapsed into runs, with each input's element stride per run (0 where the
// input is broadcast along the run).
struct BroadcastLayout {
  int rank = 0;  // >= 1
  std::array<int64_t, Shape::kMaxRank> dims{};
  std::array<int64_t, Shape::kMaxRank> stride_a{};
  std::array<int64_t, Shape::kMaxRank> stride_b{};
};

// Requires `out` == BroadcastShapes(a, b).
inline BroadcastLayout MakeBroadcastLayout(const Shape& a, const Shape& b, const Shape& out) {
  const int rank = out.rank();
  const Shape ea = a.Extended(rank);
  const Shape eb = b.Extended(rank);
  BroadcastLayout layout;
  std::array<bool, Shape::kMaxRank> bcast_a{};
  std::array<bool, Shape::kMaxRank> bcast_b{};
  int n = 0;
  for (int i = 0; i < rank; ++i) {
    if (out.dim(i) == 1) continue;  // contributes nothing to any layout
    const bool ba = ea.dim(i) == 1;
    const bool bb = eb.dim(i) == 1;
    if (n > 0 && bcast_a[n - 1] == ba && bcast_b[n - 1] == bb) {
      layout.dims[n - 1] *= out.dim(i);  // same pattern: extend the current run
    } else {
      layout.dims[n] = out.dim(i);
      bcast_a[n] = ba;
      bcast_b[n] = bb;
      ++n;
    }
  }
  if (n == 0) {  // a single element
    layout.rank = 1;
    layout.dims[0] = 1;
    return layout;
  }
  layout.rank = n;
  int64_t sa = 1;
  int64_t sb = 1;
  for (int i = n - 1; i >= 0; --i) {
    layout.stride_a[i] = bcast_a[i] ? 0 : sa;
    layout.stride_b[i] = bcast_b[i] ? 0 : sb;
    if (!bcast_a[i]) sa *= layout.dims[i];
    if (!bcast_b[i]) sb *= layout.dims[i];
  }
  return layout;
}

// out[i] = op(a[ia], b[ib]) over the broadcast output `out_shape` (which must equal
// BroadcastShapes(a_shape, b_shape)). `a` and `b` hold a_shape/b_shape.FlatSize() elements, `out`
// out_shape.FlatSize(). Fast paths: equal shapes and single-element inputs.
template <typename T, typename U, typename Op>
inline void BroadcastBinary(const Shape& a_shape, const T* a, const Shape& b_shape, const T* b,
                            const Shape& out_shape, U* out, Op op) {
  const int64_t size = out_shape.FlatSize();
  if (size == 0) return;
  const int64_t size_a = a_shape.FlatSize();
  const int64_t size_b = b_shape.FlatSize();
  if (size_a == size && size_b == size) {  // same shape up to leading 1s
    for (int64_t i = 0; i < size; ++i) out[i] = op(a[i], b[i]);
    return;
  }
  if (size_b == 1) {
    const T vb = b[0];
    for (int64_t i = 0; i < size; ++i) out[i] = op(a[i], vb);
    return;
  }
  if (size_a == 1) {
    const T va = a[0];
    for (int64_t i = 0; i < size; ++i) out[i] = op(va, b[i]);
    return;
  }

  const BroadcastLayout l = MakeBroadcastLayout(a_shape, b_shape, out_shape);
  const int last = l.rank - 1;
  const int64_t inner = l.dims[last];
  const int64_t sa = l.stride_a[last];
  const int64_t sb = l.stride_b[last];
  int64_t outer = 1;
  for (int d = 0; d < last; ++d) outer *= l.dims[d];

  std::array<int64_t, Shape::kMaxRank> index{};
  int64_t off_a = 0;
  int64_t off_b = 0;
  for (int64_t o = 0; o < outer; ++o) {
    const T* pa = a + off_a;
    const T* pb = b + off_b;
    if (sa == 1 && sb == 1) {
      for (int64_t i = 0; i < inner; ++i) out[i] = op(pa[i], pb[i]);
    } else if (sa == 1) {
      const T vb = pb[0];
      for (int64_t i = 0; i < inner; ++i) out[i] = op(pa[i], vb);
    } else if (sb == 1) {
      const T va = pa[0];
      for (int64_t i = 0; i < inner; ++i) out[i] = op(va, pb[i]);
    } else {  // both broadcast: only possible for a single-element run
      for (int64_t i = 0; i < inner; ++i) out[i] = op(pa[0], pb[0]);
    }
    out += inner;
    // Advance the odometer over the outer runs.
    for (int d = last - 1; d >= 0; --d) {
      off_a += l.stride_a[d];
      off_b += l.stride_b[d];
      if (++index[d] < l.dims[d]) break;
      off_a -= l.stride_a[d] * l.dims[d];
      off_b -= l.stride_b[d] * l.dims[d];
      index[d] = 0;
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_BROADCAST_H_
