// Corrupted model files: truncations, seeded random byte flips, a wrong file identifier, and
// targeted patches (out-of-range indices, absurd shapes, overflowing sizes) applied with the
// flatbuffers mutable API to a copy of a valid file. For every case ReadModel must return (OK or a
// non-OK status; a crash, sanitizer report or hang fails the test). Accepted files must write and
// read back equal; structural corruption must be rejected.
//
// CorruptionTest uses the built kitchen-sink model; CorruptionDataTest uses the real
// face_detection_short_range.tflite (test data fixture).
#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/tflite/model_reader.h"
#include "core/tflite/model_writer.h"
#include "core/tflite/schema/tflite_generated.h"
#include "core/tflite/testing/status_testing.h"
#include "core/tflite/testing/test_data.h"
#include "core/tflite/testing/test_models.h"
#include "gtest/gtest.h"

namespace compressd::tflite {
namespace {

namespace fb = ::tflite;
using absl::StatusCode;
using testing::HasError;

// Outcome counts of a batch of corrupted inputs.
struct Tally {
  int accepted = 0;
  int rejected = 0;
  int failures = 0;            // cases that broke an invariant (reported, capped)
  double max_seconds = 0;      // slowest single ReadModel (+ round trip)
};

// "" when ReadModelView(bytes) agrees with ReadModel's result `expected`: the same status, and
// for an accepted model the same IR apart from the buffers, whose views hold the copied bytes.
std::string ViewDisagreement(std::span<const uint8_t> bytes,
                             const absl::StatusOr<ir::Model>& expected) {
  absl::StatusOr<ModelView> view = ReadModelView(bytes);
  if (view.ok() != expected.ok()) {
    return absl::StrCat("returns ", view.status().ToString(), " where ReadModel returns ",
                        expected.status().ToString());
  }
  if (!view.ok()) {
    if (view.status() != expected.status()) {
      return absl::StrCat("returns ", view.status().ToString(), " where ReadModel returns ",
                          expected.status().ToString());
    }
    return "";
  }
  if (view->buffers.size() != expected->buffers.size()) return "has a different buffer count";
  ir::Model without = *expected;
  for (size_t i = 0; i < without.buffers.size(); ++i) {
    const std::span<const uint8_t> want = expected->buffers[i].bytes();
    const std::span<const uint8_t> got = view->buffers[i];
    if (!std::equal(want.begin(), want.end(), got.begin(), got.end())) {
      return absl::StrCat("buffer ", i, " differs");
    }
    if (view->model.buffers[i].data != nullptr) return absl::StrCat("copied buffer ", i);
    without.buffers[i] = ir::Buffer();
  }
  if (!(view->model == without)) return "returns a different model";
  return "";
}

// Reads `bytes` (copied into an exactly sized heap block so that ASan sees any read past the end).
// Accepted: must write, read back OK and equal. Rejected: a documented code with a message.
// Returns true when accepted.
bool CheckCase(std::span<const uint8_t> bytes, Tally& tally, const std::string& what) {
  const std::vector<uint8_t> copy(bytes.begin(), bytes.end());
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<ir::Model> model = ReadModel(copy);
  bool ok = model.ok();
  if (!ok) {
    ++tally.rejected;
    const StatusCode code = model.status().code();
    if ((code != StatusCode::kInvalidArgument && code != StatusCode::kResourceExhausted &&
         code != StatusCode::kUnimplemented) ||
        model.status().message().empty()) {
      if (++tally.failures <= 10) ADD_FAILURE() << what << ": unexpected status " << model.status();
    }
  } else {
    ++tally.accepted;
    absl::StatusOr<std::vector<uint8_t>> written = WriteModel(*model);
    if (!written.ok()) {
      if (++tally.failures <= 10) {
        ADD_FAILURE() << what << ": accepted model fails to write: " << written.status();
      }
    } else {
      absl::StatusOr<ir::Model> again = ReadModel(*written);
      if (!again.ok() || !(*again == *model)) {
        if (++tally.failures <= 10) {
          ADD_FAILURE() << what << ": written model does not read back equal: "
                        << again.status();
        }
      }
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  tally.max_seconds = std::max(tally.max_seconds, seconds);
  // The no-copy reader must decide exactly like ReadModel (same status), and its views must hold
  // the bytes ReadModel copied.
  if (std::string diff = ViewDisagreement(copy, model); !diff.empty()) {
    if (++tally.failures <= 10) ADD_FAILURE() << what << ": ReadModelView " << diff;
  }
  return ok;
}

// Truncates at each of `lengths`. A truncated file that is still accepted must describe the very
// same model (only unreferenced trailing bytes were cut); returns the number accepted.
int CheckTruncations(const std::vector<uint8_t>& bytes, const ir::Model& original,
                     const std::vector<size_t>& lengths, Tally& tally) {
  int accepted = 0;
  for (size_t n : lengths) {
    const std::span<const uint8_t> prefix(bytes.data(), n);
    if (CheckCase(prefix, tally, absl::StrCat("truncated to ", n))) {
      ++accepted;
      absl::StatusOr<ir::Model> m = ReadModel(prefix);
      EXPECT_TRUE(m.ok() && *m == original) << "truncation to " << n << " changed the model";
    }
  }
  return accepted;
}

// Byte ranges of the constant data of `bytes` (a valid model): flips there are benign.
std::vector<std::pair<size_t, size_t>> DataRanges(const std::vector<uint8_t>& bytes) {
  std::vector<std::pair<size_t, size_t>> ranges;
  const fb::Model* m = fb::GetModel(bytes.data());
  for (const fb::Buffer* b : *m->buffers()) {
    if (b->data() == nullptr || b->data()->size() == 0) continue;
    const size_t begin = static_cast<size_t>(b->data()->data() - bytes.data());
    ranges.push_back({begin, begin + b->data()->size()});
  }
  return ranges;
}

// `count` cases of 1 to 4 random byte changes each, from `seed`. With `structure_only`, the
// changed bytes avoid the constant data so that they hit tables, vtables, offsets and vectors.
void CheckFlips(const std::vector<uint8_t>& bytes, uint32_t seed, int count, bool structure_only,
                Tally& tally) {
  std::mt19937 rng(seed);  // std::mt19937's sequence is fixed by the standard
  const auto data = DataRanges(bytes);
  auto in_data = [&](size_t pos) {
    for (const auto& [b, e] : data) {
      if (pos >= b && pos < e) return true;
    }
    return false;
  };
  static constexpr uint8_t kInteresting[] = {0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe};
  std::vector<uint8_t> copy;
  for (int i = 0; i < count; ++i) {
    copy = bytes;
    const int changes = 1 + static_cast<int>(rng() % 4);
    std::string what = absl::StrCat("seed ", seed, " case ", i, ":");
    for (int c = 0; c < changes; ++c) {
      size_t pos = rng() % bytes.size();
      for (int tries = 0; structure_only && in_data(pos) && tries < 64; ++tries) {
        pos = rng() % bytes.size();
      }
      const uint32_t kind = rng() % 3;
      if (kind == 0) {
        copy[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));  // one bit
      } else if (kind == 1) {
        copy[pos] = kInteresting[rng() % std::size(kInteresting)];
      } else {
        copy[pos] ^= static_cast<uint8_t>(1 + rng() % 255);
      }
      absl::StrAppend(&what, " [", pos, "]=", copy[pos]);
    }
    CheckCase(copy, tally, what);
  }
}

// Bounds-checked Vector::Mutate that reports whether it wrote.
template <typename T, typename V>
bool SetAt(flatbuffers::Vector<T>* v, flatbuffers::uoffset_t i, V value) {
  if (v == nullptr || i >= v->size()) return false;
  v->Mutate(i, static_cast<T>(value));
  return true;
}

// Applies `patch` to a copy of `bytes` (a valid model) through the mutable API; the patch returns
// false when the field it wants to change is not stored (mutation impossible).
std::vector<uint8_t> Patched(const std::vector<uint8_t>& bytes,
                             const std::function<bool(fb::Model*)>& patch) {
  std::vector<uint8_t> copy = bytes;
  EXPECT_TRUE(patch(fb::GetMutableModel(copy.data()))) << "patch not applicable";
  return copy;
}

// Expects `bytes` to be rejected with `code` and a message containing `part`.
void ExpectRejected(const std::vector<uint8_t>& bytes, StatusCode code, const std::string& part,
                    const std::string& what) {
  Tally tally;
  EXPECT_FALSE(CheckCase(bytes, tally, what)) << what << " was accepted";
  EXPECT_TRUE(HasError(ReadModel(bytes), code, part)) << what;
}

// Index of the first tensor of subgraph 0 satisfying `pred`, or -1.
int FindTensor(const fb::Model* m, const std::function<bool(const fb::Tensor&)>& pred) {
  const auto* tensors = m->subgraphs()->Get(0)->tensors();
  for (flatbuffers::uoffset_t i = 0; i < tensors->size(); ++i) {
    if (pred(*tensors->Get(i))) return static_cast<int>(i);
  }
  return -1;
}

// Targeted patches valid for any float model of the kind the real test data holds.
void CheckStructuralPatches(const std::vector<uint8_t>& bytes) {
  const fb::Model* m = fb::GetModel(bytes.data());
  const auto* sg = m->subgraphs()->Get(0);
  const int constant = FindTensor(m, [&](const fb::Tensor& t) {
    const auto* data = m->buffers()->Get(t.buffer())->data();
    return data != nullptr && data->size() > 0 && t.shape() != nullptr && t.shape()->size() == 4;
  });
  const int activation = FindTensor(m, [&](const fb::Tensor& t) {
    const auto* data = m->buffers()->Get(t.buffer())->data();
    const bool is_constant = data != nullptr && data->size() > 0;
    return !is_constant && t.shape() != nullptr && t.shape()->size() == 4 && t.shape()->Get(1) > 1;
  });
  ASSERT_GE(constant, 0);
  ASSERT_GE(activation, 0);
  int op_with_code = -1;
  for (flatbuffers::uoffset_t i = 0; i < sg->operators()->size() && op_with_code < 0; ++i) {
    if (sg->operators()->Get(i)->opcode_index() != 0) op_with_code = static_cast<int>(i);
  }
  ASSERT_GE(op_with_code, 0);
  auto tensor = [](fb::Model* mm, int i) {
    return mm->mutable_subgraphs()->GetMutableObject(0)->mutable_tensors()->GetMutableObject(i);
  };
  auto op = [](fb::Model* mm, int i) {
    return mm->mutable_subgraphs()->GetMutableObject(0)->mutable_operators()->GetMutableObject(i);
  };
  const std::string ct = absl::StrCat("subgraph 0 tensor ", constant, " '");
  const std::string at = absl::StrCat("subgraph 0 tensor ", activation, " '");
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

  ExpectRejected(Patched(bytes, [&](fb::Model* mm) {
                   return tensor(mm, constant)->mutate_buffer(1000000000);
                 }),
                 StatusCode::kInvalidArgument, "buffer index 1000000000 out of range", ct);
  ExpectRejected(Patched(bytes, [&](fb::Model* mm) {
                   return SetAt(op(mm, 0)->mutable_inputs(), 0, 99999);
                 }),
                 StatusCode::kInvalidArgument, "input 0 refers to tensor 99999, out of range",
                 "operator input 99999");
  ExpectRejected(Patched(bytes, [&](fb::Model* mm) {
                   return SetAt(op(mm, 0)->mutable_outputs(), 0, -1);
                 }),
                 StatusCode::kInvalidArgument, "output 0 refers to tensor -1",
                 "operator output -1");
  ExpectRejected(Patched(bytes, [&](fb::Model* mm) {
                   return SetAt(op(mm, 0)->mutable_outputs(), 0, constant);
                 }),
                 StatusCode::kInvalidArgument, "which holds constant data",
                 "operator writes a constant");
  ExpectRejected(Patched(bytes, [&](fb::Model* mm) {
                   return op(mm, op_with_code)->mutate_opcode_index(0xFFFFFFF0u);
                 }),
                 StatusCode::kInvalidArgument,
                 absl::StrCat("operator ", op_with_code, ": opcode index 4294967280 out of range"),
                 "huge opcode index");
  ExpectRejected(Patched(bytes, [&](fb::Model* mm) {
                   return SetAt(mm->mutable_subgraphs()->GetMutableObject(0)->mutable_outputs(),
                       0, 99999);
                 }),
                 StatusCode::kInvalidArgument, "subgraph 0: output 0 refers to tensor 99999",
                 "subgraph output 99999");
  ExpectRejected(Patched(bytes, [&](fb::Model* mm) {
                   return SetAt(tensor(mm, activation)->mutable_shape(), 1, kMax);
                 }),
                 StatusCode::kResourceExhausted, at + "", "INT32_MAX dimension");
  ExpectRejected(Patched(bytes, [&](fb::Model* mm) {
                   auto* shape = tensor(mm, activation)->mutable_shape();
                   for (flatbuffers::uoffset_t d = 0; d < shape->size(); ++d) {
                     shape->Mutate(d, kMax);
                   }
                   return true;
                 }),
                 StatusCode::kResourceExhausted, "has more than 2147483648 elements",
                 "all dimensions INT32_MAX (int64 overflow)");
  ExpectRejected(Patched(bytes, [&](fb::Model* mm) {
                   return SetAt(tensor(mm, activation)->mutable_shape(), 2, -1);
                 }),
                 StatusCode::kInvalidArgument, at, "negative dimension");
  ExpectRejected(Patched(bytes, [&](fb::Model* mm) {
                   return SetAt(tensor(mm, activation)->mutable_shape(), 0, kMax);
                 }),
                 StatusCode::kResourceExhausted, "elements", "huge batch");
  ExpectRejected(Patched(bytes, [&](fb::Model* mm) {
                   auto* shape = tensor(mm, constant)->mutable_shape();
                   return SetAt(shape, 0, shape->Get(0) + 1);
                 }),
                 StatusCode::kInvalidArgument, ct, "constant shape larger than its data");
  // The type field is stored only when it is not FLOAT32 (the default).
  const int typed = FindTensor(m, [](const fb::Tensor& t) {
    return t.type() != fb::TensorType::FLOAT32;
  });
  if (typed >= 0) {
    ExpectRejected(Patched(bytes, [&](fb::Model* mm) {
                     return tensor(mm, typed)->mutate_type(static_cast<fb::TensorType>(100));
                   }),
                   StatusCode::kInvalidArgument, "unknown tensor type 100", "tensor type 100");
  }
  ExpectRejected(Patched(bytes, [&](fb::Model* mm) { return mm->mutate_version(4); }),
                 StatusCode::kInvalidArgument, "unsupported TFLite schema version 4",
                 "version 4");

  // Overflowing vector lengths: the verifier must catch them before anything is copied.
  struct LengthCase {
    const char* what;
    const uint8_t* data;  // first element of the vector inside `bytes`
  };
  const fb::Tensor* ft = sg->tensors()->Get(constant);
  const LengthCase lengths[] = {
      {"tensor shape length", reinterpret_cast<const uint8_t*>(ft->shape()->data())},
      {"buffer data length", m->buffers()->Get(ft->buffer())->data()->data()},
      {"tensors vector length", reinterpret_cast<const uint8_t*>(sg->tensors()->data())},
      {"tensor name length", reinterpret_cast<const uint8_t*>(ft->name()->c_str())},
  };
  for (const LengthCase& c : lengths) {
    for (uint32_t value : {0x7FFFFFFFu, 0xFFFFFFFFu, static_cast<uint32_t>(bytes.size())}) {
      std::vector<uint8_t> copy = bytes;
      const size_t at = static_cast<size_t>(c.data - bytes.data()) - 4;
      std::memcpy(copy.data() + at, &value, 4);
      ExpectRejected(copy, StatusCode::kInvalidArgument, "fails verification",
                     absl::StrCat(c.what, " = ", value));
    }
  }
  // The root offset.
  for (uint32_t root : {0u, 0xFFFFFFF0u, static_cast<uint32_t>(bytes.size())}) {
    std::vector<uint8_t> copy = bytes;
    std::memcpy(copy.data(), &root, 4);
    ExpectRejected(copy, StatusCode::kInvalidArgument, "", absl::StrCat("root offset ", root));
  }
}

// Every single-byte change of the file identifier is rejected.
void CheckIdentifier(const std::vector<uint8_t>& bytes) {
  for (size_t pos = 4; pos < 8; ++pos) {
    for (int v = 0; v < 256; v += 7) {
      if (v == bytes[pos]) continue;
      std::vector<uint8_t> copy = bytes;
      copy[pos] = static_cast<uint8_t>(v);
      ExpectRejected(copy, StatusCode::kInvalidArgument, "not a TFLite model: file identifier",
                     absl::StrCat("identifier byte ", pos, " = ", v));
    }
  }
}

// ---- built model ----------------------------------------------------------------------------

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = testing::KitchenSinkModel();
    auto bytes = WriteModel(model_);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    bytes_ = *bytes;
  }
  ir::Model model_;
  std::vector<uint8_t> bytes_;
};

TEST_F(CorruptionTest, TruncationAtEveryOffset) {
  std::vector<size_t> lengths(bytes_.size());
  for (size_t n = 0; n < bytes_.size(); ++n) lengths[n] = n;
  Tally tally;
  const int accepted = CheckTruncations(bytes_, model_, lengths, tally);
  EXPECT_EQ(tally.failures, 0);
  // Only the alignment padding at the very end may be cut without losing referenced bytes.
  EXPECT_LE(accepted, 16) << "of " << lengths.size();
  EXPECT_LT(tally.max_seconds, 1.0);
}

TEST_F(CorruptionTest, SeededRandomFlips) {
  Tally anywhere, structure;
  CheckFlips(bytes_, /*seed=*/1, 2500, /*structure_only=*/false, anywhere);
  CheckFlips(bytes_, /*seed=*/2, 2500, /*structure_only=*/true, structure);
  EXPECT_EQ(anywhere.failures + structure.failures, 0);
  EXPECT_EQ(anywhere.accepted + anywhere.rejected, 2500);
  // The built model is mostly structure: many flips must be caught.
  EXPECT_GT(structure.rejected, 2500 / 3) << "accepted " << structure.accepted;
  EXPECT_LT(std::max(anywhere.max_seconds, structure.max_seconds), 1.0);
  RecordProperty("flips_rejected", anywhere.rejected + structure.rejected);
  RecordProperty("flips_accepted", anywhere.accepted + structure.accepted);
}

TEST_F(CorruptionTest, WrongFileIdentifier) { CheckIdentifier(bytes_); }

TEST_F(CorruptionTest, PatchedQuantizationSparsityAndStrings) {
  auto tensor = [](fb::Model* mm, int i) {
    return mm->mutable_subgraphs()->GetMutableObject(0)->mutable_tensors()->GetMutableObject(i);
  };
  ExpectRejected(Patched(bytes_, [&](fb::Model* mm) {
                   return tensor(mm, 1)->mutable_quantization()->mutate_quantized_dimension(100);
                 }),
                 StatusCode::kInvalidArgument,
                 "subgraph 0 tensor 1 'dw_filter': quantized_dimension 100 out of range for rank 4",
                 "quantized_dimension 100");
  ExpectRejected(Patched(bytes_, [&](fb::Model* mm) {
                   return SetAt(tensor(mm, 1)->mutable_quantization()->mutable_zero_point(),
                       0, 1000);
                 }),
                 StatusCode::kInvalidArgument, "zero point 1000 outside the range of int8",
                 "zero point 1000");
  ExpectRejected(Patched(bytes_, [&](fb::Model* mm) {
                   return SetAt(tensor(mm, 1)->mutable_quantization()->mutable_scale(),
                       0, std::numeric_limits<float>::quiet_NaN());
                 }),
                 StatusCode::kInvalidArgument, "is not a finite value", "NaN scale");
  // Sparse CSR indices (uint8) of 'sparse_w': an index past the dense size 4.
  ExpectRejected(Patched(bytes_, [&](fb::Model* mm) {
                   auto* dim = tensor(mm, 9)->mutable_sparsity()->mutable_dim_metadata()
                                   ->GetMutableObject(1);
                   return SetAt(static_cast<fb::Uint8Vector*>(dim->mutable_array_indices())
                       ->mutable_values(), 1, 200);
                 }),
                 StatusCode::kInvalidArgument, "tensor 9 'sparse_w'",
                 "sparse index out of range");
  ExpectRejected(Patched(bytes_, [&](fb::Model* mm) {
                   auto* dim = tensor(mm, 9)->mutable_sparsity()->mutable_dim_metadata()
                                   ->GetMutableObject(1);
                   return SetAt(static_cast<fb::Uint8Vector*>(dim->mutable_array_segments())
                       ->mutable_values(), 4, 9);
                 }),
                 StatusCode::kInvalidArgument, "segments must start at 0 and end at 3",
                 "sparse segments past the indices");
  ExpectRejected(Patched(bytes_, [&](fb::Model* mm) {
                   return SetAt(tensor(mm, 9)->mutable_sparsity()->mutable_traversal_order(), 0,
                                                                                              1);
                 }),
                 StatusCode::kInvalidArgument, "traversal_order is not a permutation",
                 "traversal order {1, 1}");
  ExpectRejected(Patched(bytes_, [&](fb::Model* mm) {
                   return SetAt(tensor(mm, 13)->mutable_sparsity()->mutable_block_map(), 1, 5);
                 }),
                 StatusCode::kInvalidArgument,
                 "tensor 13 'block_sparse_w': sparsity block_map entry 5 is out of range",
                 "block_map entry 5");
  // The string tensor's count field (first int32 of buffer 5) claims 255 strings.
  ExpectRejected(Patched(bytes_, [&](fb::Model* mm) {
                   return SetAt(mm->mutable_buffers()->GetMutableObject(5)->mutable_data(), 0,
                                                                                             255);
                 }),
                 StatusCode::kInvalidArgument,
                 "tensor 11 'labels': string buffer declares 255 strings but has 27 bytes",
                 "string count 255");
  ExpectRejected(Patched(bytes_, [&](fb::Model* mm) {
                   // Second offset (bytes 8..11) points before the first.
                   return SetAt(mm->mutable_buffers()->GetMutableObject(5)->mutable_data(), 8, 3);
                 }),
                 StatusCode::kInvalidArgument, "string offset 1 (3) out of order or range",
                 "string offset 1");
  ExpectRejected(Patched(bytes_, [&](fb::Model* mm) {
                   return mm->mutable_signature_defs()->GetMutableObject(1)->mutate_subgraph_index(
                       7);
                 }),
                 StatusCode::kInvalidArgument, "signature 'aux': subgraph index 7 out of range",
                 "signature subgraph 7");
  ExpectRejected(Patched(bytes_, [&](fb::Model* mm) {
                   return mm->mutable_metadata()->GetMutableObject(0)->mutate_buffer(4000000000u);
                 }),
                 StatusCode::kInvalidArgument, "buffer index 4000000000 out of range",
                 "metadata buffer");
}

TEST_F(CorruptionTest, StructuralPatches) { CheckStructuralPatches(bytes_); }

// ---- real model -----------------------------------------------------------------------------

class CorruptionDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto bytes = testing::ReadTestModel("face_detection_short_range.tflite");
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    bytes_ = std::move(*bytes);
    auto model = ReadModel(bytes_);
    ASSERT_TRUE(model.ok()) << model.status();
    model_ = std::move(*model);
  }
  std::vector<uint8_t> bytes_;
  ir::Model model_;
};

