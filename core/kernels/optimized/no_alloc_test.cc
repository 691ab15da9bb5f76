// Eval-time entry points (Gemm, Conv2D, DepthwiseConv2D, FullyConnected) must not allocate on the
// heap, with or without a thread pool. This file replaces the global operator new of the test
// binary with a counting one.
#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "core/base/thread_pool.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/optimized/conv_2d.h"
#include "core/kernels/optimized/depthwise_conv_2d.h"
#include "core/kernels/optimized/fully_connected.h"
#include "core/kernels/optimized/gemm.h"
#include "gtest/gtest.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<int64_t> g_allocations{0};

void* CountedAlloc(std::size_t size, std::size_t align) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (size == 0) size = 1;
  void* p = align <= alignof(std::max_align_t)
                ? std::malloc(size)
                : std::aligned_alloc(align, (size + align - 1) / align * align);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace

// The replacements pair malloc/aligned_alloc with free on purpose; GCC's -Wmismatched-new-delete
// cannot see that once it inlines them into gtest's `new TestClass` (at -O1 and above).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) { return CountedAlloc(size, 0); }
void* operator new[](std::size_t size) { return CountedAlloc(size, 0); }
void* operator new(std::size_t size, std::align_val_t a) {
  return CountedAlloc(size, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t size, std::align_val_t a) {
  return CountedAlloc(size, static_cast<std::size_t>(a));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace compressd::kernels::optimized {
namespace {

class CountAllocations {
 public:
  CountAllocations() {
    g_allocations = 0;
    g_counting = true;
  }
  ~CountAllocations() { g_counting = false; }
  int64_t count() const { return g_allocations.load(); }
};

TEST(NoAllocationTest, CountingWorks) {
  CountAllocations counter;
  // Direct calls of the allocation functions: unlike new-expressions, the compiler may not elide
  // them (it does elide a new/delete pair at -O1 and above).
  void* a = ::operator new(16);
  void* b = ::operator new(32);
  ::operator delete(a);
  ::operator delete(b);
  EXPECT_EQ(counter.count(), 2);
}

TEST(NoAllocationTest, EvalEntryPointsDoNotAllocate) {
  ThreadPool pool(3);
  // Large enough for every entry point to split its work over the pool.
  const Shape in_s{1, 32, 32, 16}, f_s{32, 3, 3, 16}, out_s{1, 32, 32, 32};
  const Shape dw_f_s{1, 3, 3, 16}, dw_out_s{1, 32, 32, 16};
  std::vector<float> in(in_s.FlatSize(), 0.5f), f(f_s.FlatSize(), 0.25f), bias(32, 1.0f);
  std::vector<float> out(out_s.FlatSize()), dw_out(dw_out_s.FlatSize());
  std::vector<float> dw_f(dw_f_s.FlatSize(), 0.1f);
  ConvParams p;
  p.pad_top = p.pad_left = 1;
  const PackedConvFilter filter = PackConvFilter(f_s, f.data());
  const int64_t scratch_bytes = ConvScratchBytes(p, in_s, f_s, out_s, pool.num_threads());
  std::vector<float> scratch(scratch_bytes / 4 + 16);
  const Shape fc_w_s{300, 1000};
  std::vector<float> fc_w(fc_w_s.FlatSize(), 0.01f), fc_in(1000, 1.0f), fc_out(300),
      fc_bias(300, 1.0f);
  const PackedMatrix fc = PackFullyConnectedWeights(fc_w_s, fc_w.data());
  const Shape conv1_f_s{32, 1, 1, 16};
  const PackedConvFilter conv1 = PackConvFilter(conv1_f_s, f.data());
  const ConvParams p1;

  for (ThreadPool* tp : {static_cast<ThreadPool*>(nullptr), &pool}) {
    CountAllocations counter;
    Conv2D(p, in_s, in.data(), filter, bias.data(), out_s, out.data(), scratch.data(), tp);
    Conv2D(p1, in_s, in.data(), conv1, bias.data(), out_s, out.data(), nullptr, tp);
    DepthwiseConv2D(p, in_s, in.data(), dw_f_s, dw_f.data(), bias.data(), dw_out_s,
                    dw_out.data(), tp);
    FullyConnected({}, Shape{1, 1000}, fc_in.data(), fc, fc_bias.data(), Shape{1, 300},
                   fc_out.data(), tp);
    EXPECT_EQ(counter.count(), 0) << (tp == nullptr ? "no pool" : "3 threads");
  }
  EXPECT_NEAR(fc_out[0], 1000 * 0.01f + 1.0f, 1e-3);  // the calls did run
}

}  // namespace
}  // namespace compressd::kernels::optimized
