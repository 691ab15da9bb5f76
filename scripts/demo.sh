#!/usr/bin/env bash
# README command 1: set up, build and run the main job on a real model.
# (Until the service lands: inspect a real MediaPipe model and round-trip it through compressd's
# reader and writer.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
export BUILD_DIR=$root/build
bash scripts/build.sh
data=$root/build/testdata
bash scripts/fetch_test_data.sh "$data" >/dev/null
model=$data/models/pose_landmark_lite.tflite
out=$root/build/demo
mkdir -p "$out"
echo "== compressctl inspect $model"
build/client/compressctl inspect "$model"
echo "== compressctl roundtrip"
build/client/compressctl roundtrip "$model" --out "$out/pose_landmark_lite.roundtrip.tflite"
echo "output: $out/pose_landmark_lite.roundtrip.tflite"
