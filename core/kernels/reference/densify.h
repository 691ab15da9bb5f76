// Expansion of a TFLite sparse tensor (ir::Sparsity) into a dense row-major array, following
// TFLite's FormatConverter::SparseToDense (kernels/internal/utils/sparsity_format_converter.cc).
// Shared by the DENSIFY kernel and the model loader.
//
// Format: a tensor of dense shape D (rank n) with k = block_map.size() block dimensions; block b
// splits original dimension block_map[b] into D[block_map[b]] / B_b blocks of B_b elements. The
// "expanded" shape E has n + k dimensions: E[i] = D[i] (divided by its block size when blocked) and
// E[n + b] = B_b. traversal_order (n + k entries) lists expanded dimensions in storage order and
// dim_metadata[l] describes level l (the expanded dimension traversal_order[l]):
//   DENSE:      dense_size elements, all stored;
//   SPARSE_CSR: for each position p of the previous levels, array_indices[array_segments[p] ..
//               array_segments[p + 1]) lists the stored indices along this dimension.
// Values are stored in traversal order; positions not listed are zero.
// Supported (as TFLite's converter writes them): traversal_order starts with a permutation of the
// n original dimensions followed by the k block dimensions in order; block levels are DENSE and
// give the block sizes; block_map is increasing.
//
// ValidateSparsity checks everything Densify relies on, so Densify on a validated tensor never
// reads or writes out of bounds. Densify does not allocate.
#ifndef COMPRESSD_CORE_KERNELS_REFERENCE_DENSIFY_H_
#define COMPRESSD_CORE_KERNELS_REFERENCE_DENSIFY_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/ir/model.h"

namespace compressd::kernels::reference {

inline constexpr int kMaxSparseLevels = 16;

namespace densify_internal {

inline std::string Join(std::span<const int32_t> v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) absl::StrAppend(&s, i ? "," : "", v[i]);
  return s + "]";
}

// Block size of block b: the dense_size of level n + b.
inline int32_t BlockSize(const ir::Sparsity& s, int n, int b) {
  return s.dim_metadata[n + b].dense_size;
}

// E[dim] of the expanded shape.
inline int64_t ExpandedDim(const ir::Sparsity& s, std::span<const int32_t> dense_shape, int dim) {
  const int n = static_cast<int>(dense_shape.size());
  if (dim >= n) return BlockSize(s, n, dim - n);
  for (size_t b = 0; b < s.block_map.size(); ++b) {
    if (s.block_map[b] == dim) return dense_shape[dim] / BlockSize(s, n, static_cast<int>(b));
  }
  return dense_shape[dim];
}

template <typename T>
struct Expander {
  const ir::Sparsity& s;
  std::span<const int32_t> dense_shape;
  const T* values;
  T* dense;
  int64_t next_value = 0;
  int32_t index[kMaxSparseLevels] = {};

  void Visit(int level, int64_t position) {
    const int levels = static_cast<int>(s.traversal_order.size());
    if (level == levels) {
      Store();
      return;
    }
    const ir::DimensionMetadata& m = s.dim_metadata[level];
    if (m.format == ir::DimensionMetadata::Format::kDense) {
      for (int32_t i = 0; i < m.dense_size; ++i) {
        index[level] = i;
        Visit(level + 1, position * m.dense_size + i);
      }
    } else {
      const std::vector<int32_t>& segments = m.array_segments.values;
      for (int32_t i = segments[position]; i < segments[position + 1]; ++i) {
        index[level] = m.array_indices.values[i];
        Visit(level + 1, i);
      }
    }
  }

  void Store() {
    const int n = static_cast<int>(dense_shape.size());
    const int levels = static_cast<int>(s.traversal_order.size());
    int64_t original[kMaxSparseLevels] = {};
    for (int l = 0; l < n; ++l) original[s.traversal_order[l]] = index[l];
    for (int l = n; l < levels; ++l) {
      const int b = s.traversal_order[l] - n;
      const int dim = s.block_map[b];
      original[dim] = original[dim] * BlockSize(s, n, b) + index[l];
    }
    int64_t flat = 0;
    for (int d = 0; d < n; ++d) flat = flat * dense_shape[d] + original[d];
    dense[flat] = values[next_value++];
  }
};

}  // namespace densify_internal

