// Which operators full-integer quantization converts, and how each one's quantization parameters
// are tied together (TFLite's quantization specification, as its converter applies it):
//
//   kWeighted     CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED: input 1 is a weight (int8
//                 symmetric), input 2 an optional bias (int32, int64 for 16x8 with scale
//                 input_scale × weight_scale[c]); output parameters from its calibrated range.
//   kFree         output parameters from its calibrated range (ADD, MUL, SUB, HARD_SWISH, RELU,
//                 RELU6, MEAN).
//   kFixed        output parameters fixed by the kernel: LOGISTIC 1/256 with zero point −128
//                 (int16: 1/32768, 0), TANH 1/128 with 0 (int16: 1/32768, 0).
//   kSameAsInput  output shares input 0's parameters (pooling, PAD, RESHAPE, SQUEEZE,
//                 EXPAND_DIMS, RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR): TFLite's integer kernels
//                 copy or compare values without rescaling.
//   kAllSame      every float input and the output share one set of parameters (CONCATENATION).
// Float inputs other than weights and biases are activations (or constants quantized like them);
// non-float inputs (shapes, paddings, axes, sizes) are left untouched.
#ifndef COMPRESSD_CORE_PASSES_INTEGER_OP_RULES_H_
#define COMPRESSD_CORE_PASSES_INTEGER_OP_RULES_H_

#include <cstdint>
#include <optional>

#include "core/ir/builtin_op.h"

namespace compressd::passes {

enum class ParamRule { kWeighted, kFree, kFixed, kSameAsInput, kAllSame };

struct IntegerOpRule {
  ParamRule rule = ParamRule::kFree;
  bool int16 = false;         // TFLite and compressd have an int16-activation (16x8) kernel
  int32_t int8_version = 1;   // operator version TFLite requires for the int8 kernel
  int32_t int16_version = 1;  // ... and for the 16x8 kernel
  // kFixed only: output scale and zero point.
  float fixed_scale_int8 = 0.0f;
  int32_t fixed_zero_point_int8 = 0;
  float fixed_scale_int16 = 0.0f;
};

// The rule for a built-in operator, or nullopt when TFLite (and compressd) have no integer
// kernel for it: such operators stay float32.
std::optional<IntegerOpRule> FindIntegerOpRule(ir::BuiltinOp op);

}  // namespace compressd::passes

#endif  // COMPRESSD_CORE_PASSES_INTEGER_OP_RULES_H_
