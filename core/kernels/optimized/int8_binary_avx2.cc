// AVX2 bodies of Int8Add and Int8Mul (-mavx2 -mfma; AVX2 CPUs only).
#include <immintrin.h>

#include <limits>

#include "core/kernels/optimized/int8_binary.h"
#include "core/kernels/optimized/int8_requant_avx2.h"

namespace compressd::kernels::optimized {
namespace {

using avx2::LoadInt8AsInt32;

// kGeneral false: every shift <= 0 and no multiplier is INT32_MIN (what TFLite's Prepare
// produces), so the requantization skips the left shift and the saturation fix-up.
template <bool kGeneral>
void AddRuns(const Int8AddParams& p, const Int8Runs& runs) {
  using avx2::ChannelStage;
  using avx2::MakeChannelStage;
  using avx2::Requantize8;
  const ChannelStage in1 = MakeChannelStage(_mm256_set1_epi32(p.input1_multiplier),
                                            _mm256_set1_epi32(p.input1_shift));
  const ChannelStage in2 = MakeChannelStage(_mm256_set1_epi32(p.input2_multiplier),
                                            _mm256_set1_epi32(p.input2_shift));
  const ChannelStage outq = MakeChannelStage(_mm256_set1_epi32(p.output_multiplier),
                                             _mm256_set1_epi32(p.output_shift));
  const __m256i offset1 = _mm256_set1_epi32(p.input1_offset);
  const __m256i offset2 = _mm256_set1_epi32(p.input2_offset);
  const __m256i out_offset = _mm256_set1_epi32(p.output_offset);
  const __m256i zero = _mm256_setzero_si256();
  const __m256i lo = _mm256_set1_epi32(p.act_min);
  const __m256i hi = _mm256_set1_epi32(p.act_max);
  const __m128i left = _mm_cvtsi32_si128(p.left_shift);
  ForEachInt8Run(runs, [&](const int8_t* a, const int8_t* b, int8_t* out, int64_t n) {
    const int64_t end = n - n % 8;
    for (int64_t i = 0; i < end; i += 8) {
      const __m256i va = LoadInt8AsInt32(a + i);
      const __m256i vb = LoadInt8AsInt32(b + i);
      // (x + offset) << left_shift wraps like quant::WrappingShiftLeft (vpslld is modular).
      const __m256i sa = _mm256_sll_epi32(_mm256_add_epi32(va, offset1), left);
      const __m256i sb = _mm256_sll_epi32(_mm256_add_epi32(vb, offset2), left);
      const __m256i scaled_a = Requantize8<kGeneral, kGeneral>(sa, in1, zero);
      const __m256i scaled_b = Requantize8<kGeneral, kGeneral>(sb, in2, zero);
      __m256i r = Requantize8<kGeneral, kGeneral>(_mm256_add_epi32(scaled_a, scaled_b), outq,
                                                  out_offset);
      avx2::StoreLanesAsInt8(out + i, _mm256_min_epi32(_mm256_max_epi32(r, lo), hi));
    }
    Int8AddElementwisePortable(p, a + end, b + end, out + end, n - end);
  });
}

}  // namespace

void Int8AddAvx2(const Int8AddParams& p, const Int8Runs& runs) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  const bool general = p.input1_shift > 0 || p.input2_shift > 0 || p.output_shift > 0 ||
                       p.input1_multiplier == kMin || p.input2_multiplier == kMin ||
                       p.output_multiplier == kMin;
  general ? AddRuns<true>(p, runs) : AddRuns<false>(p, runs);
}

void Int8MulAvx2(const Int8MulParams& p, const Int8Runs& runs) {
  const avx2::ChannelStage outq = avx2::MakeChannelStage(_mm256_set1_epi32(p.output_multiplier),
                                                         _mm256_set1_epi32(p.output_shift));
  const __m256i offset1 = _mm256_set1_epi32(p.input1_offset);
  const __m256i offset2 = _mm256_set1_epi32(p.input2_offset);
  const __m256i out_offset = _mm256_set1_epi32(p.output_offset);
  const __m256i lo = _mm256_set1_epi32(p.act_min);
  const __m256i hi = _mm256_set1_epi32(p.act_max);
  ForEachInt8Run(runs, [&](const int8_t* a, const int8_t* b, int8_t* out, int64_t n) {
    const int64_t end = n - n % 8;
    for (int64_t i = 0; i < end; i += 8) {
      // |a + offset|, |b + offset| <= 255 (8-bit): the product fits in int32.
      const __m256i product = _mm256_mullo_epi32(_mm256_add_epi32(LoadInt8AsInt32(a + i), offset1),
                                                 _mm256_add_epi32(LoadInt8AsInt32(b + i), offset2));
      const __m256i r = avx2::Requantize8<true, true>(product, outq, out_offset);
      avx2::StoreLanesAsInt8(out + i, _mm256_min_epi32(_mm256_max_epi32(r, lo), hi));
    }
    Int8MulElementwisePortable(p, a + end, b + end, out + end, n - end);
  });
}

}  // namespace compressd::kernels::optimized
