// Small, valid IR models for the tests of core/tflite and the fuzzer's seed corpus, built by hand
// (never through the reader), so that a round trip through the writer and the reader can be
// compared against an independent original.
//
// Header-only: core/CMakeLists.txt compiles only the top level of each folder.
#ifndef COMPRESSD_CORE_TFLITE_TESTING_TEST_MODELS_H_
#define COMPRESSD_CORE_TFLITE_TESTING_TEST_MODELS_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "core/ir/model.h"
#include "core/tflite/schema/tflite_generated.h"

namespace compressd::tflite::testing {

// Little-endian bytes of a vector of scalars (the host is little-endian, as TFLite files are).
template <typename T>
std::vector<uint8_t> Bytes(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

// TFLite's string tensor layout: int32 count N, int32 offsets[N+1] from the buffer start, bytes.
inline std::vector<uint8_t> StringBufferBytes(const std::vector<std::string>& strings) {
  const int32_t n = static_cast<int32_t>(strings.size());
  std::vector<int32_t> header = {n};
  int32_t offset = (n + 2) * 4;
  for (const std::string& s : strings) {
    header.push_back(offset);
    offset += static_cast<int32_t>(s.size());
  }
  header.push_back(offset);
  std::vector<uint8_t> out = Bytes(header);
  for (const std::string& s : strings) out.insert(out.end(), s.begin(), s.end());
  return out;
}

inline ir::Tensor MakeTensor(std::string name, std::vector<int32_t> shape, ir::DataType type,
                             uint32_t buffer = 0) {
  ir::Tensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.type = type;
  t.buffer = buffer;
  return t;
}

inline ir::QuantParams PerTensorQuant(float scale, int64_t zero_point) {
  ir::QuantParams q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

inline ir::QuantParams PerChannelQuant(std::vector<float> scales, std::vector<int64_t> zero_points,
                                       int32_t dimension) {
  ir::QuantParams q;
  q.scale = std::move(scales);
  q.zero_point = std::move(zero_points);
  q.quantized_dimension = dimension;
  return q;
}

// An operator code as TFLite's converter writes it: deprecated_builtin_code holds the code, or
// 127 (PLACEHOLDER_FOR_GREATER_OP_CODES) for codes above 127.
inline ir::OperatorCode BuiltinCode(int32_t code, int32_t version = 1) {
  ir::OperatorCode c;
  c.builtin_code = static_cast<ir::BuiltinOp>(code);
  c.deprecated_builtin_code = static_cast<int8_t>(std::min(code, 127));
  c.version = version;
  return c;
}
inline ir::OperatorCode BuiltinCode(ir::BuiltinOp op, int32_t version = 1) {
  return BuiltinCode(static_cast<int32_t>(op), version);
}

inline ir::OperatorCode CustomCode(std::string name) {
  ir::OperatorCode c = BuiltinCode(ir::BuiltinOp::kCustom);
  c.custom_code = std::move(name);
  return c;
}

// Options table of union type `type`, packed alone from its object-API form the way the reader's
// options codec stores it (core/tflite/options_codec.h).
template <typename NativeT>
ir::RawBuiltinOptions RawOptions(uint8_t type, const NativeT& table) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(NativeT::TableType::Pack(fbb, &table));
  ir::RawBuiltinOptions raw;
  raw.union_type = type;
  raw.table.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  return raw;
}
template <typename NativeT>
ir::RawBuiltinOptions RawOptions(::tflite::BuiltinOptions type, const NativeT& table) {
  return RawOptions(static_cast<uint8_t>(type), table);
}
template <typename NativeT>
ir::RawBuiltinOptions RawOptions(::tflite::BuiltinOptions2 type, const NativeT& table) {
  return RawOptions(static_cast<uint8_t>(type), table);
}

inline ir::Operator MakeOperator(uint32_t opcode_index, std::vector<int32_t> inputs,
                                 std::vector<int32_t> outputs,
                                 ir::BuiltinOptions options = std::monostate{}) {
  ir::Operator op;
  op.opcode_index = opcode_index;
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  op.builtin_options = std::move(options);
  return op;
}

// A model with the empty buffer 0 only; add buffers with Model::AddBuffer.
inline ir::Model EmptyModel() {
  ir::Model m;
  m.buffers.emplace_back();
  return m;
}

// input float32 [1,5,5,1] → CONV_2D (filter float32 [2,3,3,1] constant, bias omitted: -1,
// SAME, stride 1, RELU) → output float32 [1,5,5,2].
inline ir::Model TinyConvModel() {
  ir::Model m = EmptyModel();
  std::vector<float> filter(18);
  for (size_t i = 0; i < filter.size(); ++i) filter[i] = 0.125f * static_cast<float>(i) - 1.0f;
  const uint32_t filter_buffer = m.AddBuffer(Bytes(filter));
  m.operator_codes.push_back(BuiltinCode(ir::BuiltinOp::kConv2d));
  ir::Subgraph sg;
  sg.name = "main";
  sg.tensors.push_back(MakeTensor("input", {1, 5, 5, 1}, ir::DataType::kFloat32));
  sg.tensors.push_back(MakeTensor("filter", {2, 3, 3, 1}, ir::DataType::kFloat32, filter_buffer));
  sg.tensors.push_back(MakeTensor("output", {1, 5, 5, 2}, ir::DataType::kFloat32));
  ir::Conv2DOptions conv;
  conv.padding = ir::Padding::kSame;
  conv.stride_w = 1;
  conv.stride_h = 1;
  conv.activation = ir::Activation::kRelu;
  sg.operators.push_back(MakeOperator(0, {0, 1, -1}, {2}, conv));
  sg.inputs = {0};
  sg.outputs = {2};
  m.subgraphs.push_back(std::move(sg));
  return m;
}

// Every feature the IR carries, in a model the validator accepts:
//   subgraph 0 "main": int8 DEPTHWISE_CONV_2D with per-channel filter/bias quantization → PAD
//   (raw PadOptions) → HARD_SWISH (no options) → custom op "CompressdTestOp" (custom options,
//   intermediates, debug metadata index) → GELU (code 150, deprecated code 127, raw GeluOptions);
//   DENSIFY of a CSR-sparse float tensor (uint8 index vectors) and of a 2x2 block-sparse tensor
//   (int32 segments, uint16 indices); STABLEHLO_CONCATENATE (code 169) with builtin_options_2;
//   a constant string tensor, a variant tensor, a tensor with custom quantization details.
//   subgraph 1 "aux": ADD (typed AddOptions) and an ADD updating a variable tensor in place.
//   Metadata + legacy metadata_buffer, two signature defs, a description.
inline ir::Model KitchenSinkModel() {
  using ir::DataType;
  namespace fb = ::tflite;
  ir::Model m = EmptyModel();
  m.description = "compressd kitchen-sink test model";

  std::vector<int8_t> dw_filter(18);
  for (size_t i = 0; i < dw_filter.size(); ++i) dw_filter[i] = static_cast<int8_t>(3 * i - 20);
  const uint32_t b_filter = m.AddBuffer(Bytes(dw_filter));                               // 1
  const uint32_t b_bias = m.AddBuffer(Bytes(std::vector<int32_t>{100, -200}));           // 2
  const uint32_t b_pads = m.AddBuffer(Bytes(std::vector<int32_t>{0, 0, 1, 1, 1, 1, 0, 0}));  // 3
  const uint32_t b_sparse = m.AddBuffer(Bytes(std::vector<float>{1.5f, -2.0f, 3.25f}));  // 4
  const uint32_t b_strings = m.AddBuffer(StringBufferBytes({"cat", "", "dog!"}));       // 5
  const std::string version = "1.14.0";
  const uint32_t b_meta = m.AddBuffer(std::vector<uint8_t>(version.begin(), version.end()));  // 6
  std::vector<float> block_values(8);
  for (size_t i = 0; i < block_values.size(); ++i) block_values[i] = static_cast<float>(i) + 0.5f;
  const uint32_t b_block = m.AddBuffer(Bytes(block_values));                            // 7
  const uint32_t b_aux_const = m.AddBuffer(Bytes(std::vector<float>{1.0f, 2.0f}));      // 8
  const uint32_t b_state = m.AddBuffer(Bytes(std::vector<float>{0.0f, -0.5f}));         // 9

  m.operator_codes.push_back(BuiltinCode(ir::BuiltinOp::kDepthwiseConv2d, 2));  // 0
  m.operator_codes.push_back(BuiltinCode(ir::BuiltinOp::kPad));                 // 1
  m.operator_codes.push_back(BuiltinCode(ir::BuiltinOp::kHardSwish));           // 2
  m.operator_codes.push_back(CustomCode("CompressdTestOp"));                    // 3
  m.operator_codes.push_back(BuiltinCode(static_cast<int32_t>(fb::BuiltinOperator::GELU)));  // 4
  m.operator_codes.push_back(BuiltinCode(ir::BuiltinOp::kDensify));             // 5
  m.operator_codes.push_back(
      BuiltinCode(static_cast<int32_t>(fb::BuiltinOperator::STABLEHLO_CONCATENATE)));  // 6
  m.operator_codes.push_back(BuiltinCode(ir::BuiltinOp::kAdd));                 // 7

  ir::Subgraph sg;
  sg.name = "main";
  ir::Tensor input = MakeTensor("input", {1, 4, 4, 2}, DataType::kInt8);
  input.quantization = PerTensorQuant(0.05f, -3);
  input.quantization->min = {-6.25f};
  input.quantization->max = {6.5f};
  input.shape_signature = std::vector<int32_t>{-1, 4, 4, 2};
  sg.tensors.push_back(input);                                                           // 0
  ir::Tensor filter = MakeTensor("dw_filter", {1, 3, 3, 2}, DataType::kInt8, b_filter);
  filter.quantization = PerChannelQuant({0.5f, 0.25f}, {0, 0}, 3);
  sg.tensors.push_back(filter);                                                          // 1
  ir::Tensor bias = MakeTensor("dw_bias", {2}, DataType::kInt32, b_bias);
  bias.quantization = PerChannelQuant({0.025f, 0.0125f}, {0, 0}, 0);
  sg.tensors.push_back(bias);                                                            // 2
  ir::Tensor dw_out = MakeTensor("dw_out", {1, 4, 4, 2}, DataType::kInt8);
  dw_out.quantization = PerTensorQuant(0.1f, 5);
  sg.tensors.push_back(dw_out);                                                          // 3
  sg.tensors.push_back(MakeTensor("paddings", {4, 2}, DataType::kInt32, b_pads));       // 4
  ir::Tensor pad_out = MakeTensor("pad_out", {1, 6, 6, 2}, DataType::kInt8);
  pad_out.quantization = PerTensorQuant(0.1f, 5);
  sg.tensors.push_back(pad_out);                                                         // 5
  ir::Tensor hswish_out = MakeTensor("hswish_out", {1, 6, 6, 2}, DataType::kInt8);
  hswish_out.quantization = PerTensorQuant(0.2f, -1);
  sg.tensors.push_back(hswish_out);                                                      // 6
  sg.tensors.push_back(MakeTensor("custom_out", {1, 6, 6, 2}, DataType::kFloat32));     // 7
  sg.tensors.push_back(MakeTensor("gelu_out", {1, 6, 6, 2}, DataType::kFloat32));       // 8
  ir::Tensor sparse = MakeTensor("sparse_w", {4, 4}, DataType::kFloat32, b_sparse);
  {
    // Rows 0..3 hold columns {0}, {3}, {}, {1}: 3 stored values.
    ir::Sparsity s;
    s.traversal_order = {0, 1};
    ir::DimensionMetadata rows;
    rows.format = ir::DimensionMetadata::Format::kDense;
    rows.dense_size = 4;
    ir::DimensionMetadata cols;
    cols.format = ir::DimensionMetadata::Format::kSparseCsr;
    cols.array_segments = {ir::SparseIndexVector::Width::kUint8, {0, 1, 2, 2, 3}};
    cols.array_indices = {ir::SparseIndexVector::Width::kUint8, {0, 3, 1}};
    s.dim_metadata = {rows, cols};
    sparse.sparsity = s;
  }
  sg.tensors.push_back(sparse);                                                          // 9
  sg.tensors.push_back(MakeTensor("dense_w", {4, 4}, DataType::kFloat32));              // 10
  sg.tensors.push_back(MakeTensor("labels", {3}, DataType::kString, b_strings));        // 11
  ir::Tensor variant = MakeTensor("variant", {}, DataType::kVariant);
  variant.has_rank = true;
  variant.variant_tensors = {ir::VariantSubType{{2, 3}, DataType::kFloat32, true}};
  sg.tensors.push_back(variant);                                                         // 12
  ir::Tensor block = MakeTensor("block_sparse_w", {4, 4}, DataType::kFloat32, b_block);
  {
    // 2x2 blocks; block row 0 holds block column 0, block row 1 holds block column 1.
    ir::Sparsity s;
    s.traversal_order = {0, 1, 2, 3};
    s.block_map = {0, 1};
    ir::DimensionMetadata d0{ir::DimensionMetadata::Format::kDense, 2, {}, {}};
    ir::DimensionMetadata d1{ir::DimensionMetadata::Format::kSparseCsr, 0,
                             {ir::SparseIndexVector::Width::kInt32, {0, 1, 2}},
                             {ir::SparseIndexVector::Width::kUint16, {0, 1}}};
    ir::DimensionMetadata d2{ir::DimensionMetadata::Format::kDense, 2, {}, {}};
    ir::DimensionMetadata d3{ir::DimensionMetadata::Format::kDense, 2, {}, {}};
    s.dim_metadata = {d0, d1, d2, d3};
    block.sparsity = s;
  }
  sg.tensors.push_back(block);                                                           // 13
  ir::Tensor custom_quant = MakeTensor("custom_quant", {2}, DataType::kInt8);
  custom_quant.quantization = PerTensorQuant(1.0f, 0);
  custom_quant.quantization->details = ir::CustomQuantization{{9, 8, 7}};
  sg.tensors.push_back(custom_quant);                                                    // 14
  sg.tensors.push_back(MakeTensor("concat_out", {1, 6, 6, 4}, DataType::kFloat32));     // 15
  sg.tensors.push_back(MakeTensor("dense_block", {4, 4}, DataType::kFloat32));          // 16

  ir::DepthwiseConv2DOptions dw;
  dw.padding = ir::Padding::kSame;
  dw.stride_w = 1;
  dw.stride_h = 1;
  dw.depth_multiplier = 1;
  sg.operators.push_back(MakeOperator(0, {0, 1, 2}, {3}, dw));
  sg.operators.push_back(
      MakeOperator(1, {3, 4}, {5}, RawOptions(fb::BuiltinOptions::PadOptions, fb::PadOptionsT{})));
  sg.operators.push_back(MakeOperator(2, {5}, {6}));
  ir::Operator custom = MakeOperator(3, {6, 11}, {7});
  custom.custom_options = {0x01, 0x02, 0x03, 0xff};
  custom.intermediates = {14};
  custom.debug_metadata_index = 7;
  sg.operators.push_back(custom);
  fb::GeluOptionsT gelu;
  gelu.approximate = true;
  sg.operators.push_back(
      MakeOperator(4, {7}, {8}, RawOptions(fb::BuiltinOptions::GeluOptions, gelu)));
  sg.operators.push_back(MakeOperator(5, {9}, {10}));
  ir::Operator concat = MakeOperator(6, {7, 8}, {15});
  fb::StablehloConcatenateOptionsT concat_options;
  concat_options.dimension = 3;
  concat.builtin_options_2 =
      RawOptions(fb::BuiltinOptions2::StablehloConcatenateOptions, concat_options);
  sg.operators.push_back(concat);
  sg.operators.push_back(MakeOperator(5, {13}, {16}));
  sg.inputs = {0};
  sg.outputs = {8, 10, 15, 16};
  m.subgraphs.push_back(std::move(sg));

  ir::Subgraph aux;
  aux.name = "aux";
  aux.tensors.push_back(MakeTensor("x", {2}, DataType::kFloat32));
  aux.tensors.push_back(MakeTensor("c", {2}, DataType::kFloat32, b_aux_const));
  aux.tensors.push_back(MakeTensor("y", {2}, DataType::kFloat32));
  ir::Tensor state = MakeTensor("state", {2}, DataType::kFloat32, b_state);
  state.is_variable = true;
  aux.tensors.push_back(state);
  ir::AddOptions add;
  add.activation = ir::Activation::kRelu6;
  add.pot_scale_int16 = false;
  aux.operators.push_back(MakeOperator(7, {0, 1}, {2}, add));
  ir::Operator update = MakeOperator(7, {2, 3}, {3}, ir::AddOptions{});
  update.mutating_variable_inputs = {false, true};
  aux.operators.push_back(update);
  aux.inputs = {0};
  aux.outputs = {2};
  m.subgraphs.push_back(std::move(aux));

  m.metadata.push_back({"min_runtime_version", b_meta});
  m.metadata_buffer = {static_cast<int32_t>(b_meta)};
  m.signature_defs.push_back(
      {{{"input", 0}}, {{"gelu", 8}, {"dense", 10}}, "serving_default", 0});
  m.signature_defs.push_back({{{"x", 0}}, {{"y", 2}}, "aux", 1});
  return m;
}

// The built models of the fuzzer's seed corpus, by file stem.
inline std::vector<std::pair<std::string, ir::Model>> SeedModels() {
  return {{"tiny_conv", TinyConvModel()}, {"kitchen_sink", KitchenSinkModel()}};
}

}  // namespace compressd::tflite::testing

#endif  // COMPRESSD_CORE_TFLITE_TESTING_TEST_MODELS_H_
