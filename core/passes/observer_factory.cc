#include "core/passes/observer_factory.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace compressd::passes {

absl::StatusOr<std::unique_ptr<quant::RangeObserver>> MakeObserver(const QuantizeOptions& options,
                                                                   int bits) {
  if (bits < 2 || bits > 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("observer bit width ", bits, " is outside [2, 16]"));
  }
  switch (options.observer) {
    case ObserverKind::kMinMax:
      return std::make_unique<quant::MinMaxObserver>();
    case ObserverKind::kEma:
      return std::make_unique<quant::EmaMinMaxObserver>();
    case ObserverKind::kPercentile:
      if (!std::isfinite(options.percentile) || options.percentile <= 0.0 ||
          options.percentile > 100.0) {
        return absl::InvalidArgumentError(
            absl::StrCat("percentile ", options.percentile, " is outside (0, 100]"));
      }
      return std::make_unique<quant::PercentileObserver>(options.percentile);
    case ObserverKind::kMse:
      return std::make_unique<quant::MseObserver>(bits);
    case ObserverKind::kKl:
      return std::make_unique<quant::KlObserver>(bits);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown observer kind ", static_cast<int>(options.observer)));
}

}  // namespace compressd::passes
