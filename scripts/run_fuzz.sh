#!/usr/bin/env bash
# Builds the model reader fuzzer (clang, libFuzzer + ASan + UBSan; tests/fuzz) and runs it for a
# bounded time on the seed corpus (real test models + small built models). Exits non-zero when the
# fuzzer reports a crash, sanitizer error, leak, timeout (> 10 s per input) or OOM (> 2 GiB); the
# offending input is saved in $FUZZ_BUILD_DIR/fuzz/artifacts/.
#
#   scripts/run_fuzz.sh [SECONDS]          run time, default $FUZZ_SECONDS or 120
#   FUZZ_BUILD_DIR            build directory (default <root>/build-fuzz)
#   COMPRESSD_TEST_DATA_DIR   fetched test data holding models/ (default <root>/build/testdata)
#   JOBS                      build parallelism (default nproc)
#   FUZZ_FLAGS                extra libFuzzer flags (e.g. "-jobs=2 -workers=2", "-max_len=300000")
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-${FUZZ_SECONDS:-120}}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
data=${COMPRESSD_TEST_DATA_DIR:-$root/build/testdata}

if [[ ! -f $build/CMakeCache.txt ]]; then
  CC=${CC:-clang} CXX=${CXX:-clang++} cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCOMPRESSD_FUZZ=ON -DCOMPRESSD_BUILD_TESTS=OFF \
    -DCOMPRESSD_BUILD_SERVICE=OFF -DCOMPRESSD_BUILD_BENCH=OFF >/dev/null
fi
ninja -C "$build" -j "${JOBS:-$(nproc)}" model_reader_fuzz make_seed_models

work=$build/fuzz
rm -rf "$work/seeds"
bash "$root/tests/fuzz/make_seed_corpus.sh" "$work/seeds" "$build/tests/fuzz/make_seed_models" \
  "$data/models"
mkdir -p "$work/corpus" "$work/artifacts"

echo "== fuzzing ReadModel for ${seconds} s"
status=0
# shellcheck disable=SC2086  # FUZZ_FLAGS is a list of flags
"$build/tests/fuzz/model_reader_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" ${FUZZ_FLAGS:-} \
  "$work/corpus" "$work/seeds" || status=$?
if (( status != 0 )); then
  echo "run_fuzz: the fuzzer failed (exit $status); inputs in $work/artifacts/:" >&2
  ls -l "$work/artifacts" >&2 || true
  exit "$status"
fi
echo "run_fuzz: no failures; corpus: $(ls "$work/corpus" | wc -l) files in $work/corpus"
