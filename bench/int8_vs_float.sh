#!/usr/bin/env bash
# int8 against float32 inference in compressd's interpreter, one thread, same machine, same run:
# quantizes each test model to full-integer int8 (calibrated on three photographs), runs the float
# original and the int8 model with `compressctl run --repeat N` alternately, and prints the median
# latencies and their ratio (int8 / float; < 1 means int8 is faster).
#   bench/int8_vs_float.sh [BUILD_DIR] [REPEAT]     (default build/ and 30; needs build/testdata)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
repeat=${2:-30}
data=${COMPRESSD_TEST_DATA:-$build/testdata}
ctl=$build/client/compressctl
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
median() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ms"]["median"])' "$1"; }
printf "%-28s %12s %12s %8s\n" model float_ms int8_ms ratio
for model in face_detection_short_range face_detection_full_range hand_landmark_lite \
             pose_landmark_lite selfie_segmentation; do
  "$ctl" quantize "$data/models/$model.tflite" --mode int8 \
    --calibration "$data/images/chelsea.png" --calibration "$data/images/coffee.png" \
    --calibration "$data/images/camera.png" --out "$out/$model.int8.tflite" >/dev/null 2>&1
  "$ctl" run "$data/models/$model.tflite" --repeat "$repeat" --json --output-dir "$out/f" \
    >"$out/f.json" 2>/dev/null
  "$ctl" run "$out/$model.int8.tflite" --repeat "$repeat" --json --output-dir "$out/q" \
    >"$out/q.json" 2>/dev/null
  f=$(median "$out/f.json"); q=$(median "$out/q.json")
  printf "%-28s %12.2f %12.2f %8.2f\n" "$model" "$f" "$q" "$(python3 -c "print($q / $f)")"
done
