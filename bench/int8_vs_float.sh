#!/usr/bin/env bash
# int8 against float32 inference in compressd's interpreter, one thread, same machine, same run:
# quantizes each test model to full-integer int8 (calibrated on three photographs), runs the float
# original and the int8 model with `compressctl run --repeat N` alternately, and prints the median
# and minimum latencies and their ratios (int8 / float; < 1 means int8 is faster), alternating
# float and int8 runs over ROUNDS rounds (default 5). On a noisy
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
rounds=${ROUNDS:-5}
printf "%-28s %10s %10s %7s %10s %10s %7s\n" model float_med int8_med ratio float_min int8_min ratio
for model in face_detection_short_range face_detection_full_range hand_landmark_lite \
             pose_landmark_lite selfie_segmentation; do
  "$ctl" quantize "$data/models/$model.tflite" --mode int8 \
    --calibration "$data/images/chelsea.png" --calibration "$data/images/coffee.png" \
    --calibration "$data/images/camera.png" --out "$out/$model.int8.tflite" >/dev/null 2>&1
  # Alternate float and int8 runs ($rounds rounds of $repeat each) so that slow phases of the
  # machine hit both; report the median of the per-round medians and the minimum over all runs.
  fs=(); qs=(); fms=(); qms=()
  for ((r = 0; r < rounds; ++r)); do
    "$ctl" run "$data/models/$model.tflite" --repeat "$repeat" --json --output-dir "$out/f" \
      >"$out/f.json" 2>/dev/null
    "$ctl" run "$out/$model.int8.tflite" --repeat "$repeat" --json --output-dir "$out/q" \
      >"$out/q.json" 2>/dev/null
    fs+=("$(stat "$out/f.json" median)"); qs+=("$(stat "$out/q.json" median)")
    fms+=("$(stat "$out/f.json" min)"); qms+=("$(stat "$out/q.json" min)")
  done
  python3 - "$model" "${fs[*]}" "${qs[*]}" "${fms[*]}" "${qms[*]}" <<'PY'
import statistics, sys
model = sys.argv[1]
f, q, fm, qm = ([float(x) for x in a.split()] for a in sys.argv[2:6])
fmed, qmed = statistics.median(f), statistics.median(q)
print("%-28s %10.2f %10.2f %7.2f %10.2f %10.2f %7.2f" %
      (model, fmed, qmed, qmed / fmed, min(fm), min(qm), min(qm) / min(fm)))
PY
done
