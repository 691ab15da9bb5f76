#include "core/tflite/model_reader.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
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

// Flatbuffers may point many offsets at one shared table or vector, so a small file can describe
// a huge object graph. The converter charges every byte it copies to this budget.
class CopyBudget {
 public:
  explicit CopyBudget(int64_t limit) : left_(limit) {}
  absl::Status Charge(int64_t bytes, const std::string& what) {
    left_ -= bytes;
    if (left_ < 0) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "model expands to too much data in memory (at ", what,
          "); shared flatbuffer tables are limited to a small multiple of the file size"));
    }
    return absl::OkStatus();
  }

 private:
  int64_t left_;
};

// Bytes of variable size held by decoded builtin options.
int64_t OptionsBytes(const ir::BuiltinOptions& options) {
  size_t bytes = 0;
  if (const auto* raw = std::get_if<ir::RawBuiltinOptions>(&options)) bytes = raw->table.size();
  if (const auto* r = std::get_if<ir::ReshapeOptions>(&options)) bytes = 4 * r->new_shape.size();
  if (const auto* s = std::get_if<ir::SqueezeOptions>(&options)) bytes = 4 * s->squeeze_dims.size();
  return static_cast<int64_t>(bytes);
}

class Converter {
 public:
  // With `views` set, constant buffers are not copied: ir::Buffer stays empty and (*views)[i]
  // points at buffer i's bytes inside `file` (the budget is charged as for a copy).
  Converter(std::span<const uint8_t> file, const LoadLimits& limits,
            std::vector<std::span<const uint8_t>>* views = nullptr)
      : file_(file),
        limits_(limits),
        views_(views),
        budget_(int64_t{4} * static_cast<int64_t>(file.size()) + (int64_t{64} << 20)) {}

  absl::StatusOr<ir::Model> Convert(const fb::Model& m) {
    ir::Model model;
    model.version = m.version();
    if (m.description()) model.description = m.description()->str();
    RETURN_IF_ERROR(ConvertBuffers(m, model));
    if (m.operator_codes()) {
      RETURN_IF_ERROR(Count(m.operator_codes()->size(), limits_.max_operators_per_subgraph * 4,
                            "operator codes"));
      for (flatbuffers::uoffset_t i = 0; i < m.operator_codes()->size(); ++i) {
        const fb::OperatorCode* c = m.operator_codes()->Get(i);
        RETURN_IF_ERROR(budget_.Charge(sizeof(ir::OperatorCode), "operator codes"));
        ir::OperatorCode code;
        if (c == nullptr) {
          return absl::InvalidArgumentError(absl::StrCat("operator code ", i, " is null"));
        }
        code.deprecated_builtin_code = c->deprecated_builtin_code();
        if (c->custom_code()) {
          RETURN_IF_ERROR(budget_.Charge(c->custom_code()->size(), "operator codes"));
          code.custom_code = c->custom_code()->str();
        }
        code.version = c->version();
        code.builtin_code = static_cast<ir::BuiltinOp>(c->builtin_code());
        model.operator_codes.push_back(std::move(code));
      }
    }
    if (m.subgraphs()) {
      RETURN_IF_ERROR(Count(m.subgraphs()->size(), limits_.max_subgraphs, "subgraphs"));
      for (flatbuffers::uoffset_t i = 0; i < m.subgraphs()->size(); ++i) {
        const fb::SubGraph* sg = m.subgraphs()->Get(i);
        if (sg == nullptr) return absl::InvalidArgumentError(absl::StrCat("subgraph ", i, " is null"));
        ASSIGN_OR_RETURN(ir::Subgraph converted, ConvertSubgraph(*sg, i));
        model.subgraphs.push_back(std::move(converted));
      }
    }
    if (m.metadata_buffer()) {
      RETURN_IF_ERROR(budget_.Charge(m.metadata_buffer()->size() * 4, "metadata_buffer"));
      model.metadata_buffer.assign(m.metadata_buffer()->begin(), m.metadata_buffer()->end());
    }
    if (m.metadata()) {
      for (const fb::Metadata* md : *m.metadata()) {
        if (md == nullptr) return absl::InvalidArgumentError("metadata entry is null");
        RETURN_IF_ERROR(budget_.Charge(64 + (md->name() ? md->name()->size() : 0), "metadata"));
        model.metadata.push_back({md->name() ? md->name()->str() : "", md->buffer()});
      }
    }
    if (m.signature_defs()) {
      for (const fb::SignatureDef* sd : *m.signature_defs()) {
        if (sd == nullptr) return absl::InvalidArgumentError("signature def is null");
        ir::SignatureDef def;
        RETURN_IF_ERROR(ConvertTensorMaps(sd->inputs(), def.inputs));
        RETURN_IF_ERROR(ConvertTensorMaps(sd->outputs(), def.outputs));
        if (sd->signature_key()) def.signature_key = sd->signature_key()->str();
        def.subgraph_index = sd->subgraph_index();
        RETURN_IF_ERROR(budget_.Charge(64 + def.signature_key.size(), "signature defs"));
        model.signature_defs.push_back(std::move(def));
      }
    }
    return model;
  }

