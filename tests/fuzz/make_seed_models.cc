// make_seed_models DIR: writes the small built models of the fuzzer's seed corpus into DIR
// (tiny_conv.tflite, kitchen_sink.tflite, and kitchen_sink_external.tflite, whose first constant
// buffer is stored after the flatbuffer in TFLite's offset/size form).
#include <cstdio>
#include <string>
#include <vector>

#include "core/base/file_io.h"
#include "core/tflite/model_writer.h"
#include "core/tflite/schema/tflite_generated.h"
#include "core/tflite/testing/test_models.h"

namespace {

namespace fb = ::tflite;

bool Save(const std::string& path, const std::vector<uint8_t>& bytes) {
  const absl::Status s = compressd::WriteFileAtomic(path, bytes);
  if (!s.ok()) std::fprintf(stderr, "make_seed_models: %s\n", s.ToString().c_str());
  return s.ok();
}

// Moves buffer 1 of `bytes` behind the flatbuffer (Buffer.offset/size), 16-byte aligned.
std::vector<uint8_t> WithExternalBuffer(const std::vector<uint8_t>& bytes) {
  auto model = fb::UnPackModel(bytes.data());
  std::vector<uint8_t> data = std::move(model->buffers[1]->data);
  model->buffers[1]->data.clear();
  model->buffers[1]->offset = 2;  // stored placeholders, patched below
  model->buffers[1]->size = 2;
  flatbuffers::FlatBufferBuilder fbb;
  fb::FinishModelBuffer(fbb, fb::Model::Pack(fbb, model.get()));
  std::vector<uint8_t> out(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  out.resize((out.size() + 15) / 16 * 16, 0);
  const uint64_t offset = out.size();
  out.insert(out.end(), data.begin(), data.end());
  fb::Buffer* b = fb::GetMutableModel(out.data())->mutable_buffers()->GetMutableObject(1);
  b->mutate_offset(offset);
  b->mutate_size(data.size());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seed_models DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  for (const auto& [name, model] : compressd::tflite::testing::SeedModels()) {
    auto bytes = compressd::tflite::WriteModel(model);
    if (!bytes.ok()) {
      std::fprintf(stderr, "make_seed_models: %s: %s\n", name.c_str(),
                   bytes.status().ToString().c_str());
      return 1;
    }
    if (!Save(dir + "/" + name + ".tflite", *bytes)) return 1;
    if (name == "kitchen_sink" && !Save(dir + "/" + name + "_external.tflite",
                                        WithExternalBuffer(*bytes))) {
      return 1;
    }
  }
  return 0;
}
