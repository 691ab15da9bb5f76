#include "core/kernels/optimized/fully_connected.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/base/thread_pool.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/optimized/gemm.h"
#include "core/kernels/optimized/test_util.h"
#include "gtest/gtest.h"

#if __has_include("core/kernels/reference/fully_connected.h")
#include "core/kernels/reference/fully_connected.h"
#define COMPRESSD_HAVE_REFERENCE_FULLY_CONNECTED 1
#endif

namespace compressd::kernels::optimized {
namespace {

using testing::ExpectClose;
using testing::Expected;
using testing::RandomVector;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Checks FullyConnected for every supported variant and no pool / 1 / 3 threads.
void RunCase(const Shape& in_s, int out, bool with_bias, FloatActivationRange act,
             std::mt19937& rng) {
  const int in = in_s.dim(in_s.rank() - 1);
  const int64_t batch = in_s.FlatSize() / in;
  SCOPED_TRACE("in=" + in_s.ToString() + " out=" + std::to_string(out));
  const Shape w_s{out, in};
  const Shape out_s{static_cast<int32_t>(batch), out};
  const std::vector<float> x = RandomVector(in_s.FlatSize(), rng);
  const std::vector<float> w = RandomVector(w_s.FlatSize(), rng);
  const std::vector<float> bias = RandomVector(out, rng);
  const float* bias_ptr = with_bias ? bias.data() : nullptr;
  Expected want;
  for (int64_t b = 0; b < batch; ++b) {
    for (int o = 0; o < out; ++o) {
      double sum = with_bias ? bias[o] : 0.0, mag = std::fabs(sum);
      for (int i = 0; i < in; ++i) {
        const double prod = static_cast<double>(x[b * in + i]) * w[o * in + i];
        sum += prod;
        mag += std::fabs(prod);
      }
      want.value.push_back(std::min<double>(std::max<double>(sum, act.min), act.max));
      want.magnitude.push_back(mag);
    }
  }
#ifdef COMPRESSD_HAVE_REFERENCE_FULLY_CONNECTED
  std::vector<float> ref(out_s.FlatSize(), kNaN);
  reference::FullyConnected(act, in_s, x.data(), w_s, w.data(), bias_ptr, out_s, ref.data());
  ExpectClose(want, ref.data(), "reference kernel vs naive");
#endif
  ThreadPool pool1(1), pool3(3);
  ThreadPool* pools[] = {nullptr, &pool1, &pool3};
  for (const GemmVariant& v : GemmVariants()) {
    if (!IsSupported(v)) continue;
    SCOPED_TRACE(v.name);
    const PackedMatrix packed = PackFullyConnectedWeights(w_s, w.data(), v);
    std::vector<float> first;
    for (ThreadPool* pool : pools) {
      std::vector<float> y(out_s.FlatSize() + 8, kNaN);
      std::fill(y.end() - 8, y.end(), 77.0f);
      FullyConnected(act, in_s, x.data(), packed, bias_ptr, out_s, y.data(), pool);
      for (size_t i = y.size() - 8; i < y.size(); ++i) ASSERT_EQ(y[i], 77.0f);
      y.resize(out_s.FlatSize());
      if (first.empty()) {
        ExpectClose(want, y.data(), "vs naive");
        first = y;
      } else {
        ASSERT_EQ(std::memcmp(first.data(), y.data(), y.size() * sizeof(float)), 0)
            << "thread count changed the result";
      }
    }
  }
}

TEST(FullyConnectedTest, HandComputed) {
  // x = [1, 2, 3]; W = [[1, 0, -1], [2, 2, 2]]; bias [0.5, -1]; relu6 -> [0, 6 (11 clamped)].
  const std::vector<float> x = {1, 2, 3}, w = {1, 0, -1, 2, 2, 2}, bias = {0.5f, -1.0f};
  for (const GemmVariant& v : GemmVariants()) {
    if (!IsSupported(v)) continue;
    const PackedMatrix packed = PackFullyConnectedWeights(Shape{2, 3}, w.data(), v);
    float y[2] = {kNaN, kNaN};
    FullyConnected({0.0f, 6.0f}, Shape{1, 3}, x.data(), packed, bias.data(), Shape{1, 2}, y,
                   nullptr);
    EXPECT_EQ(y[0], 0.0f) << v.name;  // 1 - 3 + 0.5 = -1.5 -> 0
    EXPECT_EQ(y[1], 6.0f) << v.name;
  }
}

TEST(FullyConnectedTest, BatchOneAllSizes) {
  std::mt19937 rng(30);
  for (int in = 1; in <= 70; in += 3) {
    for (int out = 1; out <= 70; out += 5) RunCase(Shape{1, in}, out, (in + out) % 2 == 0, {}, rng);
  }
}

TEST(FullyConnectedTest, BatchedAndFlattenedInputs) {
  std::mt19937 rng(31);
  RunCase(Shape{2, 1, 1, 37}, 19, true, {}, rng);
  RunCase(Shape{4, 64}, 63, false, {0.0f, 6.0f}, rng);
  RunCase(Shape{3, 5, 11}, 7, true, {-1.0f, 1.0f}, rng);  // batch 15
}

TEST(FullyConnectedTest, ModelShapes) {
  std::mt19937 rng(32);
  RunCase(Shape{1, 1152}, 63, true, {}, rng);   // hand landmarks head
  RunCase(Shape{1, 1152}, 195, true, {}, rng);  // pose landmarks head
  RunCase(Shape{1, 1280}, 1000, true, {}, rng);
}

}  // namespace
}  // namespace compressd::kernels::optimized
