#!/usr/bin/env bash
# make_seed_corpus.sh OUT_DIR MAKE_SEED_MODELS [MODELS_DIR]
# Fills OUT_DIR with the model reader fuzzer's seed corpus: the real test models (*.tflite of
# MODELS_DIR, default $COMPRESSD_TEST_DATA/models, fetched by scripts/fetch_test_data.sh) and the
# small built models written by the make_seed_models tool (tests/fuzz/make_seed_models.cc).
set -euo pipefail
out=${1:?usage: make_seed_corpus.sh OUT_DIR MAKE_SEED_MODELS [MODELS_DIR]}
gen=${2:?usage: make_seed_corpus.sh OUT_DIR MAKE_SEED_MODELS [MODELS_DIR]}
models=${3:-${COMPRESSD_TEST_DATA:-}/models}
mkdir -p "$out"
shopt -s nullglob
real=("$models"/*.tflite)
if (( ${#real[@]} == 0 )); then
  echo "make_seed_corpus: no real models in '$models' (run scripts/fetch_test_data.sh);" \
       "seeding with the built models only" >&2
else
  cp "${real[@]}" "$out"/
fi
"$gen" "$out"
echo "seed corpus: $(ls "$out" | wc -l) files, $(du -sh "$out" | cut -f1) in $out"
