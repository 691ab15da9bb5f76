// Helpers for the integer (int8 and 16x8) CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED tests.
//
// The tests compute each output's exact accumulator with their own naive loops (int64, explicit
// zero-point padding), then check the kernel's outputs two ways (ExpectRequantized):
//   (a) bit-exact against the requantization TensorFlow Lite's reference_integer_ops perform,
//       restated here with core/quant/fixed_point.h's MultiplyByQuantizedMultiplier and this
//       file's own copy of TFLite's QuantizeMultiplier / CalculateActivationRangeQuantized rules;
//   (b) close to the double-precision ideal clamp(round(zero_point + acc * effective_scale)):
//       within 1 for int32 accumulators (two roundings), within 1 + |x| / 2^15 for the int64 path
//       (TFLite reduces the multiplier to 15 bits there).
#ifndef COMPRESSD_CORE_KERNELS_TESTING_QUANTIZED_TEST_UTIL_H_
#define COMPRESSD_CORE_KERNELS_TESTING_QUANTIZED_TEST_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/ir/builtin_options.h"
#include "core/ir/data_type.h"
#include "core/ir/model.h"
#include "core/quant/fixed_point.h"
#include "gtest/gtest.h"

namespace compressd::kernels::testing {

inline ir::QuantParams MakeQuant(std::vector<float> scales, std::vector<int64_t> zero_points,
                                 int32_t quantized_dimension = 0) {
  ir::QuantParams q;
  q.scale = std::move(scales);
  q.zero_point = std::move(zero_points);
  q.quantized_dimension = quantized_dimension;
  return q;
}

inline ir::QuantParams PerTensorQuant(float scale, int64_t zero_point) {
  return MakeQuant({scale}, {zero_point});
}

// Per-channel symmetric quantization along `dim` (zero points all 0).
inline ir::QuantParams PerChannelQuant(const std::vector<float>& scales, int32_t dim) {
  return MakeQuant(scales, std::vector<int64_t>(scales.size(), 0), dim);
}

struct TestMultiplier {
  int32_t multiplier = 0;
  int shift = 0;
};

// TFLite's QuantizeMultiplier (double-rounding build), written independently of the kernels.
inline TestMultiplier QuantizeMultiplierForTest(double real) {
  TestMultiplier out;
  if (real == 0.0) return out;
  int exponent = 0;
  const double fraction = std::frexp(real, &exponent);      // real = fraction * 2^exponent
  long long fixed = std::llround(fraction * 2147483648.0);  // half away from zero
  if (fixed == 2147483648LL) {
    fixed = 1073741824LL;
    ++exponent;
  }
  if (exponent < -31) return out;  // flushed to zero
  out.multiplier = static_cast<int32_t>(fixed);
  out.shift = exponent;
  return out;
}

struct TestActRange {
  int32_t min = 0;
  int32_t max = 0;
};

// TFLite's CalculateActivationRangeQuantized: bounds quantized in float with the output's scale.
inline TestActRange QuantizedActRange(ir::Activation act, float scale, int32_t zero_point,
                                      ir::DataType type) {
  const int32_t qmin = type == ir::DataType::kInt16 ? -32768 : -128;
  const int32_t qmax = type == ir::DataType::kInt16 ? 32767 : 127;
  auto q = [&](float f) { return zero_point + static_cast<int32_t>(std::round(f / scale)); };
  switch (act) {
    case ir::Activation::kRelu:
      return {std::max(qmin, q(0.0f)), qmax};
    case ir::Activation::kRelu6:
      return {std::max(qmin, q(0.0f)), std::min(qmax, q(6.0f))};
    case ir::Activation::kReluN1To1:
      return {std::max(qmin, q(-1.0f)), std::min(qmax, q(1.0f))};
    default:
      return {qmin, qmax};
  }
}

// One output element: its exact accumulator (Σ filter * (input - input_zero_point) + bias,
// computed in int64 by the test) and its output channel.
struct AccEntry {
  int64_t acc = 0;
  int channel = 0;
};

struct RequantSpec {
  std::vector<double> effective_scale;  // per channel, as TFLite computes it for the op
  int32_t output_zero_point = 0;
  TestActRange range;
  bool int64_accumulator = false;  // 16x8 with an int64 bias (or none, where the op says so)
  bool check_ideal = true;         // false for tests that overflow the int32 accumulator on purpose
};

// What the kernel must produce for one element, following TFLite's reference_integer_ops.
inline int32_t ExactRequantized(int64_t acc, int channel, const RequantSpec& spec) {
  const TestMultiplier m = QuantizeMultiplierForTest(spec.effective_scale[channel]);
  int32_t v = 0;
  if (spec.int64_accumulator) {
    constexpr int64_t kLimit = int64_t{1} << 47;  // TFLite's precondition on the accumulator
    v = quant::MultiplyByQuantizedMultiplier(std::clamp<int64_t>(acc, -kLimit, kLimit - 1),
                                             m.multiplier, m.shift);
  } else {
    const int32_t acc32 = static_cast<int32_t>(acc);  // int32 accumulation wraps
    const int64_t scaled =
        int64_t{quant::MultiplyByQuantizedMultiplier(acc32, m.multiplier, m.shift)} +
        spec.output_zero_point;
    v = static_cast<int32_t>(scaled);  // int32 addition wraps too
  }
  return std::min(std::max(v, spec.range.min), spec.range.max);
}

// Compares the kernel's outputs with (a) ExactRequantized and (b) the double ideal.
template <typename T>
void ExpectRequantized(const std::vector<T>& got, const std::vector<AccEntry>& accs,
                       const RequantSpec& spec) {
  ASSERT_EQ(got.size(), accs.size());
  int exact_failures = 0;
  int ideal_failures = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const AccEntry& e = accs[i];
    const int32_t exact = ExactRequantized(e.acc, e.channel, spec);
    if (got[i] != exact && ++exact_failures <= 5) {
      ADD_FAILURE() << "element " << i << " (channel " << e.channel << ", acc " << e.acc
                    << "): got " << int{got[i]} << ", TFLite arithmetic gives " << exact;
    }
    if (!spec.check_ideal) continue;
    const double x = static_cast<double>(e.acc) * spec.effective_scale[e.channel];
    const double ideal_unclamped = spec.output_zero_point + std::round(x);
    const double ideal =
        std::min<double>(std::max<double>(ideal_unclamped, spec.range.min), spec.range.max);
    const double tolerance =
        spec.int64_accumulator ? 1.0 + std::floor(std::min(std::fabs(x), 65536.0) / 32768.0) : 1.0;
    if (std::fabs(got[i] - ideal) > tolerance && ++ideal_failures <= 5) {
      ADD_FAILURE() << "element " << i << " (channel " << e.channel << ", acc " << e.acc
                    << "): got " << int{got[i]} << ", ideal " << ideal << " (tolerance "
                    << tolerance << ")";
    }
  }
  EXPECT_EQ(exact_failures, 0);
  EXPECT_EQ(ideal_failures, 0);
}

template <typename T>
std::vector<T> RandomInts(std::mt19937& rng, int64_t n, int64_t lo, int64_t hi) {
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  std::vector<T> v(static_cast<size_t>(n));
  for (T& x : v) x = static_cast<T>(dist(rng));
  return v;
}

inline float RandomScale(std::mt19937& rng, float lo, float hi) {
  // Log-uniform, so that scales span orders of magnitude.
  std::uniform_real_distribution<double> dist(std::log(lo), std::log(hi));
  return static_cast<float>(std::exp(dist(rng)));
}

// Zero bytes for a tensor of `type` and `shape` (data for Prepare-only error tests).
inline std::vector<uint8_t> ZeroBytes(ir::DataType type, int64_t elements) {
  return std::vector<uint8_t>(static_cast<size_t>(elements * ir::DataTypeSize(type)), 0);
}

}  // namespace compressd::kernels::testing

#endif  // COMPRESSD_CORE_KERNELS_TESTING_QUANTIZED_TEST_UTIL_H_
