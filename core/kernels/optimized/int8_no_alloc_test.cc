// The Eval-time int8 entry points (Int8Gemm, Int8Conv2D, Int8DepthwiseConv2D,
// Int8FullyConnected) must not allocate on the heap, with or without a thread pool.
//
// no_alloc_test.cc already replaces the global operator new of this test binary (with a
// counter private to that file), so this file counts one level lower: on glibc it interposes
// malloc and the aligned allocation functions for the whole process, forwarding to glibc's own
// implementations (__libc_malloc / __libc_memalign, so free() stays glibc's and consistent).
// Every C++ allocation ends up there (the replaced operator new calls malloc / aligned_alloc).
// Under sanitizers (which interpose malloc themselves) or without glibc the interposer is not
// built and the test is skipped.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/base/thread_pool.h"
#include "core/kernels/conv_params.h"
#include "core/kernels/optimized/int8_conv_2d.h"
#include "core/kernels/optimized/int8_depthwise_conv_2d.h"
#include "core/kernels/optimized/int8_fully_connected.h"
#include "core/kernels/optimized/int8_gemm.h"
#include "gtest/gtest.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define COMPRESSD_INT8_NO_MALLOC_HOOK 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || !defined(__GLIBC__)
#define COMPRESSD_INT8_NO_MALLOC_HOOK 1
#endif

namespace {
// Constant-initialized, so usable by allocations made before main().
std::atomic<bool> g_int8_counting{false};
std::atomic<int64_t> g_int8_allocations{0};

inline void CountAllocation() {
  if (g_int8_counting.load(std::memory_order_relaxed)) {
    g_int8_allocations.fetch_add(1, std::memory_order_relaxed);
  }
}
}  // namespace

#if !defined(COMPRESSD_INT8_NO_MALLOC_HOOK)
extern "C" {
void* __libc_malloc(size_t size);
void* __libc_memalign(size_t alignment, size_t size);

void* malloc(size_t size) noexcept {
  CountAllocation();
  return __libc_malloc(size);
}
void* aligned_alloc(size_t alignment, size_t size) noexcept {
  CountAllocation();
  return __libc_memalign(alignment, size);
}
void* memalign(size_t alignment, size_t size) noexcept {
  CountAllocation();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, size_t alignment, size_t size) noexcept {
  CountAllocation();
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) return 12;  // ENOMEM
  *out = p;
  return 0;
}
}  // extern "C"
#endif

namespace compressd::kernels::optimized {
namespace {

class CountAllocations {
 public:
  CountAllocations() {
    g_int8_allocations = 0;
    g_int8_counting = true;
  }
  ~CountAllocations() { g_int8_counting = false; }
  int64_t count() const { return g_int8_allocations.load(); }
};

#if defined(COMPRESSD_INT8_NO_MALLOC_HOOK)
constexpr bool kHooked = false;
#else
constexpr bool kHooked = true;
#endif

TEST(Int8NoAllocationTest, CountingWorks) {
  if (!kHooked) GTEST_SKIP() << "malloc is not interposed in this build";
  int64_t count = 0;
  {
    CountAllocations counter;
    std::vector<int>* volatile p = new std::vector<int>(10);  // the vector and its buffer
    delete p;
    count = counter.count();
  }
  EXPECT_EQ(count, 2);
}

TEST(Int8NoAllocationTest, EvalEntryPointsDoNotAllocate) {
  if (!kHooked) GTEST_SKIP() << "malloc is not interposed in this build";
  ThreadPool pool(3);
  // Large enough for every entry point to split its work over the pool.
  const Shape in_s{1, 32, 32, 16}, f_s{32, 3, 3, 16}, out_s{1, 32, 32, 32};
  const Shape f1_s{32, 1, 1, 16};
  const Shape dw_f_s{1, 3, 3, 16}, dw_out_s{1, 32, 32, 16};
  std::vector<int8_t> in(in_s.FlatSize(), 3), f(f_s.FlatSize(), 2), dw_f(dw_f_s.FlatSize(), 1);
  std::vector<int8_t> out(out_s.FlatSize()), dw_out(dw_out_s.FlatSize());
  std::vector<int32_t> bias(1000, 5), mult(1000, 1 << 30), shift(1000, -3);
  Int8Requant rq;
  rq.input_offset = 1;
  rq.output_zero_point = -2;
  rq.multiplier = mult.data();
  rq.shift = shift.data();
  ConvParams p;
  p.pad_top = p.pad_left = 1;
  const ConvParams p1;
  const PackedInt8ConvFilter conv3 = PackInt8ConvFilter(f_s, f.data());
  const PackedInt8ConvFilter conv1 = PackInt8ConvFilter(f1_s, f.data());
  const PackedInt8DepthwiseFilter dw_simd = PackInt8DepthwiseFilter(dw_f_s, dw_f.data(), 1);
  const PackedInt8DepthwiseFilter dw_portable =
      PackInt8DepthwiseFilter(dw_f_s, dw_f.data(), 1, /*allow_simd=*/false);
  const Shape fc_w_s{300, 1000};
  std::vector<int8_t> fc_w(fc_w_s.FlatSize(), 1), fc_in(1000, 1), fc_out(300);
  const PackedInt8Matrix fc = PackInt8FullyConnectedWeights(fc_w_s, fc_w.data());
  const int n = pool.num_threads();
  AlignedBuffer conv3_scratch(Int8ConvScratchBytes(p, in_s, f_s, out_s, n) / 4 + 16);
  AlignedBuffer conv1_scratch(Int8ConvScratchBytes(p1, in_s, f1_s, out_s, n) / 4 + 16);
  AlignedBuffer dw_scratch(Int8DepthwiseScratchBytes(p, in_s, dw_simd, dw_out_s, n) / 4 + 16);
  AlignedBuffer fc_scratch(Int8FullyConnectedScratchBytes(fc_w_s, Shape{1, 300}) / 4 + 16);
  std::vector<int16_t> a(64 * 16, 1);

  for (ThreadPool* tp : {static_cast<ThreadPool*>(nullptr), &pool}) {
    int64_t count = 0;
    {
      CountAllocations counter;
      Int8Gemm(64, a.data(), 16, conv1.matrix, bias.data(), rq, out.data(), 32, tp);
      Int8Conv2D(p, in_s, in.data(), conv3, bias.data(), rq, out_s, out.data(),
                 conv3_scratch.data(), tp);
      Int8Conv2D(p1, in_s, in.data(), conv1, bias.data(), rq, out_s, out.data(),
                 conv1_scratch.data(), tp);
      for (const PackedInt8DepthwiseFilter* dw : {&dw_simd, &dw_portable}) {
        Int8DepthwiseConv2D(p, in_s, in.data(), *dw, bias.data(), rq, dw_out_s, dw_out.data(),
                            dw_scratch.data(), tp);
      }
      Int8FullyConnected(rq, Shape{1, 1000}, fc_in.data(), fc, bias.data(), Shape{1, 300},
                         fc_out.data(), fc_scratch.data(), tp);
      count = counter.count();
    }
    EXPECT_EQ(count, 0) << (tp == nullptr ? "no pool" : "3 threads");
  }
  // The calls did run: (x + offset) * w summed = (1 + 1) * 1 * 1000, + bias 5 = 2005;
  // * 2^30 / 2^31 = 1002.5 rounds up to 1003; / 2^3 rounds to 125; + zero point -2 = 123.
  EXPECT_EQ(fc_out[0], 123);
}

}  // namespace
}  // namespace compressd::kernels::optimized
