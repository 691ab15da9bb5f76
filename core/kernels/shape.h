// Shape: the dimensions of a tensor at run time, stored inline (no allocation) for up to
// kMaxRank dimensions. Kernels take shapes and raw pointers; row-major (C order) layout, NHWC for
// images.
#ifndef COMPRESSD_CORE_KERNELS_SHAPE_H_
#define COMPRESSD_CORE_KERNELS_SHAPE_H_

#include <array>
#include <cassert>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

namespace compressd::kernels {

class Shape {
 public:
  static constexpr int kMaxRank = 8;

  Shape() = default;
  Shape(std::initializer_list<int32_t> dims) {
    assert(dims.size() <= kMaxRank);
    for (int32_t d : dims) dims_[rank_++] = d;
  }
  explicit Shape(std::span<const int32_t> dims) {
    assert(dims.size() <= kMaxRank);
    for (int32_t d : dims) dims_[rank_++] = d;
  }
  // A shape of `rank` dimensions, all equal to `value`.
  static Shape Filled(int rank, int32_t value) {
    Shape s;
    s.rank_ = rank;
    for (int i = 0; i < rank; ++i) s.dims_[i] = value;
    return s;
  }

  int rank() const { return rank_; }
  int32_t dim(int i) const {
    assert(i >= 0 && i < rank_);
    return dims_[i];
  }
  void set_dim(int i, int32_t value) {
    assert(i >= 0 && i < rank_);
    dims_[i] = value;
  }
  void push_back(int32_t d) {
    assert(rank_ < kMaxRank);
    dims_[rank_++] = d;
  }
  std::span<const int32_t> dims() const { return {dims_.data(), static_cast<size_t>(rank_)}; }

  // Product of all dimensions (1 for a scalar).
  int64_t FlatSize() const {
    int64_t n = 1;
    for (int i = 0; i < rank_; ++i) n *= dims_[i];
    return n;
  }
  // Product of dimensions [begin, end).
  int64_t Product(int begin, int end) const {
    int64_t n = 1;
    for (int i = begin; i < end; ++i) n *= dims_[i];
    return n;
  }
  // Row-major offset of a 4-D index.
  int64_t Offset(int32_t i0, int32_t i1, int32_t i2, int32_t i3) const {
    assert(rank_ == 4);
    return ((static_cast<int64_t>(i0) * dims_[1] + i1) * dims_[2] + i2) * dims_[3] + i3;
  }

  // Shape padded with leading 1s to `rank` dimensions (rank >= this->rank()).
  Shape Extended(int rank) const {
    assert(rank >= rank_ && rank <= kMaxRank);
    Shape s = Filled(rank, 1);
    for (int i = 0; i < rank_; ++i) s.dims_[rank - rank_ + i] = dims_[i];
    return s;
  }

  std::string ToString() const {
    std::string s = "[";
    for (int i = 0; i < rank_; ++i) {
      if (i) s += ",";
      s += std::to_string(dims_[i]);
    }
    return s + "]";
  }

  bool operator==(const Shape& o) const {
    if (rank_ != o.rank_) return false;
    for (int i = 0; i < rank_; ++i) {
      if (dims_[i] != o.dims_[i]) return false;
    }
    return true;
  }

 private:
  std::array<int32_t, kMaxRank> dims_{};
  int rank_ = 0;
};

}  // namespace compressd::kernels

#endif  // COMPRESSD_CORE_KERNELS_SHAPE_H_