// Checks that `sparsity` describes a tensor of `dense_shape` (non-negative dims) whose stored
// values number exactly `num_values`. InvalidArgument (malformed) or Unimplemented (a layout TFLite
// does not produce) otherwise.
inline absl::Status ValidateSparsity(const ir::Sparsity& s, std::span<const int32_t> dense_shape,
                                     int64_t num_values) {
  using densify_internal::Join;
  const int n = static_cast<int>(dense_shape.size());
  const int k = static_cast<int>(s.block_map.size());
  const int levels = static_cast<int>(s.traversal_order.size());
  if (n < 1) return absl::InvalidArgumentError("a sparse tensor needs rank >= 1");
  if (k > n || levels != n + k || levels > kMaxSparseLevels) {
    return absl::InvalidArgumentError(
        absl::StrCat("sparsity traversal_order ", Join(s.traversal_order), " and block_map ",
                     Join(s.block_map), " do not fit a tensor of rank ", n));
  }
  if (static_cast<int>(s.dim_metadata.size()) != levels) {
    return absl::InvalidArgumentError(absl::StrCat("sparsity has ", s.dim_metadata.size(),
                                                   " dim_metadata entries, expected ", levels));
  }
  std::vector<bool> seen(levels, false);
  for (int l = 0; l < levels; ++l) {
    const int32_t t = s.traversal_order[l];
    const bool in_range = l < n ? (t >= 0 && t < n) : (t >= n && t < levels);
    if (!in_range || seen[t]) {
      return absl::InvalidArgumentError(
          absl::StrCat("sparsity traversal_order ", Join(s.traversal_order),
                       " is not a permutation of the original then the block dimensions"));
    }
    seen[t] = true;
    if (l >= n && t != l) {
      return absl::UnimplementedError(absl::StrCat(
          "sparsity traversal_order ", Join(s.traversal_order), " permutes the block dimensions"));
    }
  }
  for (int b = 0; b < k; ++b) {
    const int32_t dim = s.block_map[b];
    if (dim < 0 || dim >= n || (b > 0 && dim <= s.block_map[b - 1])) {
      return absl::InvalidArgumentError(absl::StrCat("sparsity block_map ", Join(s.block_map),
                                                     " must be increasing in [0, ", n, ")"));
    }
    const ir::DimensionMetadata& m = s.dim_metadata[n + b];
    if (m.format != ir::DimensionMetadata::Format::kDense || m.dense_size < 1) {
      return absl::UnimplementedError(
          absl::StrCat("sparsity block level ", n + b, " must be DENSE with a size >= 1"));
    }
    if (dense_shape[dim] % m.dense_size != 0) {
      return absl::InvalidArgumentError(absl::StrCat("dimension ", dim, " of size ",
                                                     dense_shape[dim],
                                                     " is not a multiple of "
                                                     "its block size ",
                                                     m.dense_size));
    }
  }
  // Walk the levels tracking the range [lo, hi) of positions each level is entered with.
  int64_t lo = 0, hi = 1;
  for (int l = 0; l < levels; ++l) {
    const ir::DimensionMetadata& m = s.dim_metadata[l];
    const int64_t size = densify_internal::ExpandedDim(s, dense_shape, s.traversal_order[l]);
    if (m.format == ir::DimensionMetadata::Format::kDense) {
      if (m.dense_size != size) {
        return absl::InvalidArgumentError(absl::StrCat("sparsity level ", l, " is DENSE of size ",
                                                       m.dense_size, ", expected ", size));
      }
      lo *= size;
      hi *= size;
    } else if (m.format == ir::DimensionMetadata::Format::kSparseCsr) {
      const std::vector<int32_t>& seg = m.array_segments.values;
      const std::vector<int32_t>& idx = m.array_indices.values;
      if (static_cast<int64_t>(seg.size()) < hi + 1) {
        return absl::InvalidArgumentError(absl::StrCat("sparsity level ", l, " has ", seg.size(),
                                                       " array_segments, needs ", hi + 1));
      }
      for (int64_t p = lo; p < hi; ++p) {
        if (seg[p] < 0 || seg[p] > seg[p + 1]) {
          return absl::InvalidArgumentError(
              absl::StrCat("sparsity level ", l, " array_segments are not non-decreasing at ", p));
        }
      }
      if (seg[hi] > static_cast<int64_t>(idx.size())) {
        return absl::InvalidArgumentError(
            absl::StrCat("sparsity level ", l, " array_segments end at ", seg[hi], " beyond its ",
                         idx.size(), " array_indices"));
      }
      for (int64_t i = seg[lo]; i < seg[hi]; ++i) {
        if (idx[i] < 0 || idx[i] >= size) {
          return absl::InvalidArgumentError(
              absl::StrCat("sparsity level ", l, " index ", idx[i], " is outside [0, ", size, ")"));
        }
      }
      lo = seg[lo];
      hi = seg[hi];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("sparsity level ", l, " has unknown format ", static_cast<int>(m.format)));
    }
  }
  if (hi - lo != num_values) {
    return absl::InvalidArgumentError(absl::StrCat("sparse tensor stores ", num_values,
                                                   " values, its sparsity describes ", hi - lo));
  }
  return absl::OkStatus();
}

// Writes every element of `dense` (FlatSize of dense_shape): stored values at their positions,
// zeros elsewhere. Requires ValidateSparsity(s, dense_shape, number of values) to be OK.
template <typename T>
inline void Densify(const ir::Sparsity& s, std::span<const int32_t> dense_shape, const T* values,
                    T* dense) {
  int64_t size = 1;
  for (int32_t d : dense_shape) size *= d;
  for (int64_t i = 0; i < size; ++i) dense[i] = T(0);
  densify_internal::Expander<T> expander{s, dense_shape, values, dense};
  expander.Visit(0, 0);
}

}  // namespace compressd::kernels::reference

#endif  // COMPRESSD_CORE_KERNELS_REFERENCE_DENSIFY_H_
