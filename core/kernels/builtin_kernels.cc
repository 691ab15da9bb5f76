#include "core/kernels/nn_kernels.h"
#include "core/kernels/op_resolver.h"
#include "core/kernels/tensor_kernels.h"

namespace compressd::kernels {

OpResolver BuiltinOpResolver() {
  OpResolver resolver;
  RegisterNnKernels(resolver);
  RegisterTensorKernels(resolver);
  return resolver;
}

}  // namespace compressd::kernels
