#include "core/kernels/optimized/int8_fully_connected.h"

#include <algorithm>

namespace compressd::kernels::optimized {
namespace {

// Input rows are widened block by block: a block is ~96 KB of int16 (at least one row, a
// multiple of 24 rows when more fit), so the widened rows stay in L2 while the GEMM reads them.
constexpr int64_t kBlockTargetElements = 48 * 1024;
constexpr int64_t kBlockRowQuantum = 24;

int64_t BlockRows(int64_t batch, int64_t in) {
  int64_t rows = kBlockTargetElements / KPadded(in);
  if (rows >= kBlockRowQuantum) rows = rows / kBlockRowQuantum * kBlockRowQuantum;
  return std::clamp<int64_t>(std::min(rows, batch), 1, std::max<int64_t>(1, batch));
}

}  // namespace

PackedInt8Matrix PackInt8FullyConnectedWeights(const Shape& weights_shape, const int8_t* weights,
                                               const Int8GemmVariant& variant) {
  const int64_t out = weights_shape.dim(0);
  const int64_t in = weights_shape.dim(1);
  return PackedInt8Matrix::FromTransposed(variant, out, in, weights, in);
}

PackedInt8Matrix PackInt8FullyConnectedWeights(const Shape& weights_shape,
                                               const int8_t* weights) {
  return PackInt8FullyConnectedWeights(weights_shape, weights, DefaultInt8GemmVariant());
}

int64_t Int8FullyConnectedScratchBytes(const Shape& weights_shape, const Shape& output_shape) {
  const int64_t out = weights_shape.dim(0);
  const int64_t in = weights_shape.dim(1);
  if (out <= 0 || in <= 0) return 0;
  const int64_t batch = output_shape.FlatSize() / out;
  if (batch <= 0) return 0;
  const int64_t elements = BlockRows(batch, in) * KPadded(in);
  return (elements + 31) / 32 * 32 * static_cast<int64_t>(sizeof(int16_t));
}

void Int8FullyConnected(const Int8Requant& rq, const Shape& input_shape, const int8_t* input,
                        const PackedInt8Matrix& weights, const int32_t* bias,
                        const Shape& output_shape, int8_t* output, void* scratch,
                        ThreadPool* pool) {
  (void)input_shape;  // TFLite takes the batch from the output; the input has batch * in values
  if (weights.empty()) return;
  const int64_t n = weights.n();
  const int64_t k = weights.k();
  const int64_t lda = KPadded(k);
  const int64_t batch = output_shape.FlatSize() / n;
  const int64_t block_rows = BlockRows(batch, k);
  const Int8WidenFn widen = weights.variant().widen;
  int16_t* a = static_cast<int16_t*>(scratch);
  for (int64_t r0 = 0; r0 < batch; r0 += block_rows) {
    const int64_t rows = std::min(block_rows, batch - r0);
    for (int64_t r = 0; r < rows; ++r) {
      widen(input + (r0 + r) * k, k, rq.input_offset, a + r * lda);
      if (lda != k) a[r * lda + k] = 0;
    }
    Int8Gemm(rows, a, lda, weights, bias, rq, output + r0 * n, n, pool);
  }
}

}  // namespace compressd::kernels::optimized
