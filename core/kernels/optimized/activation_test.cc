#include "core/kernels/optimized/activation.h"

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/base/cpu_features.h"
#include "core/kernels/reference/integer_activations.h"
#include "core/kernels/reference/unary.h"
#include "core/kernels/shape.h"
#include "gtest/gtest.h"

namespace compressd::kernels::optimized {
namespace {

bool HaveAvx2() {
#if defined(__x86_64__)
  return GetCpuFeatures().avx2_fma;
#else
  return false;
#endif
}

uint32_t Bits(float v) { return std::bit_cast<uint32_t>(v); }
float FromBits(uint32_t b) { return std::bit_cast<float>(b); }

// Random floats mixing ordinary values around the RELU bounds with the extremes: signed zeros,
// infinities, NaNs with payloads and either sign, denormals, the bounds themselves and their
// neighbours.
std::vector<float> RandomFloats(int64_t n, std::mt19937& rng) {
  const float kSpecial[] = {0.0f,
                            -0.0f,
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(),
                            FromBits(0xFFC00001u),  // negative NaN with a payload
                            FromBits(0x7F800001u),  // signalling-pattern NaN
                            std::numeric_limits<float>::denorm_min(),
                            -std::numeric_limits<float>::denorm_min(),
                            std::numeric_limits<float>::max(),
                            std::numeric_limits<float>::lowest(),
                            6.0f,
                            std::nextafter(6.0f, 7.0f),
                            std::nextafter(6.0f, 5.0f),
                            1.0f,
                            -1.0f,
                            std::nextafter(1.0f, 2.0f),
                            std::nextafter(-1.0f, -2.0f)};
  std::uniform_real_distribution<float> value(-8.0f, 8.0f);
  std::uniform_int_distribution<int> pick(0, 3);
  std::uniform_int_distribution<size_t> special(0, std::size(kSpecial) - 1);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = pick(rng) == 0 ? kSpecial[special(rng)] : value(rng);
  return v;
}

enum class FloatAct { kRelu, kRelu6, kReluN1To1 };

void Reference(FloatAct act, const std::vector<float>& in, std::vector<float>* out) {
  const Shape shape{static_cast<int32_t>(in.size())};
  out->assign(in.size(), 0.0f);
  switch (act) {
    case FloatAct::kRelu:
      return reference::Relu(shape, in.data(), out->data());
    case FloatAct::kRelu6:
      return reference::Relu6(shape, in.data(), out->data());
    case FloatAct::kReluN1To1:
      return reference::ReluN1To1(shape, in.data(), out->data());
  }
}

enum class Path { kDispatch, kPortable, kAvx2 };

void RunAct(FloatAct act, Path path, const float* in, float* out, int64_t n) {
  const float lower = act == FloatAct::kReluN1To1 ? -1.0f : 0.0f;
  const float upper = act == FloatAct::kReluN1To1 ? 1.0f : 6.0f;
  switch (path) {
    case Path::kDispatch:
      return act == FloatAct::kRelu ? ReluFloat(in, out, n)
                                    : ReluRangeFloat(in, out, n, lower, upper);
    case Path::kPortable:
      return act == FloatAct::kRelu ? ReluFloatPortable(in, out, n)
                                    : ReluRangeFloatPortable(in, out, n, lower, upper);
    case Path::kAvx2:
#if defined(__x86_64__)
      return act == FloatAct::kRelu ? ReluFloatAvx2(in, out, n)
                                    : ReluRangeFloatAvx2(in, out, n, lower, upper);
#else
      return;
#endif
  }
}

TEST(ReluFloatTest, MatchesTheReferenceBitForBitOnEveryPath) {
  std::mt19937 rng(11);
  std::vector<Path> paths = {Path::kDispatch, Path::kPortable};
  if (HaveAvx2()) paths.push_back(Path::kAvx2);
  for (FloatAct act : {FloatAct::kRelu, FloatAct::kRelu6, FloatAct::kReluN1To1}) {
    for (int trial = 0; trial < 200; ++trial) {
      const int64_t n = trial < 70 ? trial : std::uniform_int_distribution<int64_t>(0, 300)(rng);
      const std::vector<float> in = RandomFloats(n, rng);
      std::vector<float> want;
      Reference(act, in, &want);
      for (Path path : paths) {
        std::vector<float> got(static_cast<size_t>(n), 123.0f);
        RunAct(act, path, in.data(), got.data(), n);
        std::vector<float> in_place = in;
        RunAct(act, path, in_place.data(), in_place.data(), n);
        for (int64_t i = 0; i < n; ++i) {
          ASSERT_EQ(Bits(got[i]), Bits(want[i]))
              << "act " << static_cast<int>(act) << " path " << static_cast<int>(path) << " n "
              << n << " element " << i << " input " << in[i];
          ASSERT_EQ(Bits(in_place[i]), Bits(want[i])) << "in place, element " << i;
        }
      }
    }
  }
}

TEST(ReluFloatTest, KeepsNegativeZeroAndNaN) {
  // The reference's "v < 0 ? 0 : v": -0.0 and NaN (payload and sign included) pass through.
  std::vector<float> in(37, -0.0f);
  in[3] = FromBits(0xFFC00123u);
  in[20] = -2.0f;
  std::vector<float> out(in.size());
  ReluFloat(in.data(), out.data(), static_cast<int64_t>(in.size()));
  EXPECT_EQ(Bits(out[0]), Bits(-0.0f));
  EXPECT_EQ(Bits(out[3]), 0xFFC00123u);
  EXPECT_EQ(Bits(out[20]), Bits(0.0f));
  EXPECT_EQ(Bits(out[36]), Bits(-0.0f));
}

std::vector<int8_t> AllBytesThenRandom(int64_t extra, std::mt19937& rng) {
  std::vector<int8_t> v;
  for (int x = -128; x <= 127; ++x) v.push_back(static_cast<int8_t>(x));
  std::uniform_int_distribution<int> byte(-128, 127);
  for (int64_t i = 0; i < extra; ++i) v.push_back(static_cast<int8_t>(byte(rng)));
  return v;
}

void ExpectLutMatchesReference(const std::array<int8_t, 256>& table, std::mt19937& rng,
                               const std::string& what) {
  const Int8Lut lut = MakeInt8Lut(table);
  std::vector<void (*)(const Int8Lut&, const int8_t*, int8_t*, int64_t)> paths = {
      Int8LutApply, Int8LutApplyPortable};
#if defined(__x86_64__)
  if (HaveAvx2()) paths.push_back(Int8LutApplyAvx2);
#endif
  for (int trial = 0; trial < 6; ++trial) {
    const int64_t extra = std::uniform_int_distribution<int64_t>(0, 100)(rng);
    const std::vector<int8_t> in = AllBytesThenRandom(extra, rng);
    // Odd sub-ranges too: lengths not multiple of 32 and unaligned starts.
    const int64_t start = trial % 3;
    const int64_t n = static_cast<int64_t>(in.size()) - start - trial;
    std::vector<int8_t> want(static_cast<size_t>(n));
    reference::LookupTable(n, in.data() + start, table, want.data());
    for (size_t p = 0; p < paths.size(); ++p) {
      std::vector<int8_t> got(static_cast<size_t>(n), 77);
      paths[p](lut, in.data() + start, got.data(), n);
      std::vector<int8_t> in_place(in.begin() + start, in.begin() + start + n);
      paths[p](lut, in_place.data(), in_place.data(), n);
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(got[i], want[i]) << what << " (affine " << lut.affine << ") path " << p
                                   << " n " << n << " element " << i << " input "
                                   << int{in[start + i]};
        ASSERT_EQ(in_place[i], want[i]) << what << " in place, path " << p << " element " << i;
      }
    }
  }
}

std::array<int8_t, 256> ClampTable(int offset, int lo, int hi) {
  std::array<int8_t, 256> t;
  for (int x = -128; x <= 127; ++x) {
    const int v = std::min(std::max(x + offset, lo), hi);
    t[static_cast<uint8_t>(x)] = static_cast<int8_t>(v);
  }
  return t;
}

TEST(Int8LutTest, RandomTablesMatchTheReference) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (int trial = 0; trial < 100; ++trial) {
    std::array<int8_t, 256> table;
    for (int8_t& v : table) v = static_cast<int8_t>(byte(rng));
    const Int8Lut lut = MakeInt8Lut(table);
    EXPECT_FALSE(lut.affine);
    ExpectLutMatchesReference(table, rng, "random table " + std::to_string(trial));
  }
  // Tables with one distinct row each: exercises every 16-byte row of the shuffle lookup alone.
  for (int row = 0; row < 16; ++row) {
    std::array<int8_t, 256> table{};
    for (int i = 0; i < 16; ++i) table[16 * row + i] = static_cast<int8_t>(i + 1);
    ExpectLutMatchesReference(table, rng, "row " + std::to_string(row));
  }
}

