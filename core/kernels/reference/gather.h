// Reference GATHER with batch_dims, type-generic (raw bytes), as TFLite's reference_ops::Gather:
//   params P (rank R), indices I, 0 <= batch_dims <= axis < R, P[:batch_dims] == I[:batch_dims];
//   output shape P[:axis] + I[batch_dims:] + P[axis+1:];
//   out[b, o, i, n] = params[b, o, indices[b, i], n] with b over P[:batch_dims], o over
//   P[batch_dims:axis], i over I[batch_dims:], n over P[axis+1:].
// Every index must lie in [0, P[axis]); negative indices are errors, as in TFLite.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_GATHER_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_GATHER_H_

#include <cstdint>
#include <cstring>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

// Returns false, writing nothing, when an index is out of range; *bad_position is then the flat
// position of the first such index in `indices`.
template <typename Index>
inline bool Gather(const Shape& params_shape, const void* params, int axis, int batch_dims,
                   const Shape& indices_shape, const Index* indices, int element_size, void* out,
                   int64_t* bad_position) {
  const int64_t axis_size = params_shape.dim(axis);
  const int64_t num_indices = indices_shape.FlatSize();
  for (int64_t k = 0; k < num_indices; ++k) {
    if (indices[k] < 0 || static_cast<int64_t>(indices[k]) >= axis_size) {
      *bad_position = k;
      return false;
    }
  }
  const int64_t batch = params_shape.Product(0, batch_dims);
  const int64_t outer = params_shape.Product(batch_dims, axis);
  const int64_t inner_bytes = params_shape.Product(axis + 1, params_shape.rank()) * element_size;
  const int64_t coords = indices_shape.Product(batch_dims, indices_shape.rank());
  if (inner_bytes == 0) return true;
  const uint8_t* src = static_cast<const uint8_t*>(params);
  uint8_t* dst = static_cast<uint8_t*>(out);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t o = 0; o < outer; ++o) {
      const uint8_t* block = src + (b * outer + o) * axis_size * inner_bytes;
      for (int64_t i = 0; i < coords; ++i) {
        const int64_t index = static_cast<int64_t>(indices[b * coords + i]);
        std::memcpy(dst, block + index * inner_bytes, inner_bytes);
        dst += inner_bytes;
      }
    }
  }
  return true;
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_GATHER_H_
