#include "core/eval/size_accounting.h"

#include <zstd.h>

#include "core/eval/model_summary.h"

namespace compressd::eval {

std::vector<ParamCount> CountParameters(const ir::Model& model) {
  const ModelSummary s = Summarize(model);
  std::vector<ParamCount> out;
  for (const auto& [dtype, stats] : s.constants_by_dtype) {
    out.push_back({dtype, static_cast<uint64_t>(stats.parameters),
                   static_cast<uint64_t>(stats.bytes)});
  }
  return out;
}

uint64_t ZstdSize(std::span<const uint8_t> bytes, int level) {
  std::vector<uint8_t> out(ZSTD_compressBound(bytes.size()));
  const size_t n = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), level);
  return ZSTD_isError(n) ? 0 : n;
}

SizeReport MeasureSizes(std::span<const uint8_t> before, std::span<const uint8_t> after) {
  return {before.size(), after.size(), ZstdSize(before), ZstdSize(after)};
}

}  // namespace compressd::eval
