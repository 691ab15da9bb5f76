// Interface between the DEPTHWISE_CONV_2D driver (depthwise_conv_2d.cc) and its per-ISA row
// kernels. Internal to core/kernels/optimized.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_DEPTHWISE_UKERNEL_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_DEPTHWISE_UKERNEL_H_

#include <cstdint>

#include "core/kernels/conv_params.h"

namespace compressd::kernels::optimized {

struct DepthwiseArgs {
  const ConvParams* params = nullptr;
  int64_t batch = 0, in_h = 0, in_w = 0, in_c = 0;
  int64_t out_h = 0, out_w = 0, out_c = 0;
  int64_t filter_h = 0, filter_w = 0;
  int64_t depth_multiplier = 1;
  const float* input = nullptr;
  const float* filter = nullptr;
  const float* bias = nullptr;  // nullable
  float* output = nullptr;
};

// Each computes output rows [row_begin, row_end), row = b * out_h + oy. Per output element the
// sum is bias (or 0) plus the in-bounds taps in (ky, kx) order, whatever the row range.
void DepthwiseRowsPortable(const DepthwiseArgs& args, int64_t row_begin, int64_t row_end);
// Requires depth_multiplier == 1.
void DepthwiseRowsAvx2(const DepthwiseArgs& args, int64_t row_begin, int64_t row_end);
// The name of DepthwiseRowsAvx2's specialized interior kernel for these parameters, or nullptr
// when it uses the per-pixel path everywhere.
const char* DepthwiseAvx2SpecializedName(const ConvParams& params, int64_t filter_w);

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_DEPTHWISE_UKERNEL_H_
