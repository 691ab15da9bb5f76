// im2col for the int8 CONV_2D (int8_conv_2d.cc): receptive fields of output pixels as int16 rows
// with the input offset added. Internal to core/kernels/optimized.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_IM2COL_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_IM2COL_H_

#include <cstdint>

#include "core/kernels/conv_params.h"

namespace compressd::kernels::optimized {

struct Int8Im2ColArgs {
  const ConvParams* params = nullptr;
  int64_t in_h = 0, in_w = 0, in_c = 0;
  int64_t out_h = 0, out_w = 0;
  int64_t filter_h = 0, filter_w = 0;
  int64_t k = 0;    // filter_h * filter_w * in_c
  int64_t lda = 0;  // KPadded(k)
  const int8_t* input = nullptr;      // NHWC, all batches
  const int8_t* input_end = nullptr;  // one past the input's last byte
  int32_t offset = 0;                 // input offset, in [-127, 128]
};

// Extra int16 elements a block's buffer must have past rows * lda: the AVX2 version writes whole
// 16-element vectors and may run up to 15 elements past the last row (every element inside the
// rows is rewritten in address order, so inside the rows the overrun is harmless).
inline constexpr int64_t kInt8Im2ColSlack = 16;

// Writes rows [row_begin, row_end) (flattened b, oy, ox) at col + (r - row_begin) * lda: lda
// int16 per row, (ky, kx, ic) order = the OHWI filter's; x + offset for taps inside the input,
// 0 for taps in the padding and for the element past an odd k.
void Int8Im2ColPortable(const Int8Im2ColArgs& a, int64_t row_begin, int64_t row_end,
                        int16_t* col);
void Int8Im2ColAvx2(const Int8Im2ColArgs& a, int64_t row_begin, int64_t row_end, int16_t* col);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_IM2COL_H_
