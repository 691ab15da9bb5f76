// Command-line parsing for compressctl subcommands: `--name value`, `--name=value`, boolean
// `--name`, repeated flags, and positionals. Unknown flags and missing values are errors.
#ifndef COMPRESSD_CLIENT_COMPRESSCTL_ARGS_H_
#define COMPRESSD_CLIENT_COMPRESSCTL_ARGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace compressd::cli {

struct FlagSpec {
  std::string name;     // without leading dashes
  bool takes_value = true;
  bool repeated = false;
};

class Args {
 public:
  // Parses argv[first..]. Fails with INVALID_ARGUMENT naming the offending argument.
  static absl::StatusOr<Args> Parse(int argc, char** argv, int first,
                                    const std::vector<FlagSpec>& specs);

  const std::vector<std::string>& positionals() const { return positionals_; }
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> Get(const std::string& name) const;
  std::vector<std::string> GetAll(const std::string& name) const;
  // The integer value of a flag, or `fallback` when absent; INVALID_ARGUMENT if not an integer
  // in [min, max].
  absl::StatusOr<int64_t> GetInt(const std::string& name, int64_t fallback, int64_t min,
                                 int64_t max) const;

 private:
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace compressd::cli

#endif  // COMPRESSD_CLIENT_COMPRESSCTL_ARGS_H_
