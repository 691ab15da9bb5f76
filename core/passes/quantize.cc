#include "core/passes/quantize.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/passes/dynamic_range.h"
#include "core/passes/full_integer.h"
#include "core/passes/float16_weights.h"
#include "core/passes/fold_fp16_weights.h"
#include "core/passes/fuse_activations.h"
#include "core/passes/graph_edit.h"
#include "core/tflite/model_validator.h"
#include "core/tflite/op_names.h"

namespace compressd::passes {
namespace {

// Operator indices of subgraph 0 of the folded model named by options.keep_float. Operator
// indices in LayerRef refer to the model the user passed in (before folding).
absl::StatusOr<std::vector<int32_t>> ResolveKeepFloat(const QuantizeOptions& options,
                                                      const FoldFp16Result& folded) {
  std::vector<int32_t> ops;
  const ir::Subgraph& sg = folded.model.subgraphs[0];
  for (size_t k = 0; k < options.keep_float.size(); ++k) {
    const LayerRef& ref = options.keep_float[k];
    const std::string field = absl::StrCat("keep_float[", k, "]");
    if (!ref.tensor_name.empty()) {
      bool found = false;
      for (size_t i = 0; i < sg.operators.size() && !found; ++i) {
        for (int32_t out : sg.operators[i].outputs) {
          if (out >= 0 && sg.tensors[static_cast<size_t>(out)].name == ref.tensor_name) {
            ops.push_back(static_cast<int32_t>(i));
            found = true;
            break;
          }
        }
      }
      if (!found) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ": no operator of subgraph 0 writes a tensor named '", ref.tensor_name, "'"));
      }
      continue;
    }
    const std::vector<int32_t>& map = folded.operator_map[0];
    if (ref.operator_index < 0 || static_cast<size_t>(ref.operator_index) >= map.size()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": operator index ", ref.operator_index,
                                                     " is out of range (", map.size(),
                                                     " operators in subgraph 0)"));
    }
    const int32_t mapped = map[static_cast<size_t>(ref.operator_index)];
    if (mapped < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": operator ", ref.operator_index,
                       " is a float16 DEQUANTIZE, which is folded into its constant"));
    }
    ops.push_back(mapped);
  }
  return ops;
}

// A pass must never hand back a model TFLite would reject: anything caught here is a bug.
absl::Status CheckResult(const ir::Model& model, QuantMode mode) {
  absl::Status s = tflite::ValidateModel(model);
  if (s.ok()) s = CheckExecutionOrder(model);
  if (!s.ok()) {
    return absl::InternalError(absl::StrCat("quantize (", QuantModeName(mode),
                                            ") produced an invalid model: ", s.message()));
  }
  return absl::OkStatus();
}

void AddRequestedKeeps(const ir::Model& model, const std::vector<int32_t>& ops,
                       std::vector<eval::KeptFloatOp>& kept) {
  const ir::Subgraph& sg = model.subgraphs[0];
  for (int32_t i : ops) {
    eval::KeptFloatOp k;
    k.subgraph = 0;
    k.operator_index = static_cast<uint32_t>(i);
    k.op_name = tflite::OperatorName(model, sg.operators[static_cast<size_t>(i)]);
    const auto& outs = sg.operators[static_cast<size_t>(i)].outputs;
    if (!outs.empty() && outs[0] >= 0)
      k.output_tensor = sg.tensors[static_cast<size_t>(outs[0])].name;
    k.reason = "kept in float as requested (its constant inputs stay float32)";
    kept.push_back(std::move(k));
  }
}

// The float16 pass only inserts DEQUANTIZE operators: an original operator keeps its output
// tensors (same indices), so it is found again by them.
void RemapKeptOps(const ir::Model& before, const ir::Model& after,
                  std::vector<eval::KeptFloatOp>& kept) {
  for (eval::KeptFloatOp& k : kept) {
    const auto& ops_before = before.subgraphs[k.subgraph].operators;
    const auto& ops_after = after.subgraphs[k.subgraph].operators;
    const auto& outs = ops_before[k.operator_index].outputs;
    for (size_t i = k.operator_index; i < ops_after.size(); ++i) {
      if (ops_after[i].outputs == outs) {
        k.operator_index = static_cast<uint32_t>(i);
        break;
      }
    }
  }
}

}  // namespace

