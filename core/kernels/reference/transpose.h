// Reference TRANSPOSE, generic over the element type: output dimension i is input dimension
// perm[i], i.e. out[i_0, ..., i_{n-1}] = in[j] with j[perm[k]] = i_k. `perm` is a permutation of
// [0, rank) (callers validate).
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_TRANSPOSE_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_TRANSPOSE_H_

#include <array>
#include <cstdint>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

template <typename T>
inline void Transpose(const Shape& in_shape, const T* in, const int* perm, T* out) {
  const int64_t size = in_shape.FlatSize();
  if (size == 0) return;
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
  // Output dimension i walks input dimension perm[i].
  std::array<int64_t, Shape::kMaxRank> out_dim{};
  std::array<int64_t, Shape::kMaxRank> step{};
  for (int i = 0; i < rank; ++i) {
    out_dim[i] = in_shape.dim(perm[i]);
    step[i] = in_stride[perm[i]];
  }
  const int last = rank - 1;
  const int64_t row = out_dim[last];
  const int64_t row_step = step[last];
  const int64_t rows = size / row;
  std::array<int64_t, Shape::kMaxRank> index{};
  int64_t in_off = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const T* src = in + in_off;
    for (int64_t i = 0; i < row; ++i) out[i] = src[i * row_step];
    out += row;
    for (int d = last - 1; d >= 0; --d) {
      in_off += step[d];
      if (++index[d] < out_dim[d]) break;
      in_off -= step[d] * out_dim[d];
      index[d] = 0;
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_TRANSPOSE_H_
