#!/usr/bin/env bash
# How far apart valid float32 implementations of one model are: runs MODEL in compressd's
# interpreter with its AVX2+FMA kernels, with its portable kernels (COMPRESSD_CPU=portable: same
# math, other summation order) and in the xnnpack arithmetic profile (XNNPACK's order of
# operations), and in TensorFlow Lite (WebAssembly, XNNPACK), on the same input, and prints per
# output max|a − b| / max|TFLite| for each pair, and how many elements of the xnnpack profile's
# output are bit-identical with TFLite's.
#   bench/float_agreement.sh MODEL [INPUT_FILE] [BUILD_DIR]   (needs BUILD_DIR/testdata)
# Without INPUT_FILE both runtimes fill inputs deterministically (sin(0.01·k)).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=$1
input=${2:-}
build=${3:-$root/build}
ctl=$build/client/compressctl
data=${COMPRESSD_TEST_DATA:-$build/testdata}   # the pinned TFLite runtime (scripts/fetch_test_data.sh)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
in_args=(); oracle_in=()
if [[ -n $input ]]; then in_args=(--input "$input"); oracle_in=(--in "$input"); fi
"$ctl" run "$model" "${in_args[@]}" --output-dir "$out/simd" >/dev/null
COMPRESSD_CPU=portable "$ctl" run "$model" "${in_args[@]}" --output-dir "$out/portable" >/dev/null
"$ctl" run "$model" "${in_args[@]}" --arithmetic xnnpack --output-dir "$out/xnnpack" >/dev/null
NODE_PATH=$data/oracle/node_modules node "$root/tests/oracle/oracle.js" "$model" "${oracle_in[@]}" \
  --out "$out/tflite" >/dev/null 2>&1
python3 - "$out" <<'PY'
import os, struct, sys
out = sys.argv[1]
def read(d, i):
    b = open(os.path.join(out, d, f"out_{i}.bin"), "rb").read()
    return struct.unpack("<%df" % (len(b) // 4), b)
print("%-6s %10s %12s %16s %18s %18s %17s %14s" % (
    "output", "elements", "max|TFLite|", "avx2 vs TFLite", "portable vs TFLite", "avx2 vs portable",
    "xnnpack vs TFLite", "bit-identical"))
i = 0
while os.path.exists(os.path.join(out, "tflite", f"out_{i}.bin")):
    a, p, t = read("simd", i), read("portable", i), read("tflite", i)
    x = read("xnnpack", i)
    m = max(abs(v) for v in t) or 1.0
    d = lambda x, y: max(abs(u - v) for u, v in zip(x, y)) / m
    same = sum(1 for u, v in zip(x, t) if struct.pack("<f", u) == struct.pack("<f", v))
    print("%-6d %10d %12.4g %16.2e %18.2e %18.2e %17.2e %8d / %d" % (
        i, len(t), m, d(a, t), d(p, t), d(a, p), d(x, t), same, len(t)))
    i += 1
PY
