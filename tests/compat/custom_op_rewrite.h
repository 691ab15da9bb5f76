// Rewrites MediaPipe's custom op Convolution2DTransposeBias (which stock TensorFlow Lite lacks)
// into the equivalent builtin TRANSPOSE_CONV with a bias input, so the real TFLite runtime can
// serve as the reference for models that use it (selfie_segmentation). The rewrite is independent
// of compressd's kernel for the custom op: TFLite computes the result.
#ifndef COMPRESSD_TESTS_COMPAT_CUSTOM_OP_REWRITE_H_
#define COMPRESSD_TESTS_COMPAT_CUSTOM_OP_REWRITE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/ir/model.h"

namespace compressd::testing {

struct RewriteResult {
  bool changed = false;
  std::vector<uint8_t> bytes;  // the rewritten .tflite when changed
};

absl::StatusOr<RewriteResult> RewriteTransposeConvBias(const ir::Model& model);

}  // namespace compressd::testing

#endif  // COMPRESSD_TESTS_COMPAT_CUSTOM_OP_REWRITE_H_
