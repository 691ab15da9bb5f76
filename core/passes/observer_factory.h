// Builds the calibration range observer a QuantizeOptions asks for (quant/observers.h).
#ifndef COMPRESSD_CORE_PASSES_OBSERVER_FACTORY_H_
#define COMPRESSD_CORE_PASSES_OBSERVER_FACTORY_H_

#include <memory>

#include "absl/status/statusor.h"
#include "core/passes/quantize_options.h"
#include "core/quant/observers.h"

namespace compressd::passes {

// One observer per tensor: options.observer selects the kind, options.percentile (in (0, 100])
// configures kPercentile; `bits` (8 for int8 activations, 16 for int16x8) configures kMse and kKl.
// INVALID_ARGUMENT for a percentile outside (0, 100] or bits outside [2, 16].
absl::StatusOr<std::unique_ptr<quant::RangeObserver>> MakeObserver(const QuantizeOptions& options,
                                                                   int bits = 8);

}  // namespace compressd::passes

#endif  // COMPRESSD_CORE_PASSES_OBSERVER_FACTORY_H_
