// Load + validate + write of a real model (issue: foundation). Run:
//   build/bench/model_io_bench --model build/testdata/models/pose_landmark_lite.tflite
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "core/base/file_io.h"
#include "core/tflite/model_reader.h"
#include "core/tflite/model_validator.h"
#include "core/tflite/model_writer.h"

namespace {

std::string g_model_path;

const std::vector<uint8_t>& ModelBytes() {
  static const std::vector<uint8_t>* bytes = [] {
    auto b = compressd::ReadFileBytes(g_model_path);
    if (!b.ok()) {
      std::cerr << b.status() << "\n";
      std::exit(1);
    }
    return new std::vector<uint8_t>(std::move(*b));
  }();
  return *bytes;
}

void BM_Load(benchmark::State& state) {
  const auto& bytes = ModelBytes();
  for (auto _ : state) {
    auto m = compressd::tflite::ReadModel(bytes);
    if (!m.ok()) state.SkipWithError("load failed");
    benchmark::DoNotOptimize(m);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}

void BM_Validate(benchmark::State& state) {
  auto m = compressd::tflite::ReadModel(ModelBytes());
  for (auto _ : state) {
    benchmark::DoNotOptimize(compressd::tflite::ValidateModel(*m));
  }
}

void BM_Write(benchmark::State& state) {
  auto m = compressd::tflite::ReadModel(ModelBytes());
  for (auto _ : state) {
    auto out = compressd::tflite::WriteModel(*m);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(ModelBytes().size()));
}

void BM_LoadValidateWrite(benchmark::State& state) {
  const auto& bytes = ModelBytes();
  for (auto _ : state) {
    auto m = compressd::tflite::ReadModel(bytes);
    auto out = compressd::tflite::WriteModel(*m);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}

BENCHMARK(BM_Load)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Validate)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Write)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LoadValidateWrite)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
      g_model_path = argv[i + 1];
      for (int j = i; j + 2 <= argc; ++j) argv[j] = argv[j + 2];
      argc -= 2;
      break;
    }
  }
  if (g_model_path.empty()) {
    std::cerr << "usage: model_io_bench --model MODEL.tflite [benchmark flags]\n";
    return 2;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
