// Human-readable operator names for messages, reports and `compressctl inspect`.
#ifndef COMPRESSD_CORE_TFLITE_OP_NAMES_H_
#define COMPRESSD_CORE_TFLITE_OP_NAMES_H_

#include <string>

#include "core/ir/model.h"

namespace compressd::tflite {

// "CONV_2D"; the custom code for custom ops; "BUILTIN_<n>" for codes newer than the schema.
std::string BuiltinOpName(ir::BuiltinOp op);
std::string OperatorName(const ir::OperatorCode& code);
// Name of the operator `op` of `model` (its opcode index must be valid).
std::string OperatorName(const ir::Model& model, const ir::Operator& op);

}  // namespace compressd::tflite

#endif  // COMPRESSD_CORE_TFLITE_OP_NAMES_H_
