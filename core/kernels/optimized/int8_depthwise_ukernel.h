// Interface between the int8 DEPTHWISE_CONV_2D driver (int8_depthwise_conv_2d.cc) and its row
// kernels. Internal to core/kernels/optimized.
//
// AVX2 interleaved filter layout (PackedInt8DepthwiseFilter::interleaved, depth multiplier 1):
// channels are cut into G = ceil(C / 16) groups of 16 and filter rows into P = ceil(KH / 2)
// pairs (2p, 2p+1). For group g, pair p, filter column kx there are 2 x 16 int16 at
//   ((g * P + p) * KW + kx) * 32:
// half h = 0 covers channels {0,1,2,3,8,9,10,11} + 16g, h = 1 channels {4,5,6,7,12,13,14,15}
// + 16g (the order vpunpck{l,h}wd produce within 128-bit lanes); lane i of half h holds
// (w[2p][kx][c], w[2p+1][kx][c]) for its channel c, with 0 for c >= C and for the missing row
// 2p+1 == KH.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_DEPTHWISE_UKERNEL_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_DEPTHWISE_UKERNEL_H_

#include <cstdint>

#include "core/kernels/conv_params.h"
#include "core/kernels/optimized/int8_gemm_ukernel.h"

namespace compressd::kernels::optimized {

struct Int8DepthwiseArgs {
  const ConvParams* params = nullptr;
  int64_t batch = 0, in_h = 0, in_w = 0, in_c = 0;
  int64_t out_h = 0, out_w = 0, out_c = 0;
  int64_t filter_h = 0, filter_w = 0;
  int64_t depth_multiplier = 1;
  const int8_t* input = nullptr;
  const int8_t* weights = nullptr;        // [filter_h][filter_w][out_c] (portable)
  const int16_t* interleaved = nullptr;   // AVX2 layout above
  const int32_t* bias = nullptr;          // nullable
  int32_t input_offset = 0;
  Int8OutputStage out;                    // for all out_c channels
  int8_t* output = nullptr;
};

// Pair-row geometry of the AVX2 kernel: pair rows per output row, the padded width (input
// columns [-pad_left, pair_width - pad_left) an output row reads) and the pair rows a thread
// keeps cached (a ring indexed by the pair's first input row: one output row reads pair rows
// spanning 2 * (pairs - 1) * dilation_h + 1 input rows).
inline int64_t Int8DepthwisePairRows(int64_t filter_h) { return (filter_h + 1) / 2; }
inline int64_t Int8DepthwisePairWidth(const ConvParams& p, int64_t out_w, int64_t filter_w) {
  return (out_w - 1) * p.stride_w + (filter_w - 1) * p.dilation_w + 1;
}
inline int64_t Int8DepthwisePairRing(const ConvParams& p, int64_t filter_h) {
  return 2 * (Int8DepthwisePairRows(filter_h) - 1) * p.dilation_h + 1;
}
// The AVX2 kernel's limit on the ring (larger filter heights x dilations use the portable one).
inline constexpr int64_t kInt8DepthwiseMaxRing = 64;
// int16 elements of AVX2 scratch per thread.
inline int64_t Int8DepthwiseScratchElements(const ConvParams& p, int64_t out_w,
                                            int64_t filter_h, int64_t filter_w) {
  return Int8DepthwisePairRing(p, filter_h) * Int8DepthwisePairWidth(p, out_w, filter_w) * 32;
}

// Each computes output rows [row_begin, row_end), row = b * out_h + oy (all channels).
void Int8DepthwiseRowsPortable(const Int8DepthwiseArgs& args, int64_t row_begin,
                               int64_t row_end);
// Requires depth_multiplier == 1, args.interleaved and Int8DepthwisePairRing <=
// kInt8DepthwiseMaxRing; scratch: Int8DepthwiseScratchElements int16, 32-byte aligned.
void Int8DepthwiseRowsAvx2(const Int8DepthwiseArgs& args, int64_t row_begin, int64_t row_end,
                           int16_t* scratch);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_INT8_DEPTHWISE_UKERNEL_H_
