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

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

#include "core/kernels/shape.h"
#include "core/quant/fixed_point.h"

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
// output to `init`. The accumulator type Out may differ from the input type In.
template <typename In, typename Out, typename Fold>
inline void Reduce(const Shape& shape, const In* in, uint32_t reduce_mask, Out init, Out* out,
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
    const In* row = in + o * inner;
    if (inner_stride == 0) {
      Out& acc = out[out_off];
      for (int64_t i = 0; i < inner; ++i) acc = fold(acc, row[i]);
    } else {
      Out* dst = out + out_off;
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

// ---- quantized MEAN (int8 / int16), bit-exact with TFLite's default kernel (reduce.cc EvalMean) --
//
// General path (TFLite reference_ops::QuantizedMeanOrSum, the version taking the multiplier that
// PrepareMeanOrSum computes as QuantizeMultiplier(double(in_scale) / double(out_scale))):
//   sum = int32 sum of the raw input values of each output, n = number of reduced elements;
//   shift = min(floor(log2 n), 32, 31 + out_shift); mult' = (int64(mult) << shift) / n;
//   out = clamp(MBQM(sum - in_zp * n, mult', out_shift - shift) + out_zp, T_min, T_max).
// An empty axis list copies the input; an empty input gives zeros (TFLite fills the int output with
// quiet_NaN<T>() == 0).
//
// 4-D special case (int8 only; TFLite's generic optimized kernel, optimized_integer_ops::Mean, for
// keep_dims with exactly the axes {1, 2}): with float arithmetic
//   bias = out_zp - int(in_zp * in_scale / out_scale, rounded half away from zero via +-0.5 and
//          truncation), mult/shift = QuantizeMultiplier(in_scale / (float(H * W) * out_scale));
//   out = clamp(MBQM(sum of raw values, mult, shift) + bias, -128, 127).

struct QuantizedMeanParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int32_t multiplier = 0;  // rescale multiplier already divided by the element count
  int shift = 0;
};

// TFLite's count folding: the multiplier of in_scale / out_scale with 1/n folded in.
inline void FoldCountIntoMultiplier(int64_t n, int32_t multiplier, int shift,
                                    int32_t* out_multiplier, int* out_shift) {
  int s = 0;
  while (s < 63 && (int64_t{2} << s) <= n) ++s;  // floor(log2 n)
  s = std::min(s, 32);
  s = std::min(s, 31 + shift);
  *out_multiplier = static_cast<int32_t>((static_cast<int64_t>(multiplier) << s) / n);
  *out_shift = shift - s;
}

// General path. `sums` holds ReducedSize(shape, reduce_mask) int32 accumulators (Eval scratch);
// `count` is the number of input elements per output (> 0). The int32 sums wrap (two's complement)
// where TFLite's would overflow, i.e. only beyond 2^24 (int8) / 2^16 (int16) elements per output.
template <typename T>
inline void QuantizedMean(const Shape& shape, const T* in, uint32_t reduce_mask, int64_t count,
                          const QuantizedMeanParams& p, int32_t* sums, T* out) {
  Reduce(shape, in, reduce_mask, int32_t{0}, sums, [](int32_t acc, T v) {
    return static_cast<int32_t>(static_cast<uint32_t>(acc) + static_cast<uint32_t>(int32_t{v}));
  });
  const int64_t out_size = ReducedSize(shape, reduce_mask);
  const int32_t zp_total = static_cast<int32_t>(p.input_zero_point * count);
  for (int64_t j = 0; j < out_size; ++j) {
    const int32_t shifted =
        static_cast<int32_t>(static_cast<uint32_t>(sums[j]) - static_cast<uint32_t>(zp_total));
    const int32_t v = quant::MultiplyByQuantizedMultiplier(shifted, p.multiplier, p.shift) +
                      p.output_zero_point;
    out[j] = static_cast<T>(std::min<int32_t>(
        std::max<int32_t>(v, std::numeric_limits<T>::min()), std::numeric_limits<T>::max()));
  }
}

// The 4-D special case: input [N, H, W, C] reduced over H and W into [N, 1, 1, C].
inline void QuantizedMean4DHW(const Shape& shape, const int8_t* in, int32_t multiplier, int shift,
                              int32_t bias, int8_t* out) {
  const int batches = shape.dim(0);
  const int h = shape.dim(1);
  const int w = shape.dim(2);
  const int depth = shape.dim(3);
  for (int b = 0; b < batches; ++b) {
    for (int c = 0; c < depth; ++c) {
      int32_t acc = 0;
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          acc = static_cast<int32_t>(static_cast<uint32_t>(acc) +
                                     static_cast<uint32_t>(int32_t{in[shape.Offset(b, y, x, c)]}));
        }
      }
      const int32_t v = quant::MultiplyByQuantizedMultiplier(acc, multiplier, shift) + bias;
      out[static_cast<int64_t>(b) * depth + c] =
          static_cast<int8_t>(std::min<int32_t>(std::max<int32_t>(v, -128), 127));
    }
  }
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_REDUCE_H_
