#!/usr/bin/env bash
# README command 2: set up, build and run every test.
#   1. the full build (-O2, warnings are errors) and its tests: compatibility with the real
#      TensorFlow Lite runtime, the service's unit and end-to-end tests;
#   2. core/ again under AddressSanitizer + UndefinedBehaviorSanitizer (-O1), with core's unit
#      tests, which are built only here: compiling them twice cost a third of the run. The
#      libraries are instrumented, the test sources are not (that would triple their compile time);
#   3. the model-loader fuzzer for a bounded time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)
bash scripts/setup.sh

data=${COMPRESSD_TEST_DATA_DIR:-$root/build/testdata}
export BUILD_DIR=$root/build
echo "== build"
bash scripts/build.sh -DCOMPRESSD_WERROR=ON -DCOMPRESSD_TEST_DATA_DIR="$data" \
  -DCOMPRESSD_BUILD_CORE_UNIT_TESTS=OFF
echo "== tests"
(cd build && ctest --output-on-failure --timeout 900 -j "$(nproc)")

echo "== sanitizer build (ASan + UBSan) of core"
export BUILD_DIR=$root/build-asan
bash scripts/build.sh -DCOMPRESSD_WERROR=ON -DCOMPRESSD_SANITIZE=ON -DCOMPRESSD_BUILD_SERVICE=OFF \
  -DCOMPRESSD_BUILD_BENCH=OFF -DCOMPRESSD_BUILD_COMPAT_TESTS=OFF -DCOMPRESSD_SANITIZE_TEST_CODE=OFF \
  -DCOMPRESSD_TEST_DATA_DIR="$data" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure --timeout 900 -j "$(nproc)" -LE compat)

if [[ -f scripts/run_fuzz.sh ]]; then
  echo "== fuzzing the model loader"
  FUZZ_SECONDS=${FUZZ_SECONDS:-60} bash scripts/run_fuzz.sh
fi
echo "== disk used by the build folders: $(du -sh build build-asan build-fuzz 2>/dev/null |
  awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1}')"
echo "== all tests passed in $(( $(date +%s) - start )) s"
