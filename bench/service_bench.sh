#!/usr/bin/env bash
# Service benchmarks (issue 5): upload throughput of compressd's UploadModel against a raw gRPC
# stream of the same bytes, submit → RUNNING latency with an idle worker, and the throughput of
# trivial (test-hook "roundtrip") jobs with two workers. Starts its own compressd, workers and
# baseline server on loopback with a fresh data directory under $TMPDIR; prints a Markdown table.
#   bench/service_bench.sh [BUILD_DIR] [service_bench flags...]   (default build/)
# e.g. bench/service_bench.sh build --upload_reps=7 --latency_jobs=200 --throughput_jobs=200
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
shift || true
bench=$build/bench/service_bench
for bin in "$bench" "$build/server/compressd" "$build/worker/compressd-worker" \
           "$build/worker/compressd-pipeline-runner"; do
  [[ -x $bin ]] || { echo "missing $bin (build it first)" >&2; exit 1; }
done
cpu=$(lscpu | sed -n 's/^Model name: *//p')
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $cpu, $(nproc) cores," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" --server_bin "$build/server/compressd" --worker_bin "$build/worker/compressd-worker" "$@"
