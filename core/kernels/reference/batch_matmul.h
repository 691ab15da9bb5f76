// Reference float BATCH_MATMUL: out[..., i, j] = sum_k X[..., i, k] * Y[..., k, j], where
// X = adj_x ? transpose(lhs) : lhs and Y = adj_y ? transpose(rhs) : rhs over the last two
// dimensions, and the leading (batch) dimensions broadcast numpy-style.
//
// Preconditions (Prepare checks them): lhs, rhs and output have the same rank r >= 2 (callers
// pad with leading 1s, Shape::Extended); each batch dimension of lhs and rhs is equal or 1 and the
// output's is their maximum; inner dimensions agree; output is [..., rows, cols].
// Accumulation order: k = 0..depth-1 from 0.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_BATCH_MATMUL_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_BATCH_MATMUL_H_

#include <cstdint>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

inline void BatchMatMul(bool adj_x, bool adj_y, const Shape& lhs_shape, const float* lhs,
                        const Shape& rhs_shape, const float* rhs, const Shape& output_shape,
                        float* output) {
  const int rank = output_shape.rank();
  const int batch_rank = rank - 2;
  const int64_t lhs_r = lhs_shape.dim(rank - 2), lhs_c = lhs_shape.dim(rank - 1);
  const int64_t rhs_r = rhs_shape.dim(rank - 2), rhs_c = rhs_shape.dim(rank - 1);
  const int64_t rows = adj_x ? lhs_c : lhs_r;
  const int64_t depth = adj_x ? lhs_r : lhs_c;
  const int64_t cols = adj_y ? rhs_r : rhs_c;
  const int64_t num_batches = output_shape.Product(0, batch_rank);

  for (int64_t batch = 0; batch < num_batches; ++batch) {
    // Decompose the output batch index and map it onto lhs/rhs (index 0 on broadcast dims).
    int64_t rem = batch;
    int64_t lhs_batch = 0, rhs_batch = 0, lhs_stride = 1, rhs_stride = 1;
    for (int d = batch_rank - 1; d >= 0; --d) {
      const int64_t idx = rem % output_shape.dim(d);
      rem /= output_shape.dim(d);
      if (lhs_shape.dim(d) != 1) lhs_batch += idx * lhs_stride;
      if (rhs_shape.dim(d) != 1) rhs_batch += idx * rhs_stride;
      lhs_stride *= lhs_shape.dim(d);
      rhs_stride *= rhs_shape.dim(d);
    }
    const float* x = lhs + lhs_batch * lhs_r * lhs_c;
    const float* y = rhs + rhs_batch * rhs_r * rhs_c;
    float* out = output + batch * rows * cols;
    for (int64_t i = 0; i < rows; ++i) {
      for (int64_t j = 0; j < cols; ++j) {
        float total = 0.0f;
        for (int64_t k = 0; k < depth; ++k) {
          const float xv = adj_x ? x[k * lhs_c + i] : x[i * lhs_c + k];
          const float yv = adj_y ? y[j * rhs_c + k] : y[k * rhs_c + j];
          total += xv * yv;
        }
        out[i * cols + j] = total;
      }
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_BATCH_MATMUL_H_
