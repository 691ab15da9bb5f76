// Reference PACK / UNPACK, type-generic (raw bytes).
//   PACK: N inputs of shape S give an output of shape S[0:axis] + [N] + S[axis:]; output block o
//         (o over S[0:axis]) is block o of input 0, then of input 1, ...
//   UNPACK: the inverse: an input of shape S[0:axis] + [N] + S[axis:] gives N outputs of shape S.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_PACK_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_PACK_H_

#include <cstdint>
#include <cstring>
#include <span>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

// `value_shape` is S, the shape of each input; `axis` is in [0, S.rank()].
inline void Pack(std::span<const void* const> inputs, const Shape& value_shape, int axis,
                 int element_size, void* out) {
  const int64_t outer = value_shape.Product(0, axis);
  const int64_t block = value_shape.Product(axis, value_shape.rank()) * element_size;
  if (block == 0) return;
  uint8_t* dst = static_cast<uint8_t*>(out);
  for (int64_t o = 0; o < outer; ++o) {
    for (const void* in : inputs) {
      std::memcpy(dst, static_cast<const uint8_t*>(in) + o * block, block);
      dst += block;
    }
  }
}

// `value_shape` is S, the shape of each output; `axis` is in [0, S.rank()].
inline void Unpack(const void* in, const Shape& value_shape, int axis, int element_size,
                   std::span<void* const> outputs) {
  const int64_t outer = value_shape.Product(0, axis);
  const int64_t block = value_shape.Product(axis, value_shape.rank()) * element_size;
  if (block == 0) return;
  const uint8_t* src = static_cast<const uint8_t*>(in);
  for (int64_t o = 0; o < outer; ++o) {
    for (void* out : outputs) {
      std::memcpy(static_cast<uint8_t*>(out) + o * block, src, block);
      src += block;
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_PACK_H_
