// Reference SPLIT / SPLIT_V (and UNPACK, which splits into slices of 1 and drops the axis),
// type-generic: elements are copied as raw bytes. The outputs' extents along `axis` sum to the
// input's (callers validate this).
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_SPLIT_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_SPLIT_H_

#include <cstdint>
#include <cstring>
#include <span>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

struct SplitOutput {
  void* data = nullptr;
  int64_t axis_dim = 0;  // extent of this output along the split axis
};

// Block o (o over the dimensions before `axis`) of the input is cut into consecutive pieces, one
// per output, in output order.
inline void Split(const Shape& in_shape, const void* in, int axis, int element_size,
                  std::span<const SplitOutput> outputs) {
  const int64_t outer = in_shape.Product(0, axis);
  const int64_t inner_bytes = in_shape.Product(axis + 1, in_shape.rank()) * element_size;
  const uint8_t* src = static_cast<const uint8_t*>(in);
  for (int64_t o = 0; o < outer; ++o) {
    for (const SplitOutput& out : outputs) {
      const int64_t block = out.axis_dim * inner_bytes;
      if (block == 0) continue;
      std::memcpy(static_cast<uint8_t*>(out.data) + o * block, src, block);
      src += block;
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_SPLIT_H_
