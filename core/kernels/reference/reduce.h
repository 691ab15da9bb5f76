// Reference reductions (SUM, MEAN, REDUCE_MAX) over a set of axes, following TFLite's
// reference_ops::ReduceGeneric / Mean (reference/reduce.h):
//   - the input is visited in row-major order and each element is folded into its output element,
//     so every output accumulates its inputs in increasing input-index order;
//   - outputs start at the reducer's initial value: 0 for SUM/MEAN, lowest() for REDUCE_MAX
//     (also the result when the reduced extent is empty);
//   - MEAN divides the float sum by the number of reduced elements, computed as a float product
//     of the reduced dimensions; an empty reduction leaves 0.
// `reduce_mask` bit d set means input dimension d is reduced. The output holds the non-reduced
// dimensions in order (with or without keep_dims the memory layout is the same).
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_REDUCE_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_REDUCE_H_

#include <array>
#include <cstdint>
#include <limits>

#include "core/kernels/shape.h"

namespace compressd::kernels::reference {

// Number of output elements of reducing `shape` over `reduce_mask`.
inline int64_t ReducedSize(const Shape& shape, uint32_t reduce_mask) {
  int64_t n = 1;
  for (int d = 0; d < shape.rank(); ++d) {
    if (!(reduce_mask & (1u << d))) n *= shape.dim(d);
  }
  return n;
}

// out[j] = fold(out[j], in[i]) for every input element i mapping to output j, after setting every
// output to `init`.
template <typename T, typename Fold>
inline void Reduce(const Shape& shape, const T* in, uint32_t reduce_mask, T init, T* out,
                   Fold fold) {
  const int64_t out_size = ReducedSize(shape, reduce_mask);
  for (int64_t j = 0; j < out_size; ++j) out[j] = init;
  const int64_t in_size = shape.FlatSize();
  if (in_size == 0) return;
  const int rank = shape.rank();
  if (rank == 0) {
    out[0] = fold(out[0], in[0]);
    return;
  }
  // Output stride of each input dimension: 0 when reduced, else its row-major stride among the
  // kept dimensions.
  std::array<int64_t, Shape::kMaxRank> out_stride{};
  int64_t s = 1;
  for (int d = rank - 1; d >= 0; --d) {
    if (reduce_mask & (1u << d)) {
      out_stride[d] = 0;
    } else {
      out_stride[d] = s;
      s *= shape.dim(d);
    }
  }
  const int last = rank - 1;
  const int64_t inner = shape.dim(last);
  const int64_t inner_stride = out_stride[last];
  const int64_t outer = in_size / inner;
  std::array<int64_t, Shape::kMaxRank> index{};
  int64_t out_off = 0;
  for (int64_t o = 0; o < outer; ++o) {
    const T* row = in + o * inner;
    if (inner_stride == 0) {
      T& acc = out[out_off];
      for (int64_t i = 0; i < inner; ++i) acc = fold(acc, row[i]);
    } else {
      T* dst = out + out_off;
      for (int64_t i = 0; i < inner; ++i) dst[i] = fold(dst[i], row[i]);
    }
    for (int d = last - 1; d >= 0; --d) {
      out_off += out_stride[d];
      if (++index[d] < shape.dim(d)) break;
      out_off -= out_stride[d] * shape.dim(d);
      index[d] = 0;
    }
  }
}

inline void ReduceSum(const Shape& shape, const float* in, uint32_t reduce_mask, float* out) {
  Reduce(shape, in, reduce_mask, 0.0f, out, [](float acc, float v) { return acc + v; });
}

// TFLite's max reducer: (in > current) ? in : current (a NaN input is skipped).
inline void ReduceMax(const Shape& shape, const float* in, uint32_t reduce_mask, float* out) {
  Reduce(shape, in, reduce_mask, std::numeric_limits<float>::lowest(), out,
         [](float acc, float v) { return v > acc ? v : acc; });
}

inline void ReduceMean(const Shape& shape, const float* in, uint32_t reduce_mask, float* out) {
  ReduceSum(shape, in, reduce_mask, out);
  float count = 1.0f;
  for (int d = 0; d < shape.rank(); ++d) {
    if (reduce_mask & (1u << d)) count *= static_cast<float>(shape.dim(d));
  }
  if (count > 0.0f) {
    const int64_t out_size = ReducedSize(shape, reduce_mask);
    for (int64_t j = 0; j < out_size; ++j) out[j] = out[j] / count;
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_REDUCE_H_