 private:
  absl::Status Count(int64_t n, int64_t limit, const std::string& what) {
    if (n > limit) {
      return absl::ResourceExhaustedError(
          absl::StrCat("model has ", n, " ", what, ", more than the limit of ", limit));
    }
    return absl::OkStatus();
  }

  absl::Status ConvertBuffers(const fb::Model& m, ir::Model& model) {
    if (!m.buffers()) return absl::OkStatus();
    RETURN_IF_ERROR(Count(m.buffers()->size(), limits_.max_buffers, "buffers"));
    // Identical data vectors referenced by several buffers are shared, not copied again.
    std::map<const void*, std::shared_ptr<const std::vector<uint8_t>>> seen;
    for (flatbuffers::uoffset_t i = 0; i < m.buffers()->size(); ++i) {
      const fb::Buffer* b = m.buffers()->Get(i);
      ir::Buffer buffer;
      std::span<const uint8_t> view;
      if (b == nullptr) return absl::InvalidArgumentError(absl::StrCat("buffer ", i, " is null"));
      RETURN_IF_ERROR(budget_.Charge(sizeof(ir::Buffer), "buffers"));
      const bool has_inline = b->data() != nullptr && b->data()->size() > 0;
      // Buffers stored after the flatbuffer: offset from the start of the file (> 1; TFLite uses
      // offset 1 as a "not yet placed" marker that must never appear in a finished file).
      const bool has_external = b->offset() != 0 || b->size() != 0;
      if (has_inline && has_external) {
        return absl::InvalidArgumentError(
            absl::StrCat("buffer ", i, " has both inline data and an external offset/size"));
      }
      if (has_inline) {
        const void* key = b->data();
        auto it = seen.find(key);
        view = std::span<const uint8_t>(b->data()->data(), b->data()->size());
        if (it != seen.end()) {
          buffer.data = it->second;
        } else {
          // Distinct data vectors may still overlap (each offset is a valid vector start).
          RETURN_IF_ERROR(budget_.Charge(b->data()->size(), "buffers"));
          if (views_ == nullptr) {
            buffer.data = std::make_shared<const std::vector<uint8_t>>(b->data()->begin(),
                                                                       b->data()->end());
          }
          seen[key] = buffer.data;
        }
      } else if (has_external) {
        const uint64_t offset = b->offset();
        const uint64_t size = b->size();
        if (offset <= 1 || offset > file_.size() || size > file_.size() - offset) {
          return absl::InvalidArgumentError(absl::StrCat(
              "buffer ", i, " points outside the file (offset ", offset, ", size ", size,
              ", file size ", file_.size(), ")"));
        }
        RETURN_IF_ERROR(budget_.Charge(static_cast<int64_t>(size), "buffers"));
        view = file_.subspan(static_cast<size_t>(offset), static_cast<size_t>(size));
        if (views_ == nullptr) {
          buffer.data = std::make_shared<const std::vector<uint8_t>>(view.begin(), view.end());
        }
      }
      model.buffers.push_back(std::move(buffer));
      if (views_ != nullptr) views_->push_back(view);
    }
    return absl::OkStatus();
  }

  absl::Status ConvertTensorMaps(const flatbuffers::Vector<flatbuffers::Offset<fb::TensorMap>>* v,
                                 std::vector<ir::TensorMap>& out) {
    if (!v) return absl::OkStatus();
    for (const fb::TensorMap* t : *v) {
      if (t == nullptr) return absl::InvalidArgumentError("signature tensor map is null");
      RETURN_IF_ERROR(budget_.Charge(64 + (t->name() ? t->name()->size() : 0), "signature defs"));
      out.push_back({t->name() ? t->name()->str() : "", t->tensor_index()});
    }
    return absl::OkStatus();
  }

  template <typename T>
  absl::StatusOr<std::vector<T>> Copy(const flatbuffers::Vector<T>* v, const std::string& what) {
    if (!v) return std::vector<T>();
    RETURN_IF_ERROR(budget_.Charge(static_cast<int64_t>(v->size()) * sizeof(T), what));
    return std::vector<T>(v->begin(), v->end());
  }

