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
#include <cmath>
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

// ---- quantized MEAN (int8 / int16), bit-exact with TFLite's default kernel (reduce.cc EvalMean,
// as built into the pinned TFLite runtime; its reference path EvalMeanReferenceOps) -------------
//
// sum = int32 sum of the raw input values of each output, n = number of reduced elements.
// - Equal input and output parameters (reference_ops::Mean on the raw values):
//     out = sum / n, C++ integer division (truncation toward zero).
// - Otherwise (reference_ops::QuantizedMeanOrSum, float rescaling):
//     scale = float(in_scale) / float(out_scale), bias = float(-in_zp) * scale,
//     out = clamp(round_half_away(float(sum) / float(n) * scale + bias) + out_zp), in float.
// - int16, keep_dims, 4-D, axes exactly {1, 2} (reference_integer_ops::Mean):
//     acc = MBQM(sum of (x - in_zp), QuantizeMultiplier(double(in_scale) / double(out_scale))),
//     out = clamp(acc / n rounded half away from zero (integer) + out_zp).
// An empty axis list copies the input; an empty input gives zeros (TFLite fills the int output with
// quiet_NaN<T>() == 0).
//
// int8 4-D special case (TFLite's generic optimized kernel, optimized_integer_ops::Mean, for
// keep_dims with exactly the axes {1, 2}): with float arithmetic
//   bias = out_zp - int(in_zp * in_scale / out_scale, rounded half away from zero via +-0.5 and
//          truncation), mult/shift = QuantizeMultiplier(in_scale / (float(H * W) * out_scale));
//   out = clamp(MBQM(sum of raw values, mult, shift) + bias, -128, 127).

// How the general path rescales (see above).
struct QuantizedMeanParams {
  bool same_params = false;  // input and output scale and zero point are equal
  float scale = 1.0f;        // float(in_scale) / float(out_scale)
  float bias = 0.0f;         // float(-in_zp) * scale
  int32_t output_zero_point = 0;
};

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
  constexpr float kMin = static_cast<float>(std::numeric_limits<T>::min());
  constexpr float kMax = static_cast<float>(std::numeric_limits<T>::max());
  for (int64_t j = 0; j < out_size; ++j) {
    if (p.same_params) {
      out[j] = static_cast<T>(sums[j] / static_cast<int32_t>(count));
      continue;
    }
    const float mean = static_cast<float>(sums[j]) / static_cast<float>(count);
    float r = std::round(mean * p.scale + p.bias) + static_cast<float>(p.output_zero_point);
    r = std::max(std::min(r, kMax), kMin);
    out[j] = static_cast<T>(r);
  }
}

// int16 4-D special case: input [N, H, W, C] reduced over H and W into [N, 1, 1, C].
inline void QuantizedMean4DHWInt16(const Shape& shape, const int16_t* in, int32_t input_zero_point,
                                   int32_t multiplier, int shift, int32_t output_zero_point,
                                   int16_t* out) {
  const int batches = shape.dim(0);
  const int h = shape.dim(1);
  const int w = shape.dim(2);
  const int depth = shape.dim(3);
  const int32_t n = h * w;
  for (int b = 0; b < batches; ++b) {
    for (int c = 0; c < depth; ++c) {
      int32_t acc = 0;
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          acc += int32_t{in[shape.Offset(b, y, x, c)]} - input_zero_point;
        }
      }
      acc = quant::MultiplyByQuantizedMultiplier(acc, multiplier, shift);
      acc = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
      acc += output_zero_point;
      out[static_cast<int64_t>(b) * depth + c] =
          static_cast<int16_t>(std::min<int32_t>(std::max<int32_t>(acc, -32768), 32767));
    }
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
