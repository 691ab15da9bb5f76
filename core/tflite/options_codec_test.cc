// Options codec: every typed options struct of the IR encodes to its TFLite union member and
// decodes back equal; field values are checked through the generated API; raw tables (including
// field-less ones such as PadOptions, and BuiltinOptions2 members) pass through unchanged; unknown
// union types and malformed raw tables fail with the documented codes.
#include "core/tflite/options_codec.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/tflite/testing/status_testing.h"
#include "core/tflite/testing/test_models.h"
#include "gtest/gtest.h"

namespace compressd::tflite {
namespace {

namespace fb = ::tflite;
using absl::StatusCode;
using testing::HasError;
using testing::RawOptions;

// A finished flatbuffer whose root is an Operator carrying the encoded options.
class EncodedOperator {
 public:
  absl::Status Encode(const ir::BuiltinOptions& options,
                      const std::optional<ir::RawBuiltinOptions>& options2 = std::nullopt) {
    fbb_.Clear();
    auto enc = EncodeBuiltinOptions(options, fbb_);
    if (!enc.ok()) return enc.status();
    EncodedOptions enc2;
    if (options2) {
      auto e2 = EncodeBuiltinOptions2(*options2, fbb_);
      if (!e2.ok()) return e2.status();
      enc2 = *e2;
    }
    fb::OperatorBuilder b(fbb_);
    if (enc->type != 0) {
      b.add_builtin_options_type(static_cast<fb::BuiltinOptions>(enc->type));
      if (!enc->value.IsNull()) b.add_builtin_options(enc->value);
    }
    if (enc2.type != 0) {
      b.add_builtin_options_2_type(static_cast<fb::BuiltinOptions2>(enc2.type));
      if (!enc2.value.IsNull()) b.add_builtin_options_2(enc2.value);
    }
    fbb_.Finish(b.Finish());
    flatbuffers::Verifier verifier(fbb_.GetBufferPointer(), fbb_.GetSize());
    if (!verifier.VerifyBuffer<fb::Operator>(nullptr)) {
      return absl::InternalError("encoded operator fails verification");
    }
    return absl::OkStatus();
  }
  const fb::Operator& op() const {
    return *flatbuffers::GetRoot<fb::Operator>(fbb_.GetBufferPointer());
  }

