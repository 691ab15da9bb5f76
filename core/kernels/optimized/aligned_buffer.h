// AlignedBuffer: an owned, 64-byte aligned (cache line / AVX-512 vector) array of floats for
// packed weights. Movable, not copyable. Elements are zero-initialized.
#ifndef COMPRESSD_CORE_KERNELS_OPTIMIZED_ALIGNED_BUFFER_H_
#define COMPRESSD_CORE_KERNELS_OPTIMIZED_ALIGNED_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <utility>

namespace compressd::kernels::optimized {

inline constexpr size_t kBufferAlignment = 64;

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(int64_t num_floats) : size_(num_floats > 0 ? num_floats : 0) {
    if (size_ > 0) {
      data_ = static_cast<float*>(::operator new(static_cast<size_t>(size_) * sizeof(float),
                                                 std::align_val_t(kBufferAlignment)));
      std::memset(data_, 0, static_cast<size_t>(size_) * sizeof(float));
    }
  }
  ~AlignedBuffer() { Free(); }
  AlignedBuffer(AlignedBuffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
    if (this != &o) {
      Free();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  float* data() { return data_; }
  const float* data() const { return data_; }
  int64_t size() const { return size_; }  // in floats

 private:
  void Free() {
    if (data_ != nullptr) ::operator delete(data_, std::align_val_t(kBufferAlignment));
    data_ = nullptr;
    size_ = 0;
  }

  float* data_ = nullptr;
  int64_t size_ = 0;
};

}  // namespace compressd::kernels::optimized

#endif  // COMPRESSD_CORE_KERNELS_OPTIMIZED_ALIGNED_BUFFER_H_
