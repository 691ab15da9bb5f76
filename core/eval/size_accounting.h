// Size accounting for reports: parameter counts by dtype and file sizes raw and after zstd.
#ifndef COMPRESSD_CORE_EVAL_SIZE_ACCOUNTING_H_
#define COMPRESSD_CORE_EVAL_SIZE_ACCOUNTING_H_

#include <cstdint>
#include <span>
#include <vector>

#include "core/eval/report.h"
#include "core/ir/model.h"

namespace compressd::eval {

// Constant tensors (weights, biases, ...) grouped by dtype, sorted by dtype name.
std::vector<ParamCount> CountParameters(const ir::Model& model);

// Raw sizes and sizes after zstd (level 9), as a distribution-size estimate.
SizeReport MeasureSizes(std::span<const uint8_t> before, std::span<const uint8_t> after);

// Bytes after zstd compression at `level`; 0 if compression fails.
uint64_t ZstdSize(std::span<const uint8_t> bytes, int level = 9);

}  // namespace compressd::eval

#endif  // COMPRESSD_CORE_EVAL_SIZE_ACCOUNTING_H_
