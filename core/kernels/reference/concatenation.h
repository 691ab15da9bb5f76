// Reference CONCATENATION (and PACK, which concatenates along a new axis), type-generic: elements
// are copied as raw bytes. Every input has the output's dimensions except along `axis`, where
// input k contributes inputs[k].axis_dim entries (callers validate this).
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_CONCATENATION_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_CONCATENATION_H_

#include <cstdint>
#include <cstring>
#include <span>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

struct ConcatInput {
  const void* data = nullptr;
  int64_t axis_dim = 0;  // extent of this input along the concatenation axis
};

// Output block o (o over the dimensions before `axis`) is the concatenation of block o of every
// input, in input order.
inline void Concatenation(std::span<const ConcatInput> inputs, int axis, const Shape& out_shape,
                          int element_size, void* out) {
  const int64_t outer = out_shape.Product(0, axis);
  const int64_t inner_bytes = out_shape.Product(axis + 1, out_shape.rank()) * element_size;
  uint8_t* dst = static_cast<uint8_t*>(out);
  for (int64_t o = 0; o < outer; ++o) {
    for (const ConcatInput& in : inputs) {
      const int64_t block = in.axis_dim * inner_bytes;
      if (block == 0) continue;
      std::memcpy(dst, static_cast<const uint8_t*>(in.data) + o * block, block);
      dst += block;
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_CONCATENATION_H_
