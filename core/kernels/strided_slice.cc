// STRIDED_SLICE (TFLite semantics, tensorflow/lite/kernels/strided_slice.cc and
// strided_slice_logic.h). Inputs: (input, begin, end, strides), three constant 1-D int32/int64
// tensors of equal length n (the slice spec). StridedSliceOptions: begin/end/ellipsis/new_axis/
// shrink_axis masks and the `offset` flag (end is a size relative to begin).
//
// The spec is resolved as TFLite's BuildStridedSliceParams does: the ellipsis expands to the
// dimensions the other entries leave unspecified (at least one), new-axis entries insert
// dimensions of size 1, entries past the spec take whole dimensions. Each resulting "effective"
// dimension then gets TFLite's start/end clamping. Where TFLite's behaviour is undefined this
// kernel rejects the spec with InvalidArgument instead: more than one ellipsis, spec entries that
// would be ignored or address dimensions the input lacks, a zero stride, a shrunk axis with a
// negative stride or whose begin lies past the end, and (with `offset`) a begin + size beyond the
// dimension. Mask bits at positions >= n are ignored, as in TF.
//
// Up to Shape::kMaxRank effective dimensions (TFLite: 5). Any fixed-size element type.
#include "core/kernels/reference/strided_slice.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/kernels/op_kernel.h"
#include "core/kernels/tensor_kernels.h"
#include "core/kernels/tensor_op_util.h"

