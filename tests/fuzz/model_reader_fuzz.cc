// libFuzzer entry point for the TFLite model reader. For any input, ReadModel must return (a model
// or a status) without crashing, hanging, leaking or tripping ASan/UBSan. ReadModelView (the
// no-copy reader the server validates uploads with) must return the same status. A model they
// accept must be writable, and the written bytes must read back into an equal model; a violation
// aborts, which libFuzzer reports as a crash with the input saved.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "core/tflite/model_reader.h"
#include "core/tflite/model_writer.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "model_reader_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using compressd::tflite::ReadModel;
  using compressd::tflite::WriteModel;
  const auto model = ReadModel(std::span<const uint8_t>(data, size));
  const auto view = compressd::tflite::ReadModelView(std::span<const uint8_t>(data, size));
  if (view.status() != model.status()) {
    Fail("ReadModelView disagrees with ReadModel",
         view.status().ToString() + " vs " + model.status().ToString());
  }
  if (!model.ok()) return 0;
  const auto written = WriteModel(*model);
  if (!written.ok()) Fail("accepted model fails to write", written.status().ToString());
  const auto again = ReadModel(*written);
  if (!again.ok()) Fail("written model fails to read", again.status().ToString());
  if (!(*again == *model)) Fail("round trip changed the model", "write → read is not equal");
  return 0;
}
