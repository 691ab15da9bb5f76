// The deterministic input every compressd tool and the reference runner (tests/oracle/oracle.js)
// use when no input file is given, so runs are comparable without files:
//   float tensors: element k = sin(0.01 * k)
//   integer tensors: element k = (k mod 255) − 128, wrapped to the type as JavaScript typed arrays
//   do (e.g. uint8 stores it modulo 256).
#ifndef COMPRESSD_CORE_INTERP_INPUT_FILL_H_
#define COMPRESSD_CORE_INTERP_INPUT_FILL_H_

#include <cstdint>
#include <span>

#include "absl/status/status.h"
#include "core/ir/data_type.h"

namespace compressd::interp {

// Fills `bytes` (element count = bytes.size() / type size). UNIMPLEMENTED for types the rule does
// not cover (string, complex, ...).
absl::Status FillDeterministic(ir::DataType type, std::span<uint8_t> bytes);

}  // namespace compressd::interp

#endif  // COMPRESSD_CORE_INTERP_INPUT_FILL_H_