namespace compressd::kernels {
namespace {

struct StridedSliceState : OpState {
  Shape effective_shape;  // the input shape with new axes inserted
  std::array<reference::StridedSliceAxis, Shape::kMaxRank> axes{};
  int element_size = 0;
};

bool Bit(uint32_t mask, int i) { return i >= 0 && i < 32 && ((mask >> i) & 1u) != 0; }

// ceil(a / b) for b != 0.
int64_t CeilDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  const int64_t r = a % b;
  if (r != 0 && ((r > 0) == (b > 0))) ++q;
  return q;
}

// One effective dimension before clamping.
struct AxisSpec {
  int64_t begin = 0;
  int64_t end = 0;
  int64_t stride = 1;
  bool begin_masked = false;
  bool end_masked = false;
  bool shrink = false;
  bool explicit_entry = false;  // comes from a (non-ellipsis, non-new-axis) spec entry
};

absl::Status Prepare(OpContext& ctx) {
  RETURN_IF_ERROR(CheckNumInputs(ctx, 4));
  RETURN_IF_ERROR(CheckNumOutputs(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* in, GetInput(ctx, 0));
  ASSIGN_OR_RETURN(const TensorView* begin_input, GetInput(ctx, 1));
  ASSIGN_OR_RETURN(const TensorView* end_input, GetInput(ctx, 2));
  ASSIGN_OR_RETURN(const TensorView* strides_input, GetInput(ctx, 3));
  auto state = std::make_unique<StridedSliceState>();
  ASSIGN_OR_RETURN(state->element_size, FixedElementSize(in->type, "input"));
  RETURN_IF_ERROR(CheckOutputType(ctx, 0, in->type));

  for (const TensorView* t : {begin_input, end_input, strides_input}) {
    if (t->shape.rank() != 1 || t->shape.dim(0) != begin_input->shape.dim(0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("begin, end and strides must be 1-D of equal length, got shapes ",
                       begin_input->shape.ToString(), ", ", end_input->shape.ToString(), ", ",
                       strides_input->shape.ToString()));
    }
  }
  ASSIGN_OR_RETURN(const std::vector<int64_t> begin, ReadConstantInts(*begin_input, "begin"));
  ASSIGN_OR_RETURN(const std::vector<int64_t> end, ReadConstantInts(*end_input, "end"));
  ASSIGN_OR_RETURN(const std::vector<int64_t> strides, ReadConstantInts(*strides_input, "strides"));
  const int n = static_cast<int>(begin.size());
  if (n > 31) {
    return absl::InvalidArgumentError(absl::StrCat("slice spec has ", n, " entries (max 31)"));
  }

  const ir::StridedSliceOptions options = OptionsOrDefault<ir::StridedSliceOptions>(ctx);
  const uint32_t spec_bits = (1u << n) - 1;
  const uint32_t begin_mask = static_cast<uint32_t>(options.begin_mask) & spec_bits;
  const uint32_t end_mask = static_cast<uint32_t>(options.end_mask) & spec_bits;
  const uint32_t ellipsis_mask = static_cast<uint32_t>(options.ellipsis_mask) & spec_bits;
  const uint32_t new_axis_mask = static_cast<uint32_t>(options.new_axis_mask) & spec_bits;
  const uint32_t shrink_mask = static_cast<uint32_t>(options.shrink_axis_mask) & spec_bits;
  if (std::popcount(ellipsis_mask) > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("ellipsis_mask ", options.ellipsis_mask, " has more than one bit set"));
  }

  // Effective dimensions: the input's plus the new axes (TFLite's BuildStridedSliceParams).
  const int input_rank = in->shape.rank();
  const int num_add_axis = std::popcount(new_axis_mask & ~ellipsis_mask);
  const int effective_dims = input_rank + num_add_axis;
  if (effective_dims > Shape::kMaxRank) {
    return absl::InvalidArgumentError(absl::StrCat("the slice has ", effective_dims,
                                                   " dimensions including new axes (max ",
                                                   Shape::kMaxRank, ")"));
  }
  uint32_t effective_ellipsis = 0;
  uint32_t effective_new_axis = 0;
  int ellipsis_start = effective_dims;
  int expanded_ellipsis = 0;
  for (int i = 0; i < effective_dims;) {
    if (Bit(ellipsis_mask, i)) {
      ellipsis_start = i;
      const int ellipsis_end =
          std::max(i + 1, std::min(i + 1 + num_add_axis + input_rank - n, effective_dims));
      expanded_ellipsis = ellipsis_end - ellipsis_start - 1;
      for (; i < ellipsis_end; ++i) effective_ellipsis |= 1u << i;
      continue;
    }
    if (Bit(new_axis_mask, i - expanded_ellipsis)) effective_new_axis |= 1u << i;
    ++i;
  }

  std::array<AxisSpec, Shape::kMaxRank> specs{};
  int added_ellipsis = 0;
  int added_axes = 0;
  int used_entries = effective_ellipsis != 0 ? 1 : 0;
  for (int i = 0; i < effective_dims; ++i) {
    AxisSpec& s = specs[i];
    int input_dim = -1;  // the input dimension this effective dimension walks, if any
    if (Bit(effective_ellipsis, i)) {
      added_ellipsis = std::max(0, i - ellipsis_start);
      s.begin_masked = s.end_masked = true;
      input_dim = i - added_axes;
    } else if (Bit(effective_new_axis, i)) {
      s.begin = 0;
      s.end = 1;
      ++added_axes;
      ++used_entries;
    } else if (i >= n + expanded_ellipsis) {
      s.begin_masked = s.end_masked = true;
      input_dim = i - added_axes;
    } else {
      const int orig = i - added_ellipsis;
      s.begin = begin[orig];
      s.end = end[orig];
      s.stride = strides[orig];
      s.begin_masked = Bit(begin_mask, orig);
      s.end_masked = Bit(end_mask, orig);
      s.shrink = Bit(shrink_mask, orig);
      s.explicit_entry = true;
      input_dim = i - added_axes;
      ++used_entries;
    }
    if (input_dim >= input_rank) {
      return absl::InvalidArgumentError(
          absl::StrCat("slice spec of ", n, " entries addresses more dimensions than the input's ",
                       in->shape.ToString()));
    }
    state->effective_shape.push_back(input_dim >= 0 ? in->shape.dim(input_dim) : 1);
  }
  if (used_entries != n || effective_dims - added_axes != input_rank) {
    return absl::InvalidArgumentError(absl::StrCat(
        "slice spec of ", n, " entries does not match input shape ", in->shape.ToString()));
  }

  std::vector<int64_t> out_dims;
  for (int i = 0; i < effective_dims; ++i) {
    const AxisSpec& s = specs[i];
    const int64_t size = state->effective_shape.dim(i);
    if (s.stride == 0) {
      return absl::InvalidArgumentError(absl::StrCat("stride of dimension ", i, " is zero"));
    }
    reference::StridedSliceAxis& axis = state->axes[i];
    axis.stride = s.stride;
    axis.start = reference::StridedSliceStart(s.begin, s.begin_masked, s.stride, size);
    axis.stop = reference::StridedSliceEnd(s.end, s.end_masked, s.shrink, options.offset,
                                           axis.start, s.stride, size);
    axis.count = reference::StridedSliceCount(axis.start, axis.stop, s.stride);
    if (s.shrink && (s.stride < 0 || axis.start >= size)) {
      return absl::InvalidArgumentError(
          absl::StrCat("shrunk dimension ", i, " (begin ", s.begin, ", stride ", s.stride,
                       ") does not select an element of size ", size));
    }
    if (options.offset && s.explicit_entry && !s.shrink && !s.begin_masked && !s.end_masked) {
      const int64_t requested = std::max<int64_t>(0, CeilDiv(s.end, s.stride));
      if (requested != axis.count) {
        return absl::InvalidArgumentError(absl::StrCat("offset slice of dimension ", i, " (begin ",
                                                       s.begin, ", size ", s.end, ", stride ",
                                                       s.stride, ") exceeds its size ", size));
      }
    }
    // Every visited index must lie inside the dimension (the clamping guarantees it).
    if (axis.count > 0) {
      const int64_t last = axis.start + (axis.count - 1) * axis.stride;
      if (axis.start < 0 || axis.start >= size || last < 0 || last >= size) {
        return absl::InternalError(
            absl::StrCat("strided slice of dimension ", i, " resolved out of bounds"));
      }
    }
    if (!s.shrink) out_dims.push_back(axis.count);
  }
  RETURN_IF_ERROR(SetOutputShape(ctx, 0, out_dims));
  ctx.set_state(std::move(state));
  return absl::OkStatus();
}

absl::Status Eval(OpContext& ctx) {
  const StridedSliceState& state = *ctx.state_as<StridedSliceState>();
  const TensorView& in = *ctx.input(0);
  TensorView& out = *ctx.output(0);
  return DispatchByElementSize(state.element_size, [&](auto tag) {
    using T = typename decltype(tag)::type;
    reference::StridedSlice(state.effective_shape, state.axes.data(), in.data_as<const T>(),
                            out.data_as<T>());
  });
}

}  // namespace

const OpKernel& StridedSliceKernel() {
  static const OpKernel kernel{"STRIDED_SLICE", Prepare, Eval};
  return kernel;
}

}  // namespace compressd::kernels
