#include "tests/compat/custom_op_rewrite.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/tflite/model_writer.h"

namespace compressd::testing {

absl::StatusOr<RewriteResult> RewriteTransposeConvBias(const ir::Model& original) {
  ir::Model model = original;
  RewriteResult result;
  ir::Subgraph& sg = model.subgraphs[0];
  for (ir::Operator& op : sg.operators) {
    const ir::OperatorCode& code = model.operator_codes[op.opcode_index];
    if (!code.custom_code || *code.custom_code != "Convolution2DTransposeBias") continue;
    if (op.custom_options.size() < 12 || op.inputs.size() != 3 || op.outputs.size() != 1) {
      return absl::InvalidArgumentError("unexpected Convolution2DTransposeBias operator");
    }
    int32_t params[3];  // TfLiteTransposeConvParams: padding (1 SAME, 2 VALID), stride_w, stride_h
    std::memcpy(params, op.custom_options.data(), sizeof(params));
    // output_shape: a constant int32 vector equal to the output tensor's shape.
    const std::vector<int32_t> out_shape = sg.tensors[op.outputs[0]].shape;
    std::vector<uint8_t> shape_bytes(out_shape.size() * 4);
    std::memcpy(shape_bytes.data(), out_shape.data(), shape_bytes.size());
    ir::Tensor shape_tensor;
    shape_tensor.shape = {static_cast<int32_t>(out_shape.size())};
    shape_tensor.type = ir::DataType::kInt32;
    shape_tensor.name = sg.tensors[op.outputs[0]].name + "/output_shape";
    shape_tensor.buffer = model.AddBuffer(std::move(shape_bytes));
    sg.tensors.push_back(shape_tensor);
    const int32_t shape_index = static_cast<int32_t>(sg.tensors.size() - 1);
    ir::OperatorCode tconv;
    tconv.builtin_code = ir::BuiltinOp::kTransposeConv;
    tconv.deprecated_builtin_code = static_cast<int8_t>(ir::BuiltinOp::kTransposeConv);
    tconv.version = 3;  // version 3 takes the bias input
    const int32_t input = op.inputs[0], weights = op.inputs[1], bias = op.inputs[2];
    op.opcode_index = model.GetOrAddOperatorCode(tconv);
    op.inputs = {shape_index, weights, input, bias};
    ir::TransposeConvOptions options;
    options.padding = params[0] == 2 ? ir::Padding::kValid : ir::Padding::kSame;
    options.stride_w = params[1];
    options.stride_h = params[2];
    op.builtin_options = options;
    op.custom_options.clear();
    result.changed = true;
  }
  if (!result.changed) return result;
  auto bytes = tflite::WriteModel(model);
  if (!bytes.ok()) return bytes.status();
  result.bytes = std::move(*bytes);
  return result;
}

}  // namespace compressd::testing