 private:
  flatbuffers::FlatBufferBuilder fbb_;
};

struct TypedCase {
  ir::BuiltinOptions options;
  fb::BuiltinOptions type;
};

// Every typed options struct, with values different from the defaults.
std::vector<TypedCase> TypedCases() {
  using ir::Activation;
  using ir::Padding;
  using ir::DataType;
  return {
      {ir::Conv2DOptions{Padding::kValid, 2, 3, Activation::kRelu6, 4, 5, DataType::kInt64},
       fb::BuiltinOptions::Conv2DOptions},
      {ir::DepthwiseConv2DOptions{Padding::kValid, 2, 1, 3, Activation::kRelu, 2, 2},
       fb::BuiltinOptions::DepthwiseConv2DOptions},
      {ir::TransposeConvOptions{Padding::kValid, 2, 2, Activation::kReluN1To1, DataType::kInt32},
       fb::BuiltinOptions::TransposeConvOptions},
      {ir::FullyConnectedOptions{Activation::kTanh,
                                 ir::FullyConnectedWeightsFormat::kShuffled4x16Int8, true, true,
                                 DataType::kInt16},
       fb::BuiltinOptions::FullyConnectedOptions},
      {ir::Pool2DOptions{Padding::kValid, 2, 2, 3, 3, Activation::kSignBit},
       fb::BuiltinOptions::Pool2DOptions},
      {ir::AddOptions{Activation::kRelu, false}, fb::BuiltinOptions::AddOptions},
      {ir::SubOptions{Activation::kRelu6, false}, fb::BuiltinOptions::SubOptions},
      {ir::MulOptions{Activation::kRelu}, fb::BuiltinOptions::MulOptions},
      {ir::DivOptions{Activation::kRelu6}, fb::BuiltinOptions::DivOptions},
      {ir::ConcatenationOptions{-1, Activation::kRelu}, fb::BuiltinOptions::ConcatenationOptions},
      {ir::L2NormOptions{Activation::kRelu}, fb::BuiltinOptions::L2NormOptions},
      {ir::ReshapeOptions{{1, -1, 7}}, fb::BuiltinOptions::ReshapeOptions},
      {ir::SoftmaxOptions{0.75f}, fb::BuiltinOptions::SoftmaxOptions},
      {ir::ResizeBilinearOptions{true, false}, fb::BuiltinOptions::ResizeBilinearOptions},
      {ir::ResizeNearestNeighborOptions{false, true},
       fb::BuiltinOptions::ResizeNearestNeighborOptions},
      {ir::StridedSliceOptions{1, 2, 4, 8, 16, true}, fb::BuiltinOptions::StridedSliceOptions},
      {ir::SplitOptions{3}, fb::BuiltinOptions::SplitOptions},
      {ir::SplitVOptions{4}, fb::BuiltinOptions::SplitVOptions},
      {ir::PackOptions{3, -1}, fb::BuiltinOptions::PackOptions},
      {ir::UnpackOptions{2, 1}, fb::BuiltinOptions::UnpackOptions},
      {ir::GatherOptions{1, 1}, fb::BuiltinOptions::GatherOptions},
      {ir::ReducerOptions{true}, fb::BuiltinOptions::ReducerOptions},
      {ir::LeakyReluOptions{0.2f}, fb::BuiltinOptions::LeakyReluOptions},
      {ir::SpaceToDepthOptions{2}, fb::BuiltinOptions::SpaceToDepthOptions},
      {ir::DepthToSpaceOptions{4}, fb::BuiltinOptions::DepthToSpaceOptions},
      {ir::BatchMatMulOptions{true, false, true}, fb::BuiltinOptions::BatchMatMulOptions},
      {ir::MirrorPadOptions{ir::MirrorPadMode::kSymmetric}, fb::BuiltinOptions::MirrorPadOptions},
      {ir::SqueezeOptions{{0, 2}}, fb::BuiltinOptions::SqueezeOptions},
      {ir::CastOptions{DataType::kUInt8, DataType::kFloat16}, fb::BuiltinOptions::CastOptions},
  };
}

TEST(OptionsCodecTest, CoversEveryTypedAlternative) {
  // Every variant alternative except monostate and RawBuiltinOptions has a case.
  EXPECT_EQ(TypedCases().size(), std::variant_size_v<ir::BuiltinOptions> - 2);
}

TEST(OptionsCodecTest, TypedOptionsRoundTrip) {
  for (const TypedCase& c : TypedCases()) {
    SCOPED_TRACE(fb::EnumNameBuiltinOptions(c.type));
    EncodedOperator e;
    TFL_ASSERT_OK(e.Encode(c.options));
    EXPECT_EQ(e.op().builtin_options_type(), c.type);
    EXPECT_NE(e.op().builtin_options(), nullptr);
    EXPECT_EQ(BuiltinOptionsUnionType(c.options), static_cast<uint8_t>(c.type));
    TFL_ASSERT_OK_AND_ASSIGN(ir::BuiltinOptions decoded, DecodeBuiltinOptions(e.op()));
    EXPECT_EQ(decoded, c.options);
  }
}

TEST(OptionsCodecTest, EncodesFieldValuesAsTheSchemaNamesThem) {
  EncodedOperator e;
  TFL_ASSERT_OK(e.Encode(ir::Conv2DOptions{ir::Padding::kValid, 2, 3, ir::Activation::kRelu6, 4,
                                           5, ir::DataType::kInt64}));
  const fb::Conv2DOptions* conv = e.op().builtin_options_as_Conv2DOptions();
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->padding(), fb::Padding::VALID);
  EXPECT_EQ(conv->stride_w(), 2);
  EXPECT_EQ(conv->stride_h(), 3);
  EXPECT_EQ(conv->fused_activation_function(), fb::ActivationFunctionType::RELU6);
  EXPECT_EQ(conv->dilation_w_factor(), 4);
  EXPECT_EQ(conv->dilation_h_factor(), 5);
  EXPECT_EQ(conv->quantized_bias_type(), fb::TensorType::INT64);

