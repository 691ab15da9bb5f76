// Quantized MEAN (int8, int16): exact equality with TFLite's arithmetic written out here (the
// reference path: integer division for equal input/output parameters, float rescaling otherwise;
// the int8 and int16 4-D keep_dims axes {1,2} special cases), within 1 LSB of the ideal mean,
// equal and different input/output parameters, and the Prepare checks.
#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/testing/op_test_util.h"
#include "core/kernels/testing/quant_test_util.h"
#include "core/quant/fixed_point.h"
#include "gtest/gtest.h"

namespace compressd::kernels {
namespace {

using testing::OpHarness;
using testing::Q;

struct Result {
  absl::Status status;
  Shape shape;
};

template <typename T>
Result RunMean(ir::DataType type, const Shape& shape, const std::vector<T>& in,
               const std::vector<int32_t>& axes, bool keep_dims, std::optional<ir::QuantParams> qi,
               std::optional<ir::QuantParams> qo, std::vector<T>* out) {
  ir::ReducerOptions o;
  o.keep_dims = keep_dims;
  OpHarness h(MeanKernel(), o);
  h.AddInput(type, shape, in, qi);
  h.AddConstInput(ir::DataType::kInt32, Shape{static_cast<int32_t>(axes.size())}, axes);
  h.AddOutput(type, Shape(), qo);
  Result r{h.Run(), Shape()};
  if (r.status.ok()) {
    *out = h.OutputData<T>(0);
    r.shape = h.OutputShape(0);
  }
  return r;
}

// Sum of the raw values of every output over the reduced dimensions (mask), row-major outputs.
template <typename T>
std::vector<int64_t> Sums(const Shape& shape, const std::vector<T>& in, uint32_t mask) {
  Shape kept;
  for (int d = 0; d < shape.rank(); ++d) kept.push_back(mask & (1u << d) ? 1 : shape.dim(d));
  std::vector<int64_t> sums(kept.FlatSize(), 0);
  for (int64_t i = 0; i < shape.FlatSize(); ++i) {
    int64_t rem = i, o = 0, stride = 1;
    for (int d = shape.rank() - 1; d >= 0; --d) {
      const int64_t idx = rem % shape.dim(d);
      rem /= shape.dim(d);
      if (!(mask & (1u << d))) o += idx * stride;
      stride *= kept.dim(d);
    }
    sums[o] += in[i];
  }
  return sums;
}

template <typename T>
void CheckRandom(ir::DataType type, uint32_t seed) {
  std::mt19937 rng(seed);
  const bool is8 = type == ir::DataType::kInt8;
  int specials = 0;
  for (int iter = 0; iter < 200; ++iter) {
    const int rank = std::uniform_int_distribution<int>(1, 4)(rng);
    Shape shape;
    for (int d = 0; d < rank; ++d) shape.push_back(std::uniform_int_distribution<int>(1, 5)(rng));
    std::vector<int32_t> axes;
    uint32_t mask = 0;
    if (rank == 4 && iter % 3 == 0) {
      axes = iter % 2 ? std::vector<int32_t>{1, 2} : std::vector<int32_t>{2, 1};
    } else {
      const int na = std::uniform_int_distribution<int>(1, rank)(rng);
      for (int k = 0; k < na; ++k) {
        int a = std::uniform_int_distribution<int>(0, rank - 1)(rng);
        if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) a -= rank;  // negative axis
        axes.push_back(a);
      }
    }
    for (int32_t a : axes) mask |= 1u << (a < 0 ? a + rank : a);
    const bool keep = std::uniform_int_distribution<int>(0, 1)(rng);
    const auto in = testing::RandomValues<T>(rng, shape.FlatSize());
    const float si = testing::RandomScale(rng, 1e-3f, 0.1f);
    const float so = iter % 4 == 0 ? si : si * testing::RandomScale(rng, 0.3f, 3.0f);
    const int32_t zi = is8 ? testing::RandomZeroPoint<T>(rng) : 0;
    const int32_t zo = is8 ? (iter % 4 == 0 ? zi : testing::RandomZeroPoint<T>(rng)) : 0;
    SCOPED_TRACE(::testing::Message() << "iter " << iter << " shape " << shape.ToString()
                                      << " mask " << mask << " keep " << keep);
    std::vector<T> out;
    const Result r = RunMean(type, shape, in, axes, keep, Q(si, zi), Q(so, zo), &out);
    ASSERT_TRUE(r.status.ok()) << r.status;
    const auto sums = Sums(shape, in, mask);
    ASSERT_EQ(out.size(), sums.size());
    int64_t n = 1;
    for (int d = 0; d < rank; ++d) {
      if (mask & (1u << d)) n *= shape.dim(d);
    }
    const bool special_axes = keep && rank == 4 && axes.size() == 2 &&
                              ((axes[0] == 1 && axes[1] == 2) || (axes[0] == 2 && axes[1] == 1));
    const bool special = is8 && special_axes;
    const bool special16 = !is8 && special_axes;
    specials += special || special16;
    const int32_t tmin = std::numeric_limits<T>::min(), tmax = std::numeric_limits<T>::max();
    for (size_t j = 0; j < out.size(); ++j) {
      int32_t want;
      if (special) {
        float temp = static_cast<float>(zi) * si / so;
        temp = temp > 0 ? temp + 0.5f : temp - 0.5f;
        const int32_t bias = zo - static_cast<int32_t>(temp);
        const auto m = testing::TestQuantizeMultiplier(
            si / (static_cast<float>(shape.dim(1) * shape.dim(2)) * so));
        want = quant::MultiplyByQuantizedMultiplier(static_cast<int32_t>(sums[j]), m.multiplier,
                                                    m.shift) +
               bias;
      } else if (special16) {
        const auto m = testing::TestQuantizeMultiplier(double{si} / double{so});
        const int32_t acc = quant::MultiplyByQuantizedMultiplier(
            static_cast<int32_t>(sums[j] - int64_t{zi} * n), m.multiplier, m.shift);
        const int32_t n32 = static_cast<int32_t>(n);
        want = (acc > 0 ? (acc + n32 / 2) / n32 : (acc - n32 / 2) / n32) + zo;
      } else if (si == so && zi == zo) {
        want = static_cast<int32_t>(sums[j] / n);  // truncation toward zero
      } else {
        const float scale = si / so;
        const float mean = static_cast<float>(sums[j]) / static_cast<float>(n);
        want = static_cast<int32_t>(std::round(mean * scale + static_cast<float>(-zi) * scale)) +
               zo;
      }
      want = std::clamp(want, tmin, tmax);
      ASSERT_EQ(out[j], want) << "output " << j << (special || special16 ? " (special)" : "");
      const double real = (static_cast<double>(sums[j]) / n - zi) * si;
      ASSERT_LE(std::abs(out[j] - testing::IdealQuantize(real, so, zo, tmin, tmax)), 1)
          << "output " << j;
    }
  }
  EXPECT_GT(specials, 3);
}

TEST(MeanInt8Test, RandomMatchesTfliteArithmeticAndIdeal) {
  CheckRandom<int8_t>(ir::DataType::kInt8, 71);
}

TEST(MeanInt16Test, RandomMatchesTfliteArithmeticAndIdeal) {
  CheckRandom<int16_t>(ir::DataType::kInt16, 72);
}

TEST(MeanInt8Test, HandComputed) {
  // Same parameters in and out: the mean of raw values, truncated toward zero.
  std::vector<int8_t> out;
  Result r = RunMean<int8_t>(ir::DataType::kInt8, Shape{2, 2}, {1, 2, -3, -4}, {1}, false,
                             Q(0.1f, 0), Q(0.1f, 0), &out);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.shape, (Shape{2}));
  EXPECT_EQ(out, (std::vector<int8_t>{1, -3}));
  // Different parameters: means 1.5 and -3.5 times 0.1 / 0.2 = 0.75 and -1.75, rounded half away
  // from zero, plus the output zero point 1.
  r = RunMean<int8_t>(ir::DataType::kInt8, Shape{2, 2}, {1, 2, -3, -4}, {1}, false, Q(0.1f, 0),
                      Q(0.2f, 1), &out);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(out, (std::vector<int8_t>{2, -1}));
  // 4-D global average pool with keep_dims (TFLite's special case).
  r = RunMean<int8_t>(ir::DataType::kInt8, Shape{1, 2, 2, 1}, {10, 20, 30, 41}, {1, 2}, true,
                      Q(0.5f, 10), Q(0.25f, -20), &out);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.shape, (Shape{1, 1, 1, 1}));
  // mean 25.25 -> real (25.25 - 10) * 0.5 = 7.625 -> 30.5 steps -> 31 (or 30) + -20.
  EXPECT_NEAR(out[0], 11, 1);
}