TEST_F(CorruptionDataTest, TruncationAtManyOffsets) {
  std::vector<size_t> lengths;
  for (size_t n = 0; n < 256; ++n) lengths.push_back(n);
  const size_t spread = 500;
  for (size_t i = 0; i < spread; ++i) lengths.push_back(256 + (bytes_.size() - 256) * i / spread);
  for (size_t n = bytes_.size() - 64; n < bytes_.size(); ++n) lengths.push_back(n);
  Tally tally;
  const int accepted = CheckTruncations(bytes_, model_, lengths, tally);
  EXPECT_EQ(tally.failures, 0);
  EXPECT_LE(accepted, 16) << "of " << lengths.size();
  EXPECT_LT(tally.max_seconds, 2.0);
}

TEST_F(CorruptionDataTest, SeededRandomFlips) {
  Tally anywhere, structure;
  CheckFlips(bytes_, /*seed=*/11, 1000, /*structure_only=*/false, anywhere);
  CheckFlips(bytes_, /*seed=*/12, 1500, /*structure_only=*/true, structure);
  EXPECT_EQ(anywhere.failures + structure.failures, 0);
  EXPECT_GT(structure.rejected, 1500 / 4) << "accepted " << structure.accepted;
  // Anywhere in the file, most flips land in the weights and are accepted (and round trip).
  EXPECT_GT(anywhere.accepted, 1000 / 2);
  EXPECT_LT(std::max(anywhere.max_seconds, structure.max_seconds), 2.0);
  RecordProperty("flips_rejected", anywhere.rejected + structure.rejected);
  RecordProperty("flips_accepted", anywhere.accepted + structure.accepted);
}

TEST_F(CorruptionDataTest, WrongFileIdentifier) { CheckIdentifier(bytes_); }

TEST_F(CorruptionDataTest, StructuralPatches) { CheckStructuralPatches(bytes_); }

}  // namespace
}  // namespace compressd::tflite