  TFL_ASSERT_OK(e.Encode(ir::ReshapeOptions{{1, -1, 7}}));
  const auto* reshape = e.op().builtin_options_as_ReshapeOptions();
  ASSERT_NE(reshape, nullptr);
  EXPECT_EQ(std::vector<int32_t>(reshape->new_shape()->begin(), reshape->new_shape()->end()),
            std::vector<int32_t>({1, -1, 7}));

  TFL_ASSERT_OK(e.Encode(ir::FullyConnectedOptions{
      ir::Activation::kTanh, ir::FullyConnectedWeightsFormat::kShuffled4x16Int8, true, false,
      ir::DataType::kInt16}));
  const auto* fc = e.op().builtin_options_as_FullyConnectedOptions();
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(fc->weights_format(), fb::FullyConnectedOptionsWeightsFormat::SHUFFLED4x16INT8);
  EXPECT_TRUE(fc->keep_num_dims());
  EXPECT_FALSE(fc->asymmetric_quantize_inputs());

  TFL_ASSERT_OK(e.Encode(ir::StridedSliceOptions{1, 2, 4, 8, 16, true}));
  const auto* ss = e.op().builtin_options_as_StridedSliceOptions();
  ASSERT_NE(ss, nullptr);
  EXPECT_EQ(ss->ellipsis_mask(), 4);
  EXPECT_EQ(ss->shrink_axis_mask(), 16);
  EXPECT_TRUE(ss->offset());

  TFL_ASSERT_OK(e.Encode(ir::CastOptions{ir::DataType::kUInt8, ir::DataType::kFloat16}));
  EXPECT_EQ(e.op().builtin_options_as_CastOptions()->out_data_type(), fb::TensorType::FLOAT16);
  TFL_ASSERT_OK(e.Encode(ir::SoftmaxOptions{0.75f}));
  EXPECT_EQ(e.op().builtin_options_as_SoftmaxOptions()->beta(), 0.75f);
  TFL_ASSERT_OK(e.Encode(ir::AddOptions{ir::Activation::kNone, false}));
  EXPECT_FALSE(e.op().builtin_options_as_AddOptions()->pot_scale_int16());
}

TEST(OptionsCodecTest, UnionTypeWithoutTableDecodesToSchemaDefaults) {
  flatbuffers::FlatBufferBuilder fbb;
  fb::OperatorBuilder b(fbb);
  b.add_builtin_options_type(fb::BuiltinOptions::Conv2DOptions);
  fbb.Finish(b.Finish());
  const auto* op = flatbuffers::GetRoot<fb::Operator>(fbb.GetBufferPointer());
  TFL_ASSERT_OK_AND_ASSIGN(ir::BuiltinOptions decoded, DecodeBuiltinOptions(*op));
  const auto* conv = std::get_if<ir::Conv2DOptions>(&decoded);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->stride_w, 0);
  EXPECT_EQ(conv->dilation_w_factor, 1);  // the schema default, not 0
  EXPECT_EQ(conv->dilation_h_factor, 1);
  const ir::AddOptions add_default;
  EXPECT_TRUE(add_default.pot_scale_int16);  // IR defaults follow the schema (= true)
}

TEST(OptionsCodecTest, NoOptionsIsMonostate) {
  EncodedOperator e;
  TFL_ASSERT_OK(e.Encode(std::monostate{}));
  EXPECT_EQ(e.op().builtin_options_type(), fb::BuiltinOptions::NONE);
  TFL_ASSERT_OK_AND_ASSIGN(ir::BuiltinOptions decoded, DecodeBuiltinOptions(e.op()));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(decoded));
  TFL_ASSERT_OK_AND_ASSIGN(auto decoded2, DecodeBuiltinOptions2(e.op()));
  EXPECT_FALSE(decoded2.has_value());
  EXPECT_EQ(BuiltinOptionsUnionType(std::monostate{}), 0);
}

