// Reference SLICE, type-generic (raw bytes): out[i] = in[begin + i] for every output coordinate
// i, with 0 <= begin[d] and begin[d] + out_shape[d] <= in_shape[d] (callers validate).
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_SLICE_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_SLICE_H_

#include <array>
#include <cstdint>
#include <cstring>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

inline void Slice(const Shape& in_shape, const void* in, const int32_t* begin,
                  const Shape& out_shape, int element_size, void* out) {
  const int64_t out_size = out_shape.FlatSize();
  if (out_size == 0) return;
  const int rank = in_shape.rank();
  const uint8_t* src = static_cast<const uint8_t*>(in);
  uint8_t* dst = static_cast<uint8_t*>(out);
  if (rank == 0) {
    std::memcpy(dst, src, element_size);
    return;
  }
  std::array<int64_t, Shape::kMaxRank> in_stride{};  // in elements
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    in_stride[d] = s;
    s *= in_shape.dim(d);
  }
  int64_t in_off = 0;
  for (int d = 0; d < rank; ++d) in_off += begin[d] * in_stride[d];
  const int last = rank - 1;
  const int64_t row = out_shape.dim(last);
  const int64_t row_bytes = row * element_size;
  const int64_t rows = out_size / row;
  std::array<int64_t, Shape::kMaxRank> index{};
  for (int64_t r = 0; r < rows; ++r) {
    std::memcpy(dst, src + in_off * element_size, row_bytes);
    dst += row_bytes;
    for (int d = last - 1; d >= 0; --d) {
      in_off += in_stride[d];
      if (++index[d] < out_shape.dim(d)) break;
      in_off -= in_stride[d] * out_shape.dim(d);
      index[d] = 0;
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_SLICE_H_
