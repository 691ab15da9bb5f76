#include "core/tflite/options_codec.h"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"

namespace compressd::tflite {
namespace {

namespace fb = ::tflite;
using BO = fb::BuiltinOptions;

ir::Padding Pad(fb::Padding p) { return static_cast<ir::Padding>(p); }
fb::Padding Pad(ir::Padding p) { return static_cast<fb::Padding>(p); }
ir::Activation Act(fb::ActivationFunctionType a) { return static_cast<ir::Activation>(a); }
fb::ActivationFunctionType Act(ir::Activation a) {
  return static_cast<fb::ActivationFunctionType>(a);
}
ir::DataType Type(fb::TensorType t) { return static_cast<ir::DataType>(t); }
fb::TensorType Type(ir::DataType t) { return static_cast<fb::TensorType>(t); }

template <typename T>
std::vector<int32_t> Ints(const flatbuffers::Vector<T>* v) {
  return v ? std::vector<int32_t>(v->begin(), v->end()) : std::vector<int32_t>();
}

// The verifier checks only the 4-byte length field of a vector for alignment, but the object API
// reads elements in place: 8-byte elements off 8-byte alignment are undefined behaviour. Among the
// options tables, only BuiltinOptions2 members (StableHLO) have vectors of 8-byte elements.
bool Aligned8(std::initializer_list<const flatbuffers::Vector<int64_t>*> vectors) {
  for (const auto* v : vectors) {
    if (v != nullptr && reinterpret_cast<uintptr_t>(v->data()) % alignof(int64_t) != 0) {
      return false;
    }
  }
  return true;
}

bool LongVectorsAligned(const void* table, fb::BuiltinOptions2 type) {
  using T = fb::BuiltinOptions2;
  if (table == nullptr) return true;
  switch (type) {
    case T::StablehloBroadcastInDimOptions: {
      const auto* o = static_cast<const fb::StablehloBroadcastInDimOptions*>(table);
      return Aligned8({o->broadcast_dimensions()});
    }
    case T::StablehloSliceOptions: {
      const auto* o = static_cast<const fb::StablehloSliceOptions*>(table);
      return Aligned8({o->start_indices(), o->limit_indices(), o->strides()});
    }
    case T::StablehloConvolutionOptions: {
      const auto* o = static_cast<const fb::StablehloConvolutionOptions*>(table);
      return Aligned8({o->window_strides(), o->padding(), o->lhs_dilation(), o->rhs_dilation(),
                       o->input_spatial_dimensions(), o->kernel_spatial_dimensions(),
                       o->output_spatial_dimensions()});
    }
    case T::StablehloReduceOptions:
      return Aligned8({static_cast<const fb::StablehloReduceOptions*>(table)->dimensions()});
    case T::StablehloScatterOptions: {
      const auto* o = static_cast<const fb::StablehloScatterOptions*>(table);
      return Aligned8({o->update_window_dims(), o->inserted_window_dims(),
                       o->scatter_dims_to_operand_dims()});
    }
    case T::StablehloDynamicSliceOptions:
      return Aligned8({static_cast<const fb::StablehloDynamicSliceOptions*>(table)->slice_sizes()});
    case T::StablehloPadOptions: {
      const auto* o = static_cast<const fb::StablehloPadOptions*>(table);
      return Aligned8({o->edge_padding_low(), o->edge_padding_high(), o->interior_padding()});
    }
    case T::StablehloDotGeneralOptions: {
      const auto* o = static_cast<const fb::StablehloDotGeneralOptions*>(table);
      return Aligned8({o->lhs_batching_dimensions(), o->rhs_batching_dimensions(),
                       o->lhs_contracting_dimensions(), o->rhs_contracting_dimensions()});
    }
    case T::StablehloReduceWindowOptions: {
      const auto* o = static_cast<const fb::StablehloReduceWindowOptions*>(table);
      return Aligned8({o->window_dimensions(), o->window_strides(), o->base_dilations(),
                       o->window_dilations(), o->padding()});
    }
    case T::StablehloGatherOptions: {
      const auto* o = static_cast<const fb::StablehloGatherOptions*>(table);
      return Aligned8({o->offset_dims(), o->collapsed_slice_dims(), o->start_index_map(),
                       o->slice_sizes()});
    }
    case T::StablehloTransposeOptions:
      return Aligned8({static_cast<const fb::StablehloTransposeOptions*>(table)->permutation()});
    default:
      return true;
  }
}

// Unpacks a table of union type `type` (any flatbuffer union of the schema) and repacks it alone.
template <typename UnionT, typename Enum>
absl::StatusOr<ir::RawBuiltinOptions> DecodeRaw(Enum type, const void* table,
                                                const char* union_name) {
  ir::RawBuiltinOptions raw;
  raw.union_type = static_cast<uint8_t>(type);
  if (table == nullptr) return raw;  // a type without a table: all defaults
  UnionT u;
  u.type = type;
  u.value = UnionT::UnPack(table, type, nullptr);
  if (u.value == nullptr) {
    return absl::UnimplementedError(absl::StrCat(union_name, " type ", static_cast<int>(type),
                                                 " is not in this schema (newer TFLite file?)"));
  }
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(u.Pack(fbb));
  raw.table.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  return raw;
}

template <typename UnionT, typename Enum, typename VerifyFn>
absl::StatusOr<EncodedOptions> EncodeRaw(const ir::RawBuiltinOptions& raw,
                                         flatbuffers::FlatBufferBuilder& fbb, VerifyFn verify) {
  EncodedOptions out;
  out.type = raw.union_type;
  if (raw.table.empty()) return out;
  const Enum type = static_cast<Enum>(raw.union_type);
  const uint8_t* data = raw.table.data();
  const size_t size = raw.table.size();
  if (size < sizeof(flatbuffers::uoffset_t)) {
    return absl::InvalidArgumentError("raw builtin options table is truncated");
  }
  const flatbuffers::uoffset_t root = flatbuffers::ReadScalar<flatbuffers::uoffset_t>(data);
  flatbuffers::Verifier verifier(data, size);
  if (root >= size || !verify(verifier, data + root, type)) {
    return absl::InvalidArgumentError(
        absl::StrCat("raw builtin options table of type ", raw.union_type, " is malformed"));
  }
  UnionT u;
  u.type = type;
  u.value = UnionT::UnPack(data + root, type, nullptr);
  if (u.value == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown builtin options type ", raw.union_type));
  }
  out.value = u.Pack(fbb);
  return out;
}

template <typename T>
EncodedOptions Encoded(BO type, flatbuffers::Offset<T> off) {
  return EncodedOptions{static_cast<uint8_t>(type), off.Union()};
}

}  // namespace

absl::StatusOr<ir::BuiltinOptions> DecodeBuiltinOptions(const fb::Operator& op) {
  const BO type = op.builtin_options_type();
  switch (type) {
    case BO::NONE:
      return ir::BuiltinOptions{};
    case BO::Conv2DOptions:
      if (const auto* o = op.builtin_options_as_Conv2DOptions()) {
        return ir::Conv2DOptions{Pad(o->padding()), o->stride_w(), o->stride_h(),
                                 Act(o->fused_activation_function()), o->dilation_w_factor(),
                                 o->dilation_h_factor(), Type(o->quantized_bias_type())};
      }
      return ir::Conv2DOptions{};
    case BO::DepthwiseConv2DOptions:
      if (const auto* o = op.builtin_options_as_DepthwiseConv2DOptions()) {
        return ir::DepthwiseConv2DOptions{Pad(o->padding()),   o->stride_w(),
                                          o->stride_h(),       o->depth_multiplier(),
                                          Act(o->fused_activation_function()),
                                          o->dilation_w_factor(), o->dilation_h_factor()};
      }
      return ir::DepthwiseConv2DOptions{};
    case BO::TransposeConvOptions:
      if (const auto* o = op.builtin_options_as_TransposeConvOptions()) {
        return ir::TransposeConvOptions{Pad(o->padding()), o->stride_w(), o->stride_h(),
                                        Act(o->fused_activation_function()),
                                        Type(o->quantized_bias_type())};
      }
      return ir::TransposeConvOptions{};
    case BO::FullyConnectedOptions:
      if (const auto* o = op.builtin_options_as_FullyConnectedOptions()) {
        return ir::FullyConnectedOptions{
            Act(o->fused_activation_function()),
            static_cast<ir::FullyConnectedWeightsFormat>(o->weights_format()), o->keep_num_dims(),
            o->asymmetric_quantize_inputs(), Type(o->quantized_bias_type())};
      }
      return ir::FullyConnectedOptions{};
    case BO::Pool2DOptions:
      if (const auto* o = op.builtin_options_as_Pool2DOptions()) {
        return ir::Pool2DOptions{Pad(o->padding()),   o->stride_w(),      o->stride_h(),
                                 o->filter_width(),   o->filter_height(),
                                 Act(o->fused_activation_function())};
      }
      return ir::Pool2DOptions{};
    case BO::AddOptions:
      if (const auto* o = op.builtin_options_as_AddOptions()) {
        return ir::AddOptions{Act(o->fused_activation_function()), o->pot_scale_int16()};
      }
      return ir::AddOptions{};
    case BO::SubOptions:
      if (const auto* o = op.builtin_options_as_SubOptions()) {
        return ir::SubOptions{Act(o->fused_activation_function()), o->pot_scale_int16()};
      }
      return ir::SubOptions{};
    case BO::MulOptions:
      if (const auto* o = op.builtin_options_as_MulOptions()) {
        return ir::MulOptions{Act(o->fused_activation_function())};
      }
      return ir::MulOptions{};
    case BO::DivOptions:
      if (const auto* o = op.builtin_options_as_DivOptions()) {
        return ir::DivOptions{Act(o->fused_activation_function())};
      }
      return ir::DivOptions{};
    case BO::ConcatenationOptions:
      if (const auto* o = op.builtin_options_as_ConcatenationOptions()) {
        return ir::ConcatenationOptions{o->axis(), Act(o->fused_activation_function())};
      }
      return ir::ConcatenationOptions{};
    case BO::L2NormOptions:
      if (const auto* o = op.builtin_options_as_L2NormOptions()) {
        return ir::L2NormOptions{Act(o->fused_activation_function())};
      }
      return ir::L2NormOptions{};
    case BO::ReshapeOptions:
      if (const auto* o = op.builtin_options_as_ReshapeOptions()) {
        return ir::ReshapeOptions{Ints(o->new_shape())};
      }
      return ir::ReshapeOptions{};
    case BO::SoftmaxOptions:
      if (const auto* o = op.builtin_options_as_SoftmaxOptions()) {
        return ir::SoftmaxOptions{o->beta()};
      }
      return ir::SoftmaxOptions{};
    case BO::ResizeBilinearOptions:
      if (const auto* o = op.builtin_options_as_ResizeBilinearOptions()) {
        return ir::ResizeBilinearOptions{o->align_corners(), o->half_pixel_centers()};
      }
      return ir::ResizeBilinearOptions{};
    case BO::ResizeNearestNeighborOptions:
      if (const auto* o = op.builtin_options_as_ResizeNearestNeighborOptions()) {
        return ir::ResizeNearestNeighborOptions{o->align_corners(), o->half_pixel_centers()};
      }
      return ir::ResizeNearestNeighborOptions{};
    case BO::StridedSliceOptions:
      if (const auto* o = op.builtin_options_as_StridedSliceOptions()) {
        return ir::StridedSliceOptions{o->begin_mask(),    o->end_mask(),
                                       o->ellipsis_mask(), o->new_axis_mask(),
                                       o->shrink_axis_mask(), o->offset()};
      }
      return ir::StridedSliceOptions{};
    case BO::SplitOptions:
      if (const auto* o = op.builtin_options_as_SplitOptions()) {
        return ir::SplitOptions{o->num_splits()};
      }
      return ir::SplitOptions{};
    case BO::SplitVOptions:
      if (const auto* o = op.builtin_options_as_SplitVOptions()) {
        return ir::SplitVOptions{o->num_splits()};
      }
      return ir::SplitVOptions{};
    case BO::PackOptions:
      if (const auto* o = op.builtin_options_as_PackOptions()) {
        return ir::PackOptions{o->values_count(), o->axis()};
      }
      return ir::PackOptions{};
    case BO::UnpackOptions:
      if (const auto* o = op.builtin_options_as_UnpackOptions()) {
        return ir::UnpackOptions{o->num(), o->axis()};
      }
      return ir::UnpackOptions{};
    case BO::GatherOptions:
      if (const auto* o = op.builtin_options_as_GatherOptions()) {
        return ir::GatherOptions{o->axis(), o->batch_dims()};
      }
      return ir::GatherOptions{};
    case BO::ReducerOptions:
      if (const auto* o = op.builtin_options_as_ReducerOptions()) {
        return ir::ReducerOptions{o->keep_dims()};
      }
      return ir::ReducerOptions{};
    case BO::LeakyReluOptions:
      if (const auto* o = op.builtin_options_as_LeakyReluOptions()) {
        return ir::LeakyReluOptions{o->alpha()};
      }
      return ir::LeakyReluOptions{};
    case BO::SpaceToDepthOptions:
      if (const auto* o = op.builtin_options_as_SpaceToDepthOptions()) {
        return ir::SpaceToDepthOptions{o->block_size()};
      }
      return ir::SpaceToDepthOptions{};
    case BO::DepthToSpaceOptions:
      if (const auto* o = op.builtin_options_as_DepthToSpaceOptions()) {
        return ir::DepthToSpaceOptions{o->block_size()};
      }
      return ir::DepthToSpaceOptions{};
    case BO::BatchMatMulOptions:
      if (const auto* o = op.builtin_options_as_BatchMatMulOptions()) {
        return ir::BatchMatMulOptions{o->adj_x(), o->adj_y(), o->asymmetric_quantize_inputs()};
      }
      return ir::BatchMatMulOptions{};
    case BO::MirrorPadOptions:
      if (const auto* o = op.builtin_options_as_MirrorPadOptions()) {
        return ir::MirrorPadOptions{static_cast<ir::MirrorPadMode>(o->mode())};
      }
      return ir::MirrorPadOptions{};
    case BO::SqueezeOptions:
      if (const auto* o = op.builtin_options_as_SqueezeOptions()) {
        return ir::SqueezeOptions{Ints(o->squeeze_dims())};
      }
      return ir::SqueezeOptions{};
    case BO::CastOptions:
      if (const auto* o = op.builtin_options_as_CastOptions()) {
        return ir::CastOptions{Type(o->in_data_type()), Type(o->out_data_type())};
      }
      return ir::CastOptions{};
    default: {
      auto raw = DecodeRaw<fb::BuiltinOptionsUnion>(type, op.builtin_options(), "BuiltinOptions");
      if (!raw.ok()) return raw.status();
      return ir::BuiltinOptions(std::move(*raw));
    }
  }
}

absl::StatusOr<std::optional<ir::RawBuiltinOptions>> DecodeBuiltinOptions2(const fb::Operator& op) {
  const fb::BuiltinOptions2 type = op.builtin_options_2_type();
  if (type == fb::BuiltinOptions2::NONE) return std::optional<ir::RawBuiltinOptions>();
  if (!LongVectorsAligned(op.builtin_options_2(), type)) {
    return absl::InvalidArgumentError(
        absl::StrCat(fb::EnumNameBuiltinOptions2(type),
                     " has a vector of 64-bit integers that is not 8-byte aligned"));
  }
  auto raw = DecodeRaw<fb::BuiltinOptions2Union>(type, op.builtin_options_2(), "BuiltinOptions2");
  if (!raw.ok()) return raw.status();
  return std::optional<ir::RawBuiltinOptions>(std::move(*raw));
}

absl::StatusOr<EncodedOptions> EncodeBuiltinOptions(const ir::BuiltinOptions& options,
                                                    flatbuffers::FlatBufferBuilder& fbb) {
  return std::visit(
      [&fbb](const auto& o) -> absl::StatusOr<EncodedOptions> {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return EncodedOptions{};
        } else if constexpr (std::is_same_v<T, ir::Conv2DOptions>) {
          return Encoded(BO::Conv2DOptions,
                         fb::CreateConv2DOptions(fbb, Pad(o.padding), o.stride_w, o.stride_h,
                                                 Act(o.activation), o.dilation_w_factor,
                                                 o.dilation_h_factor,
                                                 Type(o.quantized_bias_type)));
        } else if constexpr (std::is_same_v<T, ir::DepthwiseConv2DOptions>) {
          return Encoded(BO::DepthwiseConv2DOptions,
                         fb::CreateDepthwiseConv2DOptions(
                             fbb, Pad(o.padding), o.stride_w, o.stride_h, o.depth_multiplier,
                             Act(o.activation), o.dilation_w_factor, o.dilation_h_factor));
        } else if constexpr (std::is_same_v<T, ir::TransposeConvOptions>) {
          return Encoded(BO::TransposeConvOptions,
                         fb::CreateTransposeConvOptions(fbb, Pad(o.padding), o.stride_w,
                                                        o.stride_h, Act(o.activation),
                                                        Type(o.quantized_bias_type)));
        } else if constexpr (std::is_same_v<T, ir::FullyConnectedOptions>) {
          return Encoded(
              BO::FullyConnectedOptions,
              fb::CreateFullyConnectedOptions(
                  fbb, Act(o.activation),
                  static_cast<fb::FullyConnectedOptionsWeightsFormat>(o.weights_format),
                  o.keep_num_dims, o.asymmetric_quantize_inputs, Type(o.quantized_bias_type)));
        } else if constexpr (std::is_same_v<T, ir::Pool2DOptions>) {
          return Encoded(BO::Pool2DOptions,
                         fb::CreatePool2DOptions(fbb, Pad(o.padding), o.stride_w, o.stride_h,
                                                 o.filter_width, o.filter_height,
                                                 Act(o.activation)));
        } else if constexpr (std::is_same_v<T, ir::AddOptions>) {
          return Encoded(BO::AddOptions,
                         fb::CreateAddOptions(fbb, Act(o.activation), o.pot_scale_int16));
        } else if constexpr (std::is_same_v<T, ir::SubOptions>) {
          return Encoded(BO::SubOptions,
                         fb::CreateSubOptions(fbb, Act(o.activation), o.pot_scale_int16));
        } else if constexpr (std::is_same_v<T, ir::MulOptions>) {
          return Encoded(BO::MulOptions, fb::CreateMulOptions(fbb, Act(o.activation)));
        } else if constexpr (std::is_same_v<T, ir::DivOptions>) {
          return Encoded(BO::DivOptions, fb::CreateDivOptions(fbb, Act(o.activation)));
        } else if constexpr (std::is_same_v<T, ir::ConcatenationOptions>) {
          return Encoded(BO::ConcatenationOptions,
                         fb::CreateConcatenationOptions(fbb, o.axis, Act(o.activation)));
        } else if constexpr (std::is_same_v<T, ir::L2NormOptions>) {
          return Encoded(BO::L2NormOptions, fb::CreateL2NormOptions(fbb, Act(o.activation)));
        } else if constexpr (std::is_same_v<T, ir::ReshapeOptions>) {
          return Encoded(BO::ReshapeOptions,
                         fb::CreateReshapeOptions(fbb, fbb.CreateVector(o.new_shape)));
        } else if constexpr (std::is_same_v<T, ir::SoftmaxOptions>) {
          return Encoded(BO::SoftmaxOptions, fb::CreateSoftmaxOptions(fbb, o.beta));
        } else if constexpr (std::is_same_v<T, ir::ResizeBilinearOptions>) {
          fb::ResizeBilinearOptionsBuilder b(fbb);
          b.add_align_corners(o.align_corners);
          b.add_half_pixel_centers(o.half_pixel_centers);
          return Encoded(BO::ResizeBilinearOptions, b.Finish());
        } else if constexpr (std::is_same_v<T, ir::ResizeNearestNeighborOptions>) {
          return Encoded(BO::ResizeNearestNeighborOptions,
                         fb::CreateResizeNearestNeighborOptions(fbb, o.align_corners,
                                                                o.half_pixel_centers));
        } else if constexpr (std::is_same_v<T, ir::StridedSliceOptions>) {
          return Encoded(BO::StridedSliceOptions,
                         fb::CreateStridedSliceOptions(fbb, o.begin_mask, o.end_mask,
                                                       o.ellipsis_mask, o.new_axis_mask,
                                                       o.shrink_axis_mask, o.offset));
        } else if constexpr (std::is_same_v<T, ir::SplitOptions>) {
          return Encoded(BO::SplitOptions, fb::CreateSplitOptions(fbb, o.num_splits));
        } else if constexpr (std::is_same_v<T, ir::SplitVOptions>) {
          return Encoded(BO::SplitVOptions, fb::CreateSplitVOptions(fbb, o.num_splits));
        } else if constexpr (std::is_same_v<T, ir::PackOptions>) {
          return Encoded(BO::PackOptions, fb::CreatePackOptions(fbb, o.values_count, o.axis));
        } else if constexpr (std::is_same_v<T, ir::UnpackOptions>) {
          return Encoded(BO::UnpackOptions, fb::CreateUnpackOptions(fbb, o.num, o.axis));
        } else if constexpr (std::is_same_v<T, ir::GatherOptions>) {
          return Encoded(BO::GatherOptions, fb::CreateGatherOptions(fbb, o.axis, o.batch_dims));
        } else if constexpr (std::is_same_v<T, ir::ReducerOptions>) {
          return Encoded(BO::ReducerOptions, fb::CreateReducerOptions(fbb, o.keep_dims));
        } else if constexpr (std::is_same_v<T, ir::LeakyReluOptions>) {
          return Encoded(BO::LeakyReluOptions, fb::CreateLeakyReluOptions(fbb, o.alpha));
        } else if constexpr (std::is_same_v<T, ir::SpaceToDepthOptions>) {
          return Encoded(BO::SpaceToDepthOptions,
                         fb::CreateSpaceToDepthOptions(fbb, o.block_size));
        } else if constexpr (std::is_same_v<T, ir::DepthToSpaceOptions>) {
          return Encoded(BO::DepthToSpaceOptions,
                         fb::CreateDepthToSpaceOptions(fbb, o.block_size));
        } else if constexpr (std::is_same_v<T, ir::BatchMatMulOptions>) {
          return Encoded(BO::BatchMatMulOptions,
                         fb::CreateBatchMatMulOptions(fbb, o.adj_x, o.adj_y,
                                                      o.asymmetric_quantize_inputs));
        } else if constexpr (std::is_same_v<T, ir::MirrorPadOptions>) {
          return Encoded(BO::MirrorPadOptions,
                         fb::CreateMirrorPadOptions(fbb, static_cast<fb::MirrorPadMode>(o.mode)));
        } else if constexpr (std::is_same_v<T, ir::SqueezeOptions>) {
          return Encoded(BO::SqueezeOptions,
                         fb::CreateSqueezeOptions(fbb, fbb.CreateVector(o.squeeze_dims)));
        } else if constexpr (std::is_same_v<T, ir::CastOptions>) {
          return Encoded(BO::CastOptions, fb::CreateCastOptions(fbb, Type(o.in_data_type),
                                                                Type(o.out_data_type)));
        } else {
          static_assert(std::is_same_v<T, ir::RawBuiltinOptions>);
          return EncodeRaw<fb::BuiltinOptionsUnion, BO>(
              o, fbb, [](flatbuffers::Verifier& v, const void* p, BO t) {
                return fb::VerifyBuiltinOptions(v, p, t);
              });
        }
      },
      options);
}

absl::StatusOr<EncodedOptions> EncodeBuiltinOptions2(const ir::RawBuiltinOptions& options,
                                                     flatbuffers::FlatBufferBuilder& fbb) {
  return EncodeRaw<fb::BuiltinOptions2Union, fb::BuiltinOptions2>(
      options, fbb, [](flatbuffers::Verifier& v, const void* p, fb::BuiltinOptions2 t) {
        return fb::VerifyBuiltinOptions2(v, p, t) && LongVectorsAligned(p, t);
      });
}

std::string BuiltinOptionsTypeName(uint8_t type) {
  if (type > static_cast<uint8_t>(BO::MAX)) return absl::StrCat("unknown(", type, ")");
  return fb::EnumNameBuiltinOptions(static_cast<BO>(type));
}

uint8_t BuiltinOptionsUnionType(const ir::BuiltinOptions& options) {
  if (const auto* raw = std::get_if<ir::RawBuiltinOptions>(&options)) return raw->union_type;
  if (std::holds_alternative<std::monostate>(options)) return 0;
  flatbuffers::FlatBufferBuilder fbb;
  auto enc = EncodeBuiltinOptions(options, fbb);
  return enc.ok() ? enc->type : 0;
}

}  // namespace compressd::tflite
