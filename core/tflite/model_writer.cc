#include "core/tflite/model_writer.h"

#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/file_io.h"
#include "core/base/status_macros.h"
#include "core/tflite/model_validator.h"
#include "core/tflite/options_codec.h"
#include "core/tflite/schema/tflite_generated.h"

namespace compressd::tflite {
namespace {

namespace fb = ::tflite;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;
using flatbuffers::Vector;

// Alignment of constant buffer data inside the file, as TFLite's converter writes it.
constexpr size_t kBufferAlignment = 16;

template <typename T>
Offset<Vector<T>> VectorOrNull(FlatBufferBuilder& fbb, const std::vector<T>& v) {
  return v.empty() ? 0 : fbb.CreateVector(v);
}

Offset<flatbuffers::String> StringOrNull(FlatBufferBuilder& fbb, const std::string& s) {
  return s.empty() ? 0 : fbb.CreateString(s);
}

class Writer {
 public:
  explicit Writer(size_t expected_size) : fbb_(expected_size + 4096) {}

  absl::StatusOr<std::vector<uint8_t>> Write(const ir::Model& model) {
    std::vector<Offset<fb::OperatorCode>> codes;
    for (const ir::OperatorCode& c : model.operator_codes) {
      auto custom = c.custom_code ? fbb_.CreateString(*c.custom_code) : 0;
      fb::OperatorCodeBuilder b(fbb_);
      b.add_deprecated_builtin_code(c.deprecated_builtin_code);
      if (c.custom_code) b.add_custom_code(custom);
      b.add_version(c.version);
      b.add_builtin_code(static_cast<fb::BuiltinOperator>(c.builtin_code));
      codes.push_back(b.Finish());
    }
    std::vector<Offset<fb::SubGraph>> subgraphs;
    for (const ir::Subgraph& sg : model.subgraphs) {
      ASSIGN_OR_RETURN(auto off, WriteSubgraph(sg));
      subgraphs.push_back(off);
    }
    std::vector<Offset<fb::Buffer>> buffers;
    for (const ir::Buffer& buffer : model.buffers) {
      Offset<Vector<uint8_t>> data = 0;
      if (buffer.size() > 0) {
        fbb_.ForceVectorAlignment(buffer.size(), sizeof(uint8_t), kBufferAlignment);
        data = fbb_.CreateVector(buffer.bytes().data(), buffer.size());
      }
      fb::BufferBuilder b(fbb_);
      if (buffer.size() > 0) b.add_data(data);
      buffers.push_back(b.Finish());
    }
    std::vector<Offset<fb::Metadata>> metadata;
    for (const ir::Metadata& m : model.metadata) {
      auto name = fbb_.CreateString(m.name);
      metadata.push_back(fb::CreateMetadata(fbb_, name, m.buffer));
    }
    std::vector<Offset<fb::SignatureDef>> signatures;
    for (const ir::SignatureDef& sd : model.signature_defs) {
      auto inputs = WriteTensorMaps(sd.inputs);
      auto outputs = WriteTensorMaps(sd.outputs);
      auto key = fbb_.CreateString(sd.signature_key);
      fb::SignatureDefBuilder b(fbb_);
      b.add_inputs(inputs);
      b.add_outputs(outputs);
      b.add_signature_key(key);
      b.add_subgraph_index(sd.subgraph_index);
      signatures.push_back(b.Finish());
    }
    auto codes_vec = fbb_.CreateVector(codes);
    auto subgraphs_vec = fbb_.CreateVector(subgraphs);
    auto description = StringOrNull(fbb_, model.description);
    auto buffers_vec = fbb_.CreateVector(buffers);
    auto metadata_buffer = VectorOrNull(fbb_, model.metadata_buffer);
    auto metadata_vec = metadata.empty() ? 0 : fbb_.CreateVector(metadata);
    auto signatures_vec = signatures.empty() ? 0 : fbb_.CreateVector(signatures);
    fb::ModelBuilder b(fbb_);
    b.add_version(model.version);
    b.add_operator_codes(codes_vec);
    b.add_subgraphs(subgraphs_vec);
    if (!description.IsNull()) b.add_description(description);
    b.add_buffers(buffers_vec);
    if (!metadata_buffer.IsNull()) b.add_metadata_buffer(metadata_buffer);
    if (!metadata_vec.IsNull()) b.add_metadata(metadata_vec);
    if (!signatures_vec.IsNull()) b.add_signature_defs(signatures_vec);
    fbb_.Finish(b.Finish(), fb::ModelIdentifier());
    return std::vector<uint8_t>(fbb_.GetBufferPointer(), fbb_.GetBufferPointer() + fbb_.GetSize());
  }

 private:
  // Per-channel quantization stores a scale and an int64 zero point per channel; a weight and its
  // bias, and most layers of a network, repeat the same all-zero zero-point vector. Identical
  // vectors are written once and referenced from every table (FlatBuffers allows shared
  // offsets), which saves 8 bytes per channel and layer in int8 models.
  template <typename T>
  Offset<Vector<T>> SharedVector(const std::vector<T>& v,
                                 std::map<std::string, Offset<Vector<T>>>& cache) {
    if (v.empty()) return 0;
    std::string key(v.size() * sizeof(T), '\0');
    std::memcpy(key.data(), v.data(), key.size());
    auto [it, inserted] = cache.try_emplace(std::move(key));
    if (inserted) it->second = fbb_.CreateVector(v);
    return it->second;
  }