TEST(Int8LutTest, ClampTablesTakeTheAffinePathAndMatch) {
  std::mt19937 rng(9);
  const int kCases[][3] = {{0, -128, 127}, {0, 0, 127},    {0, -128, -128}, {5, 5, 5},
                           {127, -128, 127}, {-127, -128, 127}, {-127, 0, 0}, {127, 127, 127},
                           {3, -20, 90},   {-60, -128, 10}};
  for (const auto& c : kCases) {
    const std::array<int8_t, 256> table = ClampTable(c[0], c[1], c[2]);
    ExpectLutMatchesReference(table, rng, "clamp " + std::to_string(c[0]));
  }
  std::uniform_int_distribution<int> offset(-127, 127);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (int trial = 0; trial < 100; ++trial) {
    int lo = byte(rng), hi = byte(rng);
    if (lo > hi) std::swap(lo, hi);
    const std::array<int8_t, 256> table = ClampTable(offset(rng), lo, hi);
    EXPECT_TRUE(MakeInt8Lut(table).affine) << "trial " << trial;
    ExpectLutMatchesReference(table, rng, "random clamp " + std::to_string(trial));
  }
  // Offsets beyond a byte's range are looked up instead.
  EXPECT_FALSE(MakeInt8Lut(ClampTable(200, -128, 127)).affine);
  ExpectLutMatchesReference(ClampTable(200, -128, 127), rng, "offset 200");
  ExpectLutMatchesReference(ClampTable(-140, -128, 127), rng, "offset -140");
}

