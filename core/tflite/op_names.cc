#include "core/tflite/op_names.h"

#include "absl/strings/str_cat.h"
#include "core/tflite/schema/tflite_generated.h"

namespace compressd::tflite {

std::string BuiltinOpName(ir::BuiltinOp op) {
  const int32_t v = static_cast<int32_t>(op);
  if (v < static_cast<int32_t>(::tflite::BuiltinOperator::MIN) ||
      v > static_cast<int32_t>(::tflite::BuiltinOperator::MAX)) {
    return absl::StrCat("BUILTIN_", v);
  }
  const char* name = ::tflite::EnumNameBuiltinOperator(static_cast<::tflite::BuiltinOperator>(v));
  return name && *name ? std::string(name) : absl::StrCat("BUILTIN_", v);
}

std::string OperatorName(const ir::OperatorCode& code) {
  const ir::BuiltinOp op = ir::EffectiveBuiltinCode(code);
  if (op == ir::BuiltinOp::kCustom) return code.custom_code.value_or("CUSTOM");
  return BuiltinOpName(op);
}

std::string OperatorName(const ir::Model& model, const ir::Operator& op) {
  if (op.opcode_index >= model.operator_codes.size()) return "?";
  return OperatorName(model.operator_codes[op.opcode_index]);
}

}  // namespace compressd::tflite
