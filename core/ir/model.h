// The in-memory model (IR): a faithful, editable image of a TFLite model that is independent of the
// flatbuffer types. core/tflite/model_reader builds it from bytes (after validation) and
// core/tflite/model_writer serializes it back; a load → write → load round trip yields an equal
// Model. Unknown operators, custom options and metadata are carried unchanged.
//
// Value semantics: a Model is cheap to copy because buffer contents are shared immutable byte
// vectors (copy-on-write). Passes take a const Model& and return a new Model. Not thread-safe for
// concurrent mutation; concurrent reads are fine.
#ifndef COMPRESSD_CORE_IR_MODEL_H_
#define COMPRESSD_CORE_IR_MODEL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/ir/builtin_op.h"
#include "core/ir/builtin_options.h"
#include "core/ir/data_type.h"

namespace compressd::ir {

// Custom quantization details (QuantizationDetails union member CustomQuantization).
struct CustomQuantization {
  std::vector<uint8_t> custom;
  bool operator==(const CustomQuantization&) const = default;
};

// real = scale[c] * (q - zero_point[c]); per-tensor when scale has one element, otherwise
// per-channel along quantized_dimension.
struct QuantParams {
  std::vector<float> min;
  std::vector<float> max;
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  std::optional<CustomQuantization> details;
  int32_t quantized_dimension = 0;

  bool IsQuantized() const { return !scale.empty(); }
  // Floats compare with SameFloat (NaN equals NaN).
  bool operator==(const QuantParams& o) const {
    return SameFloats(min, o.min) && SameFloats(max, o.max) && SameFloats(scale, o.scale) &&
           zero_point == o.zero_point && details == o.details &&
           quantized_dimension == o.quantized_dimension;
  }
};

// Sparse index vector of DimensionMetadata; `width` records the stored integer type so that a
// rewrite keeps it.
struct SparseIndexVector {
  enum class Width : uint8_t { kNone = 0, kInt32 = 1, kUint16 = 2, kUint8 = 3 };
  Width width = Width::kNone;
  std::vector<int32_t> values;
  bool operator==(const SparseIndexVector&) const = default;
};

struct DimensionMetadata {
  enum class Format : int8_t { kDense = 0, kSparseCsr = 1 };
  Format format = Format::kDense;
  int32_t dense_size = 0;
  SparseIndexVector array_segments;
  SparseIndexVector array_indices;
  bool operator==(const DimensionMetadata&) const = default;
};

struct Sparsity {
  std::vector<int32_t> traversal_order;
  std::vector<int32_t> block_map;
  std::vector<DimensionMetadata> dim_metadata;
  bool operator==(const Sparsity&) const = default;
};

struct VariantSubType {
  std::vector<int32_t> shape;
  DataType type = DataType::kFloat32;
  bool has_rank = false;
  bool operator==(const VariantSubType&) const = default;
};

struct Tensor {
  std::vector<int32_t> shape;
  DataType type = DataType::kFloat32;
  uint32_t buffer = 0;  // index into Model::buffers; buffer 0 is the empty sentinel
  std::string name;
  std::optional<QuantParams> quantization;  // present when the file has the table
  bool is_variable = false;
  std::optional<Sparsity> sparsity;
  std::optional<std::vector<int32_t>> shape_signature;  // -1 marks a dynamic dimension
  bool has_rank = false;
  std::vector<VariantSubType> variant_tensors;

  bool operator==(const Tensor&) const = default;
};

// Ways the custom options bytes are encoded (CustomOptionsFormat).
enum class CustomOptionsFormat : int8_t { kFlexbuffers = 0 };

struct OperatorCode {
  int8_t deprecated_builtin_code = 0;
  std::optional<std::string> custom_code;
  int32_t version = 1;
  BuiltinOp builtin_code = BuiltinOp::kAdd;

  bool operator==(const OperatorCode&) const = default;
};

// The effective op code of an OperatorCode: the larger of builtin_code and
// deprecated_builtin_code, as TFLite resolves files written before builtin_code existed.
BuiltinOp EffectiveBuiltinCode(const OperatorCode& code);

struct Operator {
  uint32_t opcode_index = 0;
  std::vector<int32_t> inputs;   // -1 marks an omitted optional input
  std::vector<int32_t> outputs;
  BuiltinOptions builtin_options;
  std::optional<RawBuiltinOptions> builtin_options_2;  // BuiltinOptions2 union, opaque
  std::vector<uint8_t> custom_options;  // large custom options are loaded inline here
  CustomOptionsFormat custom_options_format = CustomOptionsFormat::kFlexbuffers;
  std::vector<bool> mutating_variable_inputs;
  std::vector<int32_t> intermediates;
  int32_t debug_metadata_index = -1;  // -1: none

  bool operator==(const Operator&) const = default;
};

struct Subgraph {
  std::vector<Tensor> tensors;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  std::vector<Operator> operators;
  std::string name;
  int32_t debug_metadata_index = -1;  // -1: none

  bool operator==(const Subgraph&) const = default;
};

// Immutable shared bytes. Empty for buffer 0 and for tensors computed at run time.
struct Buffer {
  std::shared_ptr<const std::vector<uint8_t>> data;

  std::span<const uint8_t> bytes() const {
    return data ? std::span<const uint8_t>(*data) : std::span<const uint8_t>();
  }
  size_t size() const { return data ? data->size() : 0; }
  bool operator==(const Buffer& other) const;
};

struct Metadata {
  std::string name;
  uint32_t buffer = 0;
  bool operator==(const Metadata&) const = default;
};

struct TensorMap {
  std::string name;
  uint32_t tensor_index = 0;
  bool operator==(const TensorMap&) const = default;
};

struct SignatureDef {
  std::vector<TensorMap> inputs;
  std::vector<TensorMap> outputs;
  std::string signature_key;
  uint32_t subgraph_index = 0;
  bool operator==(const SignatureDef&) const = default;
};

struct Model {
  uint32_t version = 3;
  std::vector<OperatorCode> operator_codes;
  std::vector<Subgraph> subgraphs;
  std::string description;
  std::vector<Buffer> buffers;
  std::vector<int32_t> metadata_buffer;  // legacy field, carried through
  std::vector<Metadata> metadata;
  std::vector<SignatureDef> signature_defs;

  bool operator==(const Model&) const = default;

  // Returns the index of an operator code equal to `code`, appending it when absent.
  uint32_t GetOrAddOperatorCode(const OperatorCode& code);
  // Appends a buffer holding `bytes` and returns its index.
  uint32_t AddBuffer(std::vector<uint8_t> bytes);
};

// Number of elements of a static shape; 1 for a scalar. Callers pass validated shapes (the reader
// guarantees non-negative dimensions whose product fits in int64).
int64_t NumElements(std::span<const int32_t> shape);

}  // namespace compressd::ir

#endif  // COMPRESSD_CORE_IR_MODEL_H_
