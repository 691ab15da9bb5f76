// ModelValidator: checks uploaded model bytes before they are stored and summarizes them.
//
// The default implementation calls the core loader (compressd::tflite::ReadModelView: the checks of
// ReadModel, which verifies the flatbuffer and every semantic invariant, without copying constant
// buffers); until that is built it falls back to checking the TFLite file identifier only (summary
// left empty).
//
// Thread safety: implementations are stateless and thread-safe.
#ifndef COMPRESSD_SERVER_MODEL_MODEL_VALIDATOR_H_
#define COMPRESSD_SERVER_MODEL_MODEL_VALIDATOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "absl/status/statusor.h"
#include "compressd/v1/resources.pb.h"

namespace compressd::server {

class ModelValidator {
 public:
  virtual ~ModelValidator() = default;
  // The summary of a valid model; INVALID_ARGUMENT (message from the loader, naming what is
  // wrong), RESOURCE_EXHAUSTED for a loader limit, UNIMPLEMENTED for unsupported content.
  virtual absl::StatusOr<v1::ModelSummary> Validate(std::span<const uint8_t> bytes) = 0;
};

// The loader-backed validator; `max_model_bytes` bounds the file size.
std::unique_ptr<ModelValidator> NewDefaultModelValidator(int64_t max_model_bytes);

// True when NewDefaultModelValidator runs the full core loader (false: identifier check only).
bool DefaultModelValidatorIsComplete();

// A validator running a given function (tests inject fakes with it).
class FunctionModelValidator final : public ModelValidator {
 public:
  using Fn = std::function<absl::StatusOr<v1::ModelSummary>(std::span<const uint8_t>)>;
  explicit FunctionModelValidator(Fn fn) : fn_(std::move(fn)) {}
  absl::StatusOr<v1::ModelSummary> Validate(std::span<const uint8_t> bytes) override {
    return fn_(bytes);
  }

 private:
  Fn fn_;
};

}  // namespace compressd::server

#endif  // COMPRESSD_SERVER_MODEL_MODEL_VALIDATOR_H_
