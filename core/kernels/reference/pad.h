// Reference PAD / PADV2 (constant padding) and MIRROR_PAD (REFLECT / SYMMETRIC), type-generic.
// `before[d]` / `after[d]` are the non-negative paddings of dimension d; the output shape is
// in_shape[d] + before[d] + after[d] (callers compute and validate it).
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_PAD_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_PAD_H_

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

// Constant padding: every output element outside the copied input block is `pad_value`.
template <typename T>
inline void Pad(const Shape& in_shape, const T* in, const int32_t* before, const Shape& out_shape,
                T pad_value, T* out) {
  const int64_t out_size = out_shape.FlatSize();
  std::fill(out, out + out_size, pad_value);
  const int64_t in_size = in_shape.FlatSize();
  if (in_size == 0) return;
  const int rank = in_shape.rank();
  if (rank == 0) {
    out[0] = in[0];
    return;
  }
  std::array<int64_t, Shape::kMaxRank> out_stride{};
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    out_stride[d] = s;
    s *= out_shape.dim(d);
  }
  // Output offset of input element (0, ..., 0).
  int64_t out_off = 0;
  for (int d = 0; d < rank; ++d) out_off += before[d] * out_stride[d];
  const int last = rank - 1;
  const int64_t row = in_shape.dim(last);
  const int64_t rows = in_size / row;
  std::array<int64_t, Shape::kMaxRank> index{};
  for (int64_t r = 0; r < rows; ++r) {
    std::copy(in + r * row, in + (r + 1) * row, out + out_off);
    for (int d = last - 1; d >= 0; --d) {
      out_off += out_stride[d];
      if (++index[d] < in_shape.dim(d)) break;
      out_off -= out_stride[d] * in_shape.dim(d);
      index[d] = 0;
    }
  }
}

// The input coordinate that output coordinate `o` mirrors along a dimension of `size` elements
// with `before` elements of left padding. REFLECT excludes the edge (a b c → c b | a b c | b a),
// SYMMETRIC repeats it (b a | a b c | c b). Requires before, after <= size - 1 for REFLECT and
// <= size for SYMMETRIC, which keeps the result in [0, size).
inline int64_t MirrorIndex(int64_t o, int64_t before, int64_t size, bool symmetric) {
  const int64_t p = o - before;
  if (p < 0) return symmetric ? -p - 1 : -p;
  if (p >= size) return symmetric ? 2 * size - 1 - p : 2 * size - 2 - p;
  return p;
}

template <typename T>
inline void MirrorPad(const Shape& in_shape, const T* in, const int32_t* before, bool symmetric,
                      const Shape& out_shape, T* out) {
  const int64_t out_size = out_shape.FlatSize();
  if (out_size == 0) return;
  const int rank = in_shape.rank();
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
  const int last = rank - 1;
  const int64_t row = out_shape.dim(last);
  const int64_t rows = out_size / row;
  std::array<int64_t, Shape::kMaxRank> index{};  // output coordinates of the row
  for (int64_t r = 0; r < rows; ++r) {
    int64_t in_off = 0;
    for (int d = 0; d < last; ++d) {
      in_off += MirrorIndex(index[d], before[d], in_shape.dim(d), symmetric) * in_stride[d];
    }
    for (int64_t i = 0; i < row; ++i) {
      *out++ = in[in_off + MirrorIndex(i, before[last], in_shape.dim(last), symmetric)];
    }
    for (int d = last - 1; d >= 0; --d) {
      if (++index[d] < out_shape.dim(d)) break;
      index[d] = 0;
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_PAD_H_