absl::StatusOr<QuantizeResult> Quantize(const ir::Model& model, const QuantizeOptions& options,
                                        const CalibrationSet* calibration) {
  const bool full_integer =
      options.mode == QuantMode::kInt8 || options.mode == QuantMode::kInt16x8;
  if (options.io_type != IoType::kFloat32 && options.mode != QuantMode::kInt8) {
    return absl::InvalidArgumentError(
        absl::StrCat("io type ", IoTypeName(options.io_type), " needs mode int8; mode ",
                     QuantModeName(options.mode), " keeps float32 inputs and outputs"));
  }
  if (options.dynamic_min_elements < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("dynamic_min_elements ", options.dynamic_min_elements, " must be >= 0"));
  }
  RETURN_IF_ERROR(tflite::ValidateModel(model));
  // Models that ship float16 weights behind DEQUANTIZE (MediaPipe's) are folded to float32 first.
  ASSIGN_OR_RETURN(FoldFp16Result folded, FoldFp16Weights(model));
  ASSIGN_OR_RETURN(std::vector<int32_t> keep_ops, ResolveKeepFloat(options, folded));

  QuantizeResult result;
  if (full_integer) {
    if (calibration == nullptr || calibration->samples.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("mode ", QuantModeName(options.mode),
                       " needs calibration data (representative inputs of the model)"));
    }
    if (options.cross_layer_equalization) {
      return absl::UnimplementedError("cross_layer_equalization is not implemented yet");
    }
    if (!options.int16x8_layers.empty()) {
      return absl::UnimplementedError(
          "int16x8_layers (16x8 for chosen layers of an int8 model) is not implemented yet");
    }
    const int bits = options.mode == QuantMode::kInt16x8 ? 16 : 8;
    // Standalone RELUs join their producers (as TFLite's converter fuses them): one
    // requantization less per pair. Operators kept in float take no part.
    FuseActivationsResult fused = FuseActivations(folded.model, keep_ops);
    for (int32_t& op : keep_ops) op = fused.operator_map[static_cast<size_t>(op)];
    folded.model = std::move(fused.model);
    result.fused_activations = fused.fused;
    ASSIGN_OR_RETURN(const TensorRanges ranges,
                     CalibrateRanges(folded.model, *calibration, options, bits));
    FullIntegerOptions fi;
    fi.activation_bits = bits;
    fi.per_channel = !options.per_tensor;
    fi.fully_connected_per_channel = options.fully_connected_per_channel;
    fi.io_type = options.io_type;
    fi.keep_float_ops = keep_ops;
    fi.bias_correction = options.bias_correction;
    ASSIGN_OR_RETURN(FullIntegerResult fir, QuantizeFullInteger(folded.model, ranges, fi));
    result.model = std::move(fir.model);
    result.kept_float = std::move(fir.kept_float);
    result.warnings = std::move(fir.warnings);
    result.calibration_samples = ranges.samples;
    if (ranges.non_finite_values > 0) {
      result.warnings.push_back(absl::StrCat("calibration saw ", ranges.non_finite_values,
                                             " non-finite activation values (ignored)"));
    }
    if (fir.quantized_ops == 0) {
      result.warnings.push_back(absl::StrCat(QuantModeName(options.mode),
                                             ": no operator could be converted to integer"));
    }
  } else if (options.mode == QuantMode::kFloat16) {
    Float16Options f16_options;
    f16_options.keep_float_ops = keep_ops;
    ASSIGN_OR_RETURN(Float16Result f16, ConvertWeightsToFloat16(folded.model, f16_options));
    AddRequestedKeeps(folded.model, keep_ops, result.kept_float);
    RemapKeptOps(folded.model, f16.model, result.kept_float);
    result.model = std::move(f16.model);
    result.warnings = std::move(f16.warnings);
    if (f16.converted == 0) {
      result.warnings.push_back("float16: the model has no float32 constant an operator reads");
    }
  } else {
    DynamicRangeOptions d;
    d.per_channel = !options.per_tensor;
    d.min_elements = options.dynamic_min_elements;
    d.keep_float_ops = keep_ops;
    ASSIGN_OR_RETURN(DynamicRangeResult dyn, QuantizeDynamicRange(folded.model, d));
    // Float constants left in float that were float16 in the input (exactly representable) go
    // back to float16 behind DEQUANTIZE: no value changes, and the file does not grow past the
    // float16 original for the small weights and biases dynamic-range quantization skips.
    Float16Options restore;
    restore.lossless_only = true;
    ASSIGN_OR_RETURN(Float16Result restored, ConvertWeightsToFloat16(dyn.model, restore));
    // DEQUANTIZE insertions shift operator indices: report the kept ops' final positions.
    RemapKeptOps(dyn.model, restored.model, dyn.kept_float);
    dyn.model = std::move(restored.model);
    result.model = std::move(dyn.model);
    result.kept_float = std::move(dyn.kept_float);
    result.warnings = std::move(dyn.warnings);
    if (dyn.quantized_ops == 0) {
      result.warnings.push_back(
          "dynamic: no CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED operator qualified for int8 "
          "weights (see the ops kept in float for the reasons)");
    }
  }
  RETURN_IF_ERROR(CheckResult(result.model, options.mode));
  return result;
}

}  // namespace compressd::passes
