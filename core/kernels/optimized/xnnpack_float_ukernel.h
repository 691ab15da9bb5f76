// Internal to xnnpack_float_conv.cc: the AVX2 micro-kernels of the XNNPACK-order GEMM and
// depthwise convolution (xnnpack_float_x86.cc; call only when the CPU has AVX2).
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_XNNPACK_FLOAT_UKERNEL_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_XNNPACK_FLOAT_UKERNEL_H_

#include <cstdint>

namespace compressd::kernels::optimized {

inline constexpr int kXnnTileRows = 6;

// out_rows[r][n0 + j] = clamp(bias16[j] + a_rows[r][0] * w[0][j] + ... +
// a_rows[r][k-1] * w[k-1][j], act_min, act_max), summed left to right with separate multiplies
// and adds, for r < rows (1..6) and j < cols (<= 16; <= 8 when panel1 is null), where w[kk][j] is
// panel0[kk * 8 + j] for j < 8 and panel1[kk * 8 + j - 8] otherwise. The clamp is
// ApplyActivation's (NaN passes through).
void XnnGemmTileAvx2(int rows, const float* const* a_rows, const float* panel0,
                     const float* panel1, int64_t k, const float* bias16, float* const* out_rows,
                     int64_t n0, int cols, float act_min, float act_max);

// out[c] = clamp(bias[c] (0 without bias) + x[0][c] * w[0][c] + ... + x[taps-1][c] *
// w[taps-1][c], act_min, act_max), added in tap order, unfused, for c < lanes.
void XnnDepthwiseTapsAvx2(int lanes, int taps, const float* const* x, const float* const* w,
                          const float* bias, float act_min, float act_max, float* out);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_XNNPACK_FLOAT_UKERNEL_H_
