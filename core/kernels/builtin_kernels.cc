#include "core/kernels/op_resolver.h"

namespace compressd::kernels {

// Kernels register here as they land (nn_kernels.h, tensor_kernels.h).
OpResolver BuiltinOpResolver() { return OpResolver(); }

}  // namespace compressd::kernels
