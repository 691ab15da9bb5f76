#!/usr/bin/env bash
# Measures full-integer int8 quantization of the five test models with every range observer:
# calibrates on nine skimage photographs, evaluates on a tenth (astronaut.png, not in the
# calibration set) and prints one markdown row per model and observer with the SQNR (dB) of each
# output against the float model in compressd's interpreter, and the file size ratios.
#   scripts/quantization_table.sh [BUILD_DIR]     (default build/; needs build/testdata)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
data=${COMPRESSD_TEST_DATA:-$build/testdata}
ctl=$build/client/compressctl
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
calibration=()
for image in chelsea.png coffee.png rocket.jpg motorcycle_left.png horse.png hubble_deep_field.jpg \
             retina.jpg color.png camera.png; do
  calibration+=(--calibration "$data/images/$image")
done
echo "| model | observer | int8 / float16 size | SQNR per output (dB) |"
echo "|---|---|---|---|"
for model in face_detection_short_range face_detection_full_range hand_landmark_lite \
             pose_landmark_lite selfie_segmentation; do
  preprocess="range=0_1"
  [[ $model == face_detection* ]] && preprocess="range=-1_1"
  for observer in minmax ema percentile mse kl; do
    if ! "$ctl" quantize "$data/models/$model.tflite" --mode int8 --observer "$observer" \
        "${calibration[@]}" --evaluation "$data/images/astronaut.png" --preprocess "$preprocess" \
        --out "$out/q.tflite" --json >"$out/r.json" 2>"$out/err"; then
      echo "| $model | $observer | failed: $(head -c 200 "$out/err") | |"
      continue
    fi
    python3 - "$out/r.json" "$model" "$observer" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["report"]
size = r["size"]
ratio = size["bytes_after"] / size["bytes_before"]
def db(x):
    return "inf" if x is None else f"{x:.1f}"
sqnr = ", ".join(db(o.get("sqnr_db")) for o in r["outputs"])
print(f"| {sys.argv[2]} | {sys.argv[3]} | {ratio:.3f} | {sqnr} |")
PY
  done
done
