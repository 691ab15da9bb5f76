#!/usr/bin/env bash
# Side-by-side latency of compressd's interpreter and TensorFlow Lite's WebAssembly runtime
# (XNNPACK, SIMD build) on the real models, one thread each, same deterministic input, measured in
# one run so machine noise affects both alike. Prints a Markdown table with the ratio
# compressd / TFLite (lower is better).
#   bench/interpreter_vs_tflite.sh [BUILD_DIR] [REPEAT]
# ARITHMETIC=xnnpack runs compressd in the profile that reproduces TFLite+XNNPACK's results
# (compressctl run --arithmetic xnnpack); the default is compressd's fastest kernels.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
repeat=${2:-30}
arithmetic=${ARITHMETIC:-builtin}
data=${COMPRESSD_TEST_DATA_DIR:-$build/testdata}
bash "$root/scripts/fetch_test_data.sh" "$data" >/dev/null
ctl=$build/client/compressctl
median() { python3 -c 'import json,sys; print(json.load(sys.stdin)["ms"]["median"])'; }
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo
echo "compressd arithmetic profile: $arithmetic"
echo
echo "| model | compressd ms (median of $repeat) | TFLite WASM+XNNPACK ms | ratio |"
echo "|---|---:|---:|---:|"
for m in face_detection_short_range face_detection_full_range hand_landmark_lite selfie_segmentation pose_landmark_lite; do
  model=$data/models/$m.tflite
  ours=$("$ctl" run "$model" --repeat "$repeat" --threads 1 --arithmetic "$arithmetic" --json |
         median)
  oracle_model=$model
  if [[ $m == selfie_segmentation ]]; then
    # Stock TFLite lacks MediaPipe's custom op: no reference timing for this model.
    printf '| %s | %.2f | n/a (custom op) | n/a |\n' "$m" "$ours"
    continue
  fi
  out=$(mktemp -d)
  theirs=$(NODE_PATH=$data/oracle/node_modules node "$root/tests/oracle/oracle.js" "$oracle_model" \
             --out "$out" --repeat "$repeat" --threads 1 2>/dev/null | median)
  rm -rf "$out"
  python3 -c "print('| $m | %.2f | %.2f | %.3f |' % ($ours, $theirs, $ours / $theirs))"
done
