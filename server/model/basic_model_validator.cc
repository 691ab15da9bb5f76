// Fallback used while core/tflite/model_reader.cc is not built: checks the size and the TFLite
// file identifier ("TFL3" at byte 4) only.
#include <cstring>

#include "absl/strings/str_cat.h"
#include "server/model/model_validator.h"

namespace compressd::server {
namespace {

class BasicModelValidator final : public ModelValidator {
 public:
  explicit BasicModelValidator(int64_t max_model_bytes) : max_model_bytes_(max_model_bytes) {}
  absl::StatusOr<v1::ModelSummary> Validate(std::span<const uint8_t> bytes) override {
    if (static_cast<int64_t>(bytes.size()) > max_model_bytes_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "model of ", bytes.size(), " bytes exceeds the loader limit of ", max_model_bytes_));
    }
    if (bytes.size() < 8 || std::memcmp(bytes.data() + 4, "TFL3", 4) != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "not a TFLite model: the file identifier at bytes 4..7 is not \"TFL3\" (file has ",
          bytes.size(), " bytes)"));
    }
    return v1::ModelSummary();
  }

 private:
  int64_t max_model_bytes_;
};

}  // namespace

std::unique_ptr<ModelValidator> NewDefaultModelValidator(int64_t max_model_bytes) {
  return std::make_unique<BasicModelValidator>(max_model_bytes);
}

bool DefaultModelValidatorIsComplete() { return false; }

}  // namespace compressd::server
