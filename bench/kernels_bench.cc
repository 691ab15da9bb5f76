// Microbenchmarks of the float32 kernels in core/kernels/optimized against naive loops (the
// TFLite reference loop nests), on shapes from the MediaPipe face-detection / hand / pose models.
//
//   kernels_bench --benchmark_filter=Gemm        GEMM variants, counter GFLOP/s
//   kernels_bench --benchmark_filter=Conv        CONV_2D, time per call (ms)
//   kernels_bench --benchmark_filter=Depthwise   DEPTHWISE_CONV_2D
//   COMPRESSD_CPU=portable kernels_bench         the portable paths only
//
// Arguments of the threaded cases are the thread count.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/base/thread_pool.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/optimized/conv_2d.h"
#include "core/kernels/optimized/depthwise_conv_2d.h"
#include "core/kernels/optimized/depthwise_ukernel.h"
#include "core/kernels/optimized/fully_connected.h"
#include "core/kernels/optimized/gemm.h"
#include "core/kernels/shape.h"

namespace compressd::kernels::optimized {
namespace {

std::vector<float> Random(int64_t n) {
  std::mt19937 rng(123);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = d(rng);
  return v;
}

void SetFlops(benchmark::State& state, double flops_per_call) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops_per_call * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// ---------------------------------------------------------------- GEMM (M x N x K)

const GemmVariant* FindVariant(const std::string& name) {
  for (const GemmVariant& v : GemmVariants()) {
    if (name == v.name) return IsSupported(v) ? &v : nullptr;
  }
  return nullptr;
}

void BM_Gemm(benchmark::State& state, const std::string& variant) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const GemmVariant* v = FindVariant(variant);
  if (v == nullptr) {
    state.SkipWithError("variant not supported on this CPU");
    return;
  }
  const std::vector<float> a = Random(m * k), w = Random(n * k), bias = Random(n);
  std::vector<float> c(m * n);
  const PackedMatrix packed = PackedMatrix::FromTransposed(*v, n, k, w.data(), k);
  GemmEpilogue ep;
  ep.bias = bias.data();
  ep.act_min = 0.0f;
  for (auto _ : state) {
    Gemm(m, a.data(), k, packed, ep, c.data(), n);
    benchmark::DoNotOptimize(c.data());
  }
  SetFlops(state, 2.0 * m * n * k);
}

void BM_GemmNaive(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const std::vector<float> a = Random(m * k), w = Random(n * k), bias = Random(n);
  std::vector<float> c(m * n);
  for (auto _ : state) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        float sum = bias[j];
        for (int64_t kk = 0; kk < k; ++kk) sum += a[i * k + kk] * w[j * k + kk];
        c[i * n + j] = std::max(sum, 0.0f);
      }
    }
    benchmark::DoNotOptimize(c.data());
  }
  SetFlops(state, 2.0 * m * n * k);
}

void GemmShapes(benchmark::internal::Benchmark* b) {
  b->Args({4096, 64, 32})      // 1x1 conv 64x64x32 -> 64
      ->Args({16384, 24, 16})  // 1x1 conv 128x128x16 -> 24
      ->Args({1024, 128, 128})
      ->Args({256, 256, 256})
      ->Args({512, 512, 512})
      ->Args({64, 576, 576})
      ->Args({4, 1152, 1152})
      ->Args({1, 1152, 1152});  // GEMV
}

BENCHMARK_CAPTURE(BM_Gemm, portable_4x8, std::string("portable_4x8"))->Apply(GemmShapes);
BENCHMARK_CAPTURE(BM_Gemm, avx2_6x16, std::string("avx2_6x16"))->Apply(GemmShapes);
BENCHMARK(BM_GemmNaive)->Args({4096, 64, 32})->Args({256, 256, 256})->Args({1, 1152, 1152});

// ---------------------------------------------------------------- CONV_2D

struct ConvShape {
  int in_h, in_w, in_c, out_c, filter, stride;
};

// {64x64x32 -> 64, 1x1}, {128x128x3 -> 24, 3x3 s2}, {64x64x32 -> 32, 3x3}, {32x32x64 -> 64, 5x5}.
constexpr ConvShape kConvShapes[] = {
    {64, 64, 32, 64, 1, 1}, {128, 128, 3, 24, 3, 2}, {64, 64, 32, 32, 3, 1},
    {32, 32, 64, 64, 5, 1}, {16, 16, 128, 256, 1, 1}};