TEST(OptionsCodecTest, RawOptionsPassThroughUnchanged) {
  fb::ArgMaxOptionsT argmax;
  argmax.output_type = fb::TensorType::INT32;
  fb::GeluOptionsT gelu;
  gelu.approximate = true;
  for (const ir::RawBuiltinOptions& raw :
       {RawOptions(fb::BuiltinOptions::PadOptions, fb::PadOptionsT{}),
        RawOptions(fb::BuiltinOptions::ArgMaxOptions, argmax),
        RawOptions(fb::BuiltinOptions::GeluOptions, gelu)}) {
    SCOPED_TRACE(BuiltinOptionsTypeName(raw.union_type));
    EncodedOperator e;
    TFL_ASSERT_OK(e.Encode(raw));
    EXPECT_EQ(static_cast<uint8_t>(e.op().builtin_options_type()), raw.union_type);
    TFL_ASSERT_OK_AND_ASSIGN(ir::BuiltinOptions decoded, DecodeBuiltinOptions(e.op()));
    EXPECT_EQ(decoded, ir::BuiltinOptions(raw));
    EXPECT_EQ(BuiltinOptionsUnionType(raw), raw.union_type);
  }
  EncodedOperator e;
  TFL_ASSERT_OK(e.Encode(RawOptions(fb::BuiltinOptions::ArgMaxOptions, argmax)));
  EXPECT_EQ(e.op().builtin_options_as_ArgMaxOptions()->output_type(), fb::TensorType::INT32);
  TFL_ASSERT_OK(e.Encode(RawOptions(fb::BuiltinOptions::GeluOptions, gelu)));
  EXPECT_TRUE(e.op().builtin_options_as_GeluOptions()->approximate());
}

TEST(OptionsCodecTest, BuiltinOptions2PassThroughUnchanged) {
  fb::StablehloConcatenateOptionsT concat;
  concat.dimension = -2;
  const ir::RawBuiltinOptions raw =
      RawOptions(fb::BuiltinOptions2::StablehloConcatenateOptions, concat);
  EncodedOperator e;
  TFL_ASSERT_OK(e.Encode(std::monostate{}, raw));
  ASSERT_NE(e.op().builtin_options_2_as_StablehloConcatenateOptions(), nullptr);
  EXPECT_EQ(e.op().builtin_options_2_as_StablehloConcatenateOptions()->dimension(), -2);
  TFL_ASSERT_OK_AND_ASSIGN(auto decoded, DecodeBuiltinOptions2(e.op()));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, raw);
}

TEST(OptionsCodecTest, UnknownUnionTypes) {
  // With a table: the reader cannot know its layout.
  flatbuffers::FlatBufferBuilder fbb;
  auto table = fb::CreatePadOptions(fbb);
  fb::OperatorBuilder b(fbb);
  b.add_builtin_options_type(static_cast<fb::BuiltinOptions>(200));
  b.add_builtin_options(table.Union());
  b.add_builtin_options_2_type(static_cast<fb::BuiltinOptions2>(201));
  b.add_builtin_options_2(table.Union());
  fbb.Finish(b.Finish());
  const auto* op = flatbuffers::GetRoot<fb::Operator>(fbb.GetBufferPointer());
  EXPECT_TRUE(HasError(DecodeBuiltinOptions(*op), StatusCode::kUnimplemented,
                       "BuiltinOptions type 200 is not in this schema"));
  EXPECT_TRUE(HasError(DecodeBuiltinOptions2(*op), StatusCode::kUnimplemented,
                       "BuiltinOptions2 type 201 is not in this schema"));

  // Without a table: nothing to interpret, the type is carried.
  flatbuffers::FlatBufferBuilder fbb2;
  fb::OperatorBuilder b2(fbb2);
  b2.add_builtin_options_type(static_cast<fb::BuiltinOptions>(200));
  fbb2.Finish(b2.Finish());
  const auto* op2 = flatbuffers::GetRoot<fb::Operator>(fbb2.GetBufferPointer());
  TFL_ASSERT_OK_AND_ASSIGN(ir::BuiltinOptions decoded, DecodeBuiltinOptions(*op2));
  const auto* raw = std::get_if<ir::RawBuiltinOptions>(&decoded);
  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(raw->union_type, 200);
  EXPECT_TRUE(raw->table.empty());
}

