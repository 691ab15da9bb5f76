#!/usr/bin/env bash
# int8 against float32 inference in compressd's interpreter, one thread, same machine, same run:
# quantizes each test model to full-integer int8 (calibrated on three photographs), runs the float
# original and the int8 model with `compressctl run --repeat N` alternately, and prints the median
# and minimum latencies and their ratios (int8 / float; < 1 means int8 is faster). On a loaded
# machine the minimum is the steadier statistic.
#   bench/int8_vs_float.sh [BUILD_DIR] [REPEAT]     (default build/ and 30; needs build/testdata)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
repeat=${2:-30}
data=${COMPRESSD_TEST_DATA:-$build/testdata}
ctl=$build/client/compressctl
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
stat() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ms"][sys.argv[2]])' "$1" "$2"; }
printf "%-28s %10s %10s %7s %10s %10s %7s\n" model float_med int8_med ratio float_min int8_min ratio
for model in face_detection_short_range face_detection_full_range hand_landmark_lite \
             pose_landmark_lite selfie_segmentation; do
  "$ctl" quantize "$data/models/$model.tflite" --mode int8 \
    --calibration "$data/images/chelsea.png" --calibration "$data/images/coffee.png" \
    --calibration "$data/images/camera.png" --out "$out/$model.int8.tflite" >/dev/null 2>&1
  "$ctl" run "$data/models/$model.tflite" --repeat "$repeat" --json --output-dir "$out/f" \
    >"$out/f.json" 2>/dev/null
  "$ctl" run "$out/$model.int8.tflite" --repeat "$repeat" --json --output-dir "$out/q" \
    >"$out/q.json" 2>/dev/null
  f=$(stat "$out/f.json" median); q=$(stat "$out/q.json" median)
  fm=$(stat "$out/f.json" min); qm=$(stat "$out/q.json" min)
  printf "%-28s %10.2f %10.2f %7.2f %10.2f %10.2f %7.2f\n" "$model" "$f" "$q" \
    "$(python3 -c "print($q / $f)")" "$fm" "$qm" "$(python3 -c "print($qm / $fm)")"
done