  Offset<Vector<Offset<fb::TensorMap>>> WriteTensorMaps(const std::vector<ir::TensorMap>& maps) {
    std::vector<Offset<fb::TensorMap>> out;
    for (const ir::TensorMap& m : maps) {
      auto name = fbb_.CreateString(m.name);
      out.push_back(fb::CreateTensorMap(fbb_, name, m.tensor_index));
    }
    return fbb_.CreateVector(out);
  }

  std::pair<fb::SparseIndexVector, Offset<void>> WriteIndexVector(const ir::SparseIndexVector& v) {
    using W = ir::SparseIndexVector::Width;
    switch (v.width) {
      case W::kInt32:
        return {fb::SparseIndexVector::Int32Vector,
                fb::CreateInt32Vector(fbb_, fbb_.CreateVector(v.values)).Union()};
      case W::kUint16: {
        std::vector<uint16_t> vals(v.values.begin(), v.values.end());
        return {fb::SparseIndexVector::Uint16Vector,
                fb::CreateUint16Vector(fbb_, fbb_.CreateVector(vals)).Union()};
      }
      case W::kUint8: {
        std::vector<uint8_t> vals(v.values.begin(), v.values.end());
        return {fb::SparseIndexVector::Uint8Vector,
                fb::CreateUint8Vector(fbb_, fbb_.CreateVector(vals)).Union()};
      }
      case W::kNone:
      default:
        return {fb::SparseIndexVector::NONE, 0};
    }
  }

  Offset<fb::QuantizationParameters> WriteQuantization(const ir::QuantParams& q) {
    auto min = VectorOrNull(fbb_, q.min);
    auto max = VectorOrNull(fbb_, q.max);
    auto scale = SharedVector(q.scale, scale_vectors_);
    auto zero_point = SharedVector(q.zero_point, zero_point_vectors_);
    Offset<void> details = 0;
    if (q.details) {
      Offset<Vector<uint8_t>> custom = 0;
      if (!q.details->custom.empty()) {
        fbb_.ForceVectorAlignment(q.details->custom.size(), sizeof(uint8_t), 16);
        custom = fbb_.CreateVector(q.details->custom);
      }
      details = fb::CreateCustomQuantization(fbb_, custom).Union();
    }
    fb::QuantizationParametersBuilder b(fbb_);
    if (!min.IsNull()) b.add_min(min);
    if (!max.IsNull()) b.add_max(max);
    if (!scale.IsNull()) b.add_scale(scale);
    if (!zero_point.IsNull()) b.add_zero_point(zero_point);
    if (q.details) {
      b.add_details_type(fb::QuantizationDetails::CustomQuantization);
      b.add_details(details);
    }
    b.add_quantized_dimension(q.quantized_dimension);
    return b.Finish();
  }

  Offset<fb::SparsityParameters> WriteSparsity(const ir::Sparsity& s) {
    auto order = fbb_.CreateVector(s.traversal_order);
    auto block_map = fbb_.CreateVector(s.block_map);
    std::vector<Offset<fb::DimensionMetadata>> dims;
    for (const ir::DimensionMetadata& d : s.dim_metadata) {
      auto [seg_type, seg] = WriteIndexVector(d.array_segments);
      auto [idx_type, idx] = WriteIndexVector(d.array_indices);
      fb::DimensionMetadataBuilder b(fbb_);
      b.add_format(static_cast<fb::DimensionType>(d.format));
      b.add_dense_size(d.dense_size);
      if (seg_type != fb::SparseIndexVector::NONE) {
        b.add_array_segments_type(seg_type);
        b.add_array_segments(seg);
      }
      if (idx_type != fb::SparseIndexVector::NONE) {
        b.add_array_indices_type(idx_type);
        b.add_array_indices(idx);
      }
      dims.push_back(b.Finish());
    }
    auto dims_vec = fbb_.CreateVector(dims);
    return fb::CreateSparsityParameters(fbb_, order, block_map, dims_vec);
  }