TEST(OptionsCodecTest, RejectsMalformedRawTables) {
  flatbuffers::FlatBufferBuilder fbb;
  ir::RawBuiltinOptions raw;
  raw.union_type = static_cast<uint8_t>(fb::BuiltinOptions::GeluOptions);
  raw.table = {4, 0};
  EXPECT_TRUE(HasError(EncodeBuiltinOptions(raw, fbb), StatusCode::kInvalidArgument,
                       "raw builtin options table is truncated"));
  raw.table = {100, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(HasError(EncodeBuiltinOptions(raw, fbb), StatusCode::kInvalidArgument,
                       "raw builtin options table of type 116 is malformed"));
  raw = RawOptions(230, fb::PadOptionsT{});
  EXPECT_TRUE(HasError(EncodeBuiltinOptions(raw, fbb), StatusCode::kInvalidArgument,
                       "unknown builtin options type 230"));
  raw.table = {1};
  EXPECT_TRUE(HasError(EncodeBuiltinOptions2(raw, fbb), StatusCode::kInvalidArgument,
                       "raw builtin options table is truncated"));
}

// Moves the vector that `field` of `table` points to by +4 bytes (in place).
void ShiftVectorField(const void* table, flatbuffers::voffset_t field) {
  auto* t = reinterpret_cast<flatbuffers::Table*>(const_cast<void*>(table));
  uint8_t* at = t->GetAddressOf(field);
  ASSERT_NE(at, nullptr);
  flatbuffers::WriteScalar<flatbuffers::uoffset_t>(
      at, flatbuffers::ReadScalar<flatbuffers::uoffset_t>(at) + 4);
}

TEST(OptionsCodecTest, RejectsMisalignedVectorsOf64BitIntegers) {
  // permutation {1, 2}: shifted by 4 bytes, the vector has length 1 (the low half of 1) and its
  // int64 element sits at 4 mod 8. The verifier accepts that; reading it in place would be UB.
  fb::StablehloTransposeOptionsT transpose;
  transpose.permutation = {1, 2};
  ir::RawBuiltinOptions raw = RawOptions(fb::BuiltinOptions2::StablehloTransposeOptions, transpose);
  EncodedOperator e;
  TFL_ASSERT_OK(e.Encode(std::monostate{}, raw));
  const void* table = e.op().builtin_options_2();
  ShiftVectorField(table, fb::StablehloTransposeOptions::VT_PERMUTATION);
  ASSERT_EQ(static_cast<const fb::StablehloTransposeOptions*>(table)->permutation()->size(), 1u);
  EXPECT_TRUE(HasError(DecodeBuiltinOptions2(e.op()), StatusCode::kInvalidArgument,
                       "StablehloTransposeOptions has a vector of 64-bit integers that is not "
                       "8-byte aligned"));

  // The same in a raw table handed to the writer.
  const auto root = flatbuffers::ReadScalar<flatbuffers::uoffset_t>(raw.table.data());
  ShiftVectorField(raw.table.data() + root, fb::StablehloTransposeOptions::VT_PERMUTATION);
  flatbuffers::FlatBufferBuilder fbb;
  EXPECT_TRUE(HasError(EncodeBuiltinOptions2(raw, fbb), StatusCode::kInvalidArgument,
                       "raw builtin options table of type 17 is malformed"));
}

TEST(OptionsCodecTest, NamesUnionTypes) {
  EXPECT_EQ(BuiltinOptionsTypeName(0), "NONE");
  EXPECT_EQ(BuiltinOptionsTypeName(1), "Conv2DOptions");
  EXPECT_EQ(BuiltinOptionsTypeName(22), "PadOptions");
  EXPECT_EQ(BuiltinOptionsTypeName(126), "RightShiftOptions");
  EXPECT_EQ(BuiltinOptionsTypeName(127), "unknown(127)");
  EXPECT_EQ(BuiltinOptionsTypeName(255), "unknown(255)");
}

}  // namespace
}  // namespace compressd::tflite