TEST(Int8LutTest, ReluFamilyTablesMatchTheReference) {
  // The tables activations.cc builds: reference::QuantizedReluElement over every input byte.
  std::mt19937 rng(3);
  std::uniform_int_distribution<int32_t> zp(-128, 127);
  std::uniform_int_distribution<int32_t> mult(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int> shift(-8, 2);
  int affine = 0;
  for (int trial = 0; trial < 200; ++trial) {
    reference::QuantizedReluParams p;
    p.input_zero_point = zp(rng);
    p.output_zero_point = trial % 2 ? zp(rng) : p.input_zero_point;
    // Half the cases with equal scales (multiplier 2^30, shift 1 is exactly one).
    p.output_multiplier = trial % 4 < 2 ? (1 << 30) : mult(rng);
    p.output_shift = trial % 4 < 2 ? 1 : shift(rng);
    p.act_min = std::max(-128, p.output_zero_point - (trial % 3 == 0 ? 40 : 0));
    p.act_max = trial % 5 == 0 ? std::min(127, p.output_zero_point + 30) : 127;
    std::array<int8_t, 256> table;
    for (int x = -128; x <= 127; ++x) {
      table[static_cast<uint8_t>(x)] = static_cast<int8_t>(reference::QuantizedReluElement(p, x));
    }
    const bool equal_scales = trial % 4 < 2;
    if (equal_scales && std::abs(p.output_zero_point - p.input_zero_point) <= 127) {
      EXPECT_TRUE(MakeInt8Lut(table).affine) << "trial " << trial;  // clamp(x + offset)
      ++affine;
    }
    ExpectLutMatchesReference(table, rng, "relu " + std::to_string(trial));
  }
  EXPECT_GE(affine, 50);
}

}  // namespace
}  // namespace compressd::kernels::optimized