  absl::StatusOr<ir::SparseIndexVector> ConvertIndexVector(fb::SparseIndexVector type,
                                                          const void* value,
                                                          const std::string& what) {
    ir::SparseIndexVector out;
    switch (type) {
      case fb::SparseIndexVector::NONE:
        return out;
      case fb::SparseIndexVector::Int32Vector: {
        out.width = ir::SparseIndexVector::Width::kInt32;
        const auto* v = static_cast<const fb::Int32Vector*>(value);
        if (v && v->values()) {
          ASSIGN_OR_RETURN(out.values, Copy(v->values(), what));
        }
        return out;
      }
      case fb::SparseIndexVector::Uint16Vector: {
        out.width = ir::SparseIndexVector::Width::kUint16;
        const auto* v = static_cast<const fb::Uint16Vector*>(value);
        if (v && v->values()) {
          RETURN_IF_ERROR(budget_.Charge(v->values()->size() * 4, what));
          out.values.assign(v->values()->begin(), v->values()->end());
        }
        return out;
      }
      case fb::SparseIndexVector::Uint8Vector: {
        out.width = ir::SparseIndexVector::Width::kUint8;
        const auto* v = static_cast<const fb::Uint8Vector*>(value);
        if (v && v->values()) {
          RETURN_IF_ERROR(budget_.Charge(v->values()->size() * 4, what));
          out.values.assign(v->values()->begin(), v->values()->end());
        }
        return out;
      }
      default:
        return absl::InvalidArgumentError(
            absl::StrCat(what, ": unknown sparse index vector type ", static_cast<int>(type)));
    }
  }

