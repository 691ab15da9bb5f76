// Limits applied to untrusted model files by the reader and the validator.
#ifndef COMPRESSD_CORE_TFLITE_LOAD_LIMITS_H_
#define COMPRESSD_CORE_TFLITE_LOAD_LIMITS_H_

#include <cstdint>

namespace compressd::tflite {

// Upper bounds accepted by the reader. Defaults fit every real mobile model with a wide margin.
struct LoadLimits {
  int64_t max_model_bytes = int64_t{2} << 30;  // whole file
  int64_t max_subgraphs = 1024;
  int64_t max_tensors_per_subgraph = 1 << 20;
  int64_t max_operators_per_subgraph = 1 << 20;
  int64_t max_buffers = 1 << 21;
  int32_t max_rank = 8;
  int64_t max_tensor_elements = int64_t{1} << 31;  // per tensor, static shape
  int64_t max_tensor_bytes = int64_t{2} << 30;     // per tensor
};

}  // namespace compressd::tflite

#endif  // COMPRESSD_CORE_TFLITE_LOAD_LIMITS_H_
