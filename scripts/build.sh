#!/usr/bin/env bash
# Configures and builds compressd into BUILD_DIR (default: build/). Extra arguments go to cmake.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}
# Release at -O2 without debug info (a third less compile time than RelWithDebInfo); pass
# -DCMAKE_BUILD_TYPE=RelWithDebInfo for debugging. README's two commands share this build.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" "$@" >/dev/null
ninja -C "$build" -j "$jobs"
