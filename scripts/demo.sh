#!/usr/bin/env bash
# README command 1: set up, build, start the service (server + one worker, embedded defaults, on
# localhost), and compress a real MediaPipe model through it with compressctl; prints the report
# summary and where the output is.
#
# The job is full-integer int8 (examples/specs/int8.json): weights and activations int8, float
# inputs and outputs, calibrated on five photographs from the test data (uploaded as a dataset).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
export BUILD_DIR=$root/build
data=$root/build/testdata
# The same configuration as scripts/test.sh, so the two README commands share one build.
bash scripts/build.sh -DCOMPRESSD_WERROR=ON -DCOMPRESSD_TEST_DATA_DIR="$data" \
  -DCOMPRESSD_BUILD_CORE_UNIT_TESTS=OFF
bash scripts/fetch_test_data.sh "$data" >/dev/null

out=$root/build/demo
rm -rf "$out"
mkdir -p "$out/server-data" "$out/worker-cache"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
addr=127.0.0.1:$port

build/server/compressd --data-dir "$out/server-data" --listen "$addr" >"$out/server.log" 2>&1 &
server=$!
build/worker/compressd-worker --server "$addr" --cache-dir "$out/worker-cache" \
  >"$out/worker.log" 2>&1 &
worker=$!
cleanup() { kill "$worker" "$server" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 1 50); do
  build/client/compressctl health --server "$addr" >/dev/null 2>&1 && break
  sleep 0.2
done

model=$data/models/face_detection_short_range.tflite
mkdir -p "$out/calibration"
for image in chelsea.png coffee.png rocket.jpg motorcycle_left.png horse.png; do
  cp "$data/images/$image" "$out/calibration/"
done
result=$out/face_detection_short_range.int8.tflite
echo "== compressctl compress $(basename "$model") --spec examples/specs/int8.json (server $addr)"
build/client/compressctl compress "$model" --server "$addr" --spec examples/specs/int8.json \
  --calibration "$out/calibration" --out "$result" --report "$out/report.json"
echo
echo "== the compressed model"
build/client/compressctl inspect "$result" | head -14
echo
echo "output: $result"
echo "report: $out/report.json   logs: $out/server.log, $out/worker.log"