struct ConvSetup {
  ConvParams params;
  Shape in_s, f_s, out_s;
  std::vector<float> in, filter, bias, out;

  explicit ConvSetup(const ConvShape& cs) {
    const PaddedSize ph = ComputePaddedSize(ir::Padding::kSame, cs.in_h, cs.filter, cs.stride, 1);
    const PaddedSize pw = ComputePaddedSize(ir::Padding::kSame, cs.in_w, cs.filter, cs.stride, 1);
    params.stride_h = params.stride_w = cs.stride;
    params.pad_top = ph.pad_before;
    params.pad_left = pw.pad_before;
    params.act_min = 0.0f;
    in_s = Shape{1, cs.in_h, cs.in_w, cs.in_c};
    f_s = Shape{cs.out_c, cs.filter, cs.filter, cs.in_c};
    out_s = Shape{1, ph.output, pw.output, cs.out_c};
    in = Random(in_s.FlatSize());
    filter = Random(f_s.FlatSize());
    bias = Random(cs.out_c);
    out.resize(out_s.FlatSize());
  }
  double Flops() const {
    return 2.0 * out_s.FlatSize() * f_s.dim(1) * f_s.dim(2) * f_s.dim(3);
  }
};

void BM_ConvNaive(benchmark::State& state) {
  ConvSetup s(kConvShapes[state.range(0)]);
  const ConvParams& p = s.params;
  for (auto _ : state) {
    for (int oy = 0; oy < s.out_s.dim(1); ++oy) {
      for (int ox = 0; ox < s.out_s.dim(2); ++ox) {
        for (int oc = 0; oc < s.out_s.dim(3); ++oc) {
          float sum = s.bias[oc];
          for (int ky = 0; ky < s.f_s.dim(1); ++ky) {
            for (int kx = 0; kx < s.f_s.dim(2); ++kx) {
              const int iy = oy * p.stride_h - p.pad_top + ky;
              const int ix = ox * p.stride_w - p.pad_left + kx;
              if (iy < 0 || iy >= s.in_s.dim(1) || ix < 0 || ix >= s.in_s.dim(2)) continue;
              for (int ic = 0; ic < s.in_s.dim(3); ++ic) {
                sum += s.in[s.in_s.Offset(0, iy, ix, ic)] * s.filter[s.f_s.Offset(oc, ky, kx, ic)];
              }
            }
          }
          s.out[s.out_s.Offset(0, oy, ox, oc)] = std::max(sum, 0.0f);
        }
      }
    }
    benchmark::DoNotOptimize(s.out.data());
  }
  SetFlops(state, s.Flops());
}

void BM_ConvOptimized(benchmark::State& state) {
  ConvSetup s(kConvShapes[state.range(0)]);
  const int threads = static_cast<int>(state.range(1));
  ThreadPool pool(threads);
  const PackedConvFilter filter = PackConvFilter(s.f_s, s.filter.data());
  const int64_t bytes = ConvScratchBytes(s.params, s.in_s, s.f_s, s.out_s, threads);
  std::vector<float> scratch(static_cast<size_t>(bytes / 4 + 16));
  for (auto _ : state) {
    Conv2D(s.params, s.in_s, s.in.data(), filter, s.bias.data(), s.out_s, s.out.data(),
           scratch.data(), &pool);
    benchmark::DoNotOptimize(s.out.data());
  }
  SetFlops(state, s.Flops());
  state.SetLabel(filter.matrix.variant().name);
}

