#!/usr/bin/env bash
# int8 against float32 inference in compressd's interpreter, one thread, same machine, same run:
# quantizes each test model to full-integer int8 (calibrated on three photographs), runs the float
# original and the int8 model with `compressctl run --repeat N` alternately, and prints the median
# and minimum latencies and their ratios (int8 / float; < 1 means int8 is faster), alternating
# float and int8 runs over ROUNDS rounds (default 5). On a noisy
# machine the minimum is the steadier statistic.
#   [ROUNDS=5] [CYCLES=1] [ARITHMETIC=builtin|xnnpack] bench/int8_vs_float.sh [BUILD_DIR] [REPEAT]
#   (default build/ and 30; needs build/testdata; CYCLES=1 adds user CPU cycles and instructions
#   per inference from perf; ARITHMETIC selects the interpreter's arithmetic profile for both
#   models, default builtin)
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
arith=(--arithmetic "${ARITHMETIC:-builtin}")
echo "arithmetic profile: ${ARITHMETIC:-builtin}"
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
    "$ctl" run "$data/models/$model.tflite" "${arith[@]}" --repeat "$repeat" --json --output-dir "$out/f" \
      >"$out/f.json" 2>/dev/null
    "$ctl" run "$out/$model.int8.tflite" "${arith[@]}" --repeat "$repeat" --json --output-dir "$out/q" \
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

# CYCLES=1: user-space CPU cycles and instructions per inference from `perf stat` (the
# instruction count does not drift with the machine's speed; cycles drift less than wall time):
# (count of a run with REPEAT+1 inferences − count of a run with 1) / REPEAT, each the mean of 3
# perf repetitions.
if [[ ${CYCLES:-0} == 1 ]] && command -v perf >/dev/null; then
  counts() {  # prints "cycles instructions"
    perf stat -x, -e cycles:u,instructions:u -r 3 "$ctl" run "$1" "${arith[@]}" --repeat "$2" \
      2>&1 >/dev/null | grep -E 'cycles|instructions' | cut -d, -f1 | tr '\n' ' '
  }
  printf "\n%-28s %13s %13s %7s %13s %13s %7s\n" model float_Mcycles int8_Mcycles ratio \
    float_Minstr int8_Minstr ratio
  for model in face_detection_short_range face_detection_full_range hand_landmark_lite \
               pose_landmark_lite selfie_segmentation; do
    read -r fc1 fi1 <<<"$(counts "$data/models/$model.tflite" 1)"
    read -r fc2 fi2 <<<"$(counts "$data/models/$model.tflite" $((repeat + 1)))"
    read -r qc1 qi1 <<<"$(counts "$out/$model.int8.tflite" 1)"
    read -r qc2 qi2 <<<"$(counts "$out/$model.int8.tflite" $((repeat + 1)))"
    python3 -c "
fc = ($fc2 - $fc1) / $repeat / 1e6; qc = ($qc2 - $qc1) / $repeat / 1e6
fi = ($fi2 - $fi1) / $repeat / 1e6; qi = ($qi2 - $qi1) / $repeat / 1e6
print('%-28s %13.2f %13.2f %7.2f %13.2f %13.2f %7.2f' % ('$model', fc, qc, qc / fc, fi, qi, qi / fi))"
  done
fi