TEST(MeanInt8Test, EmptyAxesCopiesAndEmptyInputGivesZeros) {
  std::vector<int8_t> out;
  Result r = RunMean<int8_t>(ir::DataType::kInt8, Shape{3}, {-5, 0, 7}, {}, false, Q(0.1f, 1),
                             Q(0.3f, 2), &out);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(out, (std::vector<int8_t>{-5, 0, 7}));
  r = RunMean<int8_t>(ir::DataType::kInt8, Shape{0, 3}, {}, {0}, false, Q(0.1f, 1), Q(0.3f, 2),
                      &out);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(out, (std::vector<int8_t>{0, 0, 0}));
}

TEST(MeanInt8Test, PrepareErrors) {
  struct Bad {
    const char* name;
    ir::DataType type;
    std::optional<ir::QuantParams> qi, qo;
    const char* message;
  };
  const std::vector<Bad> cases = {
      {"no input quant", ir::DataType::kInt8, std::nullopt, Q(0.1f, 0), "input"},
      {"no output quant", ir::DataType::kInt8, Q(0.1f, 0), std::nullopt, "output"},
      {"zero scale", ir::DataType::kInt8, Q(0.1f, 0), Q(0.0f, 0), "scale"},
      {"rescale too large", ir::DataType::kInt8, Q(1e30f, 0), Q(1e-30f, 0), "input scale"},
      {"int16 zero point", ir::DataType::kInt16, Q(0.1f, 0), Q(0.1f, 4), "zero point 4"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    absl::Status s;
    if (c.type == ir::DataType::kInt8) {
      std::vector<int8_t> out;
      s = RunMean<int8_t>(c.type, Shape{2, 2}, {1, 2, 3, 4}, {0}, false, c.qi, c.qo, &out).status;
    } else {
      std::vector<int16_t> out;
      s = RunMean<int16_t>(c.type, Shape{2, 2}, {1, 2, 3, 4}, {0}, false, c.qi, c.qo, &out).status;
    }
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(std::string(s.message()).find(c.message), std::string::npos) << s;
  }
  // SUM stays float-only.
  ir::ReducerOptions o;
  OpHarness h(SumKernel(), o);
  h.AddInput(ir::DataType::kInt8, Shape{2}, std::vector<int8_t>{1, 2}, Q(0.1f, 0));
  h.AddConstInput(ir::DataType::kInt32, Shape{1}, std::vector<int32_t>{0});
  h.AddOutput(ir::DataType::kInt8, Shape(), Q(0.1f, 0));
  EXPECT_EQ(h.Run().code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace compressd::kernels