BENCHMARK(BM_ConvNaive)->DenseRange(0, 4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ConvOptimized)
    ->ArgsProduct({{0, 1, 2, 3, 4}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---------------------------------------------------------------- DEPTHWISE_CONV_2D

struct DwShape {
  int in_h, in_w, channels, filter, stride;
};

constexpr DwShape kDwShapes[] = {{128, 128, 24, 3, 1}, {64, 64, 48, 3, 2},
                                 {32, 32, 96, 5, 1},   {16, 16, 192, 5, 2},
                                 {8, 8, 1152, 3, 1},   {128, 128, 8, 3, 1}};

struct DwSetup {
  ConvParams params;
  Shape in_s, f_s, out_s;
  std::vector<float> in, filter, bias, out;

  explicit DwSetup(const DwShape& ds) {
    const PaddedSize ph = ComputePaddedSize(ir::Padding::kSame, ds.in_h, ds.filter, ds.stride, 1);
    const PaddedSize pw = ComputePaddedSize(ir::Padding::kSame, ds.in_w, ds.filter, ds.stride, 1);
    params.stride_h = params.stride_w = ds.stride;
    params.pad_top = ph.pad_before;
    params.pad_left = pw.pad_before;
    params.act_min = 0.0f;
    in_s = Shape{1, ds.in_h, ds.in_w, ds.channels};
    f_s = Shape{1, ds.filter, ds.filter, ds.channels};
    out_s = Shape{1, ph.output, pw.output, ds.channels};
    in = Random(in_s.FlatSize());
    filter = Random(f_s.FlatSize());
    bias = Random(ds.channels);
    out.resize(out_s.FlatSize());
  }
  double Flops() const { return 2.0 * out_s.FlatSize() * f_s.dim(1) * f_s.dim(2); }
};

void BM_DepthwiseNaive(benchmark::State& state) {
  DwSetup s(kDwShapes[state.range(0)]);
  const ConvParams& p = s.params;
  for (auto _ : state) {
    for (int oy = 0; oy < s.out_s.dim(1); ++oy) {
      for (int ox = 0; ox < s.out_s.dim(2); ++ox) {
        for (int c = 0; c < s.out_s.dim(3); ++c) {
          float sum = s.bias[c];
          for (int ky = 0; ky < s.f_s.dim(1); ++ky) {
            for (int kx = 0; kx < s.f_s.dim(2); ++kx) {
              const int iy = oy * p.stride_h - p.pad_top + ky;
              const int ix = ox * p.stride_w - p.pad_left + kx;
              if (iy < 0 || iy >= s.in_s.dim(1) || ix < 0 || ix >= s.in_s.dim(2)) continue;
              sum += s.in[s.in_s.Offset(0, iy, ix, c)] * s.filter[s.f_s.Offset(0, ky, kx, c)];
            }
          }
          s.out[s.out_s.Offset(0, oy, ox, c)] = std::max(sum, 0.0f);
        }
      }
    }
    benchmark::DoNotOptimize(s.out.data());
  }
  SetFlops(state, s.Flops());
}

void BM_DepthwisePortable(benchmark::State& state) {
  DwSetup s(kDwShapes[state.range(0)]);
  DepthwiseArgs a;
  a.params = &s.params;
  a.batch = 1;
  a.in_h = s.in_s.dim(1);
  a.in_w = s.in_s.dim(2);
  a.in_c = a.out_c = s.in_s.dim(3);
  a.out_h = s.out_s.dim(1);
  a.out_w = s.out_s.dim(2);
  a.filter_h = s.f_s.dim(1);
  a.filter_w = s.f_s.dim(2);
  a.input = s.in.data();
  a.filter = s.filter.data();
  a.bias = s.bias.data();
  a.output = s.out.data();
  for (auto _ : state) {
    DepthwiseRowsPortable(a, 0, a.out_h);
    benchmark::DoNotOptimize(s.out.data());
  }
  SetFlops(state, s.Flops());
}

void BM_DepthwiseOptimized(benchmark::State& state) {
  DwSetup s(kDwShapes[state.range(0)]);
  ThreadPool pool(static_cast<int>(state.range(1)));
  for (auto _ : state) {
    DepthwiseConv2D(s.params, s.in_s, s.in.data(), s.f_s, s.filter.data(), s.bias.data(),
                    s.out_s, s.out.data(), &pool);
    benchmark::DoNotOptimize(s.out.data());
  }
  SetFlops(state, s.Flops());
  state.SetLabel(DepthwiseConv2DPath(s.params, s.f_s));
}

BENCHMARK(BM_DepthwiseNaive)->DenseRange(0, 5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DepthwisePortable)->DenseRange(0, 5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DepthwiseOptimized)
    ->ArgsProduct({{0, 1, 2, 3, 4, 5}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---------------------------------------------------------------- FULLY_CONNECTED

void BM_FullyConnected(benchmark::State& state) {
  const int in = static_cast<int>(state.range(0)), out = static_cast<int>(state.range(1));
  const int batch = static_cast<int>(state.range(2));
  const std::vector<float> x = Random(int64_t{batch} * in), w = Random(int64_t{in} * out),
                           bias = Random(out);
  std::vector<float> y(int64_t{batch} * out);
  const PackedMatrix packed = PackFullyConnectedWeights(Shape{out, in}, w.data());
  for (auto _ : state) {
    FullyConnected({}, Shape{batch, in}, x.data(), packed, bias.data(), Shape{batch, out},
                   y.data(), nullptr);
    benchmark::DoNotOptimize(y.data());
  }
  SetFlops(state, 2.0 * batch * in * out);
}

BENCHMARK(BM_FullyConnected)->Args({1152, 195, 1})->Args({1152, 63, 1})->Args({1280, 1000, 1})
    ->Args({1280, 1000, 4});

}  // namespace
}  // namespace compressd::kernels::optimized

BENCHMARK_MAIN();

// ================================================================ int8 vs float32
//
// The int8 kernels (int8_*.h) against the float32 ones on the same shapes (MobileNet-like
// layers). Every case takes a dtype argument (0 = float32, 1 = int8) so the two sit next to each
// other in the output; the GOP/s counter counts 2 ops per multiply-add for both.
//
//   kernels_bench --benchmark_filter=Int8Vs      all comparisons
//   COMPRESSD_CPU=portable kernels_bench --benchmark_filter=Int8Vs   the portable paths

#include "core/kernels/optimized/int8_conv_2d.h"
#include "core/kernels/optimized/int8_depthwise_conv_2d.h"
#include "core/kernels/optimized/int8_fully_connected.h"
#include "core/kernels/optimized/int8_gemm.h"

namespace compressd::kernels::optimized {
namespace {

std::vector<int8_t> RandomInt8(int64_t n) {
  std::mt19937 rng(321);
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> v(static_cast<size_t>(n));
  for (int8_t& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

// Realistic per-channel requantization: multipliers in [2^30, 2^31), right shifts; with
// `left_shifts`, some channels get a left shift (a real multiplier >= 1, which per-channel
// quantized models have in a few channels of many layers).
struct Int8QuantSetup {
  std::vector<int32_t> multiplier, shift, bias;
  Int8Requant rq;
  explicit Int8QuantSetup(int64_t channels, bool left_shifts = false) {
    std::mt19937 rng(99);
    for (int64_t c = 0; c < channels; ++c) {
      multiplier.push_back(std::uniform_int_distribution<int32_t>(1 << 30, 0x7fffffff)(rng));
      shift.push_back(std::uniform_int_distribution<int32_t>(-10, left_shifts ? 1 : -6)(rng));
      bias.push_back(std::uniform_int_distribution<int32_t>(-3000, 3000)(rng));
    }
    rq.input_offset = 3;
    rq.output_zero_point = -5;
    rq.multiplier = multiplier.data();
    rq.shift = shift.data();
    rq.act_min = -5;  // ReLU
    rq.act_max = 127;
  }
};

void SetOps(benchmark::State& state, double ops_per_call) {
  state.counters["GOP/s"] =
      benchmark::Counter(ops_per_call * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// ---------------------------------------------------------------- GEMM (M x N x K), int8

const Int8GemmVariant* FindInt8Variant(const std::string& name) {
  for (const Int8GemmVariant& v : Int8GemmVariants()) {
    if (name == v.name) return IsSupported(v) ? &v : nullptr;
  }
  return nullptr;
}

void BM_Int8Gemm(benchmark::State& state, const std::string& variant) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const Int8GemmVariant* v = FindInt8Variant(variant);
  if (v == nullptr) {
    state.SkipWithError("variant not supported on this CPU");
    return;
  }
  const std::vector<int8_t> x = RandomInt8(m * KPadded(k)), w = RandomInt8(n * k);
  std::vector<int16_t> a(x.size());
  WidenInt8WithOffset(*v, x.data(), static_cast<int64_t>(x.size()), 3, a.data());
  Int8QuantSetup q(n);
  std::vector<int8_t> c(m * n);
  const PackedInt8Matrix packed = PackedInt8Matrix::FromTransposed(*v, n, k, w.data(), k);
  for (auto _ : state) {
    Int8Gemm(m, a.data(), KPadded(k), packed, q.bias.data(), q.rq, c.data(), n);
    benchmark::DoNotOptimize(c.data());
  }
  SetOps(state, 2.0 * m * n * k);
}

BENCHMARK_CAPTURE(BM_Int8Gemm, portable_4x8c2, std::string("portable_4x8c2"))->Apply(GemmShapes);
BENCHMARK_CAPTURE(BM_Int8Gemm, avx2_4x16c2, std::string("avx2_4x16c2"))->Apply(GemmShapes);

// ---------------------------------------------------------------- CONV_2D, int8 vs float

// {56x56x64 -> 64, 1x1}, {112x112x16 -> 32, 3x3}, {224x224x3 -> 32, 3x3 s2},
// {28x28x128 -> 128, 3x3}, {14x14x256 -> 512, 1x1}, {7x7x1024 -> 1024, 1x1}; then the shallow
// layers of hand_landmark_lite: {224x224x3 -> 24, 3x3 s2}, {112x112x16 -> 64, 1x1},
// {112x112x24 -> 16, 1x1}, {56x56x16 -> 96, 1x1}.
constexpr ConvShape kInt8VsFloatConvShapes[] = {
    {56, 56, 64, 64, 1, 1},   {112, 112, 16, 32, 3, 1},   {224, 224, 3, 32, 3, 2},
    {28, 28, 128, 128, 3, 1}, {14, 14, 256, 512, 1, 1},   {7, 7, 1024, 1024, 1, 1},
    {224, 224, 3, 24, 3, 2},  {112, 112, 16, 64, 1, 1},   {112, 112, 24, 16, 1, 1},
    {56, 56, 16, 96, 1, 1}};

// Args: shape index, dtype (0 float32, 1 int8, 2 int8 with some left shifts), threads.
void BM_Int8VsFloatConv(benchmark::State& state) {
  const ConvShape& cs = kInt8VsFloatConvShapes[state.range(0)];
  ConvSetup s(cs);
  const int threads = static_cast<int>(state.range(2));
  ThreadPool pool(threads);
  if (state.range(1) == 0) {
    const PackedConvFilter filter = PackConvFilter(s.f_s, s.filter.data());
    const int64_t bytes = ConvScratchBytes(s.params, s.in_s, s.f_s, s.out_s, threads);
    std::vector<float> scratch(static_cast<size_t>(bytes / 4 + 16));
    for (auto _ : state) {
      Conv2D(s.params, s.in_s, s.in.data(), filter, s.bias.data(), s.out_s, s.out.data(),
             scratch.data(), &pool);
      benchmark::DoNotOptimize(s.out.data());
    }
    state.SetLabel(std::string("float32 ") + filter.matrix.variant().name);
  } else {
    const std::vector<int8_t> in = RandomInt8(s.in_s.FlatSize());
    const std::vector<int8_t> f = RandomInt8(s.f_s.FlatSize());
    std::vector<int8_t> out(static_cast<size_t>(s.out_s.FlatSize()));
    Int8QuantSetup q(cs.out_c, state.range(1) == 2);
    const PackedInt8ConvFilter filter = PackInt8ConvFilter(s.f_s, f.data());
    const int64_t bytes = Int8ConvScratchBytes(s.params, s.in_s, s.f_s, s.out_s, threads);
    std::vector<float> scratch(static_cast<size_t>(bytes / 4 + 16));
    for (auto _ : state) {
      Int8Conv2D(s.params, s.in_s, in.data(), filter, q.bias.data(), q.rq, s.out_s, out.data(),
                 scratch.data(), &pool);
      benchmark::DoNotOptimize(out.data());
    }
    state.SetLabel(std::string("int8 ") + filter.matrix.variant().name);
  }
  SetOps(state, s.Flops());
}

BENCHMARK(BM_Int8VsFloatConv)
    ->ArgsProduct({{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {0, 1, 2}, {1}})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Int8VsFloatConv)
    ->ArgsProduct({{0, 1}, {0, 1}, {2}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// ---------------------------------------------------------------- DEPTHWISE_CONV_2D

// {56x56x128, 3x3}, {112x112x32, 3x3}, {112x112x64, 3x3 s2}, {28x28x256, 3x3},
// {14x14x512, 3x3}, {7x7x1024, 3x3}, {28x28x240, 5x5}, {14x14x480, 5x5 s2}; then the shallow
// layers of hand_landmark_lite: {112x112x24, 3x3}, {56x56x96, 3x3}.
constexpr DwShape kInt8VsFloatDwShapes[] = {{56, 56, 128, 3, 1},  {112, 112, 32, 3, 1},
                                            {112, 112, 64, 3, 2}, {28, 28, 256, 3, 1},
                                            {14, 14, 512, 3, 1},  {7, 7, 1024, 3, 1},
                                            {28, 28, 240, 5, 1},  {14, 14, 480, 5, 2},
                                            {112, 112, 24, 3, 1}, {56, 56, 96, 3, 1}};

// Args: shape index, dtype (0 float32, 1 int8, 2 int8 with some left shifts), threads.
void BM_Int8VsFloatDepthwise(benchmark::State& state) {
  const DwShape& ds = kInt8VsFloatDwShapes[state.range(0)];
  DwSetup s(ds);
  ThreadPool pool(static_cast<int>(state.range(2)));
  if (state.range(1) == 0) {
    for (auto _ : state) {
      DepthwiseConv2D(s.params, s.in_s, s.in.data(), s.f_s, s.filter.data(), s.bias.data(),
                      s.out_s, s.out.data(), &pool);
      benchmark::DoNotOptimize(s.out.data());
    }
    state.SetLabel(std::string("float32 ") + DepthwiseConv2DPath(s.params, s.f_s));
  } else {
    const std::vector<int8_t> in = RandomInt8(s.in_s.FlatSize());
    const std::vector<int8_t> f = RandomInt8(s.f_s.FlatSize());
    std::vector<int8_t> out(static_cast<size_t>(s.out_s.FlatSize()));
    Int8QuantSetup q(ds.channels, state.range(1) == 2);
    const PackedInt8DepthwiseFilter filter = PackInt8DepthwiseFilter(s.f_s, f.data(), 1);
    const int64_t bytes = Int8DepthwiseScratchBytes(s.params, s.in_s, filter, s.out_s,
                                                    pool.num_threads());
    AlignedBuffer scratch(bytes / 4 + 16);
    for (auto _ : state) {
      Int8DepthwiseConv2D(s.params, s.in_s, in.data(), filter, q.bias.data(), q.rq, s.out_s,
                          out.data(), scratch.data(), &pool);
      benchmark::DoNotOptimize(out.data());
    }
    state.SetLabel(std::string("int8 ") + Int8DepthwiseConv2DPath(s.params, filter));
  }
  SetOps(state, s.Flops());
}

BENCHMARK(BM_Int8VsFloatDepthwise)
    ->ArgsProduct({{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {0, 1, 2}, {1}})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Int8VsFloatDepthwise)
    ->ArgsProduct({{0, 1}, {0, 1}, {2}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// ---------------------------------------------------------------- FULLY_CONNECTED

// Args: in, out, batch, dtype (0 float32, 1 int8).
void BM_Int8VsFloatFullyConnected(benchmark::State& state) {
  const int in = static_cast<int>(state.range(0)), out = static_cast<int>(state.range(1));
  const int batch = static_cast<int>(state.range(2));
  if (state.range(3) == 0) {
    const std::vector<float> x = Random(int64_t{batch} * in), w = Random(int64_t{in} * out),
                             bias = Random(out);
    std::vector<float> y(int64_t{batch} * out);
    const PackedMatrix packed = PackFullyConnectedWeights(Shape{out, in}, w.data());
    for (auto _ : state) {
      FullyConnected({}, Shape{batch, in}, x.data(), packed, bias.data(), Shape{batch, out},
                     y.data(), nullptr);
      benchmark::DoNotOptimize(y.data());
    }
    state.SetLabel("float32");
  } else {
    const std::vector<int8_t> x = RandomInt8(int64_t{batch} * in),
                              w = RandomInt8(int64_t{in} * out);
    std::vector<int8_t> y(int64_t{batch} * out);
    Int8QuantSetup q(out);
    const PackedInt8Matrix packed = PackInt8FullyConnectedWeights(Shape{out, in}, w.data());
    std::vector<float> scratch(
        static_cast<size_t>(Int8FullyConnectedScratchBytes(Shape{out, in}, Shape{batch, out}) / 4 +
                            16));
    for (auto _ : state) {
      Int8FullyConnected(q.rq, Shape{batch, in}, x.data(), packed, q.bias.data(),
                         Shape{batch, out}, y.data(), scratch.data(), nullptr);
      benchmark::DoNotOptimize(y.data());
    }
    state.SetLabel("int8");
  }
  SetOps(state, 2.0 * batch * in * out);
}

BENCHMARK(BM_Int8VsFloatFullyConnected)
    ->ArgsProduct({{1024}, {1000}, {1, 8}, {0, 1}})
    ->Args({1280, 1000, 1, 0})
    ->Args({1280, 1000, 1, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace compressd::kernels::optimized

// ================================================================ XNNPACK int8 elementwise
//
// The kIntegerArithmetic::kXnnpack elementwise kernels (xnnpack_int8_elementwise.h) against their
// scalar references (reference/xnnpack_int8.h) on hand-landmark shapes: argument 0 = reference,
// 1 = optimized (AVX2 where available; COMPRESSD_CPU=portable for the scalar loops).
//
//   kernels_bench --benchmark_filter=XnnInt8

#include "core/kernels/optimized/xnnpack_int8_elementwise.h"
#include "core/kernels/reference/xnnpack_int8.h"

namespace compressd::kernels::optimized {
namespace {

void BM_XnnInt8QuantizeF32(benchmark::State& state) {
  const int64_t n = int64_t{224} * 224 * 3;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n));
  for (float& v : x) v = d(rng);
  std::vector<int8_t> y(static_cast<size_t>(n));
  for (auto _ : state) {
    if (state.range(0) == 0) {
      reference::XnnQuantizeF32(1.0f / 128.0f, -1, n, x.data(), y.data());
    } else {
      XnnQuantizeF32ToInt8(1.0f / 128.0f, -1, x.data(), y.data(), n);
    }
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_XnnInt8Requantize(benchmark::State& state) {
  const int64_t n = int64_t{56} * 56 * 16;
  const std::vector<int8_t> x = RandomInt8(n);
  std::vector<int8_t> y(static_cast<size_t>(n));
  const reference::XnnRequantizeParams p = reference::XnnMakeRequantizeParams(0.7f, 3, -5);
  for (auto _ : state) {
    if (state.range(0) == 0) {
      reference::XnnRequantize(p, n, x.data(), y.data());
    } else {
      XnnRequantizeInt8(p, x.data(), y.data(), n);
    }
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

// ADD / MUL [1,56,56,16] + [1,56,56,16].
template <bool kMul>
void BM_XnnInt8Binary(benchmark::State& state) {
  const Shape shape{1, 56, 56, 16};
  const int64_t n = shape.FlatSize();
  const std::vector<int8_t> a = RandomInt8(n);
  std::vector<int8_t> b = RandomInt8(n);
  std::reverse(b.begin(), b.end());
  std::vector<int8_t> y(static_cast<size_t>(n));
  const reference::XnnAddParams add =
      reference::XnnMakeAddParams(-3, 7, 1, 0.8f, 1.3f, reference::XnnOutputRange{});
  const reference::XnnMulParams mul{-3, 7, 1, 0.01f, reference::XnnOutputRange{}};
  for (auto _ : state) {
    if (state.range(0) == 0) {
      if constexpr (kMul) {
        reference::XnnMul(mul, shape, a.data(), shape, b.data(), shape, y.data());
      } else {
        reference::XnnAdd(add, shape, a.data(), shape, b.data(), shape, y.data());
      }
    } else {
      const Int8Runs runs{a.data(), n, b.data(), n, y.data(), 1, n};
      if constexpr (kMul) {
        XnnMulInt8(mul, runs);
      } else {
        XnnAddInt8(add, runs);
      }
    }
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

BENCHMARK(BM_XnnInt8QuantizeF32)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_XnnInt8Requantize)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_XnnInt8Binary, false)->Name("BM_XnnInt8Add")->Arg(0)->Arg(1)->Unit(
    benchmark::kMicrosecond);
BENCHMARK_TEMPLATE(BM_XnnInt8Binary, true)->Name("BM_XnnInt8Mul")->Arg(0)->Arg(1)->Unit(
    benchmark::kMicrosecond);

}  // namespace
}  // namespace compressd::kernels::optimized