  Offset<fb::Tensor> WriteTensor(const ir::Tensor& t) {
    auto shape = fbb_.CreateVector(t.shape);
    auto name = fbb_.CreateString(t.name);
    Offset<fb::QuantizationParameters> quant =
        t.quantization ? WriteQuantization(*t.quantization) : 0;
    Offset<fb::SparsityParameters> sparsity = t.sparsity ? WriteSparsity(*t.sparsity) : 0;
    auto signature = t.shape_signature ? fbb_.CreateVector(*t.shape_signature) : 0;
    std::vector<Offset<fb::VariantSubType>> variants;
    for (const ir::VariantSubType& v : t.variant_tensors) {
      auto vshape = fbb_.CreateVector(v.shape);
      variants.push_back(fb::CreateVariantSubType(
          fbb_, vshape, static_cast<fb::TensorType>(v.type), v.has_rank));
    }
    auto variants_vec = variants.empty() ? 0 : fbb_.CreateVector(variants);
    fb::TensorBuilder b(fbb_);
    b.add_shape(shape);
    b.add_type(static_cast<fb::TensorType>(t.type));
    b.add_buffer(t.buffer);
    b.add_name(name);
    if (!quant.IsNull()) b.add_quantization(quant);
    b.add_is_variable(t.is_variable);
    if (!sparsity.IsNull()) b.add_sparsity(sparsity);
    if (!signature.IsNull()) b.add_shape_signature(signature);
    b.add_has_rank(t.has_rank);
    if (!variants_vec.IsNull()) b.add_variant_tensors(variants_vec);
    return b.Finish();
  }

  absl::StatusOr<Offset<fb::Operator>> WriteOperator(const ir::Operator& op) {
    auto inputs = fbb_.CreateVector(op.inputs);
    auto outputs = fbb_.CreateVector(op.outputs);
    ASSIGN_OR_RETURN(EncodedOptions options, EncodeBuiltinOptions(op.builtin_options, fbb_));
    EncodedOptions options2;
    if (op.builtin_options_2) {
      ASSIGN_OR_RETURN(options2, EncodeBuiltinOptions2(*op.builtin_options_2, fbb_));
    }
    auto custom = VectorOrNull(fbb_, op.custom_options);
    Offset<Vector<uint8_t>> mutating = 0;
    if (!op.mutating_variable_inputs.empty()) {
      std::vector<uint8_t> m(op.mutating_variable_inputs.begin(), op.mutating_variable_inputs.end());
      mutating = fbb_.CreateVector(m);
    }
    auto intermediates = VectorOrNull(fbb_, op.intermediates);
    fb::OperatorBuilder b(fbb_);
    b.add_opcode_index(op.opcode_index);
    b.add_inputs(inputs);
    b.add_outputs(outputs);
    if (options.type != 0) {
      b.add_builtin_options_type(static_cast<fb::BuiltinOptions>(options.type));
      if (!options.value.IsNull()) b.add_builtin_options(options.value);
    }
    if (!custom.IsNull()) b.add_custom_options(custom);
    b.add_custom_options_format(static_cast<fb::CustomOptionsFormat>(op.custom_options_format));
    if (!mutating.IsNull()) b.add_mutating_variable_inputs(mutating);
    if (!intermediates.IsNull()) b.add_intermediates(intermediates);
    if (options2.type != 0) {
      b.add_builtin_options_2_type(static_cast<fb::BuiltinOptions2>(options2.type));
      if (!options2.value.IsNull()) b.add_builtin_options_2(options2.value);
    }
    b.add_debug_metadata_index(op.debug_metadata_index);
    return b.Finish();
  }

  absl::StatusOr<Offset<fb::SubGraph>> WriteSubgraph(const ir::Subgraph& sg) {
    std::vector<Offset<fb::Tensor>> tensors;
    tensors.reserve(sg.tensors.size());
    for (const ir::Tensor& t : sg.tensors) tensors.push_back(WriteTensor(t));
    std::vector<Offset<fb::Operator>> operators;
    operators.reserve(sg.operators.size());
    for (const ir::Operator& op : sg.operators) {
      ASSIGN_OR_RETURN(auto off, WriteOperator(op));
      operators.push_back(off);
    }
    auto tensors_vec = fbb_.CreateVector(tensors);
    auto inputs = fbb_.CreateVector(sg.inputs);
    auto outputs = fbb_.CreateVector(sg.outputs);
    auto operators_vec = fbb_.CreateVector(operators);
    auto name = StringOrNull(fbb_, sg.name);
    fb::SubGraphBuilder b(fbb_);
    b.add_tensors(tensors_vec);
    b.add_inputs(inputs);
    b.add_outputs(outputs);
    b.add_operators(operators_vec);
    if (!name.IsNull()) b.add_name(name);
    b.add_debug_metadata_index(sg.debug_metadata_index);
    return b.Finish();
  }

  FlatBufferBuilder fbb_;
  std::map<std::string, Offset<Vector<float>>> scale_vectors_;
  std::map<std::string, Offset<Vector<int64_t>>> zero_point_vectors_;
};

}  // namespace

absl::StatusOr<std::vector<uint8_t>> WriteModel(const ir::Model& model) {
  RETURN_IF_ERROR(ValidateModel(model));
  size_t total = 0;
  for (const ir::Buffer& b : model.buffers) total += b.size() + kBufferAlignment;
  if (total >= FLATBUFFERS_MAX_BUFFER_SIZE / 2) {
    return absl::UnimplementedError(absl::StrCat(
        "model buffers total ", total, " bytes; writing models over 1 GiB is not supported yet"));
  }
  Writer writer(total);
  return writer.Write(model);
}

absl::Status WriteModelFile(const ir::Model& model, const std::string& path) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, WriteModel(model));
  return WriteFileAtomic(path, bytes);
}

}  // namespace compressd::tflite
