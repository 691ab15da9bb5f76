#include "core/kernels/optimized/int8_fully_connected.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/base/thread_pool.h"
#include "core/kernels/optimized/int8_test_util.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized {
namespace {

using testing::ExpectSameInt8;
using testing::NaiveOutputStage;
using testing::QuantParams;
using testing::RandomInt8;
using testing::RandomQuantParams;
using testing::UseFp32Requant;
using testing::WrapAdd;

std::vector<const Int8GemmVariant*> SupportedVariants() {
  std::vector<const Int8GemmVariant*> out;
  for (const Int8GemmVariant& v : Int8GemmVariants()) {
    if (IsSupported(v)) out.push_back(&v);
  }
  return out;
}

// reference_integer_ops::FullyConnected (per tensor: channel 0's multiplier/shift for all
// outputs) or its per-channel variant.
std::vector<int8_t> NaiveFullyConnected(const std::vector<int8_t>& x, const std::vector<int8_t>& w,
                                        bool use_bias, const QuantParams& q, bool per_channel,
                                        int64_t batch, int64_t in, int64_t out) {
  std::vector<int8_t> y(static_cast<size_t>(batch * out));
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t o = 0; o < out; ++o) {
      int32_t acc = 0;
      for (int64_t i = 0; i < in; ++i) {
        acc = WrapAdd(acc, (int32_t{x[b * in + i]} - q.input_zero_point) * w[o * in + i]);
      }
      if (use_bias) acc = WrapAdd(acc, q.bias[o]);
      y[b * out + o] = NaiveOutputStage(acc, q, per_channel ? o : 0);
    }
  }
  return y;
}

void CheckCase(int64_t batch, int64_t in, int64_t out, bool use_bias, bool realistic,
               bool per_channel, std::mt19937& rng, ThreadPool* pool = nullptr,
               bool fp32 = false) {
  QuantParams q = RandomQuantParams(out, realistic, rng);
  if (fp32) UseFp32Requant(q, rng);
  SCOPED_TRACE("batch=" + std::to_string(batch) + " in=" + std::to_string(in) +
               " out=" + std::to_string(out) + " bias=" + std::to_string(use_bias) +
               " realistic=" + std::to_string(realistic) +
               " per_channel=" + std::to_string(per_channel) + " " + q.ToString());
  const std::vector<int8_t> x = RandomInt8(batch * in, rng);
  const std::vector<int8_t> w = RandomInt8(out * in, rng);
  const std::vector<int8_t> want =
      NaiveFullyConnected(x, w, use_bias, q, per_channel, batch, in, out);
  Int8Requant rq;
  rq.input_offset = -q.input_zero_point;
  rq.output_zero_point = q.output_zero_point;
  rq.multiplier = q.multiplier.data();
  rq.shift = q.shift.data();
  rq.fp32_scale = q.fp32_scale.empty() ? nullptr : q.fp32_scale.data();
  rq.act_min = q.act_min;
  rq.act_max = q.act_max;
  rq.per_channel = per_channel;
  const Shape w_s{static_cast<int32_t>(out), static_cast<int32_t>(in)};
  // TFLite flattens the input: give it as [batch, 1, in] and the output as [batch, out].
  const Shape in_s{static_cast<int32_t>(batch), 1, static_cast<int32_t>(in)};
  const Shape out_s{static_cast<int32_t>(batch), static_cast<int32_t>(out)};
  for (const Int8GemmVariant* v : SupportedVariants()) {
    const PackedInt8Matrix packed = PackInt8FullyConnectedWeights(w_s, w.data(), *v);
    AlignedBuffer scratch((Int8FullyConnectedScratchBytes(w_s, out_s) + 3) / 4);
    for (ThreadPool* tp : {static_cast<ThreadPool*>(nullptr), pool}) {
      std::vector<int8_t> got(static_cast<size_t>(batch * out), 77);
      Int8FullyConnected(rq, in_s, x.data(), packed, use_bias ? q.bias.data() : nullptr, out_s,
                         got.data(), scratch.data(), tp);
      ExpectSameInt8(want, got.data(), std::string(v->name) + (tp ? " pool" : ""));
      if (pool == nullptr) break;
    }
  }
}

TEST(Int8FullyConnectedTest, ClassifierShapes) {
  std::mt19937 rng(21);
  CheckCase(1, 1024, 1000, true, true, false, rng);  // MobileNet classifier, per tensor
  CheckCase(1, 1280, 1000, true, true, true, rng);
  CheckCase(4, 1152, 195, true, false, false, rng);
}

TEST(Int8FullyConnectedTest, RandomShapes) {
  std::mt19937 rng(22);
  std::uniform_int_distribution<int> pick(0, 1 << 30);
  for (int iter = 0; iter < 60; ++iter) {
    const int64_t batch = 1 + pick(rng) % 9;
    const int64_t in = 1 + pick(rng) % 70;
    const int64_t out = 1 + pick(rng) % 40;
    CheckCase(batch, in, out, pick(rng) % 3 != 0, pick(rng) % 2 == 0, pick(rng) % 2 == 0, rng);
  }
}

TEST(Int8FullyConnectedTest, Fp32RequantizationLikeXnnpack) {
  // XNNPACK's fp32 output stage (per tensor, as the delegate takes FULLY_CONNECTED, and per
  // channel), batch 1 and several rows.
  std::mt19937 rng(25);
  std::uniform_int_distribution<int> pick(0, 1 << 30);
  CheckCase(1, 1024, 1000, true, true, false, rng, nullptr, true);
  for (int iter = 0; iter < 40; ++iter) {
    CheckCase(1 + pick(rng) % 9, 1 + pick(rng) % 70, 1 + pick(rng) % 40, pick(rng) % 3 != 0,
              true, pick(rng) % 2 == 0, rng, nullptr, true);
  }
}

TEST(Int8FullyConnectedTest, ManyRowsUseSeveralBlocks) {
  // 60 rows of 4000 inputs: the widened rows are converted block by block (12 rows per block).
  std::mt19937 rng(23);
  CheckCase(60, 4000, 24, true, true, true, rng);
}

TEST(Int8FullyConnectedTest, ResultsDoNotDependOnThreadCount) {
  std::mt19937 rng(24);
  for (int threads : {2, 3}) {
    ThreadPool pool(threads);
    CheckCase(1, 1024, 1000, true, true, false, rng, &pool);
    CheckCase(64, 300, 100, true, false, true, rng, &pool);
  }
}

}  // namespace
}  // namespace compressd::kernels::optimized