  absl::StatusOr<ir::Tensor> ConvertTensor(const fb::Tensor& t, const std::string& where) {
    ir::Tensor out;
    RETURN_IF_ERROR(budget_.Charge(sizeof(ir::Tensor), where));
    ASSIGN_OR_RETURN(out.shape, Copy(t.shape(), where));
    out.type = static_cast<ir::DataType>(t.type());
    out.buffer = t.buffer();
    if (t.name()) {
      RETURN_IF_ERROR(budget_.Charge(t.name()->size(), where));
      out.name = t.name()->str();
    }
    if (const fb::QuantizationParameters* q = t.quantization()) {
      ir::QuantParams qp;
      ASSIGN_OR_RETURN(qp.min, Copy(q->min(), where));
      ASSIGN_OR_RETURN(qp.max, Copy(q->max(), where));
      ASSIGN_OR_RETURN(qp.scale, Copy(q->scale(), where));
      // The verifier checks vector alignment for 4-byte elements only; int64 reads need 8.
      if (q->zero_point() &&
          reinterpret_cast<uintptr_t>(q->zero_point()->data()) % alignof(int64_t) != 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": quantization zero_point vector is not 8-byte aligned"));
      }
      ASSIGN_OR_RETURN(qp.zero_point, Copy(q->zero_point(), where));
      if (q->details_type() == fb::QuantizationDetails::CustomQuantization) {
        ir::CustomQuantization cq;
        if (const auto* c = q->details_as_CustomQuantization(); c && c->custom()) {
          ASSIGN_OR_RETURN(cq.custom, Copy(c->custom(), where));
        }
        qp.details = std::move(cq);
      } else if (q->details_type() != fb::QuantizationDetails::NONE) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": unknown quantization details type ", static_cast<int>(q->details_type())));
      }
      qp.quantized_dimension = q->quantized_dimension();
      out.quantization = std::move(qp);
    }
    out.is_variable = t.is_variable();
    if (const fb::SparsityParameters* s = t.sparsity()) {
      ir::Sparsity sp;
      ASSIGN_OR_RETURN(sp.traversal_order, Copy(s->traversal_order(), where));
      ASSIGN_OR_RETURN(sp.block_map, Copy(s->block_map(), where));
      if (s->dim_metadata()) {
        for (const fb::DimensionMetadata* d : *s->dim_metadata()) {
          if (d == nullptr) return absl::InvalidArgumentError(where + ": null dimension metadata");
          RETURN_IF_ERROR(budget_.Charge(sizeof(ir::DimensionMetadata), where));
          ir::DimensionMetadata dm;
          dm.format = static_cast<ir::DimensionMetadata::Format>(d->format());
          dm.dense_size = d->dense_size();
          ASSIGN_OR_RETURN(dm.array_segments, ConvertIndexVector(d->array_segments_type(),
                                                                 d->array_segments(), where));
          ASSIGN_OR_RETURN(dm.array_indices, ConvertIndexVector(d->array_indices_type(),
                                                                d->array_indices(), where));
          sp.dim_metadata.push_back(std::move(dm));
        }
      }
      out.sparsity = std::move(sp);
    }
    if (t.shape_signature()) {
      ASSIGN_OR_RETURN(out.shape_signature, Copy(t.shape_signature(), where));
    }
    out.has_rank = t.has_rank();
    if (t.variant_tensors()) {
      for (const fb::VariantSubType* v : *t.variant_tensors()) {
        if (v == nullptr) return absl::InvalidArgumentError(where + ": null variant subtype");
        ir::VariantSubType vs;
        ASSIGN_OR_RETURN(vs.shape, Copy(v->shape(), where));
        vs.type = static_cast<ir::DataType>(v->type());
        vs.has_rank = v->has_rank();
        out.variant_tensors.push_back(std::move(vs));
      }
    }
    return out;
  }

  absl::StatusOr<ir::Operator> ConvertOperator(const fb::Operator& op, const std::string& where) {
    ir::Operator out;
    RETURN_IF_ERROR(budget_.Charge(sizeof(ir::Operator), where));
    out.opcode_index = op.opcode_index();
    ASSIGN_OR_RETURN(out.inputs, Copy(op.inputs(), where));
    ASSIGN_OR_RETURN(out.outputs, Copy(op.outputs(), where));
    auto options = DecodeBuiltinOptions(op);
    if (!options.ok()) {
      return absl::Status(options.status().code(),
                          absl::StrCat(where, ": ", options.status().message()));
    }
    out.builtin_options = std::move(*options);
    auto options2 = DecodeBuiltinOptions2(op);
    if (!options2.ok()) {
      return absl::Status(options2.status().code(),
                          absl::StrCat(where, ": ", options2.status().message()));
    }
    out.builtin_options_2 = std::move(*options2);
    // An options table shared by many operators is copied for each of them.
    RETURN_IF_ERROR(budget_.Charge(OptionsBytes(out.builtin_options), where));
    if (out.builtin_options_2) {
      RETURN_IF_ERROR(budget_.Charge(OptionsBytes(*out.builtin_options_2), where));
    }
    const bool has_custom = op.custom_options() != nullptr && op.custom_options()->size() > 0;
    const bool has_large = op.large_custom_options_offset() != 0 ||
                           op.large_custom_options_size() != 0;
    if (has_custom && has_large) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, " has both custom_options and large custom options"));
    }
    if (has_custom) {
      ASSIGN_OR_RETURN(out.custom_options, Copy(op.custom_options(), where));
    } else if (has_large) {
      const uint64_t offset = op.large_custom_options_offset();
      const uint64_t size = op.large_custom_options_size();
      if (offset <= 1 || offset > file_.size() || size > file_.size() - offset) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, " large custom options point outside the file (offset ", offset, ", size ",
            size, ")"));
      }
      RETURN_IF_ERROR(budget_.Charge(static_cast<int64_t>(size), where));
      out.custom_options.assign(file_.begin() + static_cast<ptrdiff_t>(offset),
                                file_.begin() + static_cast<ptrdiff_t>(offset + size));
    }
    out.custom_options_format = static_cast<ir::CustomOptionsFormat>(op.custom_options_format());
    if (op.mutating_variable_inputs()) {
      RETURN_IF_ERROR(budget_.Charge(op.mutating_variable_inputs()->size(), where));
      for (uint8_t b : *op.mutating_variable_inputs()) out.mutating_variable_inputs.push_back(b != 0);
    }
    ASSIGN_OR_RETURN(out.intermediates, Copy(op.intermediates(), where));
    out.debug_metadata_index = op.debug_metadata_index();
    return out;
  }

  absl::StatusOr<ir::Subgraph> ConvertSubgraph(const fb::SubGraph& sg, uint32_t index) {
    ir::Subgraph out;
    const std::string where = absl::StrCat("subgraph ", index);
    if (sg.tensors()) {
      RETURN_IF_ERROR(Count(sg.tensors()->size(), limits_.max_tensors_per_subgraph,
                            "tensors in " + where));
      for (flatbuffers::uoffset_t i = 0; i < sg.tensors()->size(); ++i) {
        const fb::Tensor* t = sg.tensors()->Get(i);
        const std::string tw = absl::StrCat(where, " tensor ", i);
        if (t == nullptr) return absl::InvalidArgumentError(tw + " is null");
        ASSIGN_OR_RETURN(ir::Tensor tensor, ConvertTensor(*t, tw));
        out.tensors.push_back(std::move(tensor));
      }
    }
    ASSIGN_OR_RETURN(out.inputs, Copy(sg.inputs(), where));
    ASSIGN_OR_RETURN(out.outputs, Copy(sg.outputs(), where));
    if (sg.operators()) {
      RETURN_IF_ERROR(Count(sg.operators()->size(), limits_.max_operators_per_subgraph,
                            "operators in " + where));
      for (flatbuffers::uoffset_t i = 0; i < sg.operators()->size(); ++i) {
        const fb::Operator* op = sg.operators()->Get(i);
        const std::string ow = absl::StrCat(where, " operator ", i);
        if (op == nullptr) return absl::InvalidArgumentError(ow + " is null");
        ASSIGN_OR_RETURN(ir::Operator converted, ConvertOperator(*op, ow));
        out.operators.push_back(std::move(converted));
      }
    }
    if (sg.name()) {
      RETURN_IF_ERROR(budget_.Charge(sg.name()->size(), where));
      out.name = sg.name()->str();
    }
    out.debug_metadata_index = sg.debug_metadata_index();
    return out;
  }

  std::span<const uint8_t> file_;
  const LoadLimits& limits_;
  std::vector<std::span<const uint8_t>>* views_;
  CopyBudget budget_;
};

// The checks that precede conversion (size, identifier, verifier, version): the verified root.
absl::StatusOr<const fb::Model*> VerifiedRoot(std::span<const uint8_t> bytes,
                                              const LoadLimits& limits) {
  if (static_cast<int64_t>(bytes.size()) > limits.max_model_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("model is ", bytes.size(),
                                                     " bytes, more than the limit of ",
                                                     limits.max_model_bytes));
  }
  if (bytes.size() < 8) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a TFLite model: only ", bytes.size(), " bytes"));
  }
  if (!flatbuffers::BufferHasIdentifier(bytes.data(), fb::ModelIdentifier())) {
    std::string id(reinterpret_cast<const char*>(bytes.data()) + 4, 4);
    for (char& c : id) {
      if (c < 32 || c > 126) c = '?';
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "not a TFLite model: file identifier is '", id, "', expected 'TFL3'"));
  }
  // The flatbuffer part must lie in the first 2 GiB; buffers may follow it (offset/size form).
  const size_t fb_size = std::min<size_t>(bytes.size(), FLATBUFFERS_MAX_BUFFER_SIZE - 1);
  // The verifier visits a table once per reference to it, so shared tables can make a small file
  // cost minutes. A file without sharing has at most one table per 4 bytes.
  const size_t max_tables = std::clamp<size_t>(bytes.size() / 2, size_t{1} << 16, 50'000'000);
  flatbuffers::Verifier verifier(bytes.data(), fb_size, /*max_depth=*/64, max_tables,
                                 /*check_alignment=*/true);
  if (!fb::VerifyModelBuffer(verifier)) {
    return absl::InvalidArgumentError(
        "malformed TFLite model: the flatbuffer fails verification (truncated or corrupt file)");
  }
  const fb::Model* m = fb::GetModel(bytes.data());
  if (m->version() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported TFLite schema version ", m->version(), " (only version 3 is supported)"));
  }
  return m;
}

}  // namespace

absl::StatusOr<ir::Model> ReadModel(std::span<const uint8_t> bytes, const LoadLimits& limits) {
  ASSIGN_OR_RETURN(const fb::Model* m, VerifiedRoot(bytes, limits));
  Converter converter(bytes, limits);
  ASSIGN_OR_RETURN(ir::Model model, converter.Convert(*m));
  RETURN_IF_ERROR(ValidateModel(model, limits));
  return model;
}

absl::StatusOr<ModelView> ReadModelView(std::span<const uint8_t> bytes, const LoadLimits& limits) {
  ASSIGN_OR_RETURN(const fb::Model* m, VerifiedRoot(bytes, limits));
  ModelView view;
  Converter converter(bytes, limits, &view.buffers);
  ASSIGN_OR_RETURN(view.model, converter.Convert(*m));
  RETURN_IF_ERROR(ValidateModelWithBufferBytes(view.model, view.buffers, limits));
  return view;
}

absl::StatusOr<ir::Model> ReadModelFile(const std::string& path, const LoadLimits& limits) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, limits.max_model_bytes));
  auto model = ReadModel(bytes, limits);
  if (!model.ok()) {
    return absl::Status(model.status().code(),
                        absl::StrCat(path, ": ", model.status().message()));
  }
  return model;
}

}  // namespace compressd::tflite
